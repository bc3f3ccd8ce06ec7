"""Graded pairs (schema 3, the keys `pairs` and `scale`): how well a backend's cosines track
human ratings (harness/pipeline/correlation.py scores them; harness/suites/graded.py reads
them). Built in: its rows are results.json's `correlations` (one per test, the main score
Spearman's rho) and `pair_results`, and the reports lay them out as they always have."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from harness.measures.base import FAIL, PASS, UNSCORED, Measure, median
from harness.pipeline.correlation import CorrelationResult, score_graded
from harness.suites.graded import parse_pairs, parse_scale

if TYPE_CHECKING:
    from harness.pipeline.vectors import TestVectors
    from harness.suites.model import LabelledContext, Suite, Test
    from harness.suites.fields import Checker


class GradedMeasure(Measure):
    kind = "graded"
    keys = ("pairs", "scale")
    schema = 3
    title = "Graded tests"
    rules = ("A graded test scores how well a backend's cosines track human ratings: "
             "Spearman's rho over the pairs with both vectors.")
    row_type = CorrelationResult
    score_name = "median rho"

    def parse(self, checker: Checker, data: Mapping, where: str, line: int,
              contexts: Mapping[str, LabelledContext], declared: set[str]) -> Any:
        scale = parse_scale(checker, data, where, line)
        pairs = parse_pairs(checker, data, where, line, contexts, declared, scale)
        return None if pairs is None else (pairs, scale)

    def items(self, test: Test):
        for pair in test.pairs:
            yield from pair.a.items
            yield from pair.b.items

    def score(self, backend: str, suite: Suite, test: Test, vectors: TestVectors) -> list[Any]:
        return score_graded(backend, replace(suite, tests=(test,)), vectors.index,
                            vectors.vectors, vectors.missing)[1]

    def outcome(self, row: Any) -> str:
        return UNSCORED if row.spearman is None else PASS if row.spearman > 0 else FAIL

    def main_score(self, rows: Sequence[Any]) -> float | None:
        return median(r.spearman for r in rows)

    def case_name(self, row: Any) -> str:
        return f"graded: {row.test}"
