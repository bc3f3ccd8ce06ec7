"""The leaderboard as data: one row per model (its overall rank, its card, and per column its
main score, shared rank, rank interval and run), one column per suite, fingerprint and kind.
Every renderer (site, markdown, CSV, JSON) draws from this one dictionary, so they agree."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.measures.ranking import RESAMPLES, overall, rank_column
from harness.measures.significance import ALPHA
from harness.measures.stats import BOOTSTRAP_SEED
from harness.results.board import Board, gather
from harness.results.sources import Sources

SCORE_NAMES = {"orderings": "accuracy", "graded": "median rho", "wsd": "F1"}
CARD_FIELDS = (("parameters", "parameters"), ("width", "width"), ("licence", "licence"))


def score_text(score: float | None) -> str:
    return "-" if score is None else f"{score:.3f}"


def _link(sources: Sources, run_id: str, out: Path | None) -> str | None:
    folder = sources.folders.get(run_id)
    if folder is None or not (folder / "report.html").is_file():
        return None
    target = (folder / "report.html").resolve()
    base = (out or Path.cwd()).resolve()
    return Path(os.path.relpath(target, base)).as_posix()


def _card(board: Board, model: str) -> dict[str, Any]:
    for column in reversed(board.columns):
        entry = board.entries[column].get(model)
        if entry is not None and entry.card:
            return {key: entry.card[name] for key, name in CARD_FIELDS
                    if entry.card.get(name) is not None}
    return {}


def leaderboard(sources: Sources, suites: Sequence[str] = (), backends: Sequence[str] = (),
                out: Path | None = None, resamples: int = RESAMPLES) -> dict[str, Any]:
    """The leaderboard of the runs (only the suites and backends named, when some are);
    `out`: the folder the site goes to (links to run reports are relative to it)."""
    board = gather(sources.runs, suites, backends)
    ranked = [rank_column(board, column, resamples=resamples) for column in board.columns]
    totals = overall(ranked)
    columns = [{"label": r.column.label, "suite": r.column.suite,
                "fingerprint": r.column.fingerprint, "kind": r.column.kind,
                "score": SCORE_NAMES.get(r.column.kind, "score"),
                "models": len(r.standings), "comparisons": r.comparisons,
                "tested": r.tested} for r in ranked]
    models: dict[str, dict[str, Any]] = {
        m: {"model": m, "rank": totals[m][0], "points": totals[m][1], "card": _card(board, m),
            "cells": {}} for m in totals}
    for r in ranked:
        entries = board.entries[r.column]
        for s in r.standings:
            run = entries[s.model].run
            models[s.model]["cells"][r.column.label] = {
                "score": s.score, "rank": s.rank, "low": s.low, "high": s.high,
                "items": s.items, "better": list(s.better), "run": run.id,
                "trained_on": list(entries[s.model].trained_on),
                "created": run.created, "commit": run.commit,
                "report": _link(sources, run.id, out)}
    rows = sorted(models.values(), key=lambda m: (m["rank"], -m["points"], m["model"]))
    return {"schema": 1, "columns": columns, "models": rows,
            "card_fields": [key for key, _ in CARD_FIELDS
                            if any(key in m["card"] for m in rows)],
            "method": {"alpha": ALPHA, "correction": "holm", "resamples": resamples,
                       "seed": BOOTSTRAP_SEED, "overall": "borda on shared ranks",
                       "orderings": "exact McNemar on the items both scored",
                       "graded": "seeded paired bootstrap of the median rho over the suite's "
                                 "graded tests, on the pairs both scored"},
            "runs": len(sources.runs)}


def cell_text(cell: dict[str, Any] | None) -> str:
    """`0.712 #1 [1-2]`: the score, the shared rank and its 95% interval; `(not zero-shot)`
    when the model's card lists a data set the suite was built from."""
    if cell is None:
        return ""
    flag = " (not zero-shot)" if cell.get("trained_on") else ""
    return f"{score_text(cell['score'])} #{cell['rank']} [{cell['low']}-{cell['high']}]{flag}"
