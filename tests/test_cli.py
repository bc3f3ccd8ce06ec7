"""The CLI: exit codes, the summary table, the report files, list and validate, and commands
registered through the hook (built-in ones and a plugin's)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from harness.cli import main
from harness.plugins import hookimpl, manager
from harness.testing import FakeBackend, FakePlugin
from tests.helpers import POLYSEMY, ROOT, only_plugins


def test_run_writes_reports_and_prints_a_summary(fake_only, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(POLYSEMY), "-b", "fake", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "backend  suite     passed  accuracy" in printed and "fake     polysemy  " in printed
    assert sorted(p.name for p in out.iterdir()) == [
        "junit.xml", "report.html", "report.md", "results.csv", "results.json"]
    data = json.loads((out / "results.json").read_text())
    assert data["schema"] == 1 and data["suites"] == ["polysemy"]
    assert data["backends"]["fake"]["plugin"] == "fake"
    assert len(data["results"]) == 8


def test_default_backends_are_the_available_default_instances(fake_only, tmp_path, capsys):
    assert main(["run", str(POLYSEMY), "-o", str(tmp_path)]) == 0
    assert list(json.loads((tmp_path / "results.json").read_text())["backends"]) == ["fake"]


def test_bad_suite_exits_2_with_one_message_and_no_traceback(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("suite: s\ntests: []\n")
    assert main(["run", str(bad), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:2: field 'tests': must be a non-empty list" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_unknown_backend_exits_2(fake_only, tmp_path, capsys):
    assert main(["run", str(POLYSEMY), "-b", "faek", "-o", str(tmp_path)]) == 2
    assert "unknown backend 'faek'. Did you mean 'fake'?" in capsys.readouterr().err


def test_bad_option_exits_2(fake_only, tmp_path, capsys):
    assert main(["run", str(POLYSEMY), "-b", "fake:dim=x", "-o", str(tmp_path)]) == 2
    assert "option dim='x'" in capsys.readouterr().err


def test_a_failing_backend_exits_2_but_keeps_the_others(fake_only, tmp_path, capsys):
    code = main(["run", str(POLYSEMY), "-b", "fake:fail=true", "-b", "fake:available=no",
                 "-b", "fake", "-o", str(tmp_path)])
    assert code == 2
    captured = capsys.readouterr()
    assert "backend fake:fail=true error: RuntimeError" in captured.err
    assert "backend fake:available=no unavailable" in captured.err
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["backends"]["fake:fail=true"]["status"] == "error"
    assert {r["backend"] for r in data["results"]} == {"fake"}
    assert "fake:fail=true" in (tmp_path / "report.md").read_text()


def test_unavailable_default_is_skipped_and_recorded(monkeypatch, tmp_path, capsys):
    class Defaults(FakePlugin):
        @hookimpl
        def harness_register_backends(self, register):
            register.add_plugin(FakeBackend)
            register.add_instance("up", plugin="fake")
            register.add_instance("down", plugin="fake", options={"available": "no"})
            register.add_instance("broken", plugin="fake", options={"dim": "wide"})

    only_plugins(monkeypatch, Defaults())
    assert main(["run", str(POLYSEMY), "-o", str(tmp_path)]) == 2  # "broken" is an error
    backends = json.loads((tmp_path / "results.json").read_text())["backends"]
    assert backends["up"]["status"] == "ok"
    assert backends["down"]["status"] == "skipped"
    assert backends["broken"]["status"] == "error" and "dim='wide'" in backends["broken"]["error"]
    err = capsys.readouterr().err
    assert "skipped down: the fake backend was told to be unavailable" in err


def test_list_survives_a_backend_whose_availability_raises(monkeypatch, tmp_path, capsys):
    class Raising(FakeBackend):
        plugin = "raising"

        def availability(self):
            raise RuntimeError("cannot tell")

    class Plugin:
        @hookimpl
        def harness_register_backends(self, register):
            register.add_plugin(Raising)
            register.add_instance("r", plugin="raising")

    only_plugins(monkeypatch, Plugin())
    assert main(["list"]) == 0
    assert "error: RuntimeError: cannot tell" in capsys.readouterr().out
    assert main(["run", str(POLYSEMY), "-b", "r", "--no-progress", "-o", str(tmp_path)]) == 2


def test_duplicate_suite_names_exit_2(tmp_path, capsys):
    copy = tmp_path / "copy.yaml"
    copy.write_text(POLYSEMY.read_text())
    assert main(["run", str(POLYSEMY), str(copy), "-o", str(tmp_path / "out")]) == 2
    assert "share the name 'polysemy'" in capsys.readouterr().err


def test_the_same_backend_twice_even_with_spaces(fake_only, tmp_path, capsys):
    assert main(["run", str(POLYSEMY), "-b", "fake", "-b", " fake", "-o", str(tmp_path)]) == 2
    assert "given twice" in capsys.readouterr().err


def test_ctrl_c_exits_130_and_keeps_finished_backends(monkeypatch, tmp_path, capsys):
    class Interrupting(FakeBackend):
        plugin = "interrupting"

        def embed_batch(self, items):
            raise KeyboardInterrupt

    class Plugin:
        @hookimpl
        def harness_register_backends(self, register):
            register.add_plugin(FakeBackend)
            register.add_plugin(Interrupting)

    only_plugins(monkeypatch, Plugin())
    code = main(["run", str(POLYSEMY), "-b", "fake", "-b", "interrupting", "-o", str(tmp_path)])
    assert code == 130
    backends = json.loads((tmp_path / "results.json").read_text())["backends"]
    assert backends["fake"]["status"] == "ok"
    assert backends["interrupting"]["status"] == "interrupted"


def test_no_available_backend_exits_2(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("HARNESS_DISABLE_PLUGIN_AUTOLOAD", "1")
    assert main(["run", str(POLYSEMY), "-o", str(tmp_path)]) == 2
    assert "no backend could run here" in capsys.readouterr().err


def test_usage_error_exits_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["run", "--no-such-option"])
    assert info.value.code == 2
    assert main(["run", "--no-config"]) == 2  # no SUITE, and no config to give one
    assert "give SUITE files, or suites in harness.toml" in capsys.readouterr().err


def test_validate(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("suite: s\n")
    assert main(["validate", str(POLYSEMY)]) == 0
    assert "ok" in capsys.readouterr().out
    assert main(["validate", str(POLYSEMY), str(bad)]) == 2
    captured = capsys.readouterr()
    assert "8 expectations" in captured.out and "missing key 'tests'" in captured.err


def test_list_shows_plugins_instances_and_availability(fake_only, capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^fake +fake +yes +available$", out, re.MULTILINE), out


def run_cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "harness", *args], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=300)


@pytest.mark.parametrize("args", [["--help"], ["list"], ["validate", str(POLYSEMY)]])
def test_light_commands_import_no_heavy_framework(args):
    probe = (
        "import sys, runpy\n"
        f"sys.argv = ['harness', *{args!r}]\n"
        "try:\n    runpy.run_module('harness', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "heavy = [m for m in ('torch', 'tensorflow', 'transformers', 'sentence_transformers',"
        " 'pandas') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert "HEAVY []" in out.stdout, out.stdout + out.stderr


@pytest.mark.slow
def test_real_default_run_from_a_subprocess(tmp_path):
    """The README's main job: `harness run suites/polysemy.yaml` on the default backends."""
    done = run_cli("run", "suites/polysemy.yaml", "-o", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "glove-50d  polysemy  2/8" in done.stdout
    # quiet: no log flood; at most a line per default backend that cannot run here
    assert all(line.startswith("harness: skipped ") for line in done.stderr.splitlines()), (
        done.stderr)


def test_unwritable_output_folder_keeps_the_results(fake_only, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["run", str(POLYSEMY), "-b", "fake", "-o", str(blocker / "out")]) == 2
    err = capsys.readouterr().err
    assert f"cannot write reports to {blocker / 'out'} ({blocker} is a file); they are in " in err
    fallback = err.split("they are in ")[1].split(" instead")[0]
    assert json.loads((Path(fallback) / "results.json").read_text())["backends"]["fake"]


class _Terminal:
    def __init__(self, tty: bool):
        self.tty = tty
        self.written: list[str] = []

    def isatty(self) -> bool:
        return self.tty

    def write(self, text: str) -> int:
        self.written.append(text)
        return len(text)

    def flush(self) -> None:
        pass


def test_progress_bars_only_on_a_terminal_and_only_when_asked(monkeypatch):
    from harness.cli import common

    monkeypatch.setattr(sys, "stderr", _Terminal(tty=False))
    assert common.progress_factory(True) is None  # a pipe or CI log: no bar, no tqdm import
    monkeypatch.setattr(sys, "stderr", _Terminal(tty=True))
    assert common.progress_factory(False) is None  # --no-progress
    bar = common.progress_factory(True)(3, "fake")
    bar.update(3)
    bar.close()
    assert bar.total == 3 and bar.n == 3


# -- commands through the hook --------------------------------------------------------------------


class Hello:
    """A third party's command: `harness hello [--name NAME]`."""

    @hookimpl
    def harness_register_commands(self, register):
        def configure(parser):
            parser.add_argument("--name", default="world")

        def run(args):
            print(f"hello {args.name} (verbosity {args.more_verbose})")
            return 0

        register.add_command("hello", help="say hello", configure=configure, run=run)


def with_plugin(monkeypatch, plugin, source: str = "harness-hello 1.0 (entry point hello)"):
    """make_plugin_host registers `plugin` (under `source`) wherever installed plugins load:
    not when a host is made with autoload=False, as for a built-in command or `harness --help`
    (which reads the declared commands alone)."""
    real = manager.make_plugin_host

    def host(**kwargs):
        made = real(**{**kwargs, "autoload": False, "plugins": (FakePlugin(),)})
        if kwargs.get("autoload") is not False:
            made.register(plugin, source=source)
        return made

    monkeypatch.setattr(manager, "make_plugin_host", host)


def test_a_plugin_command_runs(monkeypatch, capsys):
    with_plugin(monkeypatch, Hello())
    assert main(["hello", "--name", "you", "-v"]) == 0
    assert "hello you (verbosity 1)" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["hello", "--help"])
    assert "usage: harness hello [-h] [--name NAME]" in capsys.readouterr().out
    with pytest.raises(SystemExit):  # a command registered through the hook is not declared:
        main(["--help"])  # the top-level help, which imports no plugin, cannot list it
    assert "hello" not in capsys.readouterr().out
    assert main(["list"]) == 0
    listed = capsys.readouterr().out.split("Commands from plugins")[1]
    assert "hello" in listed and "harness-hello 1.0" in listed
    assert "validate" not in listed  # built-in commands are not listed as a plugin's


