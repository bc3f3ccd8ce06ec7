"""results.csv: the `results` rows of results.json, one per backend and expectation."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, fields

from harness.pipeline.results import Results
from harness.pipeline.scoring import ExpectationResult


def render(results: Results) -> str:
    buffer = io.StringIO()
    names = [f.name for f in fields(ExpectationResult)]
    writer = csv.DictWriter(buffer, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    for row in results.rows:
        writer.writerow(asdict(row))
    return buffer.getvalue()
