"""Significance across many comparisons: Holm's step-down correction, a seeded bootstrap of
Spearman's rho vectorised over resamples (the draws of `stats.bootstrap_difference`, so a pair
compared here gets the same differences as `harness compare` gives it), and the bootstrap
p-value of a difference of correlations. Used by the ranks (harness/measures/ranking.py) and by
`harness compare`'s verdicts."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from harness.measures.stats import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, quantile

ALPHA = 0.05


def holm(p_values: Sequence[float], alpha: float = ALPHA, sure: int = 0) -> list[bool]:
    """Which hypotheses Holm's step-down procedure rejects at `alpha` (family-wise): sort the
    p-values, reject p_(i) while p_(i) <= alpha / (m - i + 1), stop at the first that is not.
    `sure`: that many further hypotheses of the family, known to have p <= alpha / m (rejected
    whatever the others are; they come first in the order), left out of `p_values`."""
    m = len(p_values) + sure
    order = sorted(range(len(p_values)), key=lambda i: (p_values[i], i))
    rejected = [False] * len(p_values)
    for position, i in enumerate(order, start=sure + 1):
        if p_values[i] > alpha / (m - position + 1):
            break
        rejected[i] = True
    return rejected


def holm_adjusted(p_values: Sequence[float]) -> list[float]:
    """Holm-adjusted p-values: max over the earlier of (m - i + 1) p_(i), capped at 1; a
    hypothesis is rejected at alpha exactly when its adjusted p-value is <= alpha."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: (p_values[i], i))
    adjusted = [1.0] * m
    running = 0.0
    for position, i in enumerate(order, start=1):
        running = max(running, min(1.0, (m - position + 1) * p_values[i]))
        adjusted[i] = running
    return adjusted


def draws(sizes: Sequence[int], resamples: int, seed: int = BOOTSTRAP_SEED) -> list[np.ndarray]:
    """The bootstrap's indices, one (resamples x n) array per test of `sizes` from one seeded
    generator; for one test they are `stats.bootstrap_difference`'s draws."""
    rng = np.random.default_rng(seed)
    return [rng.integers(0, n, (resamples, n)) if n else np.zeros((resamples, 0), int)
            for n in sizes]


def counts_of(indices: np.ndarray, n: int) -> np.ndarray:
    """How many times each of n items is drawn in each resample: (resamples x n)."""
    return np.stack([np.bincount(row, minlength=n) for row in indices]).astype(np.float64) \
        if len(indices) else np.zeros((0, n))


