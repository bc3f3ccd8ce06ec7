"""Machine-readable output: --json of `harness list`, `compare` and `run` (one JSON object on
stdout and nothing else, never NaN), -q/--quiet for every command, and `harness run --help`
naming every report."""

from __future__ import annotations

import json

import pytest

from harness.cli import common, main
from harness.plugins import hookimpl
from harness.plugins.manager import make_plugin_host
from tests.helpers import BUILT_IN_REPORTS, POLYSEMY, only_plugins

GRADED = """\
schema: 3
suite: graded
tests:
  - id: words
    pairs:
      - {a: {word: love}, b: {word: sex}, score: 6.77}
      - {a: {word: tiger}, b: {word: cat}, score: 7.35}
      - {a: {word: book}, b: {word: paper}, score: 7.46}
      - {a: {word: king}, b: {word: cabbage}, score: 0.23}
      - {a: {word: money}, b: {word: cash}, score: 9.15}
      - {a: {word: river}, b: {word: water}, score: 8.1}
"""


def no_constant(name: str):
    raise AssertionError(f"{name} in the JSON")


def json_out(capsys) -> tuple[dict, str]:
    """stdout parsed as one strict JSON object (no NaN or Infinity), and stderr."""
    captured = capsys.readouterr()
    return json.loads(captured.out, parse_constant=no_constant), captured.err


def run_argv(tmp_path, *extra: str, suites: tuple = (POLYSEMY,)) -> list[str]:
    return ["run", *map(str, suites), "-b", "fake", "-o", str(tmp_path / "out"), "--no-cache",
            "--no-progress", *extra]


# -- --json ----------------------------------------------------------------------------------


def test_list_json(fake_only, capsys):
    assert main(["list", "--json"]) == 0
    data, _ = json_out(capsys)
    assert set(data) == {"plugins", "instances", "commands", "reports", "suites", "skipped"}
    [fake] = [i for i in data["instances"] if i["name"] == "fake"]
    assert fake["available"] is True and fake["status"] == "available"
    assert fake["plugin"] == "fake" and fake["default"] is True
    assert any(p["name"] == "fake" for p in data["plugins"])
    suites = {s["name"]: s for s in data["suites"]}
    assert suites["polysemy"]["path"].endswith("polysemy.yaml")
    assert suites["wordsim353"]["source"].startswith("built on first use")


def test_list_text_shows_the_suites_known_by_name(fake_only, capsys):
    assert main(["list"]) == 0
    suites = capsys.readouterr().out.split("Suites known by name")[1]
    assert "polysemy" in suites and "wordsim353" in suites


def test_run_json_is_the_one_thing_on_stdout(fake_only, tmp_path, capsys, write_suite):
    graded = write_suite(GRADED, "graded.yaml")
    code = main(run_argv(tmp_path, "--min-accuracy", "0.99", "--json", suites=(POLYSEMY, graded)))
    assert code == 1
    data, err = json_out(capsys)
    assert data["exit_code"] == 1 and data["verdict"] == "gates FAILED"
    assert data["output"] == str(tmp_path / "out")
    assert {p.rsplit("/", 1)[1] for p in data["files"]} >= {"results.json", "pairs.csv"}
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert data["summary"] == [{**row, "error": row.get("error")} for row in results["summary"]]
    [correlation] = data["correlations"]
    assert correlation["test"] == "words" and len(correlation["spearman_ci"]) == 2
    assert data["gates"]["held"] is False and data["gates"]["lines"]
    assert data["gates"] == results["gates"]
    assert all(line in err for line in data["gates"]["lines"])  # a CI log still says why


def test_run_json_when_every_gate_holds(fake_only, tmp_path, capsys):
    assert main(run_argv(tmp_path, "--json")) == 0
    data, err = json_out(capsys)
    assert data["exit_code"] == 0 and data["gates"] is None and data["interrupted"] is False
    assert data["backends"] == {"fake": {"status": "ok", "error": None}}
    assert err == ""


@pytest.fixture
def results_file(fake_only, tmp_path, write_suite, capsys):
    graded = write_suite(GRADED, "graded.yaml")
    assert main(["run", str(POLYSEMY), str(graded), "-b", "fake", "-b", "fake:seed=3", "-o",
                 str(tmp_path / "r"), "--no-cache", "--no-progress"]) == 0
    capsys.readouterr()
    return tmp_path / "r" / "results.json"