def test_a_plugin_command_named_like_a_built_in_one_exits_2(monkeypatch, capsys):
    class Clash:
        @hookimpl
        def harness_register_commands(self, register):
            register.add_command("run", help="mine", configure=lambda p: None,
                                 run=lambda args: 0)

    with_plugin(monkeypatch, Clash(), source="harness-clash 1.0 (entry point clash)")
    assert main(["list"]) == 2
    err = capsys.readouterr().err
    assert "harness-clash 1.0 (entry point clash) adds a command 'run', which is built in" in err
    assert "must name its command otherwise" in err
    assert main(["validate", str(POLYSEMY)]) == 0  # a built-in command loads no plugin


def test_built_in_commands_come_through_the_hook_in_help_order():
    from harness.cli import build_parser
    from harness.cli.builtin import NAMES
    from harness.plugins import BUILTIN_SOURCE

    commands = manager.make_plugin_host(autoload=False).commands()
    assert {c.source for c in commands.values()} == {BUILTIN_SOURCE}
    assert set(commands) == NAMES
    choices = build_parser(commands.values())._subparsers._group_actions[0].choices
    assert list(choices) == ["run", "sweep", "geometry", "senses", "wic", "compare", "runs",
                             "leaderboard", "history", "validate",
                             "list", "cache", "make-suite", "make-reference", "completion"]


