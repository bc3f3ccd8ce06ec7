"""Report files: results.json follows schema 1; the CSV and markdown derive from it; a plugin's
report formats are written beside the built-in ones."""

from __future__ import annotations

import csv
import json

import pytest

from harness.pipeline.runner import run_suites
from harness.plugins import hookimpl
from harness.plugins.manager import make_plugin_host
from harness.reports import write_reports
from harness.reports.markdown import render as render_markdown
from harness.results.model import GateReport, Results
from harness.suites.validate import load_suite
from harness.testing import FakeBackend
from tests.helpers import BUILT_IN_REPORTS, POLYSEMY, only_plugins


def polysemy_results():
    return run_suites([load_suite(POLYSEMY)],
                      [FakeBackend("fake"), FakeBackend("off", {"available": "no"})])


def test_results_json_schema_1(tmp_path):
    write_reports(polysemy_results(), tmp_path)
    data = json.loads((tmp_path / "results.json").read_text())
    assert {"schema", "harness_version", "created", "suites", "backends", "summary",
            "results"} <= set(data)
    assert data["schema"] == 1
    assert set(data["backends"]["fake"]) >= {"plugin", "options", "fingerprint", "versions"}
    assert data["backends"]["off"]["status"] == "unavailable"
    summary = data["summary"][0]
    assert set(summary) >= {"backend", "suite", "passed", "total", "accuracy", "ties",
                            "tests_passed", "tests_total"}
    row = data["results"][0]
    assert set(row) >= {"backend", "suite", "test", "expectation", "sim_closer", "sim_farther",
                        "margin", "passed", "tie"}
    assert row["margin"] == row["sim_closer"] - row["sim_farther"]


def test_results_json_round_trips(tmp_path):
    results = polysemy_results()
    again = Results.from_dict(json.loads(json.dumps(results.to_dict())))
    assert again.to_dict() == results.to_dict()


def test_csv_has_one_row_per_backend_and_expectation(tmp_path):
    write_reports(polysemy_results(), tmp_path)
    with open(tmp_path / "results.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 8
    assert rows[0]["expectation"] == "mouse1: rat > keyboard"
    assert float(rows[0]["margin"]) == float(rows[0]["sim_closer"]) - float(rows[0]["sim_farther"])


def test_markdown_report_tables(tmp_path):
    results = polysemy_results()
    write_reports(results, tmp_path)
    text = (tmp_path / "report.md").read_text()
    assert ("| backend | suite | passed | accuracy | ties | tests passed | weak | median "
            "margin/sd | baseline | status |") in text
    assert "| off | polysemy | - | - | - | - | - | - | - | unavailable:" in text
    first = results.rows[0]
    # markdown_text escapes ">" (rendered: mouse1: rat > keyboard)
    line = next(ln for ln in text.splitlines() if "| mouse1: rat \\> keyboard |" in ln)
    for value in (first.sim_closer, first.sim_farther, first.margin):
        assert f"{value:.4f}" in line


def test_writes_are_atomic_and_leave_no_temporary_files(tmp_path):
    write_reports(polysemy_results(), tmp_path)
    write_reports(polysemy_results(), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "junit.xml", "report.html", "report.md", "results.csv", "results.json"]


def test_junit_has_one_testcase_per_backend_and_expectation(tmp_path):
    import xml.etree.ElementTree as ET

    write_reports(polysemy_results(), tmp_path)
    root = ET.parse(tmp_path / "junit.xml").getroot()
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {"fake / polysemy", "off / polysemy"}
    cases = suites["fake / polysemy"].findall("testcase")
    assert len(cases) == 8
    failed = [c for c in cases if c.find("failure") is not None]
    assert int(suites["fake / polysemy"].get("failures")) == len(failed)
    for case in failed:
        assert "sim_closer=" in case.find("failure").text
    assert suites["off / polysemy"].find("testcase/error") is not None


def png_size(data: bytes) -> tuple[int, int]:
    import struct

    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    return struct.unpack(">II", data[16:24])


def test_pictures_are_svg_of_sensible_size_with_the_numbers_in_them():
    import xml.etree.ElementTree as ET

    from harness.figures import svg
    from harness.measures.stats import wilson_interval

    results = polysemy_results()
    pictures = [svg.accuracy_chart([(s.backend, s.suite, s.passed, s.total)
                                    for s in results.summary_rows]),
                svg.margin_chart({"fake": [r.margin for r in results.rows]}),
                svg.heatmap(["a", "b", "c <x>"], [[1, 0.5, None], [0.5, 1, 0.2], [None, 0.2, 1]],
                            "test & more")]
    for picture in pictures:
        root = ET.fromstring(picture)  # well-formed, every text escaped
        assert root.tag.endswith("svg")
        assert 100 <= float(root.get("width")) <= 2000 and 100 <= float(root.get("height"))
    [summary] = [s for s in results.summary_rows if s.status == "ok"]
    low, high = wilson_interval(summary.passed, summary.total)
    assert f"[{low:.3f}, {high:.3f}]" in pictures[0]  # the interval drawn is the interval
    assert pictures[2].count("<rect") == 9 and "no vector" in pictures[2]


def test_report_html_is_self_contained(tmp_path):
    results = polysemy_results()
    results.gates = GateReport(["baseline"], True, ["gates (baseline): held"])
    write_reports(results, tmp_path)
    html = (tmp_path / "report.html").read_text()
    assert '<table id="summary">' in html and '<table id="expectations">' in html
    # two plots; a heatmap per test of the one backend, and a map beside each (every test has
    # two contexts of one word)
    assert html.count("<svg") == 2 + 4 + 4
    assert "gates (baseline): held" in html
    assert "http://" not in html and "https://" not in html  # nothing fetched from outside


def chromium() -> str:
    import os
    import shutil

    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs it)")
        pytest.skip("chromium is not installed")
    return found


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--disable-quic"]


