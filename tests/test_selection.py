"""Selecting tests for a quick run: -k PATTERN and --limit N (`Suite.select`), through the API,
`harness run`, `harness sweep` and `harness validate`, and what results.json records of it."""

from __future__ import annotations

import json

import pytest

import harness
from harness.cli import main
from harness.errors import HarnessError
from harness.results.model import Results
from harness.suites.model import matches, select_suites
from harness.suites.named import load
from tests.helpers import POLYSEMY

IDS = ["mouse", "mouse-across", "lean", "lean-across"]  # polysemy.yaml's tests, in order


@pytest.fixture
def polysemy():
    return load(POLYSEMY)


@pytest.mark.parametrize(("pattern", "name", "expected"), [
    ("mouse", "mouse-across", True),  # a part of it
    ("MOUSE", "mouse", True),  # ignoring case
    ("mouse*", "mouse-across", True),
    ("*across", "mouse-across", True),
    ("m?use", "mouse", True),
    ("m?use", "mouse-across", False),  # a wildcard pattern matches the whole id
    ("lean", "mouse", False),
    ("a.b", "axb", False),  # no regular expressions
    ("a.*", "a.x", True),
    ("[ab]", "a", False),  # brackets are no wildcard
    ("[ab]", "x[ab]y", True),
])
def test_a_pattern_matches_part_of_a_name_or_all_of_it_with_wildcards(pattern, name, expected):
    assert matches(pattern, name) is expected


def test_select_keeps_the_matching_tests_in_order(polysemy):
    assert [t.id for t in polysemy.select(["across"]).tests] == ["mouse-across", "lean-across"]
    assert [t.id for t in polysemy.select(["lean", "MOUSE"]).tests] == IDS
    assert [t.id for t in polysemy.select(["polysemy/mouse*"]).tests] == ["mouse",
                                                                          "mouse-across"]
    assert [t.id for t in polysemy.select(["SEMY/lean-"]).tests] == ["lean-across"]
    assert [t.id for t in polysemy.select((), 3).tests] == IDS[:3]
    assert [t.id for t in polysemy.select(["across"], 1).tests] == ["mouse-across"]


def test_a_selected_suite_is_a_new_suite_with_its_own_fingerprint(polysemy):
    chosen = polysemy.select(["mouse"])
    assert chosen.name == polysemy.name and chosen.path == polysemy.path
    assert len(polysemy.tests) == 4  # the suite itself is untouched
    assert chosen.fingerprint() != polysemy.fingerprint()
    assert polysemy.select(["*"]).fingerprint() == polysemy.fingerprint()


def test_a_selection_that_leaves_a_suite_empty_names_it_and_the_pattern(polysemy):
    with pytest.raises(HarnessError) as info:
        polysemy.select(["bank", "river*"])
    message = str(info.value)
    assert "'bank' or 'river*'" in message and "'polysemy'" in message
    assert str(POLYSEMY) in message and "mouse, mouse-across, lean, lean-across" in message
    assert info.value.exit_code == 2


def test_select_suites_records_what_it_kept(polysemy):
    assert select_suites([polysemy]) == ([polysemy], None)
    chosen, record = select_suites([polysemy], "lean", 1)
    assert [t.id for t in chosen[0].tests] == ["lean"]
    assert record == {"patterns": ["lean"], "limit": 1,
                      "suites": {"polysemy": {"kept": 1, "of": 4}}}


@pytest.mark.parametrize(("select", "limit", "error"), [
    (3, None, TypeError), ([""], None, TypeError), (None, 0, ValueError),
    (None, 1.5, ValueError), (None, True, ValueError)])
def test_select_suites_refuses_values_of_the_wrong_kind(polysemy, select, limit, error):
    with pytest.raises(error):
        select_suites([polysemy], select, limit)


def test_the_api_selects_and_results_json_records_it(registry):
    results = harness.run([POLYSEMY], ["fake"], registry=registry, cache=False,
                          reference=False, select=["mouse"], limit=1)
    assert {r.test for r in results.rows} == {"mouse"}
    data = results.to_dict()
    assert data["selection"] == {"patterns": ["mouse"], "limit": 1,
                                 "suites": {"polysemy": {"kept": 1, "of": 4}}}
    assert Results.from_dict(json.loads(json.dumps(data))).selection == data["selection"]
    whole = harness.run([POLYSEMY], ["fake"], registry=registry, cache=False, reference=False)
    assert whole.selection is None and "selection" not in whole.to_dict()
    assert whole.suite_fingerprints != results.suite_fingerprints


