"""report.md: the summary, the gates, the controls, the backends and the expectations, capped
so that it fits in a pull-request comment. Every value is text: each table cell and each value
a line names goes through `markdown_text`, so a suite, test or backend
name renders as written and cannot open a tag, a link, an image or a heading."""

from __future__ import annotations

from harness.reports.measures import measure_sections
from harness.reports.tables import (
    GRADED_RULES,
    MAX_HTML_ROWS,
    MAX_MARKDOWN_ROWS,
    RULES,
    backends_table,
    baseline_note,
    control_note,
    controls,
    controls_table,
    correlations_table,
    expectations_table,
    gate_lines,
    selection_note,
    shown_rows,
    summary_table,
    zero_shot_note,
)
from harness.reports.text import markdown_text
from harness.results.model import Results


def render(results: Results) -> str:
    suites = ", ".join(markdown_text(s) for s in results.suites)
    out = [f"# wic-harness report: {suites}", ""]
    if results.interrupted:
        out += ["**The run was interrupted; backends marked `interrupted` did not run.**", ""]
    if results.selection:
        note = selection_note(results.selection)
        out += [markdown_text(note[:1].upper() + note[1:] + "."), ""]
    out += ["## Summary", "", summary_table(results).as_markdown(), ""]
    if zero_shot_note(results):
        out += [markdown_text(zero_shot_note(results)), ""]
    gates = gate_lines(results)
    if gates:
        out += ["## Gates", "", *[f"- {markdown_text(line)}" for line in gates], ""]
    out += [RULES, ""]
    note = baseline_note(results, markdown_text)
    if note:
        out += [note, ""]
    control_rows = controls(results)
    if control_rows:
        control = f"**{markdown_text(control_rows[0].control)}**"
        out += ["## Controls", "", control_note(control), "",
                controls_table(control_rows).as_markdown(), ""]
    if results.correlation_rows:
        out += ["## Graded tests", "", GRADED_RULES, "",
                correlations_table(results.correlation_rows).as_markdown(), ""]
    for section in measure_sections(results, MAX_MARKDOWN_ROWS):
        out += [f"## {markdown_text(section.title)}", "", markdown_text(section.rules), "",
                section.summary.as_markdown(), ""]
        for title, table in section.extra:
            out += [f"### {markdown_text(title)}", "", table.as_markdown(), ""]
        out += [section.rows.as_markdown(), ""]
    out += ["## Backends", "", backends_table(results).as_markdown(), ""]
    out += ["## Expectations", ""]
    shown, note = shown_rows(results.rows, MAX_MARKDOWN_ROWS)  # those not passed first
    if note:
        if len(results.rows) <= MAX_HTML_ROWS:
            note = note.replace("results.csv", "results.csv and report.html")
        out += [markdown_text(note), ""]
    if shown:
        out += [expectations_table(shown).as_markdown(), ""]
    elif results.correlation_rows:
        out += ["This run's suites have graded tests only (above).", ""]
    elif results.measure_rows:
        out += ["This run's suites have no orderings: their tests are above.", ""]
    else:
        out += ["No expectation was scored.", ""]
    return "\n".join(out)
