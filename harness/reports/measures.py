"""The tables of the kinds of test plugins measure (harness_register_measures), laid out by
every report the same way: per kind, a summary (per backend and suite: its tests, how many
passed, its main score) and its rows, with the columns the measure names."""

from __future__ import annotations

from dataclasses import dataclass

from harness.reports.tables import Table, number
from harness.results.model import Results


@dataclass(frozen=True)
class MeasureSection:
    kind: str
    title: str
    rules: str
    summary: Table
    rows: Table
    extra: tuple[tuple[str, Table], ...] = ()  # the measure's own tables, titled


def summary_cells(s) -> list[str]:
    if s.status != "ok":
        return [s.backend, s.suite, "-", "-", "-", f"{s.status}: {s.error}"]
    status = "ok" if not s.unscored else f"ok, {s.unscored} unscored"
    return [s.backend, s.suite, str(s.rows), f"{s.passed}/{s.rows - s.unscored}",
            number(s.score, 3) or "-", status]


def measure_sections(results: Results, limit: int | None = None) -> list[MeasureSection]:
    """One section per plugin kind of the run, its rows capped at `limit` (those that did not
    pass first)."""
    out = []
    for kind, rows in results.measure_rows.items():
        measure = results.measures[kind]
        shown = sorted(rows, key=lambda r: measure.outcome(r) == "pass")[:limit] \
            if limit is not None and len(rows) > limit else rows
        summaries = results.measure_summaries.get(kind, [])
        own = getattr(measure, "summary_table", lambda _: None)(summaries)
        out.append(MeasureSection(
            kind, measure.title or kind, measure.rules,
            Table(own[0], own[1]) if own else
            Table(["backend", "suite", "tests", "passed", measure.score_name, "status"],
                  [summary_cells(s) for s in summaries], frozenset({2, 4})),
            Table(["backend", "suite", "test", *measure.columns],
                  [[r.backend, r.suite, r.test, *measure.cells(r)] for r in shown],
                  row_classes=[measure.outcome(r) for r in shown]),
            tuple((title, Table(headers, cells)) for title, headers, cells in
                  getattr(measure, "tables", lambda _: [])(rows))))
    return out
