"""report.html: one self-contained file (inline CSS, JS and PNG plots) with the summary, the
gates, plots, a searchable and sortable per-expectation table, and similarity heatmaps."""

from __future__ import annotations

import base64
import logging
from html import escape

from harness.results import Results

log = logging.getLogger("harness.reports")

MAX_HEATMAPS = 8  # per backend: a large suite would give thousands
MAX_HEATMAP_CONTEXTS = 40  # a test with more contexts is left to results.json

_CSS = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1400px}
table{border-collapse:collapse;margin:1em 0;font-size:14px}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:left}
th{background:#f2f2f2;cursor:pointer;user-select:none}
td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.pass td.result{color:#1a7f37}tr.fail td.result{color:#cf222e;font-weight:600}
tr.tie td.result{color:#9a6700;font-weight:600}tr.unscored td.result{color:#6e7781}
.plots img,.heatmaps img{margin:0 1em 1em 0;border:1px solid #eee}
#filter{padding:4px 8px;width:24em}.note{color:#555}
"""

_JS = """
(function(){
  const table=document.getElementById('expectations');
  const rows=Array.from(table.tBodies[0].rows);
  const filter=document.getElementById('filter');
  const count=document.getElementById('shown');
  function update(){
    const q=filter.value.toLowerCase();let n=0;
    rows.forEach(r=>{const hit=r.textContent.toLowerCase().includes(q);
      r.style.display=hit?'':'none';n+=hit;});
    count.textContent=n+' of '+rows.length+' expectations shown';
  }
  filter.addEventListener('input',update);
  Array.from(table.tHead.rows[0].cells).forEach((th,col)=>{
    th.addEventListener('click',()=>{
      const up=th.dataset.order!=='asc';th.dataset.order=up?'asc':'desc';
      const key=r=>{const t=r.cells[col].textContent;const x=parseFloat(t);
        return isNaN(x)?t:x;};
      rows.sort((a,b)=>{const x=key(a),y=key(b);
        return (x<y?-1:x>y?1:0)*(up?1:-1);});
      rows.forEach(r=>table.tBodies[0].appendChild(r));
    });
  });
  update();
  document.body.dataset.ready='yes';
})();
"""


def _img(png: bytes, alt: str) -> str:
    return f'<img alt="{escape(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


def _table(headers: list[str], rows: list[list[str]], table_id: str,
           row_classes: list[str] | None = None, numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for index, row in enumerate(rows):
        cls = f' class="{row_classes[index]}"' if row_classes else ""
        cells = "".join(
            f'<td class="{"num" if i in numeric else ("result" if headers[i] == "result" else "")}"'
            f">{escape(str(c))}</td>" for i, c in enumerate(row))
        body.append(f"<tr{cls}>{cells}</tr>")
    return (f'<table id="{table_id}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


def _plots(results: Results) -> str:
    try:
        from harness import plots
    except ImportError:  # pragma: no cover - matplotlib is in the default install
        return '<p class="note">Plots need matplotlib: pip install "wic-harness[default]".</p>'
    try:
        parts = [_img(plots.accuracy_plot(results), "accuracy per backend"),
                 _img(plots.margin_plot(results), "margin distribution per backend")]
    except ImportError as exc:
        return f'<p class="note">No plots: {escape(str(exc))}</p>'
    return '<div class="plots">' + "".join(parts) + "</div>"


def _heatmaps(results: Results) -> str:
    from harness import plots

    out = []
    for backend, suites in results.similarities.items():
        tests = [(suite, test, data) for suite, by_test in suites.items()
                 for test, data in by_test.items()
                 if len(data["labels"]) <= MAX_HEATMAP_CONTEXTS]
        shown = tests[:MAX_HEATMAPS]
        out.append(f"<h3>{escape(backend)}</h3><div class=\"heatmaps\">")
        if shown:
            out.append(_img(plots.heatmaps([(f"{s} / {t}", d["labels"], d["matrix"])
                                            for s, t, d in shown]),
                            f"similarities of {backend}, a heatmap per test"))
        out.append("</div>")
        if len(tests) > MAX_HEATMAPS:
            out.append(f'<p class="note">{len(tests) - MAX_HEATMAPS} more tests: their '
                       "similarities are in results.json.</p>")
    if any(len(d["labels"]) > MAX_HEATMAP_CONTEXTS for suites in results.similarities.values()
           for by_test in suites.values() for d in by_test.values()):
        out.append(f'<p class="note">Tests with more than {MAX_HEATMAP_CONTEXTS} contexts get '
                   "no heatmap; their similarities are in results.json.</p>")
    return "".join(out)


def render_html(results: Results, gate_lines: list[str] | None = None) -> str:
    from harness.reports import SUMMARY_HEADERS, outcome, summary_cells

    summary = _table(SUMMARY_HEADERS, [summary_cells(s) for s in results.summary_rows],
                     "summary", numeric={3, 4})
    headers = ["backend", "suite", "test", "expectation", "sim closer", "sim farther",
               "margin", "needed", "result"]
    fmt = lambda v: "" if v is None else f"{v:.4f}"  # noqa: E731
    rows = [[r.backend, r.suite, r.test, r.expectation, fmt(r.sim_closer), fmt(r.sim_farther),
             fmt(r.margin), f"> {r.required_margin:g}",
             outcome(r) + (f" ({r.error})" if r.error else "")] for r in results.rows]
    classes = [outcome(r).lower() for r in results.rows]
    expectations = _table(headers, rows, "expectations", classes, numeric={4, 5, 6})
    try:
        heatmaps = _heatmaps(results)
    except ImportError:
        heatmaps = '<p class="note">Heatmaps need matplotlib.</p>'
    from harness.reports import CONTROL_HEADERS, control_cells, controls

    control_rows = controls(results)
    control = ""
    if control_rows:
        control = (f"<h2>Controls</h2><p class=\"note\">{escape(control_rows[0].control)} is "
                   "context-free: an expectation it passes needs no context to pass.</p>"
                   + _table(CONTROL_HEADERS, [control_cells(c) for c in control_rows],
                            "controls", numeric={2, 3, 4, 5}))
    gates = ""
    if gate_lines:
        gates = "<h2>Gates</h2><pre>" + escape("\n".join(gate_lines)) + "</pre>"
    title = f"wic-harness report: {', '.join(results.suites)}"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>{_CSS}</style></head>
<body>
<h1>{escape(title)}</h1>
<p class="note">wic-harness {escape(results.harness_version)}, {escape(results.created)}.
An expectation passes when sim(anchor, closer) - sim(anchor, farther) exceeds its margin; a tie
fails.</p>
<h2>Summary</h2>
{summary}
{gates}
{control}
<h2>Plots</h2>
{_plots(results)}
<h2>Expectations</h2>
<input id="filter" type="search" placeholder="Search backend, test, expectation, result...">
<span id="shown" class="note"></span>
{expectations}
<h2>Similarities</h2>
{heatmaps}
<script>{_JS}</script>
</body></html>
"""