@pytest.fixture
def swept(monkeypatch):
    """The sweep, faked: it records the suites it was given and scores them as a run."""
    from harness.pipeline.runner import run_suites
    from harness.reports.studies import sweep as sweep_files
    from harness.studies import layer_sweep

    given = []

    def sweep(suites, backends, context=None):
        given.append(suites)
        return layer_sweep.Sweep(run_suites(suites, backends, reference=False), [])

    monkeypatch.setattr(layer_sweep, "sweep", sweep)
    monkeypatch.setattr(sweep_files, "write_sweep", lambda rows, folder: [])
    return given


def test_the_api_sweep_takes_a_selection(registry, swept):
    done = harness.sweep([POLYSEMY], ["fake"], registry=registry, cache=False, select="lean")
    assert [t.id for t in swept[0][0].tests] == ["lean", "lean-across"]
    assert done.results.selection["suites"] == {"polysemy": {"kept": 2, "of": 4}}


def test_run_with_k_and_limit(fake_only, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(POLYSEMY), "-b", "fake", "-k", "ACROSS", "-k", "nothing",
                 "--limit", "1", "-o", str(out), "--no-config"]) == 0
    stdout = capsys.readouterr().out
    assert "selection (-k 'ACROSS' -k 'nothing' --limit 1): polysemy 1 of 4 tests" in stdout
    data = json.loads((out / "results.json").read_text())
    assert {r["test"] for r in data["results"]} == {"mouse-across"}
    assert data["selection"]["suites"] == {"polysemy": {"kept": 1, "of": 4}}


def test_run_with_a_selection_that_leaves_a_suite_empty_exits_2(fake_only, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(POLYSEMY), "-b", "fake", "-k", "bank", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "the selection 'bank' leaves suite 'polysemy'" in err
    assert not out.exists()  # stopped before the work


def test_a_selected_run_against_a_whole_baseline_says_the_suite_changed(fake_only, tmp_path,
                                                                         capsys):
    assert main(["run", str(POLYSEMY), "-b", "fake", "-o", str(tmp_path / "a")]) == 0
    code = main(["run", str(POLYSEMY), "-b", "fake", "-k", "mouse", "-o", str(tmp_path / "b"),
                 "--baseline", str(tmp_path / "a" / "results.json")])
    assert code == 0  # the same vectors: no regression; the removed tests only warned about
    assert "suite polysemy has changed since the baseline" in capsys.readouterr().out


def test_sweep_takes_k_and_limit(fake_only, swept, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["sweep", str(POLYSEMY), "-b", "fake", "-k", "lean", "--limit", "1", "-o",
                 str(out)]) == 0
    assert "polysemy 1 of 4 tests" in capsys.readouterr().out
    assert [t.id for t in swept[0][0].tests] == ["lean"]
    assert json.loads((out / "results.json").read_text())["selection"]["limit"] == 1


def test_validate_previews_a_selection(capsys):
    assert main(["validate", str(POLYSEMY), "-k", "mouse*", "--limit", "5"]) == 0
    assert "selected 2 of 4: mouse, mouse-across" in capsys.readouterr().out
    assert main(["validate", str(POLYSEMY), "-k", "bank"]) == 2
    assert "the selection 'bank' leaves suite 'polysemy'" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--limit", "0"], ["--limit", "x"], ["-k", " "]])
def test_bad_selection_options_are_usage_errors(argv):
    with pytest.raises(SystemExit) as info:
        main(["validate", str(POLYSEMY), *argv])
    assert info.value.code == 2


def test_the_reports_say_a_selection_was_applied(tmp_path, fake_only):
    from harness.cli import main
    from tests.helpers import POLYSEMY

    out = tmp_path / "out"
    assert main(["run", str(POLYSEMY), "-b", "fake", "-k", "mouse", "--no-cache", "-o",
                 str(out)]) == 0
    note = "selection (-k 'mouse'): polysemy 2 of 4 tests"
    assert "Selection (-k 'mouse'): polysemy 2 of 4 tests." in (
        out / "report.md").read_text().replace("\\", "")
    assert note.replace("'", "&#39;") in (out / "report.html").read_text()
