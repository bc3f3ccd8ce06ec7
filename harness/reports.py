"""Report files of a run, all derived from `Results`: results.json (schema 1), results.csv,
report.md, junit.xml and report.html; and the summary table printed on stdout."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from harness.results import Results
from harness.scoring import ExpectationResult, SummaryRow

SUMMARY_HEADERS = ["backend", "suite", "passed", "accuracy", "ties", "tests passed", "status"]


def _num(value: float | None, digits: int = 4) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def outcome(row: ExpectationResult) -> str:
    if row.error is not None:
        return "unscored"
    if row.tie:
        return "tie"
    return "pass" if row.passed else "FAIL"


def summary_cells(row: SummaryRow) -> list[str]:
    if row.status != "ok":
        return [row.backend, row.suite, "-", "-", "-", "-", f"{row.status}: {row.error}"]
    status = "ok" if not row.unscored else f"ok, {row.unscored} unscored"
    return [
        row.backend, row.suite, f"{row.passed}/{row.total}", _num(row.accuracy, 3),
        str(row.ties), f"{row.tests_passed}/{row.tests_total}", status,
    ]


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """An aligned plain-text table."""
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    esc = lambda c: str(c).replace("|", "\\|").replace("\n", " ")  # noqa: E731
    out = ["| " + " | ".join(map(esc, headers)) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(map(esc, r)) + " |" for r in rows]
    return "\n".join(out)


def summary_text(results: Results) -> str:
    return text_table(SUMMARY_HEADERS, [summary_cells(s) for s in results.summary_rows])


def render_json(results: Results, gate_lines: list[str] | None = None) -> str:
    return json.dumps(results.to_dict(), indent=2, ensure_ascii=False) + "\n"


def render_csv(results: Results, gate_lines: list[str] | None = None) -> str:
    buffer = io.StringIO()
    names = [f.name for f in fields(ExpectationResult)]
    writer = csv.DictWriter(buffer, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    for row in results.rows:
        writer.writerow(asdict(row))
    return buffer.getvalue()


MAX_MARKDOWN_ROWS = 200  # report.md stays small enough for a pull-request comment


@dataclass(frozen=True)
class ControlRow:
    """What a contextual backend passes that a context-free control passes too."""

    backend: str
    suite: str
    passed: int
    control: str
    control_also: int  # of `passed`: needs no context
    ties: int


def controls(results: Results) -> list[ControlRow]:
    """Per contextual backend and suite: its passes, and how many of them the run's first
    context-free backend (the control) passes too."""
    control = next((n for n, rec in results.backends.items()
                    if rec.context_free and rec.status == "ok"), None)
    if control is None:
        return []
    by_control = {(r.suite, r.test, r.expectation) for r in results.rows
                  if r.backend == control and r.passed}
    out = []
    for s in results.summary_rows:
        record = results.backends[s.backend]
        if s.backend == control or record.context_free or s.status != "ok":
            continue
        mine = [r for r in results.rows if r.backend == s.backend and r.suite == s.suite]
        passed = [(r.suite, r.test, r.expectation) for r in mine if r.passed]
        out.append(ControlRow(s.backend, s.suite, len(passed), control,
                              sum(k in by_control for k in passed), s.ties))
    return out


CONTROL_HEADERS = ["backend", "suite", "passed", "also passed by the control",
                   "passed only with context", "ties"]


def control_cells(row: ControlRow) -> list[str]:
    return [row.backend, row.suite, str(row.passed), str(row.control_also),
            str(row.passed - row.control_also), str(row.ties)]


def render_markdown(results: Results, gate_lines: list[str] | None = None) -> str:
    out = [f"# wic-harness report: {', '.join(results.suites)}", ""]
    if results.interrupted:
        out += ["**The run was interrupted; backends marked `interrupted` did not run.**", ""]
    out += ["## Summary", "", markdown_table(SUMMARY_HEADERS,
                                              [summary_cells(s) for s in results.summary_rows]), ""]
    if gate_lines:
        out += ["## Gates", "", *[f"- {line}" for line in gate_lines], ""]
    out += ["An expectation passes when sim(anchor, closer) - sim(anchor, farther) exceeds its "
            "margin (default 0). A tie (equal similarities, as a context-free model gives two "
            "occurrences of one word) fails. An unscored expectation had no vector for one of "
            "its contexts.", ""]
    control_rows = controls(results)
    if control_rows:
        out += ["## Controls", "",
                f"`{control_rows[0].control}` is context-free: an expectation it passes needs "
                "no context to pass.", "",
                markdown_table(CONTROL_HEADERS, [control_cells(c) for c in control_rows]), ""]
    out += ["## Backends", ""]
    backend_rows = [
        [rec.name, rec.plugin, ", ".join(f"{k}={v}" for k, v in rec.options.items()),
         rec.fingerprint or "", rec.status + (f": {rec.error}" if rec.error else "")]
        for rec in results.backends.values()
    ]
    out += [markdown_table(["backend", "plugin", "options", "fingerprint", "status"],
                           backend_rows), ""]
    out += ["## Expectations", ""]
    headers = ["backend", "suite", "test", "expectation", "sim closer", "sim farther", "margin",
               "needed", "result"]
    shown = list(results.rows)
    if len(shown) > MAX_MARKDOWN_ROWS:  # the ones that did not pass, as many as fit
        shown = [r for r in shown if not r.passed][:MAX_MARKDOWN_ROWS]
        out += [f"{len(results.rows)} rows: shown here, {len(shown)} that did not pass; all "
                "of them are in results.csv and report.html.", ""]
    rows = [
        [r.backend, r.suite, r.test, r.expectation, _num(r.sim_closer), _num(r.sim_farther),
         _num(r.margin), f"> {r.required_margin:g}",
         outcome(r) + (f" ({r.error})" if r.error else "")]
        for r in shown
    ]
    out += [markdown_table(headers, rows) if rows else "No expectation was scored.", ""]
    return "\n".join(out)


def render_junit(results: Results, gate_lines: list[str] | None = None) -> str:
    """One testsuite per backend and suite, one testcase per expectation: a failure carries
    the similarities, an unscored one is an error, a backend that could not run is one error."""
    from xml.sax.saxutils import quoteattr

    blocks = []
    for summary in results.summary_rows:
        mine = [r for r in results.rows
                if r.backend == summary.backend and r.suite == summary.suite]
        cases = []
        if summary.status != "ok":
            tag = "skipped" if summary.status == "skipped" else "error"
            message = quoteattr(xml_text(f"{summary.status}: {summary.error}"))
            cases.append(f'<testcase classname={quoteattr(xml_text(summary.backend))} '
                         f'name="backend"><{tag} message={message}/></testcase>')
        for r in mine:
            name = quoteattr(xml_text(r.expectation))
            classname = quoteattr(xml_text(f"{r.backend}.{r.suite}.{r.test}"))
            detail = (f"sim_closer={_num(r.sim_closer, 6)} sim_farther={_num(r.sim_farther, 6)} "
                      f"margin={_num(r.margin, 6)} needed>{r.required_margin:g}")
            if r.error is not None:
                body = f"<error message={quoteattr(xml_text('unscored: ' + r.error))}/>"
            elif r.passed:
                body = f"<system-out>{escape_xml(detail)}</system-out>"
            else:
                kind = "tie" if r.tie else "ordering does not hold"
                body = (f"<failure message={quoteattr(f'{kind}: margin {_num(r.margin)}')}>"
                        f"{escape_xml(detail)}</failure>")
            cases.append(f"<testcase classname={classname} name={name}>{body}</testcase>")
        failures = sum(1 for r in mine if not r.passed and r.error is None)
        skipped = int(summary.status == "skipped")
        errors = sum(1 for r in mine if r.error is not None) + (
            summary.status not in ("ok", "skipped"))
        label = quoteattr(xml_text(f"{summary.backend} / {summary.suite}"))
        blocks.append(f'<testsuite name={label} tests="{len(cases)}" failures="{failures}" '
                      f'errors="{errors}" skipped="{skipped}">' + "".join(cases)
                      + "</testsuite>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="wic-harness">'
            + "\n".join(blocks) + "</testsuites>\n")


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """`text` without the characters XML 1.0 cannot hold (control characters, say)."""
    return _NOT_XML.sub("\ufffd", text)


def escape_xml(text: str) -> str:
    from xml.sax.saxutils import escape

    return escape(xml_text(text))


def render_html(results: Results, gate_lines: list[str] | None = None) -> str:
    from harness.html_report import render_html as render

    return render(results, gate_lines)


REPORTS: dict[str, Callable[[Results, list[str] | None], str]] = {
    "results.json": render_json,
    "results.csv": render_csv,
    "report.md": render_markdown,
    "junit.xml": render_junit,
    "report.html": render_html,
}


def atomic_write(path: Path, text: str) -> None:
    """Write `text` to `path` so that a reader sees the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes files private; reports are not
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_reports(results: Results, out_dir: str | Path,
                  gate_lines: list[str] | None = None) -> list[Path]:
    """Write every report into `out_dir` (results.json first: the others derive from it);
    returns the paths written."""
    out_dir = Path(out_dir)
    written = []
    for name, render in REPORTS.items():
        path = out_dir / name
        atomic_write(path, render(results, gate_lines))
        written.append(path)
    return written
