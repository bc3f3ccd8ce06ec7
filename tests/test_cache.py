"""The embedding cache inspected and cleared in parts: which backend (name, plugin, options) each
fingerprint belongs to and when it was last used, `harness cache info [--json]`, and `harness
cache clear --backend/--fingerprint/--older-than`; a cache made before the record still works."""

from __future__ import annotations

import json
import sqlite3
import time

import numpy as np
import pytest

from harness.backend import Item
from harness.cli import main
from harness.cli.cache import chosen_fingerprints
from harness.pipeline.embedding_cache import EmbeddingCache, FingerprintInfo
from harness.pipeline.runner import run_suites
from harness.suites.named import load
from harness.testing import FakeBackend
from tests.helpers import POLYSEMY

ITEMS = [Item("A mouse.", (2, 7)), Item("A rat.", (2, 5))]
OLD_SCHEMA = """
CREATE TABLE vectors (key BLOB PRIMARY KEY, fingerprint TEXT NOT NULL, dim INTEGER NOT NULL,
                      data BLOB, reason TEXT, crc INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE backends (key BLOB PRIMARY KEY, used TEXT NOT NULL) WITHOUT ROWID;
"""


@pytest.fixture
def cache(tmp_path):
    store = EmbeddingCache(tmp_path / "e.sqlite3")
    yield store
    store.close()


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """The CLI's cache folder."""
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def old_cache(path) -> None:
    """A cache as the harness made it before it recorded backends: two fingerprints."""
    from harness.pipeline.embedding_cache import _crc, entry_key

    db = sqlite3.connect(path)
    db.executescript(OLD_SCHEMA)
    for fp in ("aaaa1111", "bbbb2222"):
        for item in ITEMS:
            data = np.ones(2, dtype=np.float32).tobytes()
            db.execute("INSERT INTO vectors VALUES (?, ?, ?, ?, ?, ?)",
                       (entry_key(fp, item), fp, 2, data, None, _crc(2, data, None)))
    db.commit()
    db.close()


def by_fingerprint(store: EmbeddingCache) -> dict[str, FingerprintInfo]:
    return {f.fingerprint: f for f in store.info().fingerprints}


def test_a_run_records_each_backend_of_a_fingerprint(cache):
    suite = load(POLYSEMY)
    before = time.time()
    run_suites([suite], [FakeBackend("one"), FakeBackend("two", {"seed": 1})], cache=cache,
               reference=False)
    run_suites([suite], [FakeBackend("alias")], cache=cache, reference=False)  # warm
    info = cache.info()
    assert info.entries == 16 and len(info.fingerprints) == 2
    one = by_fingerprint(cache)[FakeBackend("one").fingerprint(raw=True)]
    assert [b["name"] for b in one.backends] == ["alias", "one"]  # the latest first
    assert one.backends[0]["plugin"] == "fake" and one.backends[1]["options"]["seed"] == 0
    assert one.entries == 8 and one.bytes == 8 * 8 * 4  # eight float32 vectors of eight
    assert before <= one.last_used <= time.time()
    two = by_fingerprint(cache)[FakeBackend("two", {"seed": 1}).fingerprint(raw=True)]
    assert [(b["name"], b["options"]["seed"]) for b in two.backends] == [("two", 1)]


def test_a_warm_run_counts_as_a_use(cache):
    suite = load(POLYSEMY)
    run_suites([suite], [FakeBackend("f")], cache=cache, reference=False)
    cache._connect().execute("UPDATE fingerprints SET used = 0")
    [old] = cache.info().fingerprints
    assert old.last_used == 0
    warm = FakeBackend("f")
    run_suites([suite], [warm], cache=cache, reference=False)
    assert warm.calls == [] and cache.info().fingerprints[0].last_used > 0


def test_an_old_cache_still_works_and_is_migrated_in_place(tmp_path):
    path = tmp_path / "e.sqlite3"
    old_cache(path)
    reader = EmbeddingCache(path)
    reader._db = reader._read_only(Exception("as if it could not be written"))  # no migration
    info = reader.info()
    assert info.entries == 4 and [(f.backends, f.last_used) for f in info.fingerprints] == [
        ([], None), ([], None)]
    reader.close()
    store = EmbeddingCache(path)
    assert len(store.get("aaaa1111", ITEMS)) == 2  # its vectors are served
    store.put("cccc3333", ITEMS, np.ones((2, 2), dtype=np.float32), {},
              backend={"name": "new", "plugin": "fake", "options": {}})
    recorded = by_fingerprint(store)
    assert recorded["cccc3333"].backends[0]["name"] == "new"
    assert recorded["aaaa1111"].backends == []
    store.close()


def test_clear_some_fingerprints_keeps_the_others(cache):
    for fp, name in (("aaaa1111", "a"), ("bbbb2222", "b")):
        cache.put(fp, ITEMS, np.ones((2, 2), dtype=np.float32), {}, used={"x": 1},
                  backend={"name": name, "plugin": "fake", "options": {}})
    assert cache.clear(["aaaa1111"]) == 2
    assert list(by_fingerprint(cache)) == ["bbbb2222"]
    assert cache.get("aaaa1111", ITEMS) == {} and len(cache.get("bbbb2222", ITEMS)) == 2
    assert cache.get_used("bbbb2222") == {"x": 1}
    assert cache.clear([]) == 0
    assert cache.clear() == 2 and cache.info().fingerprints == []


