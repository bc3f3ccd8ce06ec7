"""report.html explains its failures: results.json records what each test is, each
expectation row opens its test's description and sentences, the filters (search, failures
only, one backend, "A fails, B passes") work in a real browser, the heatmaps are of failed
tests first; and `Results` shows itself in a notebook."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from html.parser import HTMLParser

import pytest

from harness.pipeline.runner import run_suites
from harness.reports import write_reports
from harness.reports.html import MAX_HEATMAPS
from harness.reports.html import render as render_html
from harness.results.model import GateReport, Results
from harness.suites.validate import load_suite
from harness.testing import FakeBackend
from tests.helpers import POLYSEMY, ROOT
from tests.test_reports import CHROMIUM_FLAGS, chromium, png_size

WORDNET = ROOT / "suites" / "wordnet.yaml"


class Page(HTMLParser):
    """What a report.html shows: the rows of the expectations table (class, hidden, cells),
    the detail rows' text, the tests' entries and the heatmaps drawn."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[dict] = []
        self.details: list[str] = []
        self.tests: dict[str, dict] = {}
        self.heatmaps: list[dict] = []
        self.shown = ""
        self._in, self._stack, self._entry, self._context = "", [], None, None
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._in = attrs.get("id", "")
        elif tag == "tr" and self._in == "expectations" and "detail" in attrs.get("class", ""):
            self.details.append("" if "hidden" not in attrs else None)
            self._stack = ["detail"] if "hidden" not in attrs else []
        elif tag == "tr" and self._in == "expectations" and self._stack != ["head"]:
            self.rows.append({"class": attrs.get("class", ""), "hidden": "hidden" in attrs,
                              "cells": [], "link": None})
            self._stack = ["row"]
        elif tag == "td" and self._stack == ["row"]:
            self.rows[-1]["cells"].append("")
        elif tag == "a" and self._stack == ["row"]:
            self.rows[-1]["link"] = attrs["href"]
        elif tag == "thead":
            self._stack = ["head"]
        elif tag == "li" and "id" in attrs and self._in == "tests":
            self._entry = self.tests.setdefault(attrs["id"], {"title": "", "description": "",
                                                              "contexts": {}})
        elif tag == "details" and attrs.get("id") == "tests":
            self._in = "tests"
        elif tag == "b" and self._entry is not None and not self._context:
            self._stack = ["title"]
        elif tag == "span" and attrs.get("class") == "desc" and self._entry is not None:
            self._stack = ["description"]
        elif tag == "li" and "data-label" in attrs and self._entry is not None:
            self._context = attrs["data-label"]
            self._entry["contexts"][self._context] = ""
        elif tag == "mark" and self._context:
            self._entry["contexts"][self._context] += "["
        elif tag == "figure" and "heatmap" in attrs.get("class", ""):
            self.heatmaps.append({"backend": self._backend, "test": attrs["data-test"],
                                  "failed": "failed" in attrs["class"]})
        elif tag == "span" and attrs.get("id") == "shown":
            self._stack = ["shown"]
        elif tag == "h3":
            self._stack = ["h3"]

    def handle_endtag(self, tag):
        if tag == "table" and self._in == "expectations":
            self._in, self._stack = "", []
        elif tag == "tr" and self._stack in (["row"], ["detail"]):
            self._stack = []
        elif tag == "thead":
            self._stack = []
        elif tag == "mark" and self._context:
            self._entry["contexts"][self._context] += "]"
        elif tag == "li" and self._context:
            self._context = None
        elif tag == "ul" and self._entry is not None:
            self._entry = None
        elif tag in ("b", "span", "h3") and self._stack and self._stack[0] in (
                "title", "description", "shown", "h3"):
            self._stack = []

    def handle_data(self, data):
        where = self._stack[0] if self._stack else ""
        if where == "row" and self.rows[-1]["cells"]:
            self.rows[-1]["cells"][-1] += data
        elif where == "detail":
            self.details[-1] += data
        elif where == "title":
            self._entry["title"] += data
        elif where == "description":
            self._entry["description"] += data
        elif self._context and self._entry is not None:
            self._entry["contexts"][self._context] += data
        elif where == "shown":
            self.shown += data
        elif where == "h3":
            self._backend = data

    _backend = ""

    @property
    def visible(self) -> list[dict]:
        return [r for r in self.rows if not r["hidden"]]


def marked(label: str, value: list) -> str:
    """A context of results.json's `tests` as the page shows it: its label, then its text
    with the target word in brackets (marked)."""
    text = value[0]
    return f"{label} " + (text if len(value) == 1 else (
        f"{text[:value[1]]}[{text[value[1]:value[2]]}]{text[value[2]:]}"))


def polysemy_results() -> Results:
    return run_suites([load_suite(POLYSEMY)], [FakeBackend("fake")])


# -- results.json ----------------------------------------------------------------------------