@pytest.mark.slow
def test_report_html_renders_in_headless_chromium(tmp_path):
    import subprocess


    browser = chromium()
    write_reports(polysemy_results(), tmp_path / "run")
    page = (tmp_path / "run" / "report.html").as_uri()
    common = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*common, "--dump-dom", page], capture_output=True, text=True,
                         timeout=120).stdout
    # the DOM after the page's script ran: the summary table and the live row count
    assert 'data-ready="yes"' in dom
    assert "8 of 8 expectations shown" in dom
    summary = dom.split('<table id="summary">')[1].split("</table>")[0]
    assert summary.count("<tr") == 1 + 2  # header, fake, off
    assert '<td class="">fake</td><td class="">polysemy</td>' in summary
    shot = tmp_path / "report-html.png"  # never into the repository's reports/ folder
    subprocess.run([*common, "--window-size=1300,1800", f"--screenshot={shot}", page],
                   capture_output=True, timeout=120)
    width, height = png_size(shot.read_bytes())
    assert (width, height) == (1300, 1800)
    assert dom.count("<svg") == 2 + 4 + 4  # the pictures are in the page: plots, heatmaps, maps


def test_controls_count_what_a_context_free_backend_also_passes():
    from harness.reports.tables import controls

    class ContextFree(FakeBackend):
        context_free = True

    results = run_suites([load_suite(POLYSEMY)],
                         [FakeBackend("model"), ContextFree("control", {"seed": 9})])
    [row] = controls(results)
    passed = {(r.test, r.expectation) for r in results.rows if r.backend == "model" and r.passed}
    control = {(r.test, r.expectation) for r in results.rows
               if r.backend == "control" and r.passed}
    assert (row.backend, row.control, row.passed) == ("model", "control", len(passed))
    assert row.control_also == len(passed & control)
    assert "## Controls" in render_markdown(results)


