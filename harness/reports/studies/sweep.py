"""The files of `harness sweep`: sweep.csv, sweep.md and sweep.png (accuracy against layer, one
line per swept backend), and the table it prints. `rows` are the sweep's rows
(`harness.studies.layer_sweep.SweepRow`: backend, option, value, passed, total, accuracy)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.reports.studies import StudyFile, write_files
from harness.reports.text import csv_cell, markdown_table, text_table

HEADERS = ["backend", "option", "value", "passed", "accuracy"]
CSV_COLUMNS = ["backend", "option", "value", "passed", "total", "accuracy"]


def cells(row: Any, f1: bool = False) -> list[str]:
    """A row's cells under HEADERS (with `f1`, the F1 of its wsd tests after them)."""
    return [row.backend, row.option, row.value, f"{row.passed}/{row.total}",
            f"{row.accuracy:.3f}", *([_f1(row.f1)] if f1 else [])]


def _f1(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def table(rows: Sequence[Any]) -> tuple[list[str], list[list[str]]]:
    """The headers and cells of the sweep's table: with an F1 column when a suite has wsd
    tests (`harness sweep` on a word-sense disambiguation suite)."""
    f1 = any(getattr(r, "f1", None) is not None for r in rows)
    return HEADERS + (["F1 (wsd)"] if f1 else []), [cells(r, f1) for r in rows]


def best_layers(rows: Sequence[Any]) -> dict[str, Any]:
    """The row of each swept backend's single layer with the best accuracy."""
    best: dict[str, Any] = {}
    for row in rows:
        if row.option == "layers" and (row.backend not in best
                                       or row.accuracy > best[row.backend].accuracy):
            best[row.backend] = row
    return best


def sweep_csv(rows: Sequence[Any]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow([csv_cell(r.backend), r.option, r.value, r.passed, r.total,
                         f"{r.accuracy:.6f}"])
    return buffer.getvalue()


def sweep_markdown(rows: Sequence[Any]) -> str:
    md = ["# Sweep", "", markdown_table(*table(rows)), ""]
    md += [f"Best single layer of {b}: {r.value} ({r.accuracy:.3f})"
           for b, r in best_layers(rows).items()]
    return "\n".join(md) + "\n"


def sweep_png(rows: Sequence[Any]) -> bytes:
    """Accuracy against layer, one line per swept backend, as a PNG picture (matplotlib)."""
    from harness.figures.plots import sweep_plot

    lines = {}
    for backend in dict.fromkeys(r.backend for r in rows if r.option == "layers"):
        mine = [r for r in rows if r.backend == backend and r.option == "layers"]
        lines[backend] = ([int(r.value) for r in mine], [r.accuracy for r in mine])
    return sweep_plot(lines)


def write_sweep(rows: Sequence[Any], out_dir: str | Path) -> list[Path]:
    """sweep.csv, sweep.md and sweep.png (left out without matplotlib) in `out_dir`."""
    return write_files(out_dir, [StudyFile("sweep.csv", lambda: sweep_csv(rows)),
                                 StudyFile("sweep.md", lambda: sweep_markdown(rows)),
                                 StudyFile("sweep.png", lambda: sweep_png(rows))])


def sweep_text(rows: Sequence[Any]) -> str:
    """The table `harness sweep` prints, and each backend's best single layer."""
    lines = [text_table(*table(rows)), ""]
    lines += [f"best single layer of {b}: {r.value} ({r.accuracy:.3f})"
              for b, r in best_layers(rows).items()]
    return "\n".join(lines)


def sweep_json(rows: Sequence[Any]) -> list[dict[str, Any]]:
    """The rows as `harness sweep --json` prints them."""
    return [{"backend": r.backend, "option": r.option, "value": r.value, "variant": r.variant,
             "passed": r.passed, "total": r.total, "accuracy": r.accuracy,
             **({"f1": r.f1} if getattr(r, "f1", None) is not None else {})} for r in rows]


__all__ = ["best_layers", "sweep_csv", "sweep_json", "sweep_markdown", "sweep_png",
           "sweep_text", "write_sweep"]
