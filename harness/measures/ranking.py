"""Honest ranks of the models of a leaderboard column (harness/results/board.py), and an
overall rank across columns.

A model's *shared rank* on a column is 1 + the number of models significantly better than it on
the items both scored: an exact McNemar test on the expectations (or a plugin kind's rows) both
scored; for graded tests a seeded paired bootstrap (the pairs both scored, resampled alike
for both; the statistic is the median over the suite's graded tests of Spearman's rho, the
suite's main score). Holm's correction runs over every pair of models of the column (the
family: M(M-1)/2 comparisons), at 5%. Models that cannot be told apart share a rank.

The bound (McNemar): for two models that scored every item of the column, with a above b (more
passes) by k passes out of n, McNemar's p is at most that of the most discordant split the
marginals allow, (x + k, x) with x = min(passes_b, n - passes_a); that bound falls as a climbs
the score order. When it is at most alpha / m, the pair is rejected by Holm whatever the other
p-values are, and so is every pair of b with a model above a. So b's exact tests run upwards
from b only until the first such model: the pairs tested are those within a window of the
score order, not all M². Models with missing items are tested against every model.
tests/test_ranking.py checks that this gives the ranks testing every pair gives.

The 95% rank interval: items resampled (1,000 times, seed 0, the same draws for every model),
the scores recomputed and ranked (1 + the number of models scoring higher), the 2.5th and
97.5th percentiles of each model's ranks.

The overall rank: a Borda count on the shared ranks: in each column a model gains a point for
every model of the column with a worse shared rank; overall rank = 1 + the number of models
with more points."""

from __future__ import annotations

import functools
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from harness.measures.significance import (
    ALPHA,
    bootstrap_p,
    counts_of,
    draws,
    holm,
    resampled_median_rho,
    resampled_ranks,
)
from harness.measures.stats import BOOTSTRAP_SEED, spearman
from harness.measures.stats import mcnemar_exact as _mcnemar_exact
from harness.results.board import BINARY, Board, Column

RESAMPLES = 1000
mcnemar_exact = functools.lru_cache(maxsize=1 << 16)(_mcnemar_exact)  # counts recur


@dataclass(frozen=True)
class Standing:
    """A model on a column: its main score, shared rank, 95% rank interval, items scored and
    the models significantly better than it."""

    model: str
    score: float | None
    rank: int
    low: int
    high: int
    items: int
    better: tuple[str, ...]


@dataclass(frozen=True)
class RankedColumn:
    column: Column
    standings: tuple[Standing, ...]  # by rank, then score (highest first), then name
    comparisons: int  # the Holm family: pairs of models with items in common
    tested: int  # the pairs tested exactly (the rest known significant by the bound)


# -- the items of a column as arrays -------------------------------------------------------


class BinaryItems:
    def __init__(self, items: Sequence[Mapping[tuple, bool]]) -> None:
        keys = sorted({k for mine in items for k in mine})
        at = {k: i for i, k in enumerate(keys)}
        self.n = len(keys)
        self.scored = np.zeros((len(items), self.n), dtype=bool)
        self.passed = np.zeros((len(items), self.n), dtype=bool)
        self.present = np.zeros((len(items), self.n), dtype=bool)
        for m, mine in enumerate(items):
            for key, passed in mine.items():  # None: an item not answered (wsd)
                self.present[m, at[key]] = True
                self.scored[m, at[key]] = passed is not None
                self.passed[m, at[key]] = bool(passed)
        self.passes = self.passed.sum(axis=1)
        self.counts = self.scored.sum(axis=1)
        self.totals = self.present.sum(axis=1)
        self.full = self.counts == self.n

    def scores(self) -> list[float | None]:
        """Each model's share of its scored items that passed; where some items were not
        answered (wsd), Raganato's F1, 2 * passed / (answered + total), which is that share
        when every item is answered (bit for bit: doubling is exact)."""
        return [2 * int(p) / (int(c) + int(t)) if c else None
                for p, c, t in zip(self.passes, self.counts, self.totals)]

    def test(self, a: int, b: int) -> tuple[float, int] | None:
        """McNemar's p on the items both scored, and which is better (+1: a, -1: b, 0)."""
        shared = self.scored[a] & self.scored[b]
        if not shared.any():
            return None
        only_a = int((self.passed[a] & ~self.passed[b] & shared).sum())
        only_b = int((self.passed[b] & ~self.passed[a] & shared).sum())
        return mcnemar_exact(only_a, only_b), (only_a > only_b) - (only_a < only_b)

    def bound(self, a: int, b: int) -> float | None:
        """An upper bound of McNemar's p for a (more passes) against b, both scoring every
        item; None when they may not."""
        if not (self.full[a] and self.full[b]) or self.passes[a] <= self.passes[b]:
            return None
        k = int(self.passes[a] - self.passes[b])
        x = min(int(self.passes[b]), self.n - int(self.passes[a]))
        return mcnemar_exact(x + k, x)

    def resampled(self, resamples: int, seed: int) -> np.ndarray:
        """(resamples x models) scores on items drawn with replacement."""
        [take] = draws([self.n], resamples, seed)
        counts = counts_of(take, self.n)
        with np.errstate(invalid="ignore", divide="ignore"):
            return (2 * (counts @ (self.passed & self.scored).T)
                    / (counts @ self.scored.T + counts @ self.present.T))


