"""Every value is text in every file format: names, ids, labels, expectations, texts,
backend names and error messages are escaped in report.md (rendered by a real CommonMark
renderer), neutralised in the CSV files (no spreadsheet formula), escaped in report.html,
senses.html and junit.xml, and control characters are refused by `harness validate`."""

from __future__ import annotations

import csv
import html
import importlib.util
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from markdown_it import MarkdownIt

from harness.backend import Item
from harness.cli import main
from harness.errors import SuiteError
from harness.pipeline.runner import run_suites
from harness.reports import results_csv
from harness.reports.markdown import render as render_markdown
from harness.reports.studies.senses import write_sense_map
from harness.reports.text import FORMULA_START, csv_cell, markdown_text
from harness.results.model import GateReport
from harness.studies.sense_maps import Sense, SenseMap
from harness.suites.validate import load_suite
from harness.testing import FakeBackend

SCRIPT = '<script>alert("pwn")</script>'
IMG = "<img src=x onerror=alert(1)>"
CELL = "</td></tr>"
IMAGE = "![x](http://t/p.png)"
LINK = "[a](javascript:x)"
HEADING = "# heading"
FORMULA = '=HYPERLINK("http://t/x","click")'
# what report.md must render as literal text (a newline becomes a space)
MARKDOWN_PAYLOADS = [SCRIPT, IMG, CELL, IMAGE, LINK, HEADING, "`tick`", "*em* _u_ ~~s~~",
                     "www.evil.com/p.png", "@team #12", "a | b", "&lt;b&gt;", "\\",
                     "x_y_z _u_ __b__ a_ _a"]

SUITE = f"""\
schema: 3
suite: '=1+1 {SCRIPT} {IMAGE}'
description: "{HEADING} {IMG}"
tests:
  - id: '{FORMULA}'
    contexts: &abc
      a: {{text: 'a b c {SCRIPT}', word: a}}
      b: {{text: "a b c", word: b}}
      c: {{text: "a b c", word: c}}
    expect: ["a: b > c"]
  - id: '{IMG}{CELL}'
    contexts: *abc
    expect: ["a: c > b"]
  - id: '{LINK} `tick` *em* _u_ ~~s~~ {HEADING} x_y_z _u_ __b__ a_ _a'
    contexts: *abc
    expect: ["b: a > c"]
  - id: "+1+1 www.evil.com/p.png @team #12 a | b &lt;b&gt; \\\\"
    contexts: *abc
    expect: ["b: c > a"]
  - id: "@SUM(1)"
    contexts:
      -x: {{text: "x y z", word: x}}
      __b__: {{text: "x y z", word: y}}
      c.d: {{text: "x y z", word: z}}
    expect: ["-x: __b__ > c.d", "__b__: -x > c.d"]
  - id: '-graded {IMAGE}'
    pairs:
      - {{a: {{text: "=HYPERLINK(1) is a bank"}}, b: {{word: "@cmd"}}, score: 1}}
      - {{a: {{word: cat}}, b: {{word: dog}}, score: 7}}
      - {{a: {{word: "-x"}}, b: {{word: "+y"}}, score: 3}}
      - {{a: {{word: car}}, b: {{word: bus}}, score: 5}}
"""

ERROR = f"{SCRIPT}\n{HEADING}\n{IMAGE} \x1b[31mred"
EVIL_BACKEND = f"-evil {IMG} {LINK}"
EVIL_CONTROL = f"ctl` {HEADING}\n{SCRIPT}"
GATE = f"BELOW MINIMUM {SCRIPT} {IMAGE} {LINK}"


class Control(FakeBackend):
    context_free = True


class Broken(FakeBackend):
    def embed_batch(self, items):
        raise RuntimeError(ERROR)


@pytest.fixture
def hostile(write_suite):
    """A run whose suite, tests, labels, backends, error and gate line carry the payloads."""
    suite = load_suite(write_suite(SUITE))
    results = run_suites([suite], [FakeBackend("model"), FakeBackend(EVIL_BACKEND),
                                   Control(EVIL_CONTROL, {"seed": 3}), Broken("broken")],
                         reference=False)
    return replace(results, gates=GateReport(["min_accuracy"], False, [GATE]))


def renderer() -> MarkdownIt:
    """GitHub-like: tables, strikethrough, and autolinks of bare URLs when linkify-it is here."""
    return MarkdownIt("gfm-like", {"linkify": importlib.util.find_spec("linkify_it") is not None})


