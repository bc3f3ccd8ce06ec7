"""correlations.csv and pairs.csv: the `correlations` and `pair_results` rows of results.json,
written only by runs with graded tests (an interval as two columns, low and high; a text cell
that a spreadsheet would read as a formula begins with ', `csv_cell`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import asdict, fields

from harness.reports.text import csv_row
from harness.results.model import Results
from harness.results.rows import CorrelationResult, PairResult


def _csv(names: Sequence[str], rows: Iterable[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(names), lineterminator="\n")
    writer.writeheader()
    writer.writerows(map(csv_row, rows))
    return buffer.getvalue()


def _flat(row: CorrelationResult) -> dict:
    out = asdict(row)
    for key in ("spearman_ci", "pearson_ci"):
        low, high = out.pop(key) or (None, None)
        out[f"{key}_low"], out[f"{key}_high"] = low, high
    return out


CORRELATION_COLUMNS = [n for f in fields(CorrelationResult) for n in (
    [f"{f.name}_low", f"{f.name}_high"] if f.name.endswith("_ci") else [f.name])]


def render_correlations(results: Results) -> str | None:
    if not results.correlation_rows:
        return None
    return _csv(CORRELATION_COLUMNS, (_flat(c) for c in results.correlation_rows))


def render_pairs(results: Results) -> str | None:
    if not results.pair_rows:
        return None
    return _csv([f.name for f in fields(PairResult)], (asdict(p) for p in results.pair_rows))
