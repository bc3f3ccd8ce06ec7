"""CI gates: regressions against a baseline, a minimum accuracy, warnings about what changed."""

from __future__ import annotations

import json

import pytest

from harness.cli import main
from harness.pipeline.gates import check_gates
from harness.pipeline.runner import run_suites
from harness.results.load import load_results
from harness.results.rows import CorrelationResult
from harness.suites.validate import load_suite
from harness.testing import FakeBackend
from tests.helpers import POLYSEMY, QUARTET, only_plugins

MOUSE, DEVICE = "A mouse is a rodent animal.", "A mouse is a computer device."
GOOD = {MOUSE: [1, 0, 0], DEVICE: [0, 1, 0], "rat": [0.9, 0.1, 0], "keyboard": [0.15, 0.95, 0]}
# the device mouse drifts towards rat: "mouse2: keyboard > rat" no longer holds
WORSE = {**GOOD, DEVICE: [0.8, 0.3, 0]}


def results_for(suite, vectors, **options):
    return run_suites([suite], [FakeBackend("model", {"vectors": vectors, "dim": 3, **options})])


def test_a_regression_is_caught_and_named(write_suite):
    suite = load_suite(write_suite(QUARTET))
    baseline, current = results_for(suite, GOOD), results_for(suite, WORSE)
    outcome = check_gates(current, baseline)
    assert outcome.failed
    [regression] = [r for r in outcome.regressions if r.expectation == "mouse2: keyboard > rat"]
    assert (regression.backend, regression.suite, regression.test) == ("model", "toy", "mouse")
    assert regression.baseline_margin > 0.1 > regression.margin
    text = str(regression)
    assert "model / toy / mouse: 'mouse2: keyboard > rat' passed in the baseline" in text
    assert f"margin {regression.baseline_margin:+.4f}" in text


def test_no_regression_when_nothing_got_worse(write_suite):
    suite = load_suite(write_suite(QUARTET))
    outcome = check_gates(results_for(suite, GOOD), results_for(suite, GOOD))
    assert not outcome.failed and outcome.regressions == [] and outcome.warnings == []


def test_changed_settings_and_suite_are_warned(write_suite):
    old_suite = load_suite(write_suite(QUARTET, "old.yaml"))
    new_suite = load_suite(write_suite(QUARTET.replace("margin: 0.1", "margin: 0.05"),
                                       "new.yaml"))
    outcome = check_gates(results_for(new_suite, GOOD, seed=3), results_for(old_suite, GOOD))
    assert any("backend model differs from the baseline's (seed: 0 -> 3)" in w
               for w in outcome.warnings)
    assert any("suite toy has changed since the baseline" in w for w in outcome.warnings)


def test_min_accuracy(write_suite):
    suite = load_suite(write_suite(QUARTET))
    outcome = check_gates(results_for(suite, WORSE), min_accuracy=0.9)
    assert outcome.failed and "accuracy 0.667 is below the minimum 0.900" in str(outcome.below[0])
    assert not check_gates(results_for(suite, WORSE), min_accuracy=0.5).failed


def test_cli_gate_exit_codes(write_suite, tmp_path, monkeypatch, capsys):
    from harness.plugins import hookimpl

    suite = write_suite(QUARTET)
    state = {"vectors": GOOD}

    class Plugin:
        @hookimpl
        def harness_register_backends(self, register):
            register.add_plugin(FakeBackend)
            register.add_instance("model", plugin="fake",
                                  options={"vectors": state["vectors"], "dim": 3})

    only_plugins(monkeypatch, Plugin())
    base = tmp_path / "base"
    assert main(["run", str(suite), "-b", "model", "-o", str(base), "--no-cache"]) == 0
    assert main(["run", str(suite), "-b", "model", "-o", str(tmp_path / "same"), "--no-cache",
                 "--baseline", str(base / "results.json")]) == 0
    state["vectors"] = WORSE
    out = tmp_path / "worse"
    code = main(["run", str(suite), "-b", "model", "-o", str(out), "--no-cache",
                 "--baseline", str(base / "results.json")])
    assert code == 1
    printed = capsys.readouterr().out
    assert "REGRESSION model / toy / mouse: 'mouse2: keyboard > rat'" in printed
    assert "## Gates" in (out / "report.md").read_text()
    assert main(["run", str(suite), "-b", "model", "-o", str(out), "--no-cache",
                 "--min-accuracy", "0.9"]) == 1