def github(text: str) -> str:
    """GitHub's own renderer (cmark-gfm, raw HTML allowed as in a job summary), when installed."""
    cmarkgfm = pytest.importorskip("cmarkgfm")
    from cmarkgfm.cmark import Options

    return cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE)


def plain(rendered: str) -> str:
    """The text a browser shows: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", rendered))


# -- report.md ------------------------------------------------------------------------------


def test_report_md_renders_every_payload_as_literal_text(hostile):
    text = render_markdown(hostile)
    assert not re.search(r"(?<!\\)<", text)  # no raw "<" from any payload
    assert "\x1b" not in text and "\\\\x1b" in text  # ESC written out, backslash escaped
    rendered = renderer().render(text)
    for tag in ("<script", "<img", "<a ", "<em>", "<code>", "<del>", "<h3", "<h4"):
        assert tag not in rendered, tag
    assert rendered.count("<h1>") == 1 and rendered.count("<strong>") == 1  # control note
    headings = re.findall(r"<h2>(.*?)</h2>", rendered)
    assert headings == ["Summary", "Gates", "Controls", "Graded tests", "Backends",
                        "Expectations"]
    shown = plain(rendered)
    for payload in [*MARKDOWN_PAYLOADS, FORMULA, EVIL_BACKEND, GATE,
                    "-x: __b__ > c.d", "=1+1 " + SCRIPT]:
        assert payload in shown, payload
    assert ERROR.replace("\n", " ").replace("\x1b", "\\x1b") in shown
    assert " ".join(EVIL_CONTROL.split()) + " is context-free" in shown


def test_report_md_renders_safely_with_cmark_gfm(hostile):
    rendered = github(render_markdown(hostile))
    assert set(re.findall(r"<(\w+)", rendered)) <= {"h1", "h2", "p", "ul", "li", "strong",
                                                     "table", "thead", "tbody", "tr", "th", "td"}
    assert SCRIPT in plain(rendered) and IMAGE in plain(rendered)


def test_compare_markdown_escapes_backend_names():
    from harness.measures.orderings import OrderingsMeasure
    from harness.measures.paired import PairComparison
    from harness.reports.comparison import comparison_markdown

    text = comparison_markdown([(OrderingsMeasure(), [PairComparison(SCRIPT, IMAGE, 4, 2, 1, 1,
                                                                     0, 1.0)])])
    rendered = renderer().render(text)
    assert "<" not in text.replace("\\<", "") and "<script" not in rendered
    assert "<img" not in rendered and SCRIPT in plain(rendered)


def test_report_md_title_and_table_structure_hold(hostile):
    rendered = renderer().render(render_markdown(hostile))
    title = re.search(r"<h1>(.*?)</h1>", rendered).group(1)
    assert html.unescape(title) == f"wic-harness report: =1+1 {SCRIPT} {IMAGE}"
    # every expectation row keeps its ten cells: no "|" or "</td>" of a payload splits one
    body = rendered.split("<h2>Expectations</h2>")[1]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)[1:]
    assert rows and all(r.count("<td") == 10 for r in rows)


@pytest.mark.parametrize("payload", [*MARKDOWN_PAYLOADS, "a\nb\r\n## c", "1. x", "- y"])
def test_markdown_text_is_literal_in_a_line_and_a_cell(payload):
    md = renderer()
    line = md.render("- gate: " + markdown_text(payload))
    assert plain(line).strip() == "gate: " + " ".join(payload.split())
    assert "<a " not in line and "<img" not in line and "<h" not in line
    cell = md.render(f"| h |\n|---|\n| {markdown_text(payload)} |")
    assert plain(re.search(r"<td>(.*?)</td>", cell, re.S).group(1)) == " ".join(payload.split())


def test_markdown_keeps_ordinary_text_readable():
    assert markdown_text("mouse1: rat > keyboard") == "mouse1: rat \\> keyboard"
    assert markdown_text("glove-50d") == "glove-50d"
    assert markdown_text("-0.1234") == "-0.1234"
    assert markdown_text("fake:fail=true") == "fake:fail=true"
    assert markdown_text("batch_size=1024, 0.5") == "batch_size=1024, 0.5"
    assert markdown_text("bank.n.01 _u_") == "bank\\.n\\.01 \\_u\\_"


# -- CSV ------------------------------------------------------------------------------------


def read_csv(text: str | Path) -> list[dict[str, str]]:
    """The rows of CSV text, or of a file (read as a spreadsheet would: newlines untouched)."""
    if isinstance(text, Path):
        text = text.read_bytes().decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def assert_no_formula(rows: list[dict[str, str]], text_columns: list[str]) -> None:
    for row in rows:
        for column in text_columns:
            cell = row[column]
            assert not cell.startswith(FORMULA_START), (column, cell)


def test_csv_cell_neutralises_text_and_leaves_numbers():
    for start in "=+-@\t":
        assert csv_cell(start + "1+1") == "'" + start + "1+1"
    assert csv_cell("\r=1+1") == "'\n=1+1" and csv_cell("a\r\nb\rc") == "a\nb\nc"
    assert csv_cell(FORMULA) == "'" + FORMULA
    assert csv_cell("a=b") == "a=b" and csv_cell("'=x") == "'=x"
    assert csv_cell(-0.12) == -0.12 and csv_cell(-3) == -3
    assert csv_cell(None) is None and csv_cell(False) is False


def test_results_csv_has_no_formula_and_numbers_stay_numbers(hostile, tmp_path):
    from harness.reports import write_reports

    write_reports(hostile, tmp_path)
    rows = read_csv(tmp_path / "results.csv")
    assert_no_formula(rows, ["backend", "suite", "test", "expectation", "error"])
    assert {r["test"] for r in rows} >= {"'" + FORMULA, "'+1+1 www.evil.com/p.png @team #12 "
                                         "a | b &lt;b&gt; \\", "'@SUM(1)"}
    assert "'-x: __b__ > c.d" in {r["expectation"] for r in rows}
    assert "'" + EVIL_BACKEND in {r["backend"] for r in rows}
    assert {r["suite"] for r in rows} == {f"'=1+1 {SCRIPT} {IMAGE}"}
    for row, result in zip(rows, hostile.rows, strict=True):
        for column in ("sim_closer", "sim_farther", "margin", "required_margin"):
            assert float(row[column]) == getattr(result, column)
    assert any(float(r["margin"]) < 0 and r["margin"].startswith("-") for r in rows)


def test_results_csv_neutralises_tab_and_carriage_return(hostile):
    rows = [replace(r, backend="\t=1+1", error="\r@x", test="-t") for r in hostile.rows[:2]]
    out = read_csv(results_csv.render(replace(hostile, rows=rows)))
    assert [(r["backend"], r["error"], r["test"]) for r in out] == [
        ("'\t=1+1", "'\n@x", "'-t")] * 2


def test_graded_csvs_have_no_formula_and_numbers_stay_numbers(hostile, tmp_path):
    from harness.reports import write_reports

    write_reports(hostile, tmp_path)
    correlations = read_csv(tmp_path / "correlations.csv")
    assert_no_formula(correlations, ["backend", "suite", "test", "error"])
    assert {r["test"] for r in correlations} == {f"'-graded {IMAGE}"}
    for row in correlations:
        for column in ("pairs", "scored", "spearman", "spearman_ci_low", "pearson"):
            float(row[column])
    pairs = read_csv(tmp_path / "pairs.csv")
    assert_no_formula(pairs, ["backend", "suite", "test", "a", "b", "error"])
    assert {"'=HYPERLINK(1) is a bank", "'-x"} <= {r["a"] for r in pairs}
    assert {"'@cmd", "'+y"} <= {r["b"] for r in pairs}
    assert all(float(r["score"]) >= 0 and -1 <= float(r["cosine"]) <= 1 for r in pairs)


def hostile_map() -> SenseMap:
    senses = (Sense("=cmd|' /C calc'!A0", "", (Item("=1+1 bank", (5, 9)),)),
              Sense(f"-bank {SCRIPT}", f"{IMG} gloss", (Item("@bank", (1, 5)),
                                                        Item(f"bank {SCRIPT}", (0, 4)))))
    points = np.array([[-0.5, 0.25], [0.5, -0.75], [0.0, 0.5]])
    return SenseMap("fake", "bank", "pca", senses, points, (0, 1, 1),
                    ("=1+1 bank", "@bank", f"bank {SCRIPT}"), f"note {SCRIPT}")


def test_senses_csv_has_no_formula_and_numbers_stay_numbers(tmp_path):
    write_sense_map(hostile_map(), tmp_path)
    rows = read_csv(tmp_path / "senses.csv")
    assert_no_formula(rows, ["sense", "text"])
    assert [r["text"] for r in rows] == ["'=1+1 bank", "'@bank", f"bank {SCRIPT}"]
    assert rows[0]["sense"] == "'=cmd|' /C calc'!A0"
    assert [(float(r["x"]), float(r["y"])) for r in rows] == [(-0.5, 0.25), (0.5, -0.75),
                                                             (0.0, 0.5)]
    assert rows[0]["x"] == "-0.500000"


# -- HTML and XML ---------------------------------------------------------------------------


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text of each <script>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self.scripts.append("")

    def handle_data(self, data):
        if self.tags and self.tags[-1][0] == "script" and self.scripts:
            self.scripts[-1] += data
        self.text.append(data)


def parsed(page: str) -> Tags:
    tags = Tags()
    tags.feed(page)
    tags.close()
    return tags


def assert_only_escaped(page: str, payloads: list[str]) -> None:
    tags = parsed(page)
    assert "img" not in {t for t, _ in tags.tags}
    assert not any(k.startswith("on") for _, attrs in tags.tags for k in attrs)
    assert not any(str(v).startswith("javascript:") for _, a in tags.tags for v in a.values())
    assert all("pwn" not in script for script in tags.scripts)
    assert 'alert("pwn")</script>' not in page and "<img src=x" not in page
    shown = "".join(tags.text)
    for payload in payloads:
        assert payload in shown or html.escape(payload) in page, payload


def test_report_html_holds_the_payloads_only_escaped(hostile, tmp_path):
    from harness.reports import write_reports

    written = {p.name for p in write_reports(hostile, tmp_path)}
    if "report.html" not in written:
        pytest.skip("report.html needs jinja2")
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert len(parsed(page).scripts) == 1  # the page's own script only
    assert_only_escaped(page, [SCRIPT, IMG, CELL, FORMULA, EVIL_BACKEND])


def test_report_html_test_details_hold_the_payloads_only_escaped(hostile):
    from harness.reports.html import render

    label = f'"><b {IMG}'
    text = f"{SCRIPT} bank {CELL}"
    tests = {suite: {test: {"description": f"{IMG} {SCRIPT}", "contexts": {
        label: [text, len(SCRIPT) + 1, len(SCRIPT) + 5], "b": [CELL]}} for test in by_test}
        for suite, by_test in hostile.tests.items()}
    page = render(replace(hostile, tests=tests))
    tags = parsed(page)
    assert len(tags.scripts) == 1
    assert f"{label}" in {attrs.get("data-label") for _, attrs in tags.tags}
    assert "<mark>bank</mark>" in page
    assert_only_escaped(page, [f"{IMG} {SCRIPT}", SCRIPT, CELL, label])


def test_senses_html_holds_the_payloads_only_escaped(tmp_path):
    write_sense_map(hostile_map(), tmp_path)
    page = (tmp_path / "senses.html").read_text(encoding="utf-8")
    assert not parsed(page).scripts
    assert_only_escaped(page, [f"note {SCRIPT}", f"bank {SCRIPT}"])


def test_junit_xml_is_well_formed_and_holds_the_payloads_as_text(hostile, tmp_path):
    from harness.reports import write_reports

    write_reports(hostile, tmp_path)
    raw = (tmp_path / "junit.xml").read_text(encoding="utf-8")
    root = ET.fromstring(raw)  # well-formed: ESC of the error message replaced
    assert not {"script", "img", "a"} & {e.tag for e in root.iter()}
    assert "<script>" not in raw and "<img" not in raw
    values = " ".join([*(v for e in root.iter() for v in e.attrib.values()),
                       *(e.text or "" for e in root.iter())])
    for payload in (SCRIPT, FORMULA, EVIL_BACKEND, f"{IMG}{CELL}"):
        assert payload in values, payload


# -- harness validate -----------------------------------------------------------------------

CONTROLS = ["\\x07", "\\x1b", "\\x9b", "\\x00", "\\r", "\\x85"]

# a valid suite, one line per slot (None: left out)
SLOTS = {"suite": "suite: s", "description": None, "tests": "tests:", "id": "  - id: t",
         "test description": None, "contexts": "    contexts:",
         "a": '      a: {text: "a b c", word: a}', "b": '      b: {text: "a b c", word: b}',
         "c": '      c: {text: "a b c", word: c}', "label": None,
         "expect": '    expect: ["a: b > c"]'}

# (field, slot, its line with X where the control character goes, what the message names)
PLACES = [
    ("suite name", "suite", 'suite: "sX"', "field 'suite'"),
    ("suite description", "description", 'description: "dX"', "field 'description'"),
    ("test id", "id", '  - id: "tX"', "test #1, field 'id'"),
    ("test description", "test description", '    description: "dX"',
     "test 't', field 'description'"),
    ("label", "label", '      "dX": {text: "a b c", word: a}', "test 't', label 'd"),
    ("text", "a", '      a: {text: "a b cX", word: a}', "context 'a', field 'text'"),
    ("word", "b", '      b: {text: "a b c", word: "bX"}', "context 'b', field 'word'"),
    ("expectation", "expect", '    expect: ["a: b > cX"]', "expect #1"),
]


def suite_with(slot: str, line: str) -> tuple[str, int]:
    """The valid suite with `line` in `slot`; and that line's number."""
    lines = [line if name == slot else text for name, text in SLOTS.items()]
    kept = [text for text in lines if text is not None]
    return "\n".join(kept) + "\n", kept.index(line) + 1