def test_built_in_commands_consult_no_entry_points(monkeypatch, capsys):
    import importlib.metadata

    monkeypatch.delenv("HARNESS_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    real = importlib.metadata.entry_points
    groups: list = []

    def entry_points(**kwargs):
        groups.append(kwargs.get("group"))
        return real(**kwargs)

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)
    for argv in (["run", "--help"], ["make-suite", "wordnet", "--help"], ["-v", "cache", "-h"]):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 0
    assert main(["validate", str(POLYSEMY)]) == 0
    assert groups == []
    with pytest.raises(SystemExit):
        main(["--help"])  # here declared commands are read (their plugins not imported)
    assert groups == ["wic_harness.commands", "harness.commands"]  # the old name, one release


def test_make_suite_runs_its_sub_command(monkeypatch, tmp_path):
    from harness.cli import make_suite

    ran = []
    monkeypatch.setattr(make_suite, "run_wic", lambda args: ran.append(args.data) or 0)
    assert main(["make-suite", "wic", "d.txt", "g.txt", "-o", str(tmp_path / "s.yaml"),
                 "-vv"]) == 0
    assert ran == ["d.txt"]


def test_the_built_in_plugins_are_light_to_import():
    """Every plugin host imports them; `harness validate` still imports no numpy."""
    probe = ("import sys\nfrom harness.cli import main\n"
             f"main(['validate', {str(POLYSEMY)!r}])\n"
             "print('LOADED', [m for m in ('numpy', 'harness.results.model', "
             "'harness.reports.tables') if m in sys.modules])\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert "LOADED []" in out.stdout, out.stdout + out.stderr
