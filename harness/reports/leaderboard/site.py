"""The leaderboard's index.html: one self-contained page (inline CSS and script, no network),
rendered by Jinja2 with autoescape from `table.leaderboard`'s dictionary; its history
pictures (SVG that harness/figures/svg.py writes, every text in it escaped) inline."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.reports.leaderboard.table import score_text

TEMPLATES = Path(__file__).parent.parent / "templates"


def leaderboard_html(board: dict[str, Any], history: Sequence[tuple[str, str]] = ()) -> str:
    """The page; `history`: (title, SVG) pictures shown under the table."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    columns = board["columns"]
    return env.get_template("leaderboard.html").render(
        board=board, score_text=score_text, history=list(history),
        suites=sorted({c["suite"] for c in columns}), kinds=sorted({c["kind"] for c in columns}))