@pytest.mark.parametrize("char", CONTROLS)
@pytest.mark.parametrize(("field", "slot", "line", "named"), PLACES, ids=[p[0] for p in PLACES])
def test_validate_refuses_a_control_character(field, slot, line, named, char, tmp_path,
                                              capsys):
    text, number = suite_with(slot, line.replace("X", char))
    path = tmp_path / "suite.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    escaped = repr(char.encode().decode("unicode_escape"))
    assert f"{path}:{number}: " in err and named in err, err
    assert f"holds the control character {escaped}" in err and "delete it" in err, err
    assert not {"\x1b", "\x07", "\x9b", "\x00"} & set(err)


@pytest.mark.parametrize(("side", "named"), [
    ('{text: "a b cX"}', "pair #1, field 'a', field 'text'"),
    ('{word: "catX"}', "pair #1, field 'a', field 'word'"),
    ('{word: cat, texts: ["a catX"]}', "pair #1, field 'a', text #1"),
    ('"aX"', "pair #1, field 'a'"),
])
def test_validate_refuses_a_control_character_in_a_graded_pair(side, named, write_suite):
    side = side.replace("X", "\\x1b")
    path = write_suite(
        "schema: 3\nsuite: s\ntests:\n  - id: g\n    pairs:\n"
        f"      - {{a: {side}, b: {{word: dog}}, score: 1}}\n"
        "      - {a: {word: cat}, b: {word: dog}, score: 2}\n"
        "      - {a: {word: car}, b: {word: dog}, score: 3}\n")
    with pytest.raises(SuiteError) as info:
        load_suite(path)
    assert f"{path}:6: test 'g', {named}: holds the control character '\\x1b'" in str(info.value)


