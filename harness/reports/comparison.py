"""`harness compare`'s tables: each kind's comparisons (harness/results/compare.py) as aligned
text for the terminal and as markdown (`--markdown`), every cell through `markdown_text`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from harness.reports.text import markdown_table, text_table

Sections = Sequence[tuple[Any, Sequence[Any]]]  # (measure, its comparisons)


def comparison_text(sections: Sections) -> str:
    """One table per kind with comparisons, blank lines between; a plugin's kind under its
    title (the built-in kinds' tables have stood alone since before there were others)."""
    return "\n\n".join(("" if m.builtin else f"{m.compare_title or m.title + ' compared'}\n")
                       + text_table(m.compare_headers, [r.cells() for r in rows])
                       for m, rows in sections if rows)


def comparison_markdown(sections: Sections) -> str:
    """One section per kind with comparisons: a heading, the table, what its numbers are."""
    return "\n".join(f"## {m.compare_title or m.title + ' compared'}\n\n"
                     + markdown_table(m.compare_headers, [r.cells() for r in rows])
                     + f"\n\n{m.compare_note}\n" for m, rows in sections if rows)
