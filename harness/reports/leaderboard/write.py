"""`harness leaderboard`'s folder: index.html, leaderboard.md, leaderboard.csv and
leaderboard.json, written atomically, each a function of the runs alone (no clock), so the same
runs give byte-identical files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.files import atomic_write
from harness.measures.ranking import RESAMPLES
from harness.reports.leaderboard.files import (
    leaderboard_csv,
    leaderboard_json,
    leaderboard_markdown,
)
from harness.reports.leaderboard.site import leaderboard_html
from harness.reports.leaderboard.table import leaderboard
from harness.results.sources import Sources

FILES = ("index.html", "leaderboard.md", "leaderboard.csv", "leaderboard.json")


def write_leaderboard(sources: Sources, out: Path, suites: Sequence[str] = (),
                      backends: Sequence[str] = (), resamples: int = RESAMPLES,
                      history: bool = True) -> dict[str, Any]:
    """Build the leaderboard of the runs into `out`; its dictionary back. `history`: the
    history pictures of every model with several runs under the table."""
    board = leaderboard(sources, suites, backends, out, resamples)
    if not board["columns"]:
        raise HarnessError("no model has scored items on the suites asked for"
                           + (f" ({', '.join(suites)})" if suites else ""))
    pictures: list[tuple[str, str]] = []
    if history:
        from harness.measures.history import history
        from harness.reports.history import history_pictures

        pictures = history_pictures(history(sources.runs, suites, backends))
    atomic_write(out / "index.html", leaderboard_html(board, pictures))
    atomic_write(out / "leaderboard.md", leaderboard_markdown(board))
    atomic_write(out / "leaderboard.csv", leaderboard_csv(board))
    atomic_write(out / "leaderboard.json", leaderboard_json(board))
    return board