def test_clear_of_an_old_cache(tmp_path):
    path = tmp_path / "e.sqlite3"
    old_cache(path)
    assert EmbeddingCache(path).clear(["bbbb2222"]) == 2
    old_cache(tmp_path / "f.sqlite3")
    assert EmbeddingCache(tmp_path / "f.sqlite3").clear() == 4


def info(fp: str, names: list[str], used: float | None) -> FingerprintInfo:
    return FingerprintInfo(fp, 1, 1, [{"name": n, "plugin": "p", "options": {}} for n in names],
                           used)


FINGERPRINTS = [info("aaaa1111", ["minilm"], 100 * 86400), info("aaab2222", ["minilm", "m2"],
                                                                  10 * 86400),
                info("cccc3333", ["glove-50d"], 99 * 86400), info("dddd4444", [], None)]


@pytest.mark.parametrize(("names", "prefixes", "days", "expected"), [
    (["minilm"], [], None, ["aaaa1111", "aaab2222"]),
    (["m2", "glove-50d"], [], None, ["aaab2222", "cccc3333"]),
    ([], ["aaaa", "CCC"], None, ["aaaa1111", "cccc3333"]),
    ([], [], 5, ["aaab2222", "dddd4444"]),  # unknown use counts as old
    (["minilm"], [], 5, ["aaab2222"]),  # every option must hold
    ([], [], 0.5, ["aaaa1111", "aaab2222", "cccc3333", "dddd4444"]),
])
def test_the_options_of_clear_choose_fingerprints(names, prefixes, days, expected):
    assert chosen_fingerprints(FINGERPRINTS, names, prefixes, days,
                               now=100 * 86400 + 43200 + 1) == expected


@pytest.mark.parametrize(("names", "prefixes", "message"), [
    (["minlm"], [], "--backend minlm: no fingerprint in the cache is recorded under that name "
                    "(did you mean 'minilm'?)"),
    ([], ["aaa"], "--fingerprint aaa: starts several fingerprints"),
    ([], ["eeee"], "--fingerprint eeee: is in no fingerprint"),
])
def test_a_name_or_prefix_that_chooses_nothing_is_an_error(names, prefixes, message):
    from harness.errors import HarnessError

    with pytest.raises(HarnessError) as caught:
        chosen_fingerprints(FINGERPRINTS, names, prefixes, None)
    assert message in str(caught.value)


def filled(folder) -> EmbeddingCache:
    store = EmbeddingCache(folder / "embeddings.sqlite3")
    for fp, name in (("aaaa1111", "minilm"), ("bbbb2222", "glove-50d")):
        store.put(fp, ITEMS, np.ones((2, 2), dtype=np.float32), {},
                  backend={"name": name, "plugin": "p", "options": {"model": "x"}})
    store.close()
    return store


def test_cli_info_lists_fingerprints_with_their_backends(folder, capsys):
    filled(folder)
    old_cache(folder / "old.sqlite3")
    assert main(["cache", "info"]) == 0
    out = capsys.readouterr().out
    assert "4 entries" in out and "2 backend fingerprints" in out
    assert "aaaa1111" in out and "minilm (p: model=x)" in out and "glove-50d (p: model=x)" in out
    assert main(["cache", "info", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["entries"] == 4 and data["problem"] is None
    [first] = [f for f in data["fingerprints"] if f["fingerprint"] == "aaaa1111"]
    assert first["entries"] == 2 and first["bytes"] == 16
    assert first["backends"] == [{"name": "minilm", "plugin": "p", "options": {"model": "x"}}]
    assert first["last_used"].endswith("+00:00")


def test_cli_info_of_an_old_cache_says_unknown(folder, capsys):
    folder.mkdir()
    old_cache(folder / "embeddings.sqlite3")
    assert main(["cache", "info"]) == 0
    assert "unknown" in capsys.readouterr().out


def test_cli_clear_in_parts(folder, capsys):
    filled(folder)
    assert main(["cache", "clear", "--backend", "minlm"]) == 2
    assert "(did you mean 'minilm'?)" in capsys.readouterr().err
    assert main(["cache", "clear", "--backend", "minilm"]) == 0
    assert "removed 2 entries of 1 fingerprint from" in capsys.readouterr().out
    assert main(["cache", "clear", "--fingerprint", "bbbb", "--older-than", "1"]) == 0
    assert "removed 0 entries of 0 fingerprints" in capsys.readouterr().out  # used just now
    assert main(["cache", "clear", "--older-than", "-1"]) == 2
    assert main(["cache", "clear", "--fingerprint", "bbbb"]) == 0
    assert "removed 2 entries of 1 fingerprint" in capsys.readouterr().out
    filled(folder)
    assert main(["cache", "clear"]) == 0  # alone: everything, as ever
    assert "removed 4 entries" in capsys.readouterr().out


def test_cli_clear_in_parts_of_a_damaged_cache_is_an_error(folder, capsys):
    folder.mkdir()
    (folder / "embeddings.sqlite3").write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    assert main(["cache", "clear", "--backend", "x"]) == 2
    assert "`harness cache clear` alone removes it whole" in capsys.readouterr().err
    assert main(["cache", "clear"]) == 0