def test_results_json_records_each_test_once(write_suite):
    suite = load_suite(write_suite("""\
schema: 3
suite: mixed
tests:
  - id: t
    description: a test <of> words
    contexts:
      a: {text: "A mouse ran.", word: mouse}
      s: {text: "A whole sentence."}
      c: {text: "A cat sat.", word: cat}
    expect: ["a: c > s"]
  - id: graded
    pairs:
      - {a: {word: cat}, b: {word: dog}, score: 7}
      - {a: {word: car}, b: {word: bus}, score: 5}
      - {a: {word: sun}, b: {word: ice}, score: 1}
"""))
    results = run_suites([suite], [FakeBackend("one"), FakeBackend("two", {"seed": 4})])
    data = json.loads(json.dumps(results.to_dict()))
    assert data["tests"] == {"mixed": {
        "t": {"description": "a test <of> words", "contexts": {
            "a": ["A mouse ran.", 2, 7], "s": ["A whole sentence."], "c": ["A cat sat.", 2, 5]}},
        "graded": {"description": "", "contexts": {}}}}
    again = Results.from_dict(data)
    assert again.tests == results.tests and again.to_dict() == data


def test_an_old_results_json_without_tests_loads_and_renders(tmp_path):
    data = polysemy_results().to_dict()
    del data["tests"]
    old = Results.from_dict(json.loads(json.dumps(data)))
    assert old.tests == {}
    page = render_html(old)
    assert "does not describe its tests" in page and 'href="#t' not in page
    written = {p.name for p in write_reports(old, tmp_path)}
    assert {"results.json", "report.md", "report.html", "junit.xml"} <= written


@pytest.mark.parametrize("tests, message", [
    ([], "tests is a list, not an object"),
    ({"s": []}, "tests['s'] is a list"),
    ({"s": {"t": {"description": 3}}}, "tests['s']['t'] is not an object with a description"),
    ({"s": {"t": {"contexts": {"a": ["text", 2]}}}}, "contexts is not an object of"),
    ({"s": {"t": {"contexts": {"a": ["text", 3, 9]}}}}, "contexts is not an object of"),
    ({"s": {"t": {"contexts": {"a": [1, 0, 1]}}}}, "contexts is not an object of"),
])
def test_a_malformed_tests_entry_is_named(tests, message):
    data = polysemy_results().to_dict()
    data["tests"] = tests
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("(", r"\(")):
        Results.from_dict(data)


# -- report.html, without a browser ----------------------------------------------------------


def test_every_row_links_to_its_test_with_the_target_word_marked():
    results = polysemy_results()
    page = Page(render_html(results))
    assert len(page.rows) == len(results.rows) and all(r["link"] for r in page.rows)
    for row in page.rows:
        entry = page.tests[row["link"].lstrip("#")]
        suite, test = row["cells"][1], row["cells"][2]
        described = results.tests[suite][test]
        assert entry["title"] == f"{suite} / {test}"
        assert entry["description"] == described["description"]
        assert entry["contexts"] == {label: marked(label, value)
                                     for label, value in described["contexts"].items()}
    assert page.tests["t0"]["contexts"]["mouse1"] == "mouse1 A [mouse] is a rodent animal."


def test_heatmaps_are_of_failed_tests_first(write_suite):
    tests = "".join(
        f"  - id: t{i:02d}\n    contexts:\n      a: {{text: \"a b c {i}\", word: a}}\n"
        f"      b: {{text: \"a b c {i}\", word: b}}\n      c: {{text: \"a b c {i}\", word: c}}\n"
        f"    expect: [\"a: b > c\"]\n" for i in range(40))
    results = run_suites([load_suite(write_suite("suite: many\ntests:\n" + tests))],
                         [FakeBackend("model")], reference=False)
    failed = [r.test for r in results.rows if not r.passed]
    assert MAX_HEATMAPS < len(failed) < 40  # some of each
    page = Page(render_html(results))
    assert [h["test"] for h in page.heatmaps] == failed[:MAX_HEATMAPS]
    assert all(h["failed"] for h in page.heatmaps)
    assert f"{MAX_HEATMAPS} of 40 tests drawn ({len(failed)} with an expectation not passed)" \
        in render_html(results)


def test_a_passed_test_is_drawn_after_the_failed_ones():
    results = polysemy_results()
    failed = {r.test for r in results.rows if not r.passed}
    drawn = Page(render_html(results)).heatmaps
    flags = [h["failed"] for h in drawn]
    assert flags == sorted(flags, reverse=True) and sum(flags) == len(failed)


# -- notebooks -------------------------------------------------------------------------------


def test_results_repr_is_short():
    results = polysemy_results()
    assert repr(results) == "<Results: 1 suite, 1 backend (1 ok), 8 expectations>"
    results = run_suites([load_suite(POLYSEMY)], [FakeBackend("a"), FakeBackend("b"),
                                                  FakeBackend("off", {"available": "no"})])
    held = replace(results, gates=GateReport(["baseline"], True, ["gates: held"]))
    assert repr(held) == "<Results: 1 suite, 3 backends (2 ok), 8 expectations, gates held>"


