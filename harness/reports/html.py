"""report.html: one self-contained page (CSS, JS and PNG plots inline) with the summary, the
gates, the controls, plots, a searchable and sortable per-expectation table, and similarity
heatmaps. Rendered from templates/report.html with Jinja2 (autoescaping on)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from harness.reports.tables import (
    backends_table,
    control_note,
    controls,
    controls_table,
    expectations_table,
    gate_lines,
    summary_table,
)
from harness.results import Results

TEMPLATES = Path(__file__).with_name("templates")
MAX_HEATMAPS = 8  # per backend: a large suite would give thousands
MAX_HEATMAP_CONTEXTS = 40  # a test with more contexts is left to results.json


@dataclass(frozen=True)
class Picture:
    png: str  # base64
    alt: str


@dataclass(frozen=True)
class Heatmaps:
    name: str
    picture: Picture | None
    more: int  # tests beyond MAX_HEATMAPS


def picture(png: bytes, alt: str) -> Picture:
    return Picture(base64.b64encode(png).decode(), alt)


def _plots(results: Results) -> tuple[list[Picture], str]:
    try:
        from harness.reports import plots

        return [picture(plots.accuracy_plot(results), "accuracy per backend"),
                picture(plots.margin_plot(results), "margin distribution per backend")], ""
    except ImportError as exc:  # matplotlib is in the default install
        return [], f"No plots: {exc}. Install them with pip install 'wic-harness[report]'."


def _heatmaps(results: Results) -> tuple[list[Heatmaps], str]:
    from harness.reports import plots

    out = []
    for backend, suites in results.similarities.items():
        tests = [(suite, test, data) for suite, by_test in suites.items()
                 for test, data in by_test.items()
                 if len(data["labels"]) <= MAX_HEATMAP_CONTEXTS]
        shown = tests[:MAX_HEATMAPS]
        image = picture(plots.heatmaps([(f"{s} / {t}", d["labels"], d["matrix"])
                                        for s, t, d in shown]),
                        f"similarities of {backend}, a heatmap per test") if shown else None
        out.append(Heatmaps(backend, image, max(0, len(tests) - MAX_HEATMAPS)))
    note = ""
    if any(len(d["labels"]) > MAX_HEATMAP_CONTEXTS for suites in results.similarities.values()
           for by_test in suites.values() for d in by_test.values()):
        note = (f"Tests with more than {MAX_HEATMAP_CONTEXTS} contexts get no heatmap; their "
                "similarities are in results.json.")
    return out, note


def render(results: Results) -> str:
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    plots, plots_note = _plots(results)
    try:
        heatmaps, heatmaps_note = _heatmaps(results)
    except ImportError:
        heatmaps, heatmaps_note = [], "Heatmaps need matplotlib."
    control_rows = controls(results)
    return env.get_template("report.html").render(
        title=f"wic-harness report: {', '.join(results.suites)}",
        results=results,
        summary=summary_table(results),
        gates=gate_lines(results),
        controls=controls_table(control_rows) if control_rows else None,
        control_note=control_note(control_rows[0].control) if control_rows else "",
        backends=backends_table(results),
        plots=plots, plots_note=plots_note,
        expectations=expectations_table(results.rows),
        heatmaps=heatmaps, heatmaps_note=heatmaps_note,
    )
