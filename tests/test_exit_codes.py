"""The exit code always means what docs/exit-codes.md says (0 done, 1 a gate failed, 2 bad input),
whatever happens to stdout: an ASCII encoding, a closed pipe, a full disk. What the CLI prints
shows control characters escaped. The output folder is claimed for the run's duration.

Each test runs `harness` in a subprocess through a small wrapper that registers the fake backend
(and a few hostile ones) with installed plugins left out."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.cli import build_parser, common, folders
from harness.cli.terminal import terminal_text
from harness.plugins import manager
from tests.helpers import POLYSEMY, ROOT

WRAPPER = '''
import os, pathlib, sys, time
from harness.plugin_api import Option
from harness.plugins import hookimpl, manager
from harness.testing import FakeBackend


class Hostile(FakeBackend):
    plugin = "hostile"
    OPTIONS = {**FakeBackend.OPTIONS, "message": Option("", "what embed raises")}

    def embed_batch(self, items):
        raise RuntimeError(self.options["message"])


class Waits(FakeBackend):
    """Touches `started`, then waits until `release` exists: a run held mid-way."""
    plugin = "waits"
    OPTIONS = {**FakeBackend.OPTIONS, "started": Option("", "a file"),
               "release": Option("", "a file")}

    def embed_batch(self, items):
        pathlib.Path(self.options["started"]).touch()
        deadline = time.monotonic() + 300  # a bound on waiting, not a measurement
        while not os.path.exists(self.options["release"]) and time.monotonic() < deadline:
            time.sleep(0.05)
        return super().embed_batch(items)


class Plugin:
    @hookimpl
    def harness_register_backends(self, register):
        for cls in (FakeBackend, Hostile, Waits):
            register.add_plugin(cls)
        register.add_instance("fake", plugin="fake", description="fake vectors")

    @hookimpl
    def harness_register_commands(self, register):
        def shout(args):
            print("\\x1b[31mred\\x1b[0m \\u00b1 " + args.word)
            return int(args.code)

        def configure(parser):
            parser.add_argument("word")
            parser.add_argument("--code", default="0")

        register.add_command("shout", help="print a colour code (100% escaped)",
                             configure=configure, run=shout)


real = manager.make_plugin_host
manager.make_plugin_host = lambda **kw: real(**{**kw, "autoload": False, "plugins": (Plugin(),)})
from harness.cli import main
sys.exit(main())
'''

ESC = "\x1b"
FAILING = ["--min-accuracy", "0.99"]  # the fake backend's polysemy accuracy is far below
HOLDING = ["--min-accuracy", "0"]


@pytest.fixture(scope="module")
def wrapper(tmp_path_factory):
    path = tmp_path_factory.mktemp("wrapper") / "harness_fake.py"
    path.write_text(WRAPPER)
    return path


@pytest.fixture(scope="module")
def cli(wrapper, tmp_path_factory):
    """cli(*args, stdout=..., env=..., permissions=False): `harness ARGS` in a subprocess."""
    cache = tmp_path_factory.mktemp("cache")

    def run(*args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=None,
            permissions=False, popen=False):
        command = [sys.executable, str(wrapper), *args]
        if permissions and os.geteuid() == 0:  # file modes bind even for root (CI runs as root)
            if shutil.which("setpriv") is None:
                pytest.skip("setpriv (util-linux) is needed to test permissions as root")
            drop = "-dac_override,-dac_read_search"
            command = ["setpriv", f"--inh-caps={drop}", f"--bounding-set={drop}", *command]
        environment = {**os.environ, "HARNESS_CACHE_DIR": str(cache),
                       "HARNESS_DISABLE_PLUGIN_AUTOLOAD": "1", **(env or {})}
        environment = {k: v for k, v in environment.items() if v is not None}
        if popen:
            return subprocess.Popen(command, stdout=stdout, stderr=stderr, cwd=ROOT,
                                    env=environment)
        done = subprocess.run(command, stdout=stdout, stderr=stderr, cwd=ROOT, env=environment,
                              timeout=300)
        done.out = (done.stdout or b"").decode("utf-8", "replace")
        done.err = (done.stderr or b"").decode("utf-8", "replace")
        return done

    return run


def run_args(out, gate, *extra) -> list[str]:
    return ["run", str(POLYSEMY), "-b", "fake", "-o", str(out), "--no-cache", "--no-progress",
            *gate, *extra]


@pytest.fixture(scope="module")
def results_files(cli, tmp_path_factory):
    """Two results.json files of the fake backend (for `harness compare`)."""
    out = tmp_path_factory.mktemp("results")
    paths = []
    for name, seed in (("a", 0), ("b", 7)):
        done = cli("run", str(POLYSEMY), "-b", "fake", "-b", f"fake:seed={seed + 1}", "-o",
                   str(out / name), "--no-cache", "--no-progress")
        assert done.returncode == 0, done.err
        paths.append(out / name / "results.json")
    return paths


def commands(tmp_path, results_files) -> dict[str, tuple[list[str], int]]:
    """A command of each kind and the exit code it must give, whatever stdout does."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("suite: s\n")
    return {
        "run, a gate fails": (run_args(tmp_path / "failing", FAILING), 1),
        "run, the gate holds": (run_args(tmp_path / "holding", HOLDING), 0),
        "validate": (["validate", str(POLYSEMY)], 0),
        "validate, a bad suite": (["validate", str(POLYSEMY), str(bad)], 2),
        "compare": (["compare", *map(str, results_files)], 0),
        "list": (["list"], 0),
        "a plugin's command": (["shout", "caf\u00e9", "--code", "1"], 1),
    }


