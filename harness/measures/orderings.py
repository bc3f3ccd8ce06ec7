"""Orderings (schemas 1 and 2, the key `expect`): each expectation says one cosine exceeds
another by a margin (harness/pipeline/scoring.py scores it; harness/suites/validate.py reads
it). Built in: its rows are results.json's `results`, its summary the `passed`, `accuracy`,
`ties` ... fields of `summary`, and the reports lay it out as they always have."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from harness.measures.base import Measure
from harness.pipeline.scoring import ExpectationResult, score_suite
from harness.pipeline.vectors import unit_rows

if TYPE_CHECKING:
    from harness.pipeline.vectors import TestVectors
    from harness.results.model import Results
    from harness.suites.fields import Checker
    from harness.suites.model import LabelledContext, Suite, Test


class OrderingsMeasure(Measure):
    kind = "orderings"
    keys = ("expect",)
    schema = 1
    title = "Expectations"
    rules = ("An expectation passes when sim(anchor, closer) - sim(anchor, farther) exceeds its "
             "margin (default 0). A tie fails.")
    row_type = ExpectationResult
    builtin = True
    score_name = "accuracy"
    compare_title = "Backends compared"
    compare_note = ("On the expectations both backends ran: accuracy with a 95% Wilson interval, "
                    "how many each passes alone, and the exact McNemar (binomial) p-value of "
                    "those.")

    def compared_rows(self, results: Results) -> list[Any]:
        return results.rows

    def parse(self, checker: Checker, data: Mapping, where: str, line: int,
              contexts: Mapping[str, LabelledContext], declared: set[str]) -> Any:
        return checker.expectations(data, where, line, dict(contexts), declared)

    def score(self, backend: str, suite: Suite, test: Test, vectors: TestVectors) -> list[Any]:
        unit, _ = unit_rows(vectors.vectors)
        return score_suite(backend, replace(suite, tests=(test,)), vectors.index, unit,
                           vectors.missing)

    def key(self, row: Any) -> tuple:
        return (row.suite, row.test, row.expectation)

    def case_name(self, row: Any) -> str:
        return row.expectation
