"""harness/results/store.py: a run recorded comes back exact; filters, prefixes, removal;
export then import into an empty store reproduces every run; results.json files of 0.3 and
later import with an id derived from their bytes; the schema's migrations; where the store
lives (never the cache folder)."""

from __future__ import annotations

import json
import sqlite3
import uuid

import pytest

from harness.errors import HarnessError
from harness.pipeline.runner import run_suites
from harness.results import migrations
from harness.results.load import load_results
from harness.results.runs import RunInfo, exported_files, read_exported
from harness.results.store import Store, StoreError, data_dir, store_path
from harness.suites.validate import load_suite
from harness.testing import FakeBackend
from tests.helpers import POLYSEMY, ROOT
from tests.test_graded import GRADED


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    graded = tmp_path_factory.mktemp("suites") / "graded.yaml"
    graded.write_text(GRADED, encoding="utf-8")
    return run_suites([load_suite(POLYSEMY), load_suite(graded)],
                      [FakeBackend("fake"), FakeBackend("other", {"seed": 3})])


def info(created="2026-12-08T03:00:00+00:00", **labels) -> RunInfo:
    return RunInfo(id=uuid.uuid4().hex, created=created, harness_version="0.4.0",
                   command="harness run polysemy", commit="abc123", labels=labels)


def test_a_recorded_run_loads_back_exactly(tmp_path, results):
    store = Store(tmp_path / "s.sqlite")
    first = info(branch="main")
    assert store.record(results, first) == first.id
    back = store.load(first.id[:8])
    assert back.info == first
    assert back.results.to_dict() == results.to_dict()
    # the item tables hold every item: each expectation, each graded pair
    db = store.db
    assert db.execute("SELECT count(*) FROM ordering_items").fetchone()[0] == len(results.rows)
    assert db.execute("SELECT count(*) FROM graded_items").fetchone()[0] == \
        len(results.pair_rows) > 0
    margins = sorted(m for (m,) in db.execute("SELECT margin FROM ordering_items")
                     if m is not None)
    assert margins == sorted(r.margin for r in results.rows if r.margin is not None)
    kinds = dict(db.execute("SELECT name, kinds FROM run_suites"))
    assert json.loads(kinds["polysemy"]) == ["orderings"]
    assert json.loads(kinds["graded"]) == ["graded"]


def test_runs_filter_newest_first_and_ids_resolve(tmp_path, results):
    store = Store(tmp_path / "s.sqlite")
    old = info("2026-01-01T00:00:00+00:00", branch="main")
    new = info("2026-02-01T00:00:00+00:00", branch="dev")
    store.record(results, old)
    store.record(results, new)
    assert [i.id for i in store.runs()] == [new.id, old.id]
    assert [i.id for i in store.runs(labels={"branch": "main"})] == [old.id]
    assert store.runs(backend="nobody") == []
    assert len(store.runs(backend="other", suite="graded")) == 2
    assert [s.info for s in store.stored_runs(labels={"branch": "dev"})] == [new]
    with pytest.raises(StoreError, match="no run"):
        store.load("ffff")
    with pytest.raises(StoreError, match="not a run id"):
        store.load("xyz")
    with pytest.raises(StoreError, match="stored already"):
        store.record(results, old)
    assert store.delete(old.id[:10]) == old
    assert [i.id for i in store.runs()] == [new.id]
    db = store.db  # nothing of the removed run is left
    assert db.execute("SELECT count(*) FROM run_backends").fetchone()[0] == 2
    assert db.execute("SELECT count(*) FROM ordering_items").fetchone()[0] == len(results.rows)


def test_export_then_import_into_an_empty_store_reproduces_every_run(tmp_path, results):
    store = Store(tmp_path / "s.sqlite")
    made = [info(f"2026-0{m}-01T00:00:00+00:00", n=str(m)) for m in (1, 2, 3)]
    for each in made:
        store.record(results, each)
    files = store.export(tmp_path / "exported")
    assert sorted(files) == exported_files(tmp_path / "exported")
    assert read_exported(files[0]).results.to_dict() == results.to_dict()
    empty = Store(tmp_path / "empty.sqlite")
    done = empty.import_from([tmp_path / "exported"])
    assert (done.added, done.skipped) == (3, 0)
    assert empty.runs() == store.runs()
    for each in made:
        assert empty.load(each.id).results.to_dict() == store.load(each.id).results.to_dict()
    again = empty.import_from([tmp_path / "exported", store.path])  # deduplicated by id
    assert (again.added, again.skipped) == (0, 6)
    third = Store(tmp_path / "third.sqlite")  # from another store file
    assert third.import_from([store.path]).added == 3 and third.runs() == store.runs()