class GradedItems:
    def __init__(self, items: Sequence[Mapping[tuple, tuple[float, float]]],
                 resamples: int, seed: int) -> None:
        self.items, self.resamples, self.seed = items, resamples, seed
        keys = sorted({k for mine in items for k in mine})
        self.tests = sorted({k[0] for k in keys})
        self.keys = {t: [k for k in keys if k[0] == t] for t in self.tests}
        self.full = [len(mine) == len(keys) for mine in items]
        self.counts = [len(mine) for mine in items]
        self.cache: dict[int, np.ndarray] = {}
        self.score_cache: dict[int, float | None] = {}
        self.full_counts: list[np.ndarray] | None = None
        self.full_ratings: list[tuple] | None = None

    def _arrays(self, model: int, keys: Mapping[str, Sequence[tuple]]) -> list[tuple]:
        mine = self.items[model]
        return [(np.array([mine[k][0] for k in keys[t]]), np.array([mine[k][1] for k in keys[t]]))
                for t in self.tests if keys[t]]

    def _statistic(self, model: int, keys: Mapping[str, Sequence[tuple]]) -> float | None:
        rhos = [spearman(cos, ratings) for cos, ratings in self._arrays(model, keys)]
        have = [r for r in rhos if r is not None]
        return statistics.median(have) if have else None

    def _keys_of(self, models: Sequence[int]) -> dict[str, list[tuple]]:
        return {t: [k for k in ks if all(k in self.items[m] for m in models)]
                for t, ks in self.keys.items()}

    def scores(self) -> list[float | None]:
        return [self.score_of(m) for m in range(len(self.items))]

    def score_of(self, model: int) -> float | None:
        if model not in self.score_cache:
            self.score_cache[model] = self._statistic(model, self._keys_of([model]))
        return self.score_cache[model]

    def _resampled(self, model: int, keys: Mapping[str, Sequence[tuple]]) -> np.ndarray:
        arrays = self._arrays(model, keys)
        if keys is self.keys:  # every pair: the draws and the ratings' ranks are shared
            if self.full_counts is None:
                sizes = [len(c) for c, _ in arrays]
                self.full_counts = [counts_of(t, n) for t, n in
                                    zip(draws(sizes, self.resamples, self.seed), sizes)]
                self.full_ratings = [resampled_ranks(r, c) for (_, r), c
                                     in zip(arrays, self.full_counts)]
            return resampled_median_rho(arrays, self.full_counts, self.full_ratings)
        sizes = [len(c) for c, _ in arrays]
        counts = [counts_of(t, n) for t, n in zip(draws(sizes, self.resamples, self.seed),
                                                   sizes)]
        return resampled_median_rho(arrays, counts)

    def full_resampled(self, model: int) -> np.ndarray:
        if model not in self.cache:
            self.cache[model] = self._resampled(model, self.keys)
        return self.cache[model]

    def test(self, a: int, b: int) -> tuple[float, int] | None:
        if self.full[a] and self.full[b]:
            first, second = self.full_resampled(a), self.full_resampled(b)
            keys = self.keys
        else:
            keys = self._keys_of([a, b])
            if not any(keys.values()):
                return None
            first, second = self._resampled(a, keys), self._resampled(b, keys)
        if keys is self.keys:
            sa, sb = self.score_of(a), self.score_of(b)
        else:
            sa, sb = self._statistic(a, keys), self._statistic(b, keys)
        if sa is None or sb is None:
            return None
        return bootstrap_p(first, second), (sa > sb) - (sa < sb)

    def bound(self, a: int, b: int) -> float | None:
        return None

    def resampled(self, resamples: int, seed: int) -> np.ndarray:
        """(resamples x models): each model on the pairs it scored, drawn alike."""
        return np.stack([self.full_resampled(m) if self.full[m] else
                         self._resampled(m, self._keys_of([m]))
                         for m in range(len(self.items))], axis=1)