def test_markdown_stays_small_for_large_runs(tmp_path, write_suite):
    from harness.reports.tables import MAX_MARKDOWN_ROWS

    tests = "".join(
        f"  - id: t{i}\n    contexts:\n      a: {{text: \"a b c {i}\", word: a}}\n"
        f"      b: {{text: \"a b c {i}\", word: b}}\n      c: {{text: \"a b c {i}\", word: c}}\n"
        f"    expect: [\"a: b > c\"]\n" for i in range(400))
    suite = load_suite(write_suite("suite: big\ntests:\n" + tests))
    results = run_suites([suite], [FakeBackend("model")])
    text = render_markdown(results)
    failed = sum(not r.passed for r in results.rows)
    limit = MAX_MARKDOWN_ROWS
    shown = (f"{limit} of the {failed} that did not pass" if failed > limit
             else f"the {failed} that did not pass" if failed == limit
             else f"the {failed} that did not pass, then {limit - failed} that passed")
    plain = text.replace("\\", "")
    assert f"400 rows: shown here, {shown}; all of them are in results.csv" in plain
    assert text.count("\n| model | big | t") == MAX_MARKDOWN_ROWS
    assert len(text) < 65_536  # a GitHub comment's limit


def test_markdown_of_many_rows_that_all_pass_shows_them(write_suite):
    """More rows than fit, every one passed: the table shows as many as fit, and says so."""
    from harness.reports.tables import MAX_MARKDOWN_ROWS

    tests = "".join(f"  - id: t{i}\n    contexts:\n      a: {{text: \"a {i}\"}}\n"
                    f"      b: {{text: \"b {i}\"}}\n      c: {{text: \"c {i}\"}}\n"
                    f"    expect: [\"a: b > c\"]\n" for i in range(MAX_MARKDOWN_ROWS + 1))
    suite = load_suite(write_suite("suite: big\ntests:\n" + tests))
    vectors = {f"{x} {i}": v for i in range(MAX_MARKDOWN_ROWS + 1)
               for x, v in (("a", [1.0, 0.0]), ("b", [1.0, 0.1]), ("c", [0.0, 1.0]))}
    results = run_suites([suite], [FakeBackend("model", {"vectors": vectors, "dim": 2})],
                         reference=False)
    assert all(r.passed for r in results.rows)
    text = render_markdown(results)
    assert "No expectation was scored" not in text and "graded tests only" not in text
    assert text.count("\n| model | big | t") == MAX_MARKDOWN_ROWS
    assert (f"{MAX_MARKDOWN_ROWS + 1} rows: shown here, the first {MAX_MARKDOWN_ROWS}, every "
            "one passed") in text.replace("\\", "")


def test_junit_is_valid_xml_with_hostile_text_and_skips(tmp_path, write_suite):
    import xml.etree.ElementTree as ET

    suite = load_suite(write_suite(
        'suite: s\ntests:\n  - id: "mo&use $x^$ </script>"\n    contexts:\n'
        '      a: {text: "a b c", word: a}\n      b: {text: "a b c", word: b}\n'
        '      c: {text: "a b c", word: c}\n    expect: ["a: b > c"]\n'))
    results = run_suites([suite], [FakeBackend("model"),
                                   FakeBackend("off", {"available": "no"})],
                         skip_unavailable=True)
    write_reports(results, tmp_path)  # plots too: "$x^$" is text, not maths
    root = ET.parse(tmp_path / "junit.xml").getroot()
    skipped = root.find("testsuite[@name='off / s']")
    assert skipped.get("skipped") == "1" and skipped.find("testcase/skipped") is not None
    assert skipped.get("errors") == "0"
    assert "</script>" not in (tmp_path / "report.html").read_text().split("<script>")[0]


def test_without_jinja2_report_html_is_left_out_and_said_so(tmp_path, monkeypatch, caplog):
    import sys

    monkeypatch.setitem(sys.modules, "jinja2", None)  # import jinja2 raises ImportError
    written = write_reports(polysemy_results(), tmp_path)
    assert "report.html" not in {p.name for p in written} and written
    assert not (tmp_path / "report.html").exists()
    assert "report.html not written" in caplog.text and "wic-harness[report]" in caplog.text


