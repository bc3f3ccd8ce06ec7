"""`harness history`'s outputs: the table (terminal, markdown, CSV) of every model's main score
per suite over its runs, and one SVG per suite (harness/figures/history_svg.py)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from harness.measures.history import Series
from harness.reports.text import csv_row, markdown_table, text_table

HEADERS = ("suite", "model", "run", "commit", "score", "95% CI", "items", "p vs previous",
           "change")


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def rows(series: Sequence[Series]) -> list[list[str]]:
    out = []
    for s in series:
        for point in s.points:
            interval = ("-" if point.low is None or point.high is None
                        else f"[{point.low:.3f}, {point.high:.3f}]")
            out.append([s.column.label, s.model, point.created or point.run[:8],
                        (point.commit or "")[:10], _number(point.score), interval,
                        str(point.items),
                        "-" if point.p_value is None else f"{point.p_value:.4g}",
                        "significant" if point.significant else ""])
    return out


def history_text(series: Sequence[Series]) -> str:
    return text_table(HEADERS, rows(series))


def history_markdown(series: Sequence[Series]) -> str:
    return ("# History\n\nEach model's main score per suite over its runs, with its 95% "
            "interval; `significant`: a change from the model's previous run (exact McNemar, "
            "or a paired bootstrap of rho, on the items both runs scored; 5%).\n\n"
            + markdown_table(HEADERS, rows(series)) + "\n")


def history_csv(series: Sequence[Series]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[h.replace(" ", "_") for h in HEADERS],
                            lineterminator="\n")
    writer.writeheader()
    for row in rows(series):
        writer.writerow(csv_row(dict(zip(writer.fieldnames, row))))
    return out.getvalue()


def history_pictures(series: Sequence[Series], every: bool = False) -> list[tuple[str, str]]:
    """(column label, SVG) per column; only the columns where some model has several runs,
    unless `every`."""
    from harness.figures.history_svg import history_chart
    from harness.reports.leaderboard.table import SCORE_NAMES

    by_column: dict[str, list[Series]] = {}
    for s in series:
        by_column.setdefault(s.column.label, []).append(s)
    out = []
    for label, group in by_column.items():
        if not every and all(len(s.points) < 2 for s in group):
            continue
        steps = sorted({p.created or p.run for s in group for p in s.points})
        lines = [(s.model, [(p.created or p.run, p.score, p.low, p.high, p.significant)
                            for p in s.points]) for s in group]
        out.append((label, history_chart(label, SCORE_NAMES.get(group[0].column.kind, "score"),
                                         lines, steps)))
    return out