KINDS = ["run, a gate fails", "run, the gate holds", "validate", "validate, a bad suite",
         "compare", "list", "a plugin's command"]
# `run` in the fast lane, every other command in the slow one (a subprocess each)
RUN_FAST = [kind if kind.startswith("run") else pytest.param(kind, marks=pytest.mark.slow)
            for kind in KINDS]


def verdict_line(code: int) -> str:
    return {0: "done, every gate held (exit 0)", 1: "gates FAILED (exit 1)",
            2: "bad input or usage (exit 2)"}[code]


def assert_clean(done, code: int) -> None:
    assert done.returncode == code, done.err
    assert "Traceback" not in done.err and "Exception ignored" not in done.err, done.err


# -- an ASCII stdout -----------------------------------------------------------------------------

ASCII = {"PYTHONIOENCODING=ascii": {"PYTHONIOENCODING": "ascii"},
         "LC_ALL=C PYTHONUTF8=0": {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": None}}


@pytest.mark.parametrize("encoding", list(ASCII))
@pytest.mark.parametrize("kind", RUN_FAST)
def test_an_ascii_stdout_keeps_the_exit_code_and_the_verdict(cli, tmp_path, results_files,
                                                              encoding, kind):
    args, code = commands(tmp_path, results_files)[kind]
    done = cli(*args, env=ASCII[encoding])
    assert_clean(done, code)
    if kind.startswith("run"):
        assert "\\xb1" in done.out  # the summary's "±", escaped
        assert ("FAILED" if code else "held") in done.out.split("gates (min-accuracy")[1]


# -- a closed pipe -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", RUN_FAST)
def test_a_pipe_closed_before_the_first_line(cli, tmp_path, results_files, kind):
    args, code = commands(tmp_path, results_files)[kind]
    read, write = os.pipe()
    os.close(read)  # every write to stdout fails with EPIPE
    try:
        done = cli(*args, stdout=write)
    finally:
        os.close(write)
    assert_clean(done, code)
    assert f"harness: stdout could not be written (Broken pipe); {verdict_line(code)}" in (
        done.err)


@pytest.mark.slow
@pytest.mark.parametrize("attempt", range(4))
@pytest.mark.parametrize("kind", KINDS)
def test_a_pipe_closed_after_one_line(cli, tmp_path, results_files, kind, attempt):
    """`harness ... | head -1`: right every time, whenever the reader goes."""
    args, code = commands(tmp_path, results_files)[kind]
    process = cli(*args, popen=True)
    process.stdout.readline()
    process.stdout.close()
    err = process.stderr.read().decode("utf-8", "replace")
    assert process.wait(timeout=300) == code, err
    assert "Traceback" not in err and "Exception ignored" not in err, err


def test_a_run_piped_to_a_reader_that_leaves_early_exits_1(cli, tmp_path):
    process = cli(*run_args(tmp_path, FAILING), popen=True)
    process.stdout.readline()
    process.stdout.close()
    err = process.stderr.read().decode("utf-8", "replace")
    assert process.wait(timeout=300) == 1, err


# -- a full disk ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", RUN_FAST)
def test_a_full_stdout_keeps_the_exit_code_and_says_the_verdict(cli, tmp_path, results_files,
                                                                kind):
    args, code = commands(tmp_path, results_files)[kind]
    with open("/dev/full", "wb") as full:
        done = cli(*args, stdout=full)
    assert_clean(done, code)  # not 120 (a failed flush at exit), not 2
    assert (f"harness: stdout could not be written (No space left on device); "
            f"{verdict_line(code)}") in done.err


@pytest.mark.parametrize(("gate", "code"), [(FAILING, 1), (HOLDING, 0)])
def test_stdout_and_stderr_both_full(cli, tmp_path, gate, code):
    with open("/dev/full", "wb") as full:
        done = cli(*run_args(tmp_path, gate), stdout=full, stderr=full)
    assert done.returncode == code
    assert json.loads((tmp_path / "results.json").read_text())["gates"]["held"] is (code == 0)


def test_help_through_a_closed_pipe_exits_0(cli):
    read, write = os.pipe()
    os.close(read)
    try:
        done = cli("--help", stdout=write)
    finally:
        os.close(write)
    assert_clean(done, 0)


# -- terminal text ---------------------------------------------------------------------------


def test_terminal_text_escapes_control_characters_but_keeps_the_layout():
    assert terminal_text("a\tb\nc") == "a\tb\nc"
    assert terminal_text("\x1b[31mred\x1b]8;;http://x\x07") == "\\x1b[31mred\\x1b]8;;http://x\\x07"
    assert terminal_text("over\rwrite \x9b2J \u202eevil") == "over\\x0dwrite \\x9b2J \\u202eevil"
    assert terminal_text("caf\u00e9 \u00b1") == "caf\u00e9 \u00b1"


def test_a_backend_error_message_is_printed_escaped(cli, tmp_path):
    done = cli(*run_args(tmp_path, []), "-b", "hostile:message=boom\x1b[2J\x1b]8;;http://x\x07")
    assert done.returncode == 2, done.err
    assert ESC not in done.err and "\x07" not in done.err
    assert "boom\\x1b[2J\\x1b]8;;http://x\\x07" in done.err


def test_a_results_json_field_is_printed_escaped(cli, tmp_path, results_files):
    data = json.loads(results_files[0].read_text())
    evil = "fake\x1b[31m\x1b]8;;http://x\x07"
    for row in data["results"]:
        if row["backend"] == "fake":
            row["backend"] = evil
    data["backends"][evil] = data["backends"].pop("fake")
    path = tmp_path / "results.json"
    path.write_text(json.dumps(data))
    done = cli("compare", str(path))
    assert done.returncode == 0, done.err
    assert ESC not in done.out and "fake\\x1b[31m\\x1b]8;;http://x\\x07" in done.out


def test_a_plugin_command_prints_escaped(cli):
    done = cli("shout", "x\x1b[1m")
    assert done.returncode == 0, done.err
    assert done.out == "\\x1b[31mred\\x1b[0m \u00b1 x\\x1b[1m\n"


def test_no_help_page_shows_a_doubled_percent_sign():
    parser = build_parser(manager.make_plugin_host(autoload=False).commands().values())
    pages, parsers = [parser.format_help()], [parser]
    while parsers:
        for action in parsers.pop()._actions:
            if isinstance(action.choices, dict):  # a command's or a sub-command's parsers
                pages.extend(sub.format_help() for sub in action.choices.values())
                parsers.extend(action.choices.values())
    assert len(pages) > 12
    assert [page.splitlines()[0] for page in pages if "%%" in page] == []
    assert any("95% Wilson interval" in " ".join(page.split()) for page in pages)


def test_a_plugin_command_help_may_hold_a_percent_sign(cli):
    done = cli("--help")
    assert_clean(done, 0)
    assert "100% escaped" in done.out and "%%" not in done.out


# -- the output folder -----------------------------------------------------------------------


def hold(folder, pid: int = 4242):
    """Claim `folder` as a running harness would: its lock file, flock'd, holding a pid."""
    folder.mkdir(parents=True, exist_ok=True)
    lock = open(folder / folders.LOCK_NAME, "w")  # noqa: SIM115 (held by the caller)
    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    lock.write(f"{pid}\n")
    lock.flush()
    return lock


def snapshot(folder) -> dict[str, bytes]:
    """The reports in `folder` (not the lock file)."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())
            if p.name != folders.LOCK_NAME}


def test_a_claimed_folder_is_refused_at_once_and_loses_nothing(cli, tmp_path):
    out = tmp_path / "out"
    assert cli(*run_args(out, HOLDING)).returncode == 0
    before = snapshot(out)
    lock = hold(out)
    try:
        done = cli(*run_args(out, HOLDING), "-b", f"hostile:message=embedded {tmp_path}")
        assert done.returncode == 2, done.err
        assert (f"-o {out}: another harness run (pid 4242) is writing its reports there"
                in done.err)
        assert "embedded" not in done.err  # refused before any embedding work
        assert snapshot(out) == before
    finally:
        lock.close()
    assert cli(*run_args(out, HOLDING)).returncode == 0  # released: the folder is free again
    assert not (out / folders.LOCK_NAME).exists()


@pytest.mark.slow
def test_two_runs_on_one_folder_at_once(cli, tmp_path):
    out, started, release = tmp_path / "out", tmp_path / "started", tmp_path / "release"
    first = cli(*run_args(out, HOLDING), "-b", f"waits:started={started},release={release}",
                popen=True)
    deadline = time.monotonic() + 300  # a bound on waiting, not a measurement
    while not started.exists() and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert started.exists(), first.communicate()
    second = cli(*run_args(out, FAILING))
    assert second.returncode == 2, second.err
    assert f"another harness run (pid {first.pid}) is writing its reports there" in (
        second.err.replace("\n", " "))
    release.touch()
    stdout, stderr = first.communicate(timeout=300)
    assert first.returncode == 0, stderr
    data = json.loads((out / "results.json").read_text())
    assert set(data["backends"]) == {"fake", f"waits:started={started},release={release}"}
    assert not (out / folders.LOCK_NAME).exists()


def test_output_naming_a_file_is_refused_before_the_work(cli, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("mine")
    done = cli(*run_args(blocker, HOLDING), "-b", "hostile:message=embedded")
    assert done.returncode == 2, done.err
    assert f"harness: error: -o {blocker} is a file: give a folder for the reports" in done.err
    assert "Errno" not in done.err and "embedded" not in done.err
    assert blocker.read_text() == "mine"


@pytest.mark.parametrize("where", ["the folder", "its parent"])
def test_a_read_only_folder_sends_the_reports_elsewhere_and_says_so(cli, tmp_path, where):
    parent = tmp_path / "parent"
    out = parent / "out"
    (out if where == "the folder" else parent).mkdir(parents=True)
    locked = out if where == "the folder" else parent
    locked.chmod(0o555)
    try:
        done = cli(*run_args(out, FAILING), permissions=True)
    finally:
        locked.chmod(0o755)
    assert done.returncode == 2, done.err  # the reports are not where they were asked for
    assert "Errno" not in done.err and "Traceback" not in done.err, done.err
    assert f"harness: warning: cannot write to {out} (permission denied); the reports will go " \
           "to " in done.err
    message = f"harness: error: cannot write reports to {out} (permission denied); they are in "
    assert message in done.err
    fallback = done.err.split(message)[1].split(" instead")[0]
    assert json.loads(Path(fallback, "results.json").read_text())["gates"]["held"] is False
    assert f"reports: {fallback}/" in done.out
    assert not (out / folders.LOCK_NAME).exists()
    shutil.rmtree(fallback)


def test_the_default_folder_taken_by_another_run_gets_a_suffix(tmp_path, monkeypatch):
    import argparse

    monkeypatch.setattr(common, "output_dir", lambda args, kind: tmp_path / "run-now")
    lock = hold(tmp_path / "run-now")
    try:
        with common.output_folder(argparse.Namespace(output=None), "run") as claim:
            assert claim.path == tmp_path / "run-now-2" and claim.why is None
            assert (claim.path / folders.LOCK_NAME).exists()
        assert not (tmp_path / "run-now-2").exists()  # made here, left empty: removed
    finally:
        lock.close()


def test_a_folder_made_for_a_run_that_fails_early_is_removed(cli, tmp_path):
    out = tmp_path / "a" / "b"
    done = cli(*run_args(out, HOLDING), "-b", "no-such-backend")
    assert done.returncode == 2
    assert not (tmp_path / "a").exists()
