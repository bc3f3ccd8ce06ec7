"""A project's defaults: harness.toml or [tool.wic-harness] in pyproject.toml, found in the
current folder (harness.toml first), --config FILE, --no-config; command-line values win; every
problem names the file and the key (exit 2)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from harness.cli import main
from harness.config import find, read
from harness.errors import HarnessError
from tests.helpers import POLYSEMY


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def test_harness_toml_comes_before_pyproject(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.wic-harness]\nbackends = ["a"]\n')
    assert find(folder=tmp_path).values == {"backends": ["a"]}
    write(tmp_path / "harness.toml", 'backends = ["b"]\n')
    found = find(folder=tmp_path)
    assert found.path.name == "harness.toml" and found.values == {"backends": ["b"]}
    assert find(off=True, folder=tmp_path) is None


def test_a_pyproject_without_the_section_or_no_file_is_no_config(tmp_path):
    assert find(folder=tmp_path) is None
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
    assert find(folder=tmp_path) is None
    write(tmp_path / "pyproject.toml", "[project\nname = \n")  # broken, but not ours
    assert find(folder=tmp_path) is None


def test_config_names_a_file(tmp_path):
    other = write(tmp_path / "elsewhere" / "defaults.toml", 'limit = 3\n')
    assert find(str(other), folder=tmp_path).values == {"limit": 3}
    project = write(tmp_path / "p" / "pyproject.toml", '[tool.wic-harness]\nlimit = 2\n')
    assert find(str(project)).values == {"limit": 2}
    with pytest.raises(HarnessError, match="no such file"):
        find(str(tmp_path / "missing.toml"))
    write(tmp_path / "q" / "pyproject.toml", '[project]\nname = "x"\n')
    with pytest.raises(HarnessError, match=r"has no \[tool.wic-harness\] section"):
        find(str(tmp_path / "q" / "pyproject.toml"))


def test_paths_are_relative_to_the_file(tmp_path):
    path = write(tmp_path / "sub" / "harness.toml", """\
        suites = ["suites/a.yaml", "wordsim353", "/abs/b.yaml"]
        output = "reports/x"
        baseline = "base.json"
        """)
    values = read(path).values
    assert values["suites"] == [str(tmp_path / "sub" / "suites" / "a.yaml"), "wordsim353",
                                "/abs/b.yaml"]
    assert values["output"] == str(tmp_path / "sub" / "reports" / "x")
    assert values["baseline"] == str(tmp_path / "sub" / "base.json")


@pytest.mark.parametrize(("text", "expected"), [
    ("min-acuracy = 0.5\n", "unknown key 'min-acuracy' (did you mean 'min-accuracy'?)"),
    ("min_accuracy = 0.5\n", "(did you mean 'min-accuracy'?)"),
    ("min-accuracy = 2\n", "min-accuracy must be a number from 0 to 1; got 2"),
    ('min-accuracy = "high"\n', "min-accuracy must be a number from 0 to 1; got 'high'"),
    ("min-spearman = true\n", "min-spearman must be a number from -1 to 1; got True"),
    ("limit = 0\n", "limit must be a whole number of at least 1; got 0"),
    ("limit = 2.5\n", "limit must be a whole number of at least 1"),
    ('executor = "slurm"\n', 'executor must be "local" or "ray"'),
    ("backends = [1]\n", "backends must be a list of non-empty strings"),
    ("suites = []\n", "suites must be a list of non-empty strings"),
    ('run = "x"\n', "run must be a table"),
    ("[sweep]\nmin-accuracy = 0.5\n", "[sweep]: harness sweep takes no 'min-accuracy'"),
    ("[sweep]\nlimt = 1\n", "[sweep]: unknown key 'limt' (did you mean 'limit'?)"),
    ("[swep]\nlimit = 1\n", "unknown key 'swep' (did you mean 'sweep'?)"),
    ("limit = \n", "not valid TOML"),
])
def test_every_problem_names_the_file_and_the_key(tmp_path, text, expected):
    path = write(tmp_path / "harness.toml", text)
    with pytest.raises(HarnessError) as info:
        read(path)
    assert str(path) in str(info.value) and expected in str(info.value)
    assert info.value.exit_code == 2


def test_a_problem_in_pyproject_names_the_section(tmp_path):
    path = write(tmp_path / "pyproject.toml", '[tool.wic-harness]\nbackend = ["x"]\n')
    with pytest.raises(HarnessError) as info:
        find(folder=tmp_path)
    assert f"{path} [tool.wic-harness]: unknown key 'backend' (did you mean 'backends'?)" in \
        str(info.value)
    write(tmp_path / "pyproject.toml", "[tool.wic-harness\nlimit = 1\n")  # broken, and ours
    with pytest.raises(HarnessError, match="not valid TOML"):
        find(folder=tmp_path)


def test_a_commands_table_overrides_the_top_level(tmp_path):
    config = read(write(tmp_path / "harness.toml", """\
        suites = ["a.yaml"]
        limit = 5
        output = "out-run"
        [sweep]
        limit = 1
        output = "out-sweep"
        """))
    assert config.for_command("run") == {"suites": [str(tmp_path / "a.yaml")], "limit": 5,
                                         "output": str(tmp_path / "out-run")}
    assert config.for_command("sweep") == {"suites": [str(tmp_path / "a.yaml")], "limit": 1,
                                           "output": str(tmp_path / "out-sweep")}
    assert config.for_command("validate") == {"suites": [str(tmp_path / "a.yaml")], "limit": 5}


# -- the commands -------------------------------------------------------------------------------
@pytest.fixture
def project(tmp_path, monkeypatch, fake_only):
    """A project folder, the current one, whose harness.toml runs polysemy on the fake."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "harness.toml", f"""\
        suites = ["{POLYSEMY}"]
        backends = ["fake"]
        output = "reports/latest"
        select = ["mouse"]
        """)
    return tmp_path


def test_run_takes_its_defaults_from_the_config(project, capsys):
    assert main(["run"]) == 0
    data = json.loads((project / "reports" / "latest" / "results.json").read_text())
    assert list(data["backends"]) == ["fake"] and data["suites"] == ["polysemy"]
    assert data["selection"]["patterns"] == ["mouse"]
    assert "selection (-k 'mouse')" in capsys.readouterr().out


def test_the_command_line_wins(project, tmp_path):
    out = tmp_path / "mine"
    assert main(["run", str(POLYSEMY), "-b", "fake:seed=1", "-o", str(out), "-k", "lean"]) == 0
    data = json.loads((out / "results.json").read_text())
    assert list(data["backends"]) == ["fake:seed=1"]
    assert {r["test"] for r in data["results"]} == {"lean", "lean-across"}
    assert not (project / "reports").exists()


def test_a_gate_from_the_config(project, capsys):
    write(project / "harness.toml", f'suites = ["{POLYSEMY}"]\nbackends = ["fake"]\n'
          'min-accuracy = 1.0\noutput = "out"\n')
    assert main(["run"]) == 1  # the fake passes 6 of 8
    assert "min-accuracy" in capsys.readouterr().out
    assert main(["run", "--min-accuracy", "0"]) == 0  # the command line wins


def test_no_config_ignores_it_and_config_names_another(project, tmp_path, capsys):
    assert main(["run", "--no-config"]) == 2
    assert "give SUITE files" in capsys.readouterr().err
    other = write(tmp_path / "other" / "defaults.toml", f"""\
        suites = ["{POLYSEMY}"]
        backends = ["fake"]
        output = "there"
        """)
    assert main(["run", "--config", str(other)]) == 0
    assert (tmp_path / "other" / "there" / "results.json").is_file()  # relative to the file


def test_a_bad_config_stops_the_command_with_exit_2(project, capsys):
    write(project / "harness.toml", "backends = 'fake'\nmin-acuracy = 0.5\n")
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "harness.toml: unknown key 'min-acuracy' (did you mean 'min-accuracy'?)" in err
    assert main(["validate", str(POLYSEMY)]) == 2  # every command that reads it
    assert main(["validate", str(POLYSEMY), "--no-config"]) == 0


def test_validate_and_sweep_read_their_keys(project, capsys):
    assert main(["validate"]) == 0
    assert "selected 2 of 4: mouse, mouse-across" in capsys.readouterr().out
    write(project / "harness.toml", f'suites = ["{POLYSEMY}"]\n')
    assert main(["sweep"]) == 2
    assert "harness sweep: give -b BACKEND, or backends in harness.toml" in \
        capsys.readouterr().err


def test_commands_that_read_no_config_ignore_it(project, capsys):
    write(project / "harness.toml", "this is not toml")
    assert main(["list"]) == 0


@pytest.mark.parametrize("command", [
    ["wic", "d.txt", "g.txt", "-b", "fake"],
    ["senses", "-b", "fake", "--file", "senses.tsv"],
    ["geometry", "-b", "fake"],
])
def test_commands_that_embed_take_the_executor_from_the_config(tmp_path, monkeypatch,
                                                               fake_only, capsys, command):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "harness.toml", 'executor = "ray"\n')
    monkeypatch.setenv("HARNESS_RAY_CONNECT_TIMEOUT", "1")
    # an address where nothing listens: the config's executor is the one asked for
    code = main([*command, "--no-cache", "-o", "out", "--ray-address", "127.0.0.1:9"])
    assert code == 2 and "127.0.0.1:9" in capsys.readouterr().err
    main([*command, "--no-config", "--no-cache", "-o", "out2", "--ray-address", "127.0.0.1:9"])
    assert "127.0.0.1:9" not in capsys.readouterr().err  # local: the address is never used
