"""Graded tests scored: each pair's cosine, and per backend and test how well the cosines track
the human ratings: Spearman's rho (ties averaged) and Pearson's r over the pairs with both
vectors, each with a 95% interval by Fisher's z (for rho with Bonett and Wright's standard
error). A pair with a side that has no vector is unscored, with the reason; a test with fewer
than 3 scored pairs has no correlation, and says why."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from harness.backend import Item
from harness.pipeline.stats import fisher_interval, pearson, spearman
from harness.pipeline.vectors import cosine as cosine_of
from harness.results.rows import CorrelationResult, PairResult
from harness.suites.graded import MIN_PAIRS
from harness.suites.model import PairSide, Suite


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


def _cosine(a: np.ndarray, b: np.ndarray) -> float | None:
    """The cosine of two sides' vectors; None when either has no direction."""
    value = cosine_of(a, b)
    return None if math.isnan(value) else value


def score_graded(backend: str, suite: Suite, index: Mapping[Item, int], vectors: np.ndarray,
                 missing: Mapping[int, str]
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
            cosine = _cosine(va, vb) if va is not None and vb is not None else None
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