@pytest.mark.parametrize(("content", "message"), [
    (None, "no such results file"),
    ("{not json", "not a results.json"),
    (json.dumps({"schema": 2}), "not a results.json of schema 1"),
])
def test_bad_baseline_exits_2(tmp_path, capsys, content, message):
    path = tmp_path / "base.json"
    if content is not None:
        path.write_text(content)
    assert main(["run", str(POLYSEMY), "--baseline", str(path), "-o",
                 str(tmp_path / "o")]) == 2
    assert message in capsys.readouterr().err
    with pytest.raises(Exception, match=message):
        load_results(path)


def test_min_accuracy_must_be_a_fraction(capsys):
    assert main(["run", str(POLYSEMY), "--min-accuracy", "75"]) == 2
    assert "give a number from 0 to 1" in capsys.readouterr().err


def test_a_backend_that_did_not_run_fails_the_gate(write_suite):
    suite = load_suite(write_suite(QUARTET))
    baseline = results_for(suite, GOOD)
    skipped = run_suites([suite], [FakeBackend("model", {"available": "no"})],
                         skip_unavailable=True)
    outcome = check_gates(skipped, baseline)
    assert outcome.failed and "model passed 3 expectations in the baseline and skipped" in (
        outcome.unchecked[0])
    missing = run_suites([suite], [FakeBackend("other")])
    assert "model passed 3 expectations in the baseline and was not run" in (
        check_gates(missing, baseline).unchecked[0])
    assert check_gates(skipped, min_accuracy=0.1).unchecked  # no accuracy to check either


SECOND_TEST = """\
  - id: other
    contexts:
      a: {text: "A cat sat.", word: cat}
      b: {text: "A dog sat.", word: dog}
      c: {text: "A car sat.", word: car}
    expect: ["a: b > c"]
"""


def test_renamed_tests_and_changed_margins_are_named_not_counted(write_suite):
    baseline = results_for(load_suite(write_suite(QUARTET + SECOND_TEST, "a.yaml")), GOOD)
    renamed = results_for(load_suite(write_suite(
        QUARTET.replace("id: mouse", "id: mouse2") + SECOND_TEST, "b.yaml")), GOOD)
    outcome = check_gates(renamed, baseline)
    assert not outcome.failed
    assert any("3 expectations that passed in the baseline, with no counterpart now" in w
               for w in outcome.warnings)
    stricter = results_for(load_suite(write_suite(
        QUARTET.replace("margin: 0.1", "margin: 0.99") + SECOND_TEST, "c.yaml")), GOOD)
    outcome = check_gates(stricter, baseline)
    assert outcome.regressions == []
    assert any("with a changed required margin, failing now" in w and "> 0.99 now" in w
               for w in outcome.warnings)


def test_max_unscored(write_suite):
    suite = load_suite(write_suite(QUARTET))
    results = results_for(suite, GOOD, missing="keyboard")  # 2 of 3 expectations need it
    outcome = check_gates(results, max_unscored=0.5)
    [too_many] = outcome.unscored
    assert outcome.failed and (too_many.unscored, too_many.total) == (2, 3)
    assert "2 of 3 expectations unscored (66.7%), more than the maximum 50.0%" in str(too_many)
    assert not check_gates(results, max_unscored=0.7).failed
    assert not check_gates(results_for(suite, GOOD), max_unscored=0).failed
    report = check_gates(results, max_unscored=0.5).report()
    assert not report.held and report.checked == ["max-unscored 0.5"]
    assert any(line.startswith("TOO MANY UNSCORED model / toy") for line in report.lines)


def test_max_unscored_from_the_cli(capsys, tmp_path):
    assert main(["run", str(POLYSEMY), "--max-unscored", "2"]) == 2
    assert "--max-unscored 2.0: give a number from 0 to 1" in capsys.readouterr().err