def test_results_repr_html_is_the_summary_correlations_and_gates(write_suite):
    suite = load_suite(write_suite("""\
schema: 3
suite: "s <b>"
tests:
  - id: graded
    pairs:
      - {a: {word: cat}, b: {word: dog}, score: 7}
      - {a: {word: car}, b: {word: bus}, score: 5}
      - {a: {word: sun}, b: {word: ice}, score: 1}
      - {a: {word: sea}, b: {word: ice}, score: 3}
"""))
    results = run_suites([suite, load_suite(POLYSEMY)], [FakeBackend("fake")])
    results = replace(results, gates=GateReport(["min_spearman"], False,
                                                ["rho below <script>"]))
    shown = results._repr_html_()
    assert shown.startswith("<div>") and "<script>" not in shown
    assert "rho below &lt;script&gt;" in shown and "s &lt;b&gt;" in shown
    assert shown.count("<table>") == 2 and "Spearman rho" in shown and "median rho" in shown
    assert "gates failed" in repr(results) and "1 graded test" in repr(results)
    summary = shown.split("<table>")[1]
    assert summary.count("<tr>") == 1 + 2  # header, a row per suite
    assert "<td>polysemy</td>" in summary and "<td>s &lt;b&gt;</td>" in summary


# -- in a browser ----------------------------------------------------------------------------


def dom(browser: str, profile, page: str, fragment: str = "") -> Page:
    """The page's DOM after its script ran, opened at `fragment` (the view it keeps)."""
    out = subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                          "--dump-dom", page + fragment],
                         capture_output=True, text=True, timeout=180).stdout
    assert 'data-ready="yes"' in out, out[-2000:]
    return Page(out)


@pytest.mark.slow
def test_a_wordnet_report_explains_its_failures_in_chromium(tmp_path):
    from harness.plugins.manager import make_plugin_host

    browser = chromium()
    glove = make_plugin_host().registry().create("glove-50d")
    results = run_suites([load_suite(WORDNET)], [FakeBackend("fake"), glove])
    write_reports(results, tmp_path / "run")
    page, profile = (tmp_path / "run" / "report.html").as_uri(), tmp_path / "profile"
    outcome = {(r.backend, r.test): r.passed for r in results.rows}
    total = len(results.rows)

    everything = dom(browser, profile, page)
    assert f"{total} of {total} expectations shown" in everything.shown
    assert len(everything.visible) == total == 3000
    described = results.tests["wordnet"]
    assert len(everything.tests) == len(described) == 1500
    for entry in everything.tests.values():
        test = entry["title"].removeprefix("wordnet / ")
        assert entry["description"] == described[test]["description"]
        assert entry["contexts"] == {label: marked(label, value)
                                     for label, value in described[test]["contexts"].items()}

    failures = dom(browser, profile, page, "#failures=1")
    not_passed = [k for k, passed in outcome.items() if not passed]
    assert {(r["cells"][0], r["cells"][2]) for r in failures.visible} == set(not_passed)

    one = dom(browser, profile, page, "#backend=glove-50d")
    assert len(one.visible) == 1500 and {r["cells"][0] for r in one.visible} == {"glove-50d"}

    ab = dom(browser, profile, page, "#fails=glove-50d&passes=fake&details=1")
    expected = {t for (b, t), passed in outcome.items()
                if b == "glove-50d" and not passed and outcome[("fake", t)]}
    assert {r["cells"][2] for r in ab.visible} == expected and len(expected) > 100
    assert all(r["cells"][0] == "glove-50d" for r in ab.visible)
    assert f"{len(expected)} of {total} expectations shown (glove-50d fails, fake passes)" \
        in ab.shown
    assert len([d for d in ab.details if d is not None]) == len(expected)
    first = ab.visible[0]["cells"][2]
    detail = ab.details[0]
    assert "sim(a1, a2) = " in detail and "it needed > 0" in detail
    assert described[first]["description"] in detail
    assert "This expectation in every backend: fake pass" in detail

    searched = dom(browser, profile, page, "#q=backend:fake%20result:fail%20margin%3C-0.5")
    assert searched.visible and all(
        r["cells"][0] == "fake" and r["class"] == "fail" and float(r["cells"][6]) < -0.5
        for r in searched.visible)

    for name in ("fake", "glove-50d"):
        drawn = [h for h in everything.heatmaps if h["backend"] == name]
        assert len(drawn) == MAX_HEATMAPS
        assert all(h["failed"] and not outcome[(name, h["test"])] for h in drawn)

    shot = tmp_path / "report-html.png"  # never into the repository's reports/ folder
    subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                    "--window-size=1300,2400", f"--screenshot={shot}",
                    page + "#fails=glove-50d&passes=fake&details=1"],
                   capture_output=True, timeout=180)
    assert png_size(shot.read_bytes()) == (1300, 2400)
