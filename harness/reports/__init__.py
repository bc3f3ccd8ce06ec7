"""Report files of a run, every one derived from `Results` (what results.json holds), each
registered through the `harness_register_reports` hook (the built-in ones, results.json,
similarities.parquet, results.csv, correlations.csv and pairs.csv (graded tests), report.md,
junit.xml and report.html, by `harness.reports.builtin`); and the summary printed on stdout.
`tables` defines the tables once; each renderer lays them out. Light to import (every plugin
host imports `harness.reports.builtin`): the renderers and tables are imported where they are
used."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from harness.files import atomic_write
from harness.plugins import BUILTIN_SOURCE

if TYPE_CHECKING:
    from harness.plugins.reports import PluginReport
    from harness.results.model import Results

log = logging.getLogger("harness.reports")
MAX_TERMINAL_ROWS = 20  # a plugin kind's rows on the terminal: those that did not pass first


def summary_text(results: Results) -> str:
    """The summary table, as printed on stdout, the graded tests' correlations when the run has
    any, and each plugin kind's summary and rows."""
    from harness.reports.measures import measure_sections
    from harness.reports.tables import correlations_table, summary_table, zero_shot_note

    text = summary_table(results).as_text()
    if zero_shot_note(results):
        text += "\n" + zero_shot_note(results)
    if results.correlation_rows:
        text += "\n\n" + correlations_table(results.correlation_rows).as_text()
    for section in measure_sections(results, MAX_TERMINAL_ROWS):
        text += f"\n\n{section.title}\n" + section.summary.as_text()
        for title, table in section.extra:
            text += f"\n\n{title}\n" + table.as_text()
        text += "\n\n" + section.rows.as_text()
        hidden = len(results.measure_rows[section.kind]) - len(section.rows.rows)
        if hidden > 0:
            text += (f"\n({len(section.rows.rows)} of {len(section.rows.rows) + hidden} rows "
                     "shown, those that did not pass first; every row is in results.json, "
                     "and measures.csv)")
    return text


class Written(list):
    """The paths written; `failed` names each built-in report whose render raised (a bug the
    run's exit code must tell, as a plugin's broken report need not)."""

    def __init__(self) -> None:
        super().__init__()
        self.failed: dict[str, str] = {}


def write_reports(results: Results, out_dir: str | Path,
                  reports: Iterable[PluginReport] | None = None) -> Written:
    """Write every report (`reports`, else those a new plugin host registers) into `out_dir`;
    returns the paths written (a list, whose `failed` names each built-in report that raised).
    A report whose optional package is missing (Jinja2 for report.html) is left out with a
    warning that says so; one whose render raises is left out with a warning that names it and
    its plugin, and the others are written."""
    if reports is None:
        from harness.plugins.manager import make_plugin_host

        reports = make_plugin_host().reports()
    out_dir = Path(out_dir)
    written = Written()
    for report in reports:
        name, path = report.name, out_dir / report.name
        try:
            text = report.render(results)
            if text is not None and not isinstance(text, (str, bytes)):
                raise TypeError(f"render returned {type(text).__name__}, not str, bytes or None")
        except ImportError as exc:
            if report.source == BUILTIN_SOURCE:
                log.warning("%s not written: %s needs %s (pip install 'wic-harness[report]')",
                            name, name, exc.name or exc)
            else:
                log.warning("%s not written: it needs %s, which is not installed (a report of "
                            "%s)", name, exc.name or exc, report.source)
            path.unlink(missing_ok=True)  # not left over from an earlier run
            continue
        except Exception as exc:  # a report's bug must not cost the run its other reports
            log.debug("traceback", exc_info=True)
            log.warning("%s not written: its render (from %s) raised %s: %s", name,
                        report.source, type(exc).__name__, exc)
            path.unlink(missing_ok=True)  # not left over from an earlier run
            if report.source == BUILTIN_SOURCE:
                written.failed[name] = f"{type(exc).__name__}: {exc}"
            continue
        if text is None:
            path.unlink(missing_ok=True)  # not left over from an earlier run
            continue
        atomic_write(path, text)
        written.append(path)
    return written


__all__ = ["summary_text", "write_reports"]
