"""The results store: every finished run, kept in one SQLite file so that runs made weeks apart
can be listed, compared, ranked and used as baselines.

Where it lives: --store PATH, else `$HARNESS_STORE`, else `store = PATH` in harness.toml, else
`$XDG_DATA_HOME/wic-harness/store.sqlite` (`~/.local/share/wic-harness/store.sqlite`): the
user's data folder, never the cache folder (`harness cache clear` never touches a store, and a
store inside the cache folder is refused). What it keeps, per run: its `RunInfo`, its
results.json compressed (so `load` gives back the exact `Results`), and, for queries, its
backends, suites, summary rows and every item's result (harness/results/store_rows.py).

Concurrency: WAL, a busy timeout, and one transaction per run: several processes may record at
once, and a process killed mid-write leaves no part of its run (SQLite rolls it back)."""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from harness._version import __version__
from harness.files import atomic_write, cache_dir
from harness.results.model import Results
from harness.results.runs import RunInfo, StoredRun
from harness.results.store_blob import StoreError, pack, unpack

ENV_STORE = "HARNESS_STORE"
FILE_NAME = "store.sqlite"
BUSY_TIMEOUT_S = 600.0  # a writer waits this long for another's transaction (a busy CI box)
_COLUMNS = "id, created, harness_version, command, git_commit, labels"


def data_dir() -> Path:
    """The user's data folder for the harness: $XDG_DATA_HOME/wic-harness, else
    ~/.local/share/wic-harness."""
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "wic-harness"


def store_path(explicit: str | Path | None = None, configured: str | Path | None = None) -> Path:
    """Where the store is: `explicit` (--store), else `$HARNESS_STORE`, else `configured`
    (`store` of harness.toml), else the data folder's store.sqlite."""
    chosen = explicit or os.environ.get(ENV_STORE) or configured
    return Path(chosen).expanduser() if chosen else data_dir() / FILE_NAME


def new_info(results: Results | None = None, *, command: str = "", commit: str | None = None,
             labels: Mapping[str, str] | None = None, created: str | None = None) -> RunInfo:
    """A fresh RunInfo (a random id) for a run made now, or when `results` says it was."""
    when = created or (results.created if results is not None and results.created else
                       datetime.now(timezone.utc).isoformat(timespec="seconds"))
    version = results.harness_version if results is not None else __version__
    return RunInfo(id=uuid.uuid4().hex, created=when, harness_version=version or __version__,
                   command=command, commit=commit, labels=dict(labels or {}))


