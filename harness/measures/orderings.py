"""Orderings (schemas 1 and 2, the key `expect`): each expectation says one cosine exceeds
another by a margin. Scored here (the two cosines, the margin, a tie; a backend's totals on a
suite); read by harness/suites/validate.py. A built-in kind: its rows are results.json's
`results`, its totals the `passed`, `accuracy`, `ties` ... fields of `summary`, and the reports
lay it out as they always have."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from harness.backend import Item
from harness.measures.base import Measure
from harness.measures.vectors import matrix as similarity_matrix
from harness.measures.vectors import pair
from harness.results.rows import CorrelationResult, ExpectationResult, SummaryRow
from harness.suites.model import Suite

if TYPE_CHECKING:
    from harness.measures.vectors import TestVectors
    from harness.results.model import Results
    from harness.suites.fields import Checker
    from harness.suites.model import LabelledContext, Test

# Two similarities closer than this are a tie: float32 vectors carry about 7 significant digits,
# so a smaller difference says nothing about the model. Ties fail.
TIE_TOLERANCE = 1e-6
# A pass whose margin is less than this many standard deviations of the baseline is "weak": it
# still passes, and the reports count and flag it.
WEAK_BELOW = 0.5


def score_suite(
    backend: str,
    suite: Suite,
    index: Mapping[Item, int],
    unit: np.ndarray,
    missing: Mapping[int, str],
    baseline_sd: float | None = None,
    weak_below: float = WEAK_BELOW,
    similarity: str = "cosine",
) -> list[ExpectationResult]:
    """Score every expectation of `suite` from unit vectors `unit`, rows found by `index`;
    with the baseline's standard deviation, each margin also in units of it."""
    out = []
    for test in suite.tests:
        row = {label: index[ctx.item] for label, ctx in test.contexts.items()}
        for exp in test.expect:
            fa = exp.farther_anchor or exp.anchor  # schema 2's pair form has its own
            a, c, f, af = row[exp.anchor], row[exp.closer], row[exp.farther], row[fa]
            gone = [(lab, missing[r]) for lab, r in dict.fromkeys(
                ((exp.anchor, a), (exp.closer, c), (fa, af), (exp.farther, f))) if r in missing]
            if gone:
                error = "; ".join(f"{lab}: {why}" for lab, why in gone)
                out.append(ExpectationResult(backend, suite.name, test.id, str(exp), None, None,
                                             None, exp.margin, False, False, error))
                continue
            sim_c = pair(unit, a, c, similarity)
            sim_f = pair(unit, af, f, similarity)
            diff = sim_c - sim_f
            tie = abs(diff) <= TIE_TOLERANCE
            passed = (not tie) and diff > exp.margin
            in_sd = diff / baseline_sd if baseline_sd else None
            weak = passed and in_sd is not None and in_sd < weak_below
            out.append(ExpectationResult(backend, suite.name, test.id, str(exp), sim_c, sim_f,
                                         diff, exp.margin, passed, tie, None, in_sd, weak))
    return out


def test_similarities(suite: Suite, index: Mapping[Item, int], unit: np.ndarray,
                      missing: Mapping[int, str], similarity: str = "cosine") -> dict[str, dict]:
    """For each test, its context labels, their target words (None: a whole sentence) and
    their cosine similarity matrix (None where a context has no vector), for heatmaps and
    maps."""
    out = {}
    for test in suite.tests:
        if test.graded:  # its pairs are in pair_results
            continue
        labels = list(test.contexts)
        items = [test.contexts[label].item for label in labels]
        rows = [index[item] for item in items]
        matrix = similarity_matrix(unit[rows], similarity)
        gone = [r in missing for r in rows]
        out[test.id] = {
            "labels": labels,
            "words": [item.word for item in items],
            "matrix": [[None if gone[i] or gone[j] else round(float(matrix[i, j]), 6)
                        for j in range(len(rows))] for i in range(len(rows))],
        }
    return out


def summarize(backend: str, suite: Suite, results: Sequence[ExpectationResult],
              correlations: Sequence[CorrelationResult] = ()) -> SummaryRow:
    """Totals of one backend on one suite: its orderings, and the median Spearman's rho of its
    graded tests."""
    mine = [r for r in results if r.backend == backend and r.suite == suite.name]
    rhos = [c.spearman for c in correlations if c.backend == backend and c.suite == suite.name
            and c.spearman is not None]
    passed = sum(r.passed for r in mine)
    failed_tests = {r.test for r in mine if not r.passed}
    in_sd = [r.margin_sd for r in mine if r.margin_sd is not None]
    return SummaryRow(
        backend=backend,
        suite=suite.name,
        passed=passed,
        total=len(mine),
        accuracy=passed / len(mine) if mine else None,
        ties=sum(r.tie for r in mine),
        tests_passed=suite.ordering_tests - len(failed_tests),
        tests_total=suite.ordering_tests,
        unscored=sum(r.error is not None for r in mine),
        weak=sum(r.weak for r in mine),
        median_margin_sd=statistics.median(in_sd) if in_sd else None,
        graded_tests=suite.graded_tests,
        median_spearman=statistics.median(rhos) if rhos else None,
    )


def failed_summary(backend: str, suite: Suite, status: str, error: str) -> SummaryRow:
    return SummaryRow(backend, suite.name, 0, suite.n_expectations, None, 0, 0,
                      suite.ordering_tests, suite.n_expectations, status, error,
                      graded_tests=suite.graded_tests)


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
        return score_suite(backend, replace(suite, tests=(test,)), vectors.index, vectors.rows,
                           vectors.missing, vectors.baseline_sd, vectors.weak_below,
                           vectors.similarity)

    def key(self, row: Any) -> tuple:
        return (row.suite, row.test, row.expectation)

    def case_name(self, row: Any) -> str:
        return row.expectation
