"""`harness history`'s numbers: each model's main score on each leaderboard column over its
runs (oldest first), with a 95% interval (Wilson for an accuracy; Fisher's z, Bonett and
Wright's standard error, for the rho of a suite with one graded test; none for the median of
several), and whether it changed significantly from the model's previous run (exact McNemar on
the items both runs scored, or a seeded paired bootstrap of rho on the pairs both scored; at
5%, each change tested on its own: a history is read one step at a time)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from harness.measures.ranking import RESAMPLES, BinaryItems, GradedItems
from harness.measures.significance import ALPHA
from harness.measures.stats import fisher_interval, wilson_interval
from harness.results.board import BINARY, Column, gather
from harness.results.runs import StoredRun


@dataclass(frozen=True)
class Point:
    """A model's main score on a column in one run."""

    run: str
    created: str
    commit: str | None
    score: float | None
    low: float | None
    high: float | None
    items: int
    p_value: float | None  # against the previous run (None for the first)
    significant: bool  # a significant change from the previous run


@dataclass(frozen=True)
class Series:
    column: Column
    model: str
    points: tuple[Point, ...]


def _interval(data, column: Column) -> tuple[float | None, float | None]:
    score = data.scores()[0]
    if score is None:
        return None, None
    if column.compared == BINARY:
        return wilson_interval(int(data.passes[0]), int(data.counts[0]))
    if len(data.tests) == 1:
        found = fisher_interval(score, int(data.counts[0]), spearman_rho=True)
        return found if found is not None else (None, None)
    return None, None


def _data(column: Column, items: Sequence, resamples: int):
    return BinaryItems(items) if column.compared == BINARY else GradedItems(items, resamples, 0)


def history(runs: Sequence[StoredRun], suites: Sequence[str] = (),
            backends: Sequence[str] = (), resamples: int = RESAMPLES) -> list[Series]:
    """Every model's series on every column (the columns of the leaderboard of the runs)."""
    board = gather(runs, suites, backends)
    out = []
    for (column, model), entries in board.series.items():
        points = []
        for i, entry in enumerate(entries):
            data = _data(column, [entry.items], resamples)
            low, high = _interval(data, column)
            p_value, significant = None, False
            if i:
                pair = _data(column, [entry.items, entries[i - 1].items], resamples)
                outcome = pair.test(0, 1)
                if outcome is not None:
                    p_value = outcome[0]
                    significant = p_value <= ALPHA and outcome[1] != 0
            points.append(Point(entry.run.id, entry.run.created, entry.run.commit,
                                data.scores()[0], low, high, len(entry.items), p_value,
                                significant))
        out.append(Series(column, model, tuple(points)))
    return sorted(out, key=lambda s: (board.columns.index(s.column), s.model))
