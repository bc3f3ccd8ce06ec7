"""A kind of test is a plugin: the odd-one-out measure of examples/odd-one-out-measure, added
through `harness_register_measures` alone, read from a suite (problems with file and line),
run through the CLI on glove-50d, and found in results.json, report.md, report.html, junit.xml
and the terminal, with a gate on its main score."""

from __future__ import annotations

import csv
import importlib
import json
import sys
import xml.etree.ElementTree as ET

import pytest

from harness.cli import main
from harness.errors import PluginError, SuiteError
from harness.plugin_api import Measure
from harness.results.model import Results
from harness.suites.validate import parse_suite
from harness.suites.yaml import load_yaml_text
from tests.helpers import ROOT

sys.path.insert(0, str(ROOT / "examples" / "odd-one-out-measure"))
plugin = importlib.import_module("odd_one_out_measure.plugin")

SUITE = """\
suite: odd
tests:
  - id: bank-river
    description: the river bank is the odd one out
    contexts:
      money: {text: "She paid the bank a visit to open an account.", word: bank}
      loan: {text: "The bank refused the loan.", word: bank}
      river: {text: "We sat on the bank of the river.", word: bank}
    odd_one_out: river
  - id: animals
    contexts:
      cat: {text: "cat", word: cat}
      dog: {text: "dog", word: dog}
      lion: {text: "lion", word: lion}
      piano: {text: "piano", word: piano}
    odd_one_out: piano
  - id: ordering
    contexts:
      a: {text: "A cat sat.", word: cat}
      b: {text: "A dog sat.", word: dog}
      c: {text: "A car sat.", word: car}
    expect: ["a: b > c"]
"""


@pytest.fixture
def with_plugin(monkeypatch):
    """Every plugin host made during the test knows the installed plugins and the measure."""
    from harness.plugins import manager

    real = manager.make_plugin_host
    monkeypatch.setattr(manager, "make_plugin_host", lambda **kw: real(
        **{**kw, "plugins": (*kw.get("plugins", ()), plugin)}))


def test_the_suite_reader_reads_a_plugin_kind(with_plugin):
    suite = parse_suite(load_yaml_text(SUITE, "odd.yaml"), "odd.yaml")
    kinds = [(t.id, t.kind, t.data) for t in suite.tests]
    assert kinds == [("bank-river", "odd_one_out", "river"), ("animals", "odd_one_out", "piano"),
                     ("ordering", "", None)]
    assert suite.ordering_tests == 1 and suite.n_expectations == 1


def test_a_bad_value_is_reported_with_its_file_and_line(with_plugin):
    bad = SUITE.replace("odd_one_out: piano", "odd_one_out: pinao")
    with pytest.raises(SuiteError) as err:
        parse_suite(load_yaml_text(bad, "odd.yaml"), "odd.yaml")
    assert ("odd.yaml:16: test 'animals', field 'odd_one_out': 'pinao' is not a label of the "
            "test's contexts (did you mean 'piano'?)") in str(err.value)


def test_harness_validate_names_the_file_and_line(with_plugin, tmp_path, capsys):
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(SUITE)
    bad.write_text(SUITE.replace("odd_one_out: piano", "odd_one_out: [piano]"))
    assert main(["validate", str(good)]) == 0
    assert main(["validate", str(bad)]) == 2
    assert f"{bad}:16: test 'animals', field 'odd_one_out': ['piano'] is not a label" in (
        capsys.readouterr().err)


def test_harness_list_shows_a_plugin_kind(with_plugin, capsys):
    assert main(["list"]) == 0
    shown = capsys.readouterr().out
    assert "Kinds of test from plugins" in shown and "odd_one_out" in shown


def test_without_the_plugin_its_key_is_unknown():
    with pytest.raises(SuiteError, match="odd.yaml:9: test 'bank-river': unknown key "
                       "'odd_one_out'"):
        parse_suite(load_yaml_text(SUITE, "odd.yaml"), "odd.yaml")


def test_a_kind_or_key_registered_twice_names_both(with_plugin):
    from harness.plugins import hookimpl
    from harness.plugins.manager import make_plugin_host

    class Again:
        @hookimpl
        def harness_register_measures(self, register):
            register.add_measure(plugin.OddOneOut())

    with pytest.raises(PluginError, match="measure 'odd_one_out' is registered twice"):
        make_plugin_host(plugins=(Again(),)).measures()

    class Steals(Measure):
        kind, keys = "steals", ("expect",)

    class Thief:
        @hookimpl
        def harness_register_measures(self, register):
            register.add_measure(Steals())

    with pytest.raises(PluginError, match="test key 'expect', which is built in"):
        make_plugin_host(plugins=(Thief(),)).measures()