# -- report formats from plugins ----------------------------------------------------------------



class Counts:
    """A third party's report format: the number of result rows."""

    @hookimpl
    def harness_register_reports(self, register):
        register.add_report("counts.txt", lambda results: f"{len(results.rows)}\n",
                            description="result rows")


def test_a_plugin_report_is_written_beside_the_built_in_ones(tmp_path):
    reports = make_plugin_host(autoload=False, plugins=(Counts(),)).reports()
    assert [r.name for r in reports] == [*BUILT_IN_REPORTS, "counts.txt"]
    written = write_reports(polysemy_results(), tmp_path, reports)
    # similarities.parquet: nothing to write for a run this small
    assert [p.name for p in written] == ["results.json", "results.csv", "report.md",
                                         "junit.xml", "report.html", "counts.txt"]
    assert (tmp_path / "counts.txt").read_text() == "8\n"


def test_write_reports_asks_a_plugin_host_for_the_reports(tmp_path, monkeypatch):

    only_plugins(monkeypatch, Counts())
    written = write_reports(polysemy_results(), tmp_path)
    assert written[0].name == "results.json" and written[-1].name == "counts.txt"


def test_a_report_whose_render_raises_loses_only_its_own_file(tmp_path, caplog):
    class Broken:
        @hookimpl
        def harness_register_reports(self, register):
            register.add_report("broken.txt", lambda results: 1 / 0)
            register.add_report("wrong.txt", lambda results: ["not", "text"])

    (tmp_path / "broken.txt").write_text("left by an earlier run")
    host = make_plugin_host(autoload=False)
    host.register(Broken(), source="harness-broken 1.0")
    host.register(Counts())
    written = {p.name for p in write_reports(polysemy_results(), tmp_path, host.reports())}
    assert written == {"results.json", "results.csv", "report.md", "junit.xml", "report.html",
                       "counts.txt"}
    assert not (tmp_path / "broken.txt").exists() and not (tmp_path / "wrong.txt").exists()
    assert "broken.txt not written" in caplog.text and "harness-broken 1.0" in caplog.text
    assert "ZeroDivisionError" in caplog.text
    assert "wrong.txt not written" in caplog.text and "not str, bytes or None" in caplog.text


def test_a_plugin_report_that_needs_a_missing_package_names_the_plugin(tmp_path, caplog):
    def render(results):
        import not_a_module_anywhere  # noqa: F401

    class NeedsMore:
        @hookimpl
        def harness_register_reports(self, register):
            register.add_report("more.txt", render)

    (tmp_path / "more.txt").write_text("left by an earlier run")
    host = make_plugin_host(autoload=False)
    host.register(NeedsMore(), source="harness-more 1.0")
    write_reports(polysemy_results(), tmp_path, host.reports())
    assert (tmp_path / "results.json").exists() and not (tmp_path / "more.txt").exists()
    assert "more.txt not written" in caplog.text and "not_a_module_anywhere" in caplog.text
    assert "harness-more 1.0" in caplog.text and "wic-harness[report]" not in caplog.text


def test_a_built_in_report_that_raises_makes_the_run_exit_2(tmp_path, fake_only, monkeypatch,
                                                            capsys):
    from harness.cli import main
    from harness.reports import markdown

    def broken(results):
        raise RuntimeError("a bug in the renderer")

    monkeypatch.setattr(markdown, "render", broken)
    assert main(["run", str(POLYSEMY), "-b", "fake", "--no-cache", "-o", str(tmp_path)]) == 2
    assert "report.md could not be written: RuntimeError: a bug in the renderer" in (
        capsys.readouterr().err)
    assert (tmp_path / "results.json").exists() and not (tmp_path / "report.md").exists()
