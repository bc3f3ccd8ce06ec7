"""Honest ranks (harness/measures/ranking.py): shared ranks equal an independent computation
with scipy's binomial test and a hand-written Holm; the shortcut gives the ranks testing every
pair gives; the bootstrap is stats.bootstrap_difference's; the output is deterministic."""

from __future__ import annotations

import numpy as np
import pytest

from harness.measures.ranking import overall, rank_column
from harness.measures.significance import bootstrap_p, draws, holm, holm_adjusted, spearman_rows
from harness.measures.stats import bootstrap_difference, quantile, spearman
from harness.results.board import Board, Column, Entry
from harness.results.runs import RunInfo

RUN = RunInfo("0" * 32, "2026-01-01T00:00:00", "0.4.0")


def hand_holm(p, alpha=0.05):
    """Holm (1979), written out: reject the smallest p-values while p_(i) <= alpha/(m-i+1)."""
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    out = [False] * m
    for i, k in enumerate(order):
        if p[k] > alpha / (m - i):
            break
        out[k] = True
    return out


def binary_board(rng, models=12, items=300, spread=0.3, missing=0.0):
    column = Column("suite", "fp", "orderings", "suite")
    skill = rng.uniform(0.5 - spread, 0.5 + spread, models)
    entries = {}
    for m in range(models):
        passed = rng.random(items) < skill[m]
        keep = rng.random(items) >= missing
        entries[f"m{m:02d}"] = Entry(f"m{m:02d}", RUN, {("t", str(i)): bool(passed[i])
                                                         for i in range(items) if keep[i]})
    return Board([column], {column: entries}), column


def independent_ranks(board, column):
    """1 + the number significantly better: scipy's exact binomial test on the discordant
    items of every pair, Holm over all pairs."""
    stats = pytest.importorskip("scipy.stats")
    entries = board.entries[column]
    names = sorted(entries)
    pairs, ps = [], []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            shared = set(entries[a].items) & set(entries[b].items)
            only_a = sum(entries[a].items[k] and not entries[b].items[k] for k in shared)
            only_b = sum(entries[b].items[k] and not entries[a].items[k] for k in shared)
            p = stats.binomtest(only_a, only_a + only_b).pvalue if only_a + only_b else 1.0
            pairs.append((a, b, only_a - only_b))
            ps.append(p)
    better = {n: 0 for n in names}
    for (a, b, d), yes in zip(pairs, hand_holm(ps)):
        if yes and d:
            better[b if d > 0 else a] += 1
    return {n: 1 + better[n] for n in names}


@pytest.mark.parametrize("seed", range(6))
def test_shared_ranks_equal_scipy_and_a_hand_written_holm(seed):
    rng = np.random.default_rng(seed)
    board, column = binary_board(rng, models=10, items=200, spread=0.15 + 0.05 * seed,
                                 missing=0.1 if seed % 2 else 0.0)
    ranked = rank_column(board, column, resamples=200)
    assert {s.model: s.rank for s in ranked.standings} == independent_ranks(board, column)


@pytest.mark.parametrize("seed", range(8))
def test_the_shortcut_gives_the_ranks_of_testing_every_pair(seed):
    rng = np.random.default_rng(100 + seed)
    board, column = binary_board(rng, models=40, items=400, spread=0.35)
    fast = rank_column(board, column, resamples=50)
    full = rank_column(board, column, resamples=50, shortcut=False)
    assert fast.standings == full.standings
    assert fast.comparisons == full.comparisons == 40 * 39 // 2
    assert fast.tested < full.tested == full.comparisons  # the bound saved tests


def test_holm_against_the_hand_written_one_and_adjusted_p_values():
    rng = np.random.default_rng(1)
    for _ in range(50):
        p = list(rng.uniform(0, 0.1, rng.integers(1, 30)))
        assert holm(p) == hand_holm(p)
        assert [a <= 0.05 for a in holm_adjusted(p)] == hand_holm(p)


def test_rows_spearman_equals_scipy_with_ties():
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(2)
    x = rng.integers(0, 5, (20, 30)).astype(float)
    y = rng.integers(0, 4, (20, 30)).astype(float)
    got = spearman_rows(x, y)
    for row in range(20):
        assert got[row] == pytest.approx(stats.spearmanr(x[row], y[row]).statistic, abs=1e-12)
        assert got[row] == pytest.approx(spearman(x[row], y[row]), abs=1e-12)