def test_a_plugin_kind_runs_end_to_end(with_plugin, tmp_path, capsys):
    suite = tmp_path / "odd.yaml"
    suite.write_text(SUITE)
    out = tmp_path / "out"
    code = main(["run", str(suite), "-b", "glove-50d", "-o", str(out), "--no-progress",
                 "--min-score", "odd_one_out=0.99"])
    printed = capsys.readouterr().out
    data = json.loads((out / "results.json").read_text())
    rows = data["measures"]["odd_one_out"]["rows"]
    assert [(r["test"], r["expected"]) for r in rows] == [("bank-river", "river"),
                                                          ("animals", "piano")]
    assert all(isinstance(r["gap"], float) for r in rows)
    score = data["measures"]["odd_one_out"]["summary"][0]["score"]
    assert score == sum(r["passed"] for r in rows) / 2
    assert len(data["results"]) == 1  # the ordering test, where it always was
    # read back: the rows as the measure's own
    back = Results.from_dict(data, [plugin.OddOneOut()])
    assert type(back.measure_rows["odd_one_out"][0]) is plugin.OddOneOutRow
    assert back.to_dict() == data
    with pytest.raises(ValueError, match="kind 'odd_one_out', which none of the measures"):
        Results.from_dict(data)
    assert "Odd one out" in printed and "bank-river" in printed
    with (out / "measures.csv").open() as f:
        table = list(csv.DictReader(f))
    assert [(r["kind"], r["test"], r["expected"]) for r in table] == [
        ("odd_one_out", "bank-river", "river"), ("odd_one_out", "animals", "piano")]
    report = (out / "report.md").read_text()
    assert "## Odd one out" in report and "| bank-river |" in report
    assert 'id="rows-odd_one_out"' in (out / "report.html").read_text()
    cases = ET.parse(out / "junit.xml").getroot().iter("testcase")
    assert {c.get("name") for c in cases} >= {"odd_one_out: bank-river", "odd_one_out: animals"}
    # the gate on its main score
    assert code == (1 if score < 0.99 else 0)
    assert "min-score odd_one_out=0.99" in printed
    assert "2 odd_one_out rows" in repr(back)
    assert list(back.measure_frame("odd_one_out")["expected"]) == ["river", "piano"]
    held = main(["run", str(suite), "-b", "glove-50d", "-o", str(tmp_path / "again"),
                 "--no-progress", "--min-score", "odd_one_out=0", "--baseline",
                 str(out / "results.json")])
    assert held == 0
    capsys.readouterr()
    files = [str(out / "results.json"), str(tmp_path / "again" / "results.json")]
    assert main(["compare", *files]) == 0
    assert "Odd one out compared" in capsys.readouterr().out
    assert main(["compare", *files, "--json"]) == 0
    [pair] = json.loads(capsys.readouterr().out)["measures"]["odd_one_out"]
    assert (pair["a"], pair["b"], pair["shared"]) == ("glove-50d@out", "glove-50d@again", 2)
    assert main(["run", str(suite), "-b", "glove-50d", "--min-score", "orderings=0.5"]) == 2


def test_a_results_file_of_a_kind_not_installed_is_refused_by_name(with_plugin, tmp_path):
    from harness.errors import HarnessError
    from harness.results.load import load_results

    path = tmp_path / "results.json"
    path.write_text(json.dumps({"schema": 1, "suites": [], "backends": {}, "summary": [],
                                "results": [], "measures": {"unknown_kind": {"rows": []}}}))
    with pytest.raises(HarnessError, match="the kind 'unknown_kind', which no installed"):
        load_results(path)


@pytest.mark.slow
def test_a_plugin_kind_runs_on_the_default_backends(with_plugin, tmp_path, capsys):
    """minilm tells the river bank from the money bank, as glove-50d cannot."""
    suite = tmp_path / "odd.yaml"
    suite.write_text(SUITE)
    out = tmp_path / "out"
    assert main(["run", str(suite), "-o", str(out), "--no-progress"]) in (0, 1)
    data = json.loads((out / "results.json").read_text())
    summaries = {s["backend"]: s for s in data["measures"]["odd_one_out"]["summary"]}
    assert {"glove-50d", "minilm"} <= set(summaries)
    rows = {(r["backend"], r["test"]): r for r in data["measures"]["odd_one_out"]["rows"]}
    assert rows[("minilm", "bank-river")]["found"] == "river"
    assert rows[("glove-50d", "bank-river")]["gap"] == pytest.approx(0, abs=1e-9)
    cases = {c.get("classname") for c in ET.parse(out / "junit.xml").getroot().iter("testcase")}
    assert "minilm.odd.bank-river" in cases


def test_unscored_rows_of_a_plugin_kind_count_for_max_unscored(with_plugin):
    from harness.pipeline.gates import check_gates
    from harness.pipeline.runner import run_suites
    from harness.testing import FakeBackend

    suite = parse_suite(load_yaml_text(SUITE, "odd.yaml"), "odd.yaml")
    results = run_suites([suite], [FakeBackend("gaps", {"missing": "piano"})])
    [row] = [r for r in results.measure_rows["odd_one_out"] if r.error]
    assert row.test == "animals" and row.error.startswith("piano: ")
    outcome = check_gates(results, max_unscored=0.2)
    assert [str(u) for u in outcome.unscored] == [
        "gaps / odd: 1 of 3 expectations and odd_one_out rows unscored (33.3%), more than the "
        "maximum 20.0%"]


def test_the_example_imports_only_plugin_api():
    import ast

    source = ROOT / "examples" / "odd-one-out-measure" / "odd_one_out_measure" / "plugin.py"
    tree = ast.parse(source.read_text(encoding="utf-8"))
    modules = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert {m for m in modules if m.startswith("harness")} == {"harness.plugin_api"}


def test_a_measure_that_raises_is_named(monkeypatch, tmp_path, capsys):
    from harness.plugins import hookimpl, manager

    class Broken(plugin.OddOneOut):
        def score(self, backend, suite, test, vectors):
            raise ZeroDivisionError("oops")

    class Plugin:
        @hookimpl
        def harness_register_measures(self, register):
            register.add_measure(Broken())

    real = manager.make_plugin_host
    monkeypatch.setattr(manager, "make_plugin_host", lambda **kw: real(
        **{**kw, "plugins": (*kw.get("plugins", ()), Plugin())}))
    suite = tmp_path / "odd.yaml"
    suite.write_text(SUITE)
    assert main(["run", str(suite), "-b", "glove-50d", "-o", str(tmp_path / "out")]) == 2
    assert ("the measure of the kind 'odd_one_out' (tests.test_measures) raised on test "
            "'bank-river' of suite 'odd' for backend glove-50d: ZeroDivisionError: oops"
            ) in capsys.readouterr().err
