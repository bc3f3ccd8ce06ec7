"""Graded pairs (schema 3, the keys `pairs` and `scale`): how well a backend's cosines track
human ratings. Scored here: each pair's cosine, and per backend and test Spearman's rho (ties
averaged) and Pearson's r over the pairs with both vectors, each with a 95% interval by Fisher's
z (for rho with Bonett and Wright's standard error); a pair with a side that has no vector is
unscored, with the reason, and a test with fewer than 3 scored pairs has no correlation, and
says why. Read by harness/suites/graded.py. A built-in kind: its rows are results.json's
`correlations` (one per test; the main score, Spearman's rho) and `pair_results`, and the
reports lay them out as they always have."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import combinations
from typing import TYPE_CHECKING, Any

import numpy as np

from harness.backend import Item
from harness.measures.base import FAIL, PASS, UNSCORED, Measure, median
from harness.measures.significance import paired_rho_bootstrap
from harness.measures.stats import fisher_interval, pearson, spearman
from harness.measures.vectors import similarity as similarity_of
from harness.results.rows import CorrelationResult, PairResult
from harness.suites.graded import MIN_PAIRS, parse_pairs, parse_scale
from harness.suites.model import PairSide, Suite

if TYPE_CHECKING:
    from harness.measures.vectors import TestVectors
    from harness.results.model import Results
    from harness.suites.fields import Checker
    from harness.suites.model import LabelledContext, Test

def side_vector(side: PairSide, index: Mapping[Item, int], vectors: np.ndarray,
                missing: Mapping[int, str]) -> tuple[np.ndarray | None, str | None]:
    """The side's vector (a type vector: the mean of the vectors it has), or why it has none."""
    rows = [index[item] for item in side.items]
    have = [r for r in rows if r not in missing]
    if not have:
        if len(rows) == 1:
            return None, missing[rows[0]]
        return None, (f"no vector in any of its {len(rows)} texts (the first: "
                      f"{missing[rows[0]]})")
    return np.asarray(vectors[have], dtype=np.float64).mean(axis=0), None


def _cosine(a: np.ndarray, b: np.ndarray, similarity: str = "cosine") -> float | None:
    """The similarity (cosine by default) of two sides' vectors; None when it is undefined."""
    value = similarity_of(a, b, similarity)
    return None if math.isnan(value) else value


def score_graded(backend: str, suite: Suite, index: Mapping[Item, int], vectors: np.ndarray,
                 missing: Mapping[int, str], similarity: str = "cosine"
                 ) -> tuple[list[PairResult], list[CorrelationResult]]:
    """Every pair of the suite's graded tests, and one correlation per graded test."""
    pairs_out: list[PairResult] = []
    correlations: list[CorrelationResult] = []
    for test in suite.tests:
        if not test.graded:
            continue
        mine = []
        for pair in test.pairs:
            (va, why_a), (vb, why_b) = (side_vector(s, index, vectors, missing)
                                        for s in (pair.a, pair.b))
            cosine = _cosine(va, vb, similarity) if va is not None and vb is not None else None
            error = "; ".join(f"{label}: {why}" for label, why in (
                (pair.a.label, why_a), (pair.b.label, why_b)) if why)
            if cosine is None and not error:
                error = "a side's vector is all zeros"
            mine.append(PairResult(backend, suite.name, test.id, pair.a.label, pair.b.label,
                                   pair.score, cosine, error or None))
        pairs_out += mine
        correlations.append(correlate(backend, suite.name, test.id, mine))
    return pairs_out, correlations


def correlate(backend: str, suite: str, test: str,
              pairs: list[PairResult]) -> CorrelationResult:
    """Spearman and Pearson, with intervals, over the pairs that have a cosine."""
    scored = [p for p in pairs if p.cosine is not None]
    n = len(scored)
    rho = r = None
    error = None
    if n < MIN_PAIRS:
        error = (f"{n} of {len(pairs)} pairs have both vectors; a correlation needs at least "
                 f"{MIN_PAIRS}")
    else:
        cosines, ratings = [p.cosine for p in scored], [p.score for p in scored]
        rho, r = spearman(cosines, ratings), pearson(cosines, ratings)
        if rho is None:
            error = ("the cosines (or the ratings) of the scored pairs are all equal: no "
                     "correlation")
    rho_ci = fisher_interval(rho, n, spearman_rho=True) if rho is not None else None
    r_ci = fisher_interval(r, n) if r is not None else None
    return CorrelationResult(backend, suite, test, len(pairs), n, len(pairs) - n, rho,
                             list(rho_ci) if rho_ci else None, r, list(r_ci) if r_ci else None,
                             error)


