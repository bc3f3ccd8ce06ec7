"""Statistics, in closed form with numpy (no statistics library to import): accuracy intervals and
McNemar's test for comparing backends; Spearman and Pearson correlations with their intervals, a
paired bootstrap of a difference of correlations, and ROC-AUC. tests/test_stats.py checks each
against scipy and scikit-learn."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

Z_95 = 1.959963984540054  # the standard normal's 97.5% quantile


def wilson_interval(passed: int, total: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of an accuracy (95% by default), without continuity
    correction: (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)."""
    if total == 0:
        return float("nan"), float("nan")
    p = passed / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def mcnemar_exact(only_a: int, only_b: int) -> float:
    """Exact McNemar test: the two-sided binomial p-value (p = 1/2) of the discordant pairs
    (expectations one backend passes and the other fails); 1.0 when there are none."""
    n = only_a + only_b
    if n == 0:
        return 1.0
    tail = term = 1  # C(n, 0); each next term exactly C(n, k+1) = C(n, k) (n - k) / (k + 1)
    for k in range(min(only_a, only_b)):
        term = term * (n - k) // (k + 1)
        tail += term
    return min(1.0, 2 * tail / 2**n)


# -- correlations with human ratings ----------------------------------------------------------


def average_ranks(values: Sequence[float]) -> np.ndarray:
    """Ranks from 1, ties given the average of the ranks they span (as scipy.stats.rankdata's
    'average' method)."""
    data = np.asarray(values, dtype=np.float64)
    order = np.argsort(data, kind="mergesort")
    ordered = data[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ends = np.r_[starts[1:], len(data)]
    ranks = np.empty(len(data), dtype=np.float64)
    for start, end in zip(starts, ends):
        ranks[order[start:end]] = (start + end + 1) / 2  # the mean of ranks start+1 .. end
    return ranks


def pearson(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Pearson's r; None when either side is constant (r is undefined) or has fewer than 2
    values."""
    a, b = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if len(a) < 2 or (a == a[0]).all() or (b == b[0]).all():
        return None  # centring equal values can leave rounding noise, not zeros
    a, b = a - a.mean(), b - b.mean()
    norm = math.sqrt(float(a @ a) * float(b @ b))
    if norm == 0:
        return None
    return max(-1.0, min(1.0, float(a @ b) / norm))


def spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Spearman's rho: Pearson's r of the average ranks (ties averaged)."""
    return pearson(average_ranks(x), average_ranks(y)) if len(x) >= 2 else None


def fisher_interval(r: float, n: int, spearman_rho: bool = False,
                    z: float = Z_95) -> tuple[float, float] | None:
    """A 95% interval of a correlation by Fisher's z: atanh(r) ± z·se, back through tanh, with
    se = 1/sqrt(n-3) for Pearson's r and Bonett and Wright's (2000) sqrt((1 + rho²/2)/(n-3))
    for Spearman's rho. None for n <= 3 (no standard error) and for a perfect correlation (z
    is infinite: no interval to give)."""
    if n <= 3 or abs(r) >= 1:
        return None
    se = math.sqrt((1 + r * r / 2) / (n - 3)) if spearman_rho else 1 / math.sqrt(n - 3)
    centre = math.atanh(r)
    return math.tanh(centre - z * se), math.tanh(centre + z * se)


BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 0


def bootstrap_difference(a: Sequence[float], b: Sequence[float], ratings: Sequence[float],
                         resamples: int = BOOTSTRAP_RESAMPLES,
                         seed: int = BOOTSTRAP_SEED) -> tuple[float, float] | None:
    """A 95% percentile interval of spearman(a, ratings) - spearman(b, ratings) from a seeded
    paired bootstrap: the same resampled pairs for both (resamples where either rho is
    undefined are dropped). None with fewer than 4 pairs."""
    x, y, r = (np.asarray(v, dtype=np.float64) for v in (a, b, ratings))
    if len(r) < 4:
        return None
    rng = np.random.default_rng(seed)
    differences = []
    for _ in range(resamples):
        take = rng.integers(0, len(r), len(r))
        first, second = spearman(x[take], r[take]), spearman(y[take], r[take])
        if first is not None and second is not None:
            differences.append(first - second)
    if len(differences) < resamples // 2:
        return None
    ordered = np.sort(differences)
    return (quantile(ordered, 0.025), quantile(ordered, 0.975))


def quantile(ordered: np.ndarray, q: float) -> float:
    """The q-quantile of sorted values, interpolated linearly (numpy's default; np.percentile
    itself costs 40 ms of imports on first use)."""
    where = q * (len(ordered) - 1)
    below = int(where)
    above = min(below + 1, len(ordered) - 1)
    return float(ordered[below] + (ordered[above] - ordered[below]) * (where - below))


def roc_auc(scores: Sequence[float], labels: Sequence[bool]) -> float | None:
    """The area under the ROC curve of `scores` for the positive `labels`: the chance that a
    positive scores above a negative, ties counting one half (Mann-Whitney U / n+ n-). None
    without both kinds."""
    s = np.asarray(scores, dtype=np.float64)
    positive = np.asarray(labels, dtype=bool)
    n_pos, n_neg = int(positive.sum()), int((~positive).sum())
    if not n_pos or not n_neg:
        return None
    ranks = average_ranks(s)
    u = float(ranks[positive].sum()) - n_pos * (n_pos + 1) / 2
    return u / (n_pos * n_neg)