def test_the_bootstrap_is_compares_and_its_p_value_agrees_with_its_interval():
    rng = np.random.default_rng(3)
    ratings = rng.normal(size=60)
    a = ratings + rng.normal(scale=0.5, size=60)
    b = ratings + rng.normal(scale=1.5, size=60)
    [take] = draws([60], 2000)
    first = spearman_rows(a[take], ratings[take])
    second = spearman_rows(b[take], ratings[take])
    ordered = np.sort(first - second)
    assert (quantile(ordered, 0.025), quantile(ordered, 0.975)) == pytest.approx(
        bootstrap_difference(a, b, ratings), abs=1e-12)
    low, _ = bootstrap_difference(a, b, ratings)
    assert low > 0 and bootstrap_p(first, second) < 0.05
    assert bootstrap_p(first, first) == 1.0


def graded_board(rng, models=5, pairs=40):
    column = Column("graded", "fp", "graded", "graded")
    ratings = rng.normal(size=pairs)
    entries = {}
    for m in range(models):
        cos = ratings + rng.normal(scale=0.3 + m * 0.6, size=pairs)
        entries[f"g{m}"] = Entry(f"g{m}", RUN, {("t", i, "a", "b"): (float(cos[i]),
                                                                     float(ratings[i]))
                                                for i in range(pairs)})
    return Board([column], {column: entries}), column


def test_graded_ranks_follow_the_bootstrap_and_holm():
    rng = np.random.default_rng(4)
    board, column = graded_board(rng, pairs=80)
    ranked = rank_column(board, column, resamples=500)
    names = sorted(board.entries[column])
    take = draws([80], 500)
    stat = {}
    for n in names:
        items = board.entries[column].items if False else board.entries[column][n].items
        keys = sorted(items)
        cos = np.array([items[k][0] for k in keys])
        rat = np.array([items[k][1] for k in keys])
        stat[n] = (spearman(cos, rat), spearman_rows(cos[take[0]], rat[take[0]]))
    pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1:]]
    ps = [bootstrap_p(stat[a][1], stat[b][1]) for a, b in pairs]
    better = {n: 0 for n in names}
    for (a, b), yes in zip(pairs, hand_holm(ps)):
        if yes:
            better[b if stat[a][0] > stat[b][0] else a] += 1
    assert {s.model: s.rank for s in ranked.standings} == {n: 1 + better[n] for n in names}
    assert ranked.standings[0].model == "g0" and ranked.standings[0].rank == 1
    assert ranked.standings[-1].rank > 1


def test_intervals_hold_the_rank_and_output_is_deterministic():
    board, column = binary_board(np.random.default_rng(5), models=8, items=150)
    first = rank_column(board, column, resamples=300)
    assert first == rank_column(board, column, resamples=300)
    for s in first.standings:
        assert 1 <= s.low <= s.high <= 8
    top = first.standings[0]
    assert top.low == 1 and top.better == ()


def test_overall_is_a_borda_count_of_shared_ranks():
    board, column = binary_board(np.random.default_rng(6), models=6, items=300, spread=0.4)
    ranked = rank_column(board, column, resamples=50)
    result = overall([ranked, ranked])
    for s in ranked.standings:
        worse = sum(o.rank > s.rank for o in ranked.standings)
        assert result[s.model][1] == 2 * worse
    best = min(result.values())
    assert best[0] == 1


def test_ranks_from_counts_equal_ranks_of_the_resampled_arrays():
    """spearman_resampled (no sort per resample) equals scipy on the resampled arrays, ties
    in the values and repeated draws included; mcnemar_exact's recurrence equals the sum of
    binomial coefficients."""
    import math

    from harness.measures.significance import counts_of, spearman_resampled
    from harness.measures.stats import mcnemar_exact

    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(7)
    x = rng.integers(0, 6, 25).astype(float)
    y = rng.normal(size=25).round(1)
    [take] = draws([25], 40)
    got = spearman_resampled(x, y, counts_of(take, 25))
    for row, indices in enumerate(take):
        assert got[row] == pytest.approx(stats.spearmanr(x[indices], y[indices]).statistic,
                                         abs=1e-12)
    for n_a, n_b in ((0, 0), (3, 9), (400, 380), (1, 700)):
        n = n_a + n_b
        want = min(1.0, 2 * sum(math.comb(n, k) for k in range(min(n_a, n_b) + 1)) / 2**n)
        assert mcnemar_exact(n_a, n_b) == (1.0 if n == 0 else want)
