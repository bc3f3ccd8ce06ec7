"""The files of the studies (`harness sweep`, `geometry`, `senses` and `wic`), rendered as the
run's reports are: tables through `harness.reports.text` (markdown and CSV escaped in one
place), HTML from Jinja2 templates in harness/reports/templates with autoescaping on, and
every file written by one writer, `write_files` (atomically, as `write_reports` does). Each
study has a module here: `sweep`, `geometry`, `senses`, `wic`. They render what the study
modules (harness/studies/) compute, read by attribute: this layer does not import them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from harness.files import atomic_write

log = logging.getLogger("harness.reports")
TEMPLATES = Path(__file__).parent.parent / "templates"


@dataclass(frozen=True)
class StudyFile:
    """One file of a study: its name, what renders its content, and the warning to give when
    that needs a package that is not installed ("": none, the file is left out silently)."""

    name: str
    render: Callable[[], str | bytes]
    needs: str = ""


def write_files(out_dir: str | Path, files: Iterable[StudyFile]) -> list[Path]:
    """Each file rendered and written (atomically) into `out_dir`, in the order given; one whose
    render needs a missing package (ImportError) is left out, with its warning. Returns the
    paths written, in that order."""
    out_dir = Path(out_dir)
    written = []
    for file in files:
        try:
            content = file.render()
        except ImportError:
            if file.needs:
                log.warning(file.needs)
            continue
        atomic_write(out_dir / file.name, content)
        written.append(out_dir / file.name)
    return written


def environment():
    """Jinja2 over harness/reports/templates, escaping as report.html's does (autoescaping on,
    the same whitespace rules)."""
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


__all__ = ["StudyFile", "environment", "write_files"]