# -- ranks ---------------------------------------------------------------------------------


def _order(models: Sequence[str], scores: Sequence[float | None]) -> list[int]:
    return sorted(range(len(models)), key=lambda i: (scores[i] is None, -(scores[i] or 0.0),
                                                     models[i]))


def significantly_better(data, models: Sequence[str], scores: Sequence[float | None],
                         alpha: float = ALPHA, shortcut: bool = True
                         ) -> tuple[list[set[int]], int, int]:
    """For each model, the models significantly better (Holm over every pair with items in
    common); the family's size; how many pairs were tested exactly. `shortcut`: use the
    bound of the module's docstring (False: test every pair)."""
    order = _order(models, scores)
    m = len(models)
    family = 0
    sure: list[tuple[int, int]] = []  # (better, worse)
    tested: list[tuple[int, int, float, int]] = []
    for place, b in enumerate(order):
        above = order[:place][::-1]  # nearest first
        certain = False
        for a in above:
            if not certain and shortcut:
                bound = data.bound(a, b)
                certain = bound is not None and bound <= alpha / max(1, m * (m - 1) // 2)
            if certain and data.full[a]:
                sure.append((a, b))
                family += 1
                continue
            outcome = data.test(a, b)
            if outcome is not None:
                family += 1
                tested.append((a, b, *outcome))
    # a sure pair has p <= alpha / (its family); the family counted is exact when every pair
    # shares items, which the bound needs (full coverage) for the sure pairs themselves
    rejected = holm([p for _, _, p, _ in tested], alpha, sure=len(sure)) if family else []
    better: list[set[int]] = [set() for _ in models]
    for a, b in sure:
        better[b].add(a)
    for (a, b, _, direction), yes in zip(tested, rejected):
        if yes and direction > 0:
            better[b].add(a)
        elif yes and direction < 0:
            better[a].add(b)
    return better, family, len(tested)


def _intervals(resampled: np.ndarray) -> list[tuple[int, int]]:
    """Each model's 2.5th and 97.5th percentile rank (1 + the number scoring higher)."""
    values = np.where(np.isnan(resampled), -np.inf, resampled)
    ranks = np.empty(values.shape, dtype=int)
    for r, row in enumerate(values):
        ordered = np.sort(row)
        ranks[r] = len(row) - np.searchsorted(ordered, row, side="right") + 1
    ranks.sort(axis=0)
    count = len(ranks)
    low, high = math.floor(0.025 * (count - 1)), math.ceil(0.975 * (count - 1))
    return [(int(ranks[low, i]), int(ranks[high, i])) for i in range(ranks.shape[1])]


def rank_column(board: Board, column: Column, alpha: float = ALPHA,
                resamples: int = RESAMPLES, seed: int = BOOTSTRAP_SEED,
                shortcut: bool = True) -> RankedColumn:
    """The shared ranks and rank intervals of a column's models."""
    entries = board.entries[column]
    models = sorted(entries)
    items = [entries[m].items for m in models]
    data = BinaryItems(items) if column.compared == BINARY else GradedItems(items, resamples, seed)
    scores = data.scores()
    better, family, tested = significantly_better(data, models, scores, alpha, shortcut)
    intervals = _intervals(data.resampled(resamples, seed))
    standings = [Standing(models[i], scores[i], 1 + len(better[i]), *intervals[i],
                          len(items[i]), tuple(sorted(models[j] for j in better[i])))
                 for i in range(len(models))]
    standings.sort(key=lambda s: (s.rank, s.score is None, -(s.score or 0.0), s.model))
    return RankedColumn(column, tuple(standings), family, tested)


def overall(ranked: Sequence[RankedColumn]) -> dict[str, tuple[int, int]]:
    """model -> (overall rank, Borda points): a point per model of a column with a worse shared
    rank; rank 1 + the number of models with more points."""
    points: dict[str, int] = {}
    for column in ranked:
        ranks = sorted(s.rank for s in column.standings)
        for s in column.standings:
            worse = len(ranks) - int(np.searchsorted(ranks, s.rank, side="right"))
            points[s.model] = points.get(s.model, 0) + worse
    values = sorted(points.values())
    return {model: (len(values) - int(np.searchsorted(values, p, side="right")) + 1, p)
            for model, p in points.items()}
