"""Every `harness run` and `harness wic` is recorded in the results store (after its reports),
unless --no-store; labels, the command line and the git commit; a store that cannot be written
is exit 2 with the reports kept; `--baseline store:latest` gates on the latest stored run of
each backend and suite; `harness runs` lists, shows, removes, exports and imports;
`harness cache clear` never touches the store; `store = PATH` in harness.toml."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace

import pytest

from harness.cli import main
from harness.cli.recording import git_commit
from harness.results.load import load_results
from harness.results.runs import RunInfo
from harness.results.store import Store
from tests.helpers import POLYSEMY
from tests.helpers import WIC_DATA as DATA
from tests.helpers import WIC_GOLD as GOLD


@pytest.fixture
def store(tmp_path, monkeypatch):
    path = tmp_path / "store.sqlite"
    monkeypatch.setenv("HARNESS_STORE", str(path))
    return path


def test_a_run_is_recorded_with_its_command_and_labels(fake_only, store, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(POLYSEMY), "-b", "fake", "-o", str(out), "--label", "branch=main",
                 "--label", "ci=yes"]) == 0
    assert f"in {store}" in capsys.readouterr().out
    (info,) = Store(store).runs()
    assert info.labels == {"branch": "main", "ci": "yes"}
    assert info.command.startswith("harness run ") and "--label branch=main" in info.command
    stored = Store(store).load(info.id).results.to_dict()
    assert stored == load_results(out / "results.json").to_dict()
    capsys.readouterr()
    assert main(["run", str(POLYSEMY), "-b", "fake", "-o", str(tmp_path / "o2"),
                 "--no-store", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["stored"] is None
    assert len(Store(store).runs()) == 1
    assert main(["run", str(POLYSEMY), "-b", "fake", "-o", str(tmp_path / "o3"), "--json"]) == 0
    stored = json.loads(capsys.readouterr().out)["stored"]
    assert stored == {"store": str(store), "run": Store(store).runs()[0].id}


@pytest.mark.parametrize("label", ["novalue", "=x", "a b=c"])
def test_a_bad_label_is_refused_before_the_run(fake_only, store, tmp_path, capsys, label):
    with pytest.raises(SystemExit) as exc:
        main(["run", str(POLYSEMY), "-b", "fake", "-o", str(tmp_path / "o"), "--label", label])
    assert exc.value.code == 2 and "KEY=VALUE" in capsys.readouterr().err


def test_a_store_that_cannot_be_written_keeps_the_reports(fake_only, tmp_path, monkeypatch,
                                                          capsys):
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("HARNESS_STORE", str(tmp_path / "file" / "store.sqlite"))
    out = tmp_path / "out"
    assert main(["run", str(POLYSEMY), "-b", "fake", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "file/store.sqlite" in err and "--no-store" in err and "reports are kept" in err
    assert (out / "results.json").is_file() and (out / "report.html").is_file()


def test_baseline_store_latest_gates_on_the_latest_stored_run(fake_only, store, tmp_path,
                                                              capsys):
    assert main(["run", str(POLYSEMY), "-b", "fake", "-o", str(tmp_path / "a"),
                 "--baseline", "store:latest"]) == 2
    assert "holds no run" in capsys.readouterr().err
    assert main(["run", str(POLYSEMY), "-b", "fake", "-o", str(tmp_path / "a"),
                 "--label", "branch=main"]) == 0
    assert main(["run", str(POLYSEMY), "-b", "fake", "-o", str(tmp_path / "b"),
                 "--baseline", "store:latest"]) == 0  # the same scores: no regression
    # a stored run where every expectation passed, newer, under another label
    run = load_results(tmp_path / "a" / "results.json")
    assert not all(r.passed for r in run.rows)
    better = replace(run, rows=[replace(r, passed=True) for r in run.rows])
    Store(store).record(better, RunInfo(id="f" * 32, created="2099-01-01T00:00:00+00:00",
                                        harness_version="0.4.0", labels={"branch": "dev"}))
    capsys.readouterr()
    assert main(["run", str(POLYSEMY), "-b", "fake", "-o", str(tmp_path / "c"),
                 "--baseline", "store:latest"]) == 1
    assert "passed in the baseline" in capsys.readouterr().out
    assert main(["run", str(POLYSEMY), "-b", "fake", "-o", str(tmp_path / "d"),
                 "--baseline", "store:branch=main"]) == 0
    assert main(["run", str(POLYSEMY), "-b", "fake", "-o", str(tmp_path / "e"),
                 "--baseline", "store:branch=nope"]) == 2
    assert "with the label branch=nope" in capsys.readouterr().err
    assert main(["run", str(POLYSEMY), "-b", "fake", "-o", str(tmp_path / "e"),
                 "--baseline", "store:what"]) == 2


def test_runs_list_show_rm_export_import(fake_only, store, tmp_path, capsys):
    for label in ("a", "b"):
        assert main(["run", str(POLYSEMY), "-b", "fake", "-o", str(tmp_path / label),
                     "--label", f"name={label}", "-q"]) == 0
    capsys.readouterr()
    assert main(["runs", "list", "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)["runs"]
    assert [r["labels"]["name"] for r in runs] == ["b", "a"]
    assert main(["runs", "list", "--label", "name=a"]) == 0
    listed = capsys.readouterr().out
    assert runs[1]["id"][:12] in listed and runs[0]["id"][:12] not in listed
    assert main(["runs", "show", runs[0]["id"][:6]]) == 0
    assert "fake on polysemy: accuracy" in capsys.readouterr().out
    assert main(["runs", "show", "0000"]) == 2
    assert main(["runs", "export", str(tmp_path / "exported")]) == 0
    assert len(list((tmp_path / "exported").glob("*.json"))) == 2
    assert main(["runs", "rm", runs[0]["id"]]) == 0
    assert len(Store(store).runs()) == 1
    capsys.readouterr()
    assert main(["runs", "import", str(tmp_path / "exported")]) == 0
    assert "1 run(s) added, 1 already stored" in capsys.readouterr().out
    assert main(["runs", "--store", str(tmp_path / "other.sqlite"), "import",
                 str(tmp_path / "a")]) == 0  # a report folder: its results.json
    assert len(Store(tmp_path / "other.sqlite").runs()) == 1


def test_cache_clear_never_touches_the_store(fake_only, tmp_path, monkeypatch):
    monkeypatch.delenv("HARNESS_STORE")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(tmp_path / "cache"))
    assert main(["run", str(POLYSEMY), "-b", "fake", "-o", str(tmp_path / "out")]) == 0
    path = tmp_path / "data" / "wic-harness" / "store.sqlite"
    assert len(Store(path).runs()) == 1
    assert main(["cache", "clear"]) == 0
    assert len(Store(path).runs()) == 1
    monkeypatch.setenv("HARNESS_STORE", str(tmp_path / "cache" / "store.sqlite"))
    assert main(["run", str(POLYSEMY), "-b", "fake", "-o", str(tmp_path / "o2")]) == 2


def test_the_store_key_of_harness_toml(fake_only, tmp_path, monkeypatch):
    monkeypatch.delenv("HARNESS_STORE")
    project = tmp_path / "project"
    project.mkdir()
    (project / "harness.toml").write_text('store = "runs/store.sqlite"\n')
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(POLYSEMY), "-b", "fake", "-o", str(tmp_path / "out"),
                 "--config", str(project / "harness.toml")]) == 0
    assert len(Store(project / "runs" / "store.sqlite").runs()) == 1


def test_a_store_baseline_in_harness_toml_is_not_a_path(fake_only, store, tmp_path, capsys):
    project = tmp_path / "project"
    project.mkdir()
    (project / "harness.toml").write_text('baseline = "store:latest"\n')
    assert main(["run", str(POLYSEMY), "-b", "fake", "-o", str(tmp_path / "a"),
                 "--config", str(project / "harness.toml")]) == 2
    assert "--baseline store:latest: the results store" in capsys.readouterr().err


def test_wic_is_recorded_with_its_scores(store, tmp_path):
    data, gold = tmp_path / "d.txt", tmp_path / "g.txt"
    data.write_text(DATA)
    gold.write_text(GOLD)
    out = tmp_path / "out"
    assert main(["wic", str(data), str(gold), "-b", "glove-50d", "-o", str(out)]) == 0
    (info,) = Store(store).runs()
    kind, content = Store(store).study(info.id)
    assert kind == "wic" and content == json.loads((out / "wic.json").read_text())
    (row,) = Store(store).load(info.id).results.summary_rows
    assert (row.suite, row.backend) == ("wic:d.txt", "glove-50d")
    assert row.accuracy == content["results"][0]["accuracy"] and row.total == 4


def test_the_git_commit_of_the_working_folder(tmp_path):
    assert git_commit(tmp_path) is None
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(tmp_path)]
    subprocess.run([*git, "init", "-q"], check=True)
    (tmp_path / "f").write_text("1")
    subprocess.run([*git, "add", "f"], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True)
    commit = git_commit(tmp_path)
    assert commit and len(commit) == 40
    (tmp_path / "f").write_text("2")
    assert git_commit(tmp_path) == f"{commit}-dirty"
