"""measures.csv: the rows of the kinds of test plugins measure (results.json's `measures`), one
per backend and row, with its kind; each kind's own fields as columns (blank for another kind's
rows; a list, such as a wsd row's gold senses, as its items separated by spaces). Written only
by runs with such tests (a text cell that a spreadsheet would read as a formula begins with ',
`csv_cell`)."""

from __future__ import annotations

import csv
import io

from harness.reports.text import csv_row
from harness.results.model import Results

FIRST = ["kind", "backend", "suite", "test"]


def render(results: Results) -> str | None:
    if not any(results.measure_rows.values()):
        return None
    rows = [{"kind": kind, **results.measures[kind].to_dict(row)}
            for kind, mine in results.measure_rows.items() for row in mine]
    names = FIRST + [k for k in dict.fromkeys(k for row in rows for k in row) if k not in FIRST]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    writer.writerows(csv_row({k: " ".join(map(str, v)) if isinstance(v, list) else v
                              for k, v in row.items()}) for row in rows)
    return buffer.getvalue()