def test_tab_and_newline_are_fine_in_a_description_and_a_text(write_suite):
    suite = load_suite(write_suite(
        'suite: s\ndescription: >\n  two\n  lines\ntests:\n  - id: t\n'
        '    description: "tab\\there"\n    contexts:\n'
        '      a: {text: "a\\tb c", word: a}\n      b: {text: "a b\\nc", word: b}\n'
        '      c: {text: "a b c", word: c}\n    expect: ["a: b > c"]\n'))
    assert suite.description == "two lines\n" and suite.tests[0].contexts["a"].text == "a\tb c"


@pytest.mark.parametrize("value", ["1.0e400", ".nan", "-.inf", ".inf", "1e400"])
def test_a_margin_that_is_not_finite_says_so(value, write_suite):
    path = write_suite(
        'suite: s\ntests:\n  - id: t\n    contexts:\n      a: {text: "a b c", word: a}\n'
        '      b: {text: "a b c", word: b}\n      c: {text: "a b c", word: c}\n'
        f'    expect:\n      - {{anchor: a, closer: b, farther: c, margin: {value}}}\n')
    with pytest.raises(SuiteError) as info:
        load_suite(path)
    message = str(info.value)
    assert f"{path}:9: test 't', expect #1, field 'margin': is not finite" in message
    assert "like 0.05" in message and "must be a number" not in message


def test_a_margin_that_is_not_a_number_still_says_so(write_suite):
    path = write_suite(
        'suite: s\ntests:\n  - id: t\n    contexts:\n      a: {text: "a b c", word: a}\n'
        '      b: {text: "a b c", word: b}\n      c: {text: "a b c", word: c}\n'
        '    expect:\n      - {anchor: a, closer: b, farther: c, margin: lots}\n')
    with pytest.raises(SuiteError, match="field 'margin': must be a number, like 0.05"):
        load_suite(path)


def test_the_shipped_suites_still_validate():
    for path in sorted(Path("suites").glob("*.yaml")):
        assert load_suite(path).tests