def _under(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


class Store:
    """A results store (see the module's docstring). `path`: the SQLite file (default:
    `store_path()`); it and its folder are made on first write."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path).expanduser() if path else store_path()
        if _under(self.path, cache_dir()):
            raise StoreError(f"{self.path}: a results store is data and cannot live in the "
                             f"cache folder ({cache_dir()}), which `harness cache clear` "
                             "empties; set HARNESS_STORE or `store` in harness.toml elsewhere")
        self._db: sqlite3.Connection | None = None

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _fail(self, exc: BaseException, doing: str) -> StoreError:
        return StoreError(f"{self.path}: the results store cannot be {doing} ({exc}); make its "
                          "folder writable, or set HARNESS_STORE (or `store` in harness.toml) "
                          "to another file, or give --no-store")

    @property
    def db(self) -> sqlite3.Connection:
        """The connection, opened (and the schema migrated) on first use."""
        if self._db is None:
            from harness.results.migrations import migrate

            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
                db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("PRAGMA synchronous = NORMAL")
                db.execute("PRAGMA foreign_keys = ON")
                migrate(db, str(self.path))
            except (OSError, sqlite3.Error) as exc:
                raise self._fail(exc, "opened") from None
            self._db = db
        return self._db

    @property
    def schema_version(self) -> int:
        """The number of migrations applied (harness/results/migrations.py)."""
        from harness.results.migrations import schema_version

        return schema_version(self.db)

    # -- writing ----------------------------------------------------------------------------
    def record(self, results: Results, info: RunInfo | None = None, *,
               study: tuple[str, Mapping[str, Any]] | None = None) -> str:
        """Keep a finished run, in one transaction; returns its id. `study`: (kind, content) of
        a study run (`harness wic`'s wic.json), kept beside it. A run whose id is already
        stored is an error (`import_from` skips those)."""
        info = info or new_info(results)
        blob = pack(results)
        db = self.db
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                self._write(db, info, results, blob, study)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        except sqlite3.IntegrityError:
            raise StoreError(f"{self.path}: a run with the id {info.id} is stored already") \
                from None
        except sqlite3.Error as exc:
            raise self._fail(exc, "written") from None
        return info.id

    def _write(self, db: sqlite3.Connection, info: RunInfo, results: Results, blob: bytes,
               study: tuple[str, Mapping[str, Any]] | None) -> None:
        """The inserts of one run (inside record's transaction)."""
        from harness.results.store_rows import write_rows

        db.execute(f"INSERT INTO runs ({_COLUMNS}, kind, results) VALUES (?,?,?,?,?,?,?,?)",
                   (info.id, info.created, info.harness_version, info.command, info.commit,
                    json.dumps(info.labels, sort_keys=True), study[0] if study else "run",
                    blob))
        db.executemany("INSERT INTO run_labels VALUES (?,?,?)",
                       [(info.id, k, v) for k, v in info.labels.items()])
        if study:
            db.execute("INSERT INTO studies VALUES (?,?,?)",
                       (info.id, study[0], json.dumps(study[1], sort_keys=True)))
        write_rows(db, info.id, results)

    def delete(self, run_id: str) -> RunInfo:
        """Remove a run (an id or a unique prefix of one); returns what it was."""
        info = self.info(run_id)
        try:
            with_tx = self.db
            with_tx.execute("BEGIN IMMEDIATE")
            try:
                with_tx.execute("DELETE FROM runs WHERE id = ?", (info.id,))
                with_tx.execute("COMMIT")
            except BaseException:
                with_tx.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise self._fail(exc, "written") from None
        return info

    # -- reading ----------------------------------------------------------------------------
    def _query(self, sql: str, params: Iterable[Any] = ()) -> list[tuple]:
        """The rows of a read-only query; none from a store not made yet (reading never
        creates one)."""
        if self._db is None and not self.path.exists():
            return []
        try:
            return self.db.execute(sql, tuple(params)).fetchall()
        except sqlite3.Error as exc:
            raise self._fail(exc, "read") from None

    def _where(self, backend: str | None, suite: str | None,
               labels: Mapping[str, str] | None) -> tuple[str, list[Any]]:
        clauses, params = [], []
        if backend is not None:
            clauses.append("EXISTS (SELECT 1 FROM run_backends b WHERE b.run_id = runs.id "
                           "AND b.name = ?)")
            params.append(backend)
        if suite is not None:
            clauses.append("EXISTS (SELECT 1 FROM run_suites s WHERE s.run_id = runs.id "
                           "AND s.name = ?)")
            params.append(suite)
        for key, value in (labels or {}).items():
            clauses.append("EXISTS (SELECT 1 FROM run_labels l WHERE l.run_id = runs.id "
                           "AND l.key = ? AND l.value = ?)")
            params += [key, value]
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def runs(self, backend: str | None = None, suite: str | None = None,
             labels: Mapping[str, str] | None = None) -> list[RunInfo]:
        """The stored runs, newest first; only those with a backend named `backend`, a suite
        named `suite`, and every label of `labels`, when given."""
        where, params = self._where(backend, suite, labels)
        rows = self._query(f"SELECT {_COLUMNS} FROM runs{where} "
                           "ORDER BY created DESC, rowid DESC", params)
        return [_info(row) for row in rows]

    def stored_runs(self, backend: str | None = None, suite: str | None = None,
                    labels: Mapping[str, str] | None = None) -> list[StoredRun]:
        """The runs of `runs(...)` with their Results, newest first, in one query."""
        where, params = self._where(backend, suite, labels)
        rows = self._query(f"SELECT {_COLUMNS}, results FROM runs{where} "
                           "ORDER BY created DESC, rowid DESC", params)
        return [StoredRun(_info(row[:6]), unpack(row[6], f"{self.path} run {row[0]}"))
                for row in rows]

    def info(self, run_id: str) -> RunInfo:
        """The RunInfo of a run, by its id or a unique prefix of it."""
        prefix = run_id.strip().lower()
        if not prefix or any(c not in "0123456789abcdef" for c in prefix):
            raise StoreError(f"{run_id!r} is not a run id (hex digits; `harness runs list` "
                             "shows them)")
        rows = self._query(f"SELECT {_COLUMNS} FROM runs WHERE id LIKE ? LIMIT 2",
                           (prefix + "%",))
        if not rows:
            raise StoreError(f"{self.path}: no run {run_id} in the store (`harness runs list` "
                             "shows the runs)")
        if len(rows) > 1:
            raise StoreError(f"{self.path}: several runs start with {run_id}; give more of "
                             "the id")
        return _info(rows[0])

    def load(self, run_id: str) -> StoredRun:
        """A run, by its id or a unique prefix of it, with its exact Results."""
        info = self.info(run_id)
        (blob,), = self._query("SELECT results FROM runs WHERE id = ?", (info.id,))
        return StoredRun(info, unpack(blob, f"{self.path} run {info.id}"))

    def study(self, run_id: str) -> tuple[str, dict[str, Any]] | None:
        """A study run's (kind, content): `harness wic`'s wic.json; None for a `harness run`."""
        info = self.info(run_id)
        rows = self._query("SELECT kind, content FROM studies WHERE run_id = ?", (info.id,))
        return (rows[0][0], json.loads(rows[0][1])) if rows else None

    def __contains__(self, run_id: object) -> bool:
        return bool(self._query("SELECT 1 FROM runs WHERE id = ?", (run_id,)))

    def __len__(self) -> int:
        return sum(n for (n,) in self._query("SELECT count(*) FROM runs"))

    # -- export and import ------------------------------------------------------------------
    def export(self, folder: str | Path, ids: Iterable[str] | None = None) -> list[Path]:
        """Write each run (every one, or those of `ids`) as one exported file in `folder`
        (`StoredRun.to_dict`, named `StoredRun.file_name`), atomically; a symbolic link in
        the folder is replaced, never followed. Returns the files written."""
        folder = Path(folder)
        chosen = [self.info(i).id for i in ids] if ids else [i.id for i in self.runs()]
        written = []
        for run_id in chosen:
            stored = self.load(run_id)
            target = folder / stored.file_name()
            text = json.dumps(stored.to_dict(), indent=1, sort_keys=False) + "\n"
            try:
                atomic_write(target, text)  # os.replace: a link there is replaced, not followed
            except OSError as exc:
                raise StoreError(f"{target}: cannot be written ({exc})") from None
            written.append(target)
        return written

    def import_from(self, paths: Iterable[str | Path]):
        """Add the runs of exported folders or files, other stores, and results.json files or
        folders (0.3 and later); runs already stored (by id) are skipped. Returns the counts
        (`harness.results.store_import.Imported`)."""
        from harness.results.store_import import import_into

        return import_into(self, [Path(p) for p in paths])


def _info(row: tuple) -> RunInfo:
    run_id, created, version, command, commit, labels = row
    return RunInfo(id=run_id, created=created, harness_version=version, command=command,
                   commit=commit, labels=json.loads(labels))
