"""results.csv: the `results` rows of results.json, one per backend and expectation (a text
cell that a spreadsheet would read as a formula begins with ', `csv_cell`)."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, fields

from harness.reports.text import csv_row
from harness.results.model import Results
from harness.results.rows import ExpectationResult


def render(results: Results) -> str:
    buffer = io.StringIO()
    names = [f.name for f in fields(ExpectationResult)]
    writer = csv.DictWriter(buffer, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    for row in results.rows:
        writer.writerow(csv_row(asdict(row)))
    return buffer.getvalue()