def _ranker(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What ranking resamples of `values` needs: their order, where each run of equal values
    starts in it, and each sorted position's run."""
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    new = np.r_[True, ordered[1:] != ordered[:-1]]
    return order, np.flatnonzero(new), np.cumsum(new) - 1


def resampled_ranks(values: np.ndarray, counts: np.ndarray,
                    ranker: tuple | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Each item's average rank among the resampled values of each resample (the ranks
    `stats.average_ranks` gives the resampled array, an item drawn twice having one rank),
    without sorting each resample: (resamples x n), and the number of distinct values drawn."""
    order, starts, run = ranker if ranker is not None else _ranker(values)
    totals = np.add.reduceat(counts[:, order], starts, axis=1)  # draws of each distinct value
    below = np.cumsum(totals, axis=1) - totals
    ranks = np.empty(counts.shape)
    ranks[:, order] = (below + (totals + 1) / 2)[:, run]
    return ranks, (totals > 0).sum(axis=1)


def spearman_resampled(x: np.ndarray, y: np.ndarray, counts: np.ndarray,
                       y_ranks: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Spearman's rho of (x, y) over each resample (`counts`: `counts_of` its draws); NaN where
    a side is constant. `y_ranks`: y's `resampled_ranks`, when already known."""
    rx, distinct_x = resampled_ranks(x, counts)
    ry, distinct_y = y_ranks if y_ranks is not None else resampled_ranks(y, counts)
    total = counts.sum(axis=1, keepdims=True)
    dx = rx - (counts * rx).sum(axis=1, keepdims=True) / total
    dy = ry - (counts * ry).sum(axis=1, keepdims=True) / total
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = (counts * dx * dy).sum(axis=1) / np.sqrt(
            (counts * dx * dx).sum(axis=1) * (counts * dy * dy).sum(axis=1))
    return np.where((distinct_x < 2) | (distinct_y < 2), np.nan, np.clip(rho, -1.0, 1.0))


def average_ranks_rows(values: np.ndarray) -> np.ndarray:
    """Each row's average ranks from 1 (ties given the mean of the ranks they span)."""
    rows, n = values.shape
    order = np.argsort(values, axis=1, kind="mergesort")
    ordered = np.take_along_axis(values, order, axis=1)
    new = np.ones((rows, n), dtype=bool)
    new[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    positions = np.broadcast_to(np.arange(n), (rows, n))
    starts = np.maximum.accumulate(np.where(new, positions, 0), axis=1)
    last = np.ones((rows, n), dtype=bool)
    last[:, :-1] = new[:, 1:]
    ends = np.minimum.accumulate(np.where(last, positions, n - 1)[:, ::-1], axis=1)[:, ::-1]
    ranks = np.empty((rows, n))
    np.put_along_axis(ranks, order, (starts + ends + 2) / 2, axis=1)
    return ranks


def spearman_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Spearman's rho of each row of x with the same row of y; NaN where a side is constant."""
    a, b = average_ranks_rows(x), average_ranks_rows(y)
    a -= a.mean(axis=1, keepdims=True)
    b -= b.mean(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        norm = np.sqrt((a * a).sum(axis=1) * (b * b).sum(axis=1))
        rho = (a * b).sum(axis=1) / norm
    constant = (x == x[:, :1]).all(axis=1) | (y == y[:, :1]).all(axis=1) | (norm == 0)
    return np.where(constant, np.nan, np.clip(rho, -1.0, 1.0))


def resampled_median_rho(tests: Sequence[tuple[np.ndarray, np.ndarray]],
                         counts: Sequence[np.ndarray],
                         rating_ranks: Sequence[tuple] | None = None) -> np.ndarray:
    """Per resample, the median over tests of Spearman's rho of (cosines, ratings) on the
    resampled pairs (`counts`: each test's `counts_of` its draws); NaN where no test has
    one. `rating_ranks`: each test's ratings' `resampled_ranks`, when already known."""
    rhos = [spearman_resampled(cos, ratings, c, None if rating_ranks is None else known)
            for (cos, ratings), c, known in zip(tests, counts, rating_ranks or [None] * len(
                tests))]
    table = np.vstack(rhos)
    out = np.full(table.shape[1], np.nan)
    have = ~np.isnan(table).all(axis=0)
    if have.any():
        out[have] = np.nanmedian(table[:, have], axis=0)
    return out


def bootstrap_p(first: np.ndarray, second: np.ndarray) -> float:
    """The two-sided bootstrap p-value of first - second (resampled statistics, paired): twice
    the smaller share of differences on either side of 0, as (count + 1) / (resamples + 1) so
    that it is never 0; 1.0 when fewer than half the resamples have both statistics."""
    valid = ~(np.isnan(first) | np.isnan(second))
    difference = first[valid] - second[valid]
    if len(difference) < len(first) // 2 or not len(difference):
        return 1.0
    below = int((difference <= 0).sum()) + 1
    above = int((difference >= 0).sum()) + 1
    return min(1.0, 2 * min(below, above) / (len(difference) + 1))


def paired_rho_bootstrap(a: Sequence[float], b: Sequence[float], ratings: Sequence[float],
                         resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED
                         ) -> tuple[tuple[float, float] | None, float | None]:
    """`stats.bootstrap_difference`'s 95% interval of spearman(a) - spearman(b) (the same
    draws, vectorised) and the two-sided bootstrap p-value of the difference (`bootstrap_p`);
    (None, None) with fewer than 4 pairs, and no interval when under half the resamples have
    both rhos."""
    x, y, r = (np.asarray(v, dtype=np.float64) for v in (a, b, ratings))
    if len(r) < 4:
        return None, None
    [take] = draws([len(r)], resamples, seed)
    counts = counts_of(take, len(r))
    known = resampled_ranks(r, counts)
    first, second = spearman_resampled(x, counts=counts, y=r, y_ranks=known), \
        spearman_resampled(y, r, counts, known)
    valid = ~(np.isnan(first) | np.isnan(second))
    if valid.sum() < resamples // 2:
        return None, bootstrap_p(first, second)
    ordered = np.sort(first[valid] - second[valid])
    return (quantile(ordered, 0.025), quantile(ordered, 0.975)), bootstrap_p(first, second)