def test_a_baseline_that_shares_nothing_is_not_checked_and_fails(write_suite):
    baseline = results_for(load_suite(write_suite(QUARTET, "a.yaml")), GOOD)
    other = results_for(load_suite(write_suite(QUARTET.replace("suite: toy", "suite: other"),
                                               "b.yaml")), GOOD)
    outcome = check_gates(other, baseline)
    assert outcome.failed and not outcome.regressions
    [line] = outcome.unchecked
    assert ("shares no expectation or graded test with this run (its suites: toy; this run's: "
            "other)") in line
    assert outcome.report().lines[-1] == "gates (baseline): FAILED, 1 not checked"


@pytest.mark.parametrize(("content", "message"), [
    ("[1, 2]", "holds a list, not an object"),
    (json.dumps({"schema": 1, "suites": "polysemy"}),
     "no top-level keys backends, summary, results; suites is a string, not a list"),
    (json.dumps({"schema": 1, "suites": [], "backends": {"x": 3}, "summary": [],
                 "results": []}), "backend 'x' is a number, not an object"),
])
def test_a_baseline_of_another_shape_says_what_is_wrong(tmp_path, content, message):
    path = tmp_path / "base.json"
    path.write_text(content)
    with pytest.raises(Exception, match=message) as caught:
        load_results(path)
    assert "('" not in str(caught.value)  # no internal text such as ('suites')


# -- baselines missing what results.json holds -------------------------------------

TOP_LEVEL = ["schema", "suites", "backends", "summary", "results"]


def required(kind: type) -> list[str]:
    """The fields of a row that have no default."""
    from dataclasses import MISSING, fields

    return [f.name for f in fields(kind)
            if f.default is MISSING and f.default_factory is MISSING]


def baseline_file(tmp_path, write_suite, change) -> object:
    """A real results.json, changed by `change(data)`, written to tmp_path."""
    data = results_for(load_suite(write_suite(QUARTET)), GOOD).to_dict()
    change(data)
    path = tmp_path / "base.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize("key", TOP_LEVEL)
def test_a_baseline_missing_a_top_level_key_names_it(tmp_path, write_suite, key):
    path = baseline_file(tmp_path, write_suite, lambda data: data.pop(key))
    with pytest.raises(Exception) as caught:
        load_results(path)
    assert str(caught.value) == (f"{path}: not a results.json of schema 1 (no top-level key "
                                 f"{key}); give the results.json a `harness run` wrote")


def test_a_baseline_of_only_a_schema_names_every_missing_key(tmp_path, capsys):
    path = tmp_path / "base.json"
    path.write_text(json.dumps({"schema": 1}))
    with pytest.raises(Exception) as caught:
        load_results(path)
    assert str(caught.value) == (f"{path}: not a results.json of schema 1 (no top-level keys "
                                 "suites, backends, summary, results); give the results.json a "
                                 "`harness run` wrote")
    assert main(["run", str(POLYSEMY), "--baseline", str(path), "-o",
                 str(tmp_path / "o")]) == 2
    assert "no top-level keys suites, backends, summary, results" in capsys.readouterr().err


@pytest.mark.parametrize(("change", "problem"), [
    (lambda d: d["summary"][0].pop("total"), "summary row 0 lacks the field total"),
    (lambda d: [d["results"][2].pop(k) for k in ("passed", "margin")],
     "results row 2 lacks the fields margin, passed"),
    (lambda d: d["results"].__setitem__(1, "row"), "results row 1 is a string, not an object"),
    (lambda d: d["backends"]["model"].pop("fingerprint"),
     "backend 'model' lacks the field fingerprint"),
    (lambda d: d.__setitem__("correlations", [{"backend": "model"}]),
     f"correlations row 0 lacks the fields {', '.join(required(CorrelationResult)[1:])}"),
    (lambda d: d.__setitem__("pair_results", 3), "pair_results is a number, not a list of rows"),
    (lambda d: d.__setitem__("gates", {"held": True}), "gates lacks the fields checked, lines"),
])
def test_a_baseline_row_missing_fields_names_the_row_and_the_fields(tmp_path, write_suite,
                                                                     change, problem):
    path = baseline_file(tmp_path, write_suite, change)
    with pytest.raises(Exception) as caught:
        load_results(path)
    assert str(caught.value) == (f"{path}: not a results.json of schema 1 ({problem}); give the "
                                 "results.json a `harness run` wrote")
    assert "__init__" not in str(caught.value)