def test_compare_json_has_every_number(results_file, tmp_path, capsys):
    assert main(["compare", str(results_file), "--json", "--markdown",
                 str(tmp_path / "c.md")]) == 0
    data, _ = json_out(capsys)
    assert (tmp_path / "c.md").is_file()
    [pair] = data["pairs"]
    assert (pair["a"], pair["b"], pair["shared"]) == ("fake", "fake:seed=3", 8)
    assert pair["accuracy_a"] == pair["passed_a"] / 8
    low, high = pair["accuracy_a_ci"]
    assert 0 <= low <= pair["accuracy_a"] <= high <= 1
    assert 0 <= pair["p_value"] <= 1 and {"only_a", "only_b", "accuracy_b_ci"} <= set(pair)
    [graded] = data["graded"]
    assert graded["pairs"] == 6 and graded["suite"] == "graded" and graded["test"] == "words"
    assert graded["difference"] == pytest.approx(graded["rho_a"] - graded["rho_b"])
    assert len(graded["difference_ci"]) == 2


def test_json_never_holds_nan(capsys):
    from harness.cli import terminal
    from harness.measures.graded import GradedComparison

    row = GradedComparison("a", "b", "s", "t", 3, None, 0.5, None).to_dict()
    assert row["difference"] is None and row["difference_ci"] is None
    with terminal.guarded_output():
        terminal.quiet_stdout()
        print("dropped")
        common.print_json({"x": float("nan"), "y": [float("inf"), (1, 2.5)], "z": row})
    data, _ = json_out(capsys)
    assert data["x"] is None and data["y"] == [None, [1, 2.5]] and data["z"] == row
    np = pytest.importorskip("numpy")
    assert common.json_value({"n": np.float64("nan"), "i": np.int64(3),
                              "a": np.array([1.0, np.nan])}) == {"n": None, "i": 3,
                                                                 "a": [1.0, None]}


# -- -q/--quiet ------------------------------------------------------------------------------


@pytest.mark.parametrize("argv", [["-q", "validate", str(POLYSEMY)],
                                  ["validate", str(POLYSEMY), "--quiet"],
                                  ["list", "-q"]])
def test_quiet_prints_nothing_on_stdout(fake_only, capsys, argv):
    assert main(argv) == 0
    assert capsys.readouterr().out == ""


def test_quiet_run_keeps_its_exit_code_and_says_why_a_gate_failed(fake_only, tmp_path, capsys):
    assert main(run_argv(tmp_path, "--min-accuracy", "0.99", "-q")) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = json.loads((tmp_path / "out" / "results.json").read_text())["gates"]["lines"]
    assert lines and all(line in captured.err for line in lines)
    assert main(run_argv(tmp_path / "held", "-q")) == 0
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("flag", ["-q", "--json"])
def test_a_gate_s_warning_reaches_stderr_when_stdout_is_quiet(fake_only, tmp_path, capsys,
                                                              flag):
    """The gates hold, but the baseline lacks a backend of this run: the warning is not lost."""
    assert main(run_argv(tmp_path / "base")) == 0
    capsys.readouterr()
    baseline = str(tmp_path / "base" / "out" / "results.json")
    assert main(run_argv(tmp_path / "now", "-b", "fake:seed=3", "--baseline", baseline,
                         flag)) == 0
    err = capsys.readouterr().err
    assert "warning: backend fake:seed=3 is not in the baseline: nothing to compare" in err
    gates = json.loads((tmp_path / "now" / "out" / "results.json").read_text())["gates"]
    assert gates["thresholds"] == {"spearman_tolerance": 0.01}


def test_quiet_and_json_print_the_json_alone(fake_only, capsys):
    assert main(["-q", "list", "--json"]) == 0
    data, _ = json_out(capsys)
    assert "instances" in data


class OwnQuiet:
    """A plugin's command with a -q of its own: the CLI's -q does not clash with it."""

    @hookimpl
    def harness_register_commands(self, register):
        def configure(parser):
            parser.add_argument("-q", dest="query", default="none")

        register.add_command("ask", help="ask", configure=configure,
                             run=lambda args: print(f"asked {args.query}") or 0)


def test_a_command_with_its_own_q_keeps_it(monkeypatch, capsys):

    only_plugins(monkeypatch, OwnQuiet())
    assert main(["ask", "-q", "this"]) == 0
    assert capsys.readouterr().out == "asked this\n"
    assert main(["ask", "--quiet"]) == 0
    assert capsys.readouterr().out == ""


# -- harness run --help ----------------------------------------------------------------------


def test_run_help_names_every_built_in_report(capsys):
    from harness.cli import run

    builtin = [(r.name, r.description) for r in make_plugin_host(autoload=False).reports()]
    assert list(run.REPORTS) == builtin  # the static list of --help is the registered one
    assert [name for name, _ in run.REPORTS] == BUILT_IN_REPORTS
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    page = " ".join(capsys.readouterr().out.split())
    assert all(name in page for name in BUILT_IN_REPORTS)
    assert "those report plugins add" in page


def test_a_spearman_tolerance_without_a_baseline_says_it_does_nothing(fake_only, tmp_path,
                                                                      capsys):
    assert main(run_argv(tmp_path, "--spearman-tolerance", "0.05")) == 0
    assert "--spearman-tolerance 0.05 has no effect without --baseline" in capsys.readouterr().err
