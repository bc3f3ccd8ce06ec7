"""Report files of a run, every one derived from `Results` (what results.json holds):
results.json, results.csv, report.md, junit.xml and report.html; and the summary printed on
stdout. `tables` defines the tables once; each renderer lays them out."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from harness.files import atomic_write
from harness.pipeline.results import Results
from harness.reports import html, junit, markdown, results_csv, results_json, similarities
from harness.reports.tables import summary_table

log = logging.getLogger("harness.reports")

# Each renders the run as the file's text (or bytes); None: nothing to write for this run.
REPORTS: dict[str, Callable[[Results], str | bytes | None]] = {
    "results.json": results_json.render,  # first: the others derive from it
    similarities.FILE: similarities.render,
    "results.csv": results_csv.render,
    "report.md": markdown.render,
    "junit.xml": junit.render,
    "report.html": html.render,
}


def summary_text(results: Results) -> str:
    """The summary table, as printed on stdout."""
    return summary_table(results).as_text()


def write_reports(results: Results, out_dir: str | Path) -> list[Path]:
    """Write every report into `out_dir`; returns the paths written. A report whose optional
    package is missing (Jinja2 for report.html) is left out with a warning that says so."""
    out_dir = Path(out_dir)
    written = []
    for name, render in REPORTS.items():
        try:
            text = render(results)
        except ImportError as exc:
            log.warning("%s not written: %s needs %s (pip install 'wic-harness[report]')",
                        name, name, exc.name or exc)
            continue
        if text is None:
            (out_dir / name).unlink(missing_ok=True)  # not left over from an earlier run
            continue
        atomic_write(out_dir / name, text)
        written.append(out_dir / name)
    return written


__all__ = ["REPORTS", "summary_text", "write_reports"]