PairKey = tuple[str, str, int, str, str]  # suite, test, position, a, b


@dataclass(frozen=True)
class GradedComparison:
    """Two backends on one graded test, over the pairs both scored."""

    a: str
    b: str
    suite: str
    test: str
    pairs: int
    rho_a: float | None
    rho_b: float | None
    difference_ci: tuple[float, float] | None
    p_value: float | None = None  # the paired bootstrap's two-sided p-value of the difference

    def cells(self) -> list[str]:
        def rho(value: float | None) -> str:
            return "-" if value is None else f"{value:.3f}"

        difference = ("-" if self.rho_a is None or self.rho_b is None
                      else f"{self.rho_a - self.rho_b:+.3f}")
        interval = ("-" if self.difference_ci is None
                    else f"[{self.difference_ci[0]:+.3f}, {self.difference_ci[1]:+.3f}]")
        return [self.a, self.b, f"{self.suite} / {self.test}", str(self.pairs), rho(self.rho_a),
                rho(self.rho_b), difference, interval]

    def to_dict(self) -> dict:
        """Every number of the row (`harness compare --json`); the interval as [low, high],
        None where there is none."""
        both = self.rho_a is not None and self.rho_b is not None
        return {"a": self.a, "b": self.b, "suite": self.suite, "test": self.test,
                "pairs": self.pairs, "rho_a": self.rho_a, "rho_b": self.rho_b,
                "difference": self.rho_a - self.rho_b if both else None,
                "difference_ci": None if self.difference_ci is None
                else list(self.difference_ci), "p_value": self.p_value}


class GradedMeasure(Measure):
    kind = "graded"
    keys = ("pairs", "scale")
    schema = 3
    title = "Graded tests"
    rules = ("A graded test scores how well a backend's cosines track human ratings: "
             "Spearman's rho over the pairs with both vectors.")
    row_type = CorrelationResult
    builtin = True
    score_name = "median rho"
    compare_title = "Graded tests compared"
    compare_note = ("On the pairs both backends scored: each backend's Spearman's rho, their "
                    "difference, and its 95% interval from a paired bootstrap over those pairs "
                    "(2,000 resamples, seed 0, percentile interval).")
    compare_headers = ("backend A", "backend B", "graded test", "pairs", "rho A", "rho B",
                       "A - B", "95% CI (bootstrap)")

    def compared_rows(self, results: Results) -> list[Any]:
        return results.pair_rows

    def compare(self, rows: Mapping[str, Sequence[Any]]) -> list[Any]:
        """Every two backends on every graded test both scored: each rho over the pairs both
        scored, and a seeded paired bootstrap interval of their difference (at least 4 common
        pairs for an interval)."""
        by_backend: dict[str, dict[PairKey, tuple[float, float]]] = {}
        for label, mine in rows.items():
            position: dict[tuple[str, str, str], int] = {}
            for row in mine:
                where = (row.backend, row.suite, row.test)
                n = position[where] = position.get(where, -1) + 1
                if row.cosine is not None:
                    by_backend.setdefault(label, {})[
                        (row.suite, row.test, n, row.a, row.b)] = (row.cosine, row.score)
        out = []
        for a, b in combinations(by_backend, 2):
            shared = sorted(set(by_backend[a]) & set(by_backend[b]))
            for suite, test in dict.fromkeys((k[0], k[1]) for k in shared):
                keys = [k for k in shared if k[:2] == (suite, test)]
                cos_a = [by_backend[a][k][0] for k in keys]
                cos_b = [by_backend[b][k][0] for k in keys]
                ratings = [by_backend[a][k][1] for k in keys]
                interval, p_value = paired_rho_bootstrap(cos_a, cos_b, ratings)
                out.append(GradedComparison(a, b, suite, test, len(keys),
                                            spearman(cos_a, ratings), spearman(cos_b, ratings),
                                            interval, p_value))
        return out

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
                            vectors.vectors, vectors.missing, vectors.similarity)[1]

    def outcome(self, row: Any) -> str:
        return UNSCORED if row.spearman is None else PASS if row.spearman > 0 else FAIL

    def main_score(self, rows: Sequence[Any]) -> float | None:
        return median(r.spearman for r in rows)

    def case_name(self, row: Any) -> str:
        return f"graded: {row.test}"