def test_export_replaces_a_link_in_the_folder_and_never_follows_it(tmp_path, results):
    store = Store(tmp_path / "s.sqlite")
    run = info()
    store.record(results, run)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    folder = tmp_path / "out"
    folder.mkdir()
    name = store.load(run.id).file_name()
    (folder / name).symlink_to(victim)
    store.export(folder)
    assert victim.read_text() == "keep"
    assert not (folder / name).is_symlink()
    assert read_exported(folder / name).info == run


def test_results_json_of_0_3_and_later_imports_once(tmp_path, results):
    folder = tmp_path / "reports" / "run-1"
    folder.mkdir(parents=True)
    data = results.to_dict()
    for key in ("tests", "selection", "measures"):  # keys 0.3 did not write
        data.pop(key, None)
    for record in data["backends"].values():  # 0.3 named the calibration `geometry`
        record["geometry"] = record.pop("calibration", None)
    (folder / "results.json").write_text(json.dumps(data))
    (folder / "wic.json").write_text("{}")  # no run: ignored
    baseline = ROOT / "reports" / "baselines" / "polysemy.json"  # written by an older harness
    store = Store(tmp_path / "s.sqlite")
    done = store.import_from([tmp_path / "reports", baseline])
    assert (done.added, done.skipped, len(done.ignored)) == (2, 0, 1)
    again = store.import_from([folder / "results.json", baseline])
    assert (again.added, again.skipped) == (0, 2)
    old = [s for s in store.stored_runs() if s.results.harness_version != "0.4.0"]
    assert old and old[0].results.to_dict() == load_results(baseline).to_dict()
    with pytest.raises(HarnessError, match="neither an exported run"):
        store.import_from([folder / "wic.json"])


def test_the_schema_is_versioned_by_its_migrations(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    assert store.schema_version == len(migrations.MIGRATIONS) >= 1
    assert migrations.applied(store.db) == [name for name, _ in migrations.MIGRATIONS]
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()
    db = sqlite3.connect(tmp_path / "s.sqlite")  # a newer harness's migration
    db.execute("INSERT INTO _migrations (name) VALUES ('m999_future')")
    db.execute("PRAGMA user_version = 999")
    db.commit()
    db.close()
    with pytest.raises(HarnessError, match="newer harness"):
        Store(tmp_path / "s.sqlite").runs()


def test_a_migration_added_later_is_applied_once(tmp_path, monkeypatch):
    Store(tmp_path / "s.sqlite").close()
    calls = []

    def m002_more(db):
        calls.append(1)
        db.execute("CREATE TABLE extra (x)")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS,
                                                   ("m002_more", m002_more)])
    for _ in range(2):
        with Store(tmp_path / "s.sqlite") as store:
            assert store.schema_version == 2
    assert calls == [1]


def test_where_the_store_lives(tmp_path, monkeypatch):
    monkeypatch.delenv("HARNESS_STORE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert store_path() == tmp_path / "data" / "wic-harness" / "store.sqlite"
    assert store_path(configured="x.sqlite").name == "x.sqlite"
    monkeypatch.setenv("HARNESS_STORE", str(tmp_path / "env.sqlite"))
    assert store_path(configured="x.sqlite") == tmp_path / "env.sqlite"
    assert store_path("cli.sqlite", "x.sqlite").name == "cli.sqlite"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert data_dir().parts[-3:] == (".local", "share", "wic-harness")
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(StoreError, match="cache folder"):
        Store(tmp_path / "cache" / "store.sqlite")


def test_reading_a_store_never_creates_it(tmp_path):
    store = Store(tmp_path / "none" / "s.sqlite")
    assert store.runs() == [] and store.stored_runs() == [] and len(store) == 0
    with pytest.raises(StoreError, match="no run"):
        store.load("abc")
    assert not (tmp_path / "none").exists()


def test_a_store_that_cannot_be_written_is_named(tmp_path, results):
    (tmp_path / "file").write_text("")
    with pytest.raises(StoreError, match="file/store.sqlite.*HARNESS_STORE"):
        Store(tmp_path / "file" / "store.sqlite").record(results)
