"""How a run shows itself in a notebook (`Results._repr_html_`): the summary, the graded
tests' correlations and the gates' verdict, every cell escaped."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from harness.results.rows import CorrelationResult, SummaryRow

MAX_NOTEBOOK_ROWS = 50
NOTEBOOK_SUMMARY = ("backend", "suite", "passed", "accuracy", "ties", "tests passed",
                    "graded tests", "median rho", "status")
GRADED_ONLY = ("graded tests", "median rho")
NOTEBOOK_CORRELATIONS = ("backend", "suite", "test", "pairs", "scored", "Spearman rho",
                         "Pearson r", "note")


def _number(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _summary_cells(s: SummaryRow) -> list[str]:
    if s.status != "ok":
        return [s.backend, s.suite, *["-"] * 6, f"{s.status}: {s.error or ''}"]
    return [s.backend, s.suite, f"{s.passed}/{s.total}", _number(s.accuracy), str(s.ties),
            f"{s.tests_passed}/{s.tests_total}", str(s.graded_tests),
            _number(s.median_spearman), "ok" + (f", {s.unscored} unscored" if s.unscored else "")]


def _correlation_cells(c: CorrelationResult) -> list[str]:
    def interval(value: float | None, ci: list[float] | None) -> str:
        return _number(value) + (f" [{ci[0]:.3f}, {ci[1]:.3f}]" if value is not None and ci
                                 else "")

    return [c.backend, c.suite, c.test, str(c.pairs), str(c.scored),
            interval(c.spearman, c.spearman_ci), interval(c.pearson, c.pearson_ci),
            c.error or ""]


def _html_table(headers: Sequence[str], rows: list[list[str]]) -> str:
    """A small HTML table, every cell escaped."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def results_html(title: str, summary_rows: Sequence[SummaryRow],
                 correlation_rows: Sequence[CorrelationResult],
                 gate_lines: Sequence[str] | None) -> str:
    """A run's `title` (its repr), summary, graded tests' correlations and gates' verdict (None:
    no gate was asked for), as HTML."""
    graded = any(s.graded_tests for s in summary_rows)
    keep = [i for i, h in enumerate(NOTEBOOK_SUMMARY) if graded or h not in GRADED_ONLY]
    out = [f"<p><strong>{escape(title)}</strong></p>",
           _html_table([NOTEBOOK_SUMMARY[i] for i in keep],
                       [[cells[i] for i in keep] for cells in map(_summary_cells,
                                                                   summary_rows)])]
    if correlation_rows:
        shown = correlation_rows[:MAX_NOTEBOOK_ROWS]
        out.append(_html_table(NOTEBOOK_CORRELATIONS, [_correlation_cells(c) for c in shown]))
        if len(correlation_rows) > len(shown):
            out.append(f"<p>{len(correlation_rows) - len(shown)} more graded tests: "
                       "see <code>.correlations</code>.</p>")
    if gate_lines is not None:
        out.append(f"<pre>{escape(chr(10).join(gate_lines))}</pre>")
    return "<div>" + "".join(out) + "</div>"
