"""A content-addressed, on-disk cache of vectors, in one SQLite file under the cache folder.

An entry's key is a digest of the backend's fingerprint (its weights and every option that
changes vectors), a salt (the versions of the harness and of the libraries that compute the
vectors, so that an upgrade never serves old vectors), the text and the target span. Writes
go in transactions, so a killed run leaves no half-written entry and concurrent runs do not
corrupt the file (WAL mode). Each entry carries a CRC: a damaged one is detected, dropped and
recomputed. A vector a backend could not give (an unknown word) is cached as its reason, so a
warm run needs no model at all.

The cache is an optimisation: any problem with it (a folder that cannot be made, a read-only
file or folder, a damaged database) is one warning that names the path and the fix, and the run
goes on without it, or reading it only. A healthy database is never moved; a file that is not a
database at all is moved aside. `clear` removes whatever is there, or the vectors of some
fingerprints.

Table `fingerprints`: each fingerprint's backends (name, plugin, options not at their default)
and last use, for `harness cache info` and `clear --backend`; a cache made before it gets it
when next written (until then its fingerprints are unknown).
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np

from harness.backend import Item
from harness.errors import HarnessError
from harness.files import ENV_CACHE_DIR, cache_dir

log = logging.getLogger("harness.cache")

FILE_NAME = "embeddings.sqlite3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    key BLOB PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    dim INTEGER NOT NULL,
    data BLOB,
    reason TEXT,
    crc INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS vectors_by_fingerprint ON vectors (fingerprint);
CREATE TABLE IF NOT EXISTS backends (
    key BLOB PRIMARY KEY,
    used TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS fingerprints (
    fingerprint TEXT NOT NULL,
    name TEXT NOT NULL,
    plugin TEXT NOT NULL,
    options TEXT NOT NULL,
    used REAL NOT NULL,
    PRIMARY KEY (fingerprint, name)
) WITHOUT ROWID;
"""
_CHUNK = 500  # keys per SELECT (SQLite's variable limit is far above this)
_HEADER = b"SQLite format 3\x00"
FIX = (f"run `harness cache clear`, point {ENV_CACHE_DIR} at a folder you can write, or run "
       "with --no-cache")
T = TypeVar("T")


def entry_key(fingerprint: str, item: Item, salt: str = "") -> bytes:
    span = "" if item.span is None else f"{item.span[0]}:{item.span[1]}"
    return hashlib.sha256(f"{fingerprint}\0{salt}\0{span}\0{item.text}".encode()).digest()[:20]


def _fact_key(fingerprint: str, salt: str, kind: str) -> bytes:
    # "used" keeps the key it had before there were other kinds of fact, so that caches made
    # then still say what their backends used
    tail = "" if kind == "used" else f"\0{kind}"
    return hashlib.sha256(f"{fingerprint}\0{salt}{tail}".encode()).digest()[:20]


def _crc(dim: int, data: bytes | None, reason: str | None) -> int:
    payload = (data or b"") + (reason or "").encode()
    return zlib.crc32(payload, dim)


@dataclass(frozen=True)
class FingerprintInfo:
    """One fingerprint's entries, their bytes, its backends ({name, plugin, options}) and when
    it was last used (seconds since the epoch); no backends and None: unknown."""

    fingerprint: str
    entries: int
    bytes: int
    backends: list[dict] = field(default_factory=list)
    last_used: float | None = None


@dataclass(frozen=True)
class CacheInfo:
    path: Path
    entries: int
    bytes: int
    backends: list[tuple[str, int]]  # (fingerprint, entries)
    problem: str = ""  # why the cache cannot be read, if it cannot
    fingerprints: list[FingerprintInfo] = field(default_factory=list)  # most entries first


class EmbeddingCache:
    """Vectors (float32) or reasons, by backend fingerprint and (text, span)."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else cache_dir() / FILE_NAME
        self._db: sqlite3.Connection | None = None
        self.mode = "closed"  # closed, read-write, read-only, off
        self.problem = ""  # the warning given when the cache stopped being written or read

    # -- the connection -------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection | None:
        """The database, opened on first use; None when it cannot be used."""
        if self._db is None and self.mode == "closed":
            self._db = self._open()
        return self._db

    def _open(self) -> sqlite3.Connection | None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return self._give_up(f"its folder cannot be made ({exc})")
        if self.path.is_file() and not self._looks_like_sqlite():
            aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
            try:
                self.path.replace(aside)
            except OSError as exc:
                return self._give_up(f"it is not a database, and cannot be moved aside ({exc})")
            log.warning("embedding cache %s is not a database; moved to %s, starting a new one",
                        self.path, aside)
        try:
            db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
            self.mode = "read-write"
            return db
        except sqlite3.Error as exc:
            return self._read_only(exc)

    def _looks_like_sqlite(self) -> bool:
        try:
            with open(self.path, "rb") as handle:
                return handle.read(len(_HEADER)) in (_HEADER, b"")
        except OSError:
            return True  # unreadable: not ours to move

    def _read_only(self, why: Exception) -> sqlite3.Connection | None:
        """The database opened for reading, when it cannot be written."""
        try:
            db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro&immutable=1", uri=True,
                                 isolation_level=None)
            db.execute("SELECT count(*) FROM vectors").fetchone()
        except sqlite3.Error as exc:
            return self._give_up(f"it cannot be opened ({why}; {exc})")
        self._now_read_only(why)
        return db

    def _now_read_only(self, why: Exception) -> None:
        self.mode = "read-only"
        self.problem = (f"embedding cache {self.path} cannot be written ({why}); cached vectors "
                        f"are read, new ones are not kept. Fix: {FIX}")
        log.warning("%s", self.problem)

    def _give_up(self, why: str) -> None:
        """Stop using the cache, with one warning; the run goes on without it."""
        if self._db is not None:
            try:
                self._db.close()
            except sqlite3.Error:
                pass
        self._db, self.mode = None, "off"
        self.problem = (f"embedding cache {self.path}: {why}; the run goes on without the cache. "
                        f"Fix: {FIX}")
        log.warning("%s", self.problem)
        return None

    def _safely(self, what: str, work: Callable[[sqlite3.Connection], T], default: T) -> T:
        """`work(db)`, or `default` when the cache is off or fails: then it is read only (a
        file that cannot be written) or turned off."""
        db = self._connect()
        if db is None:
            return default
        try:
            return work(db)
        except sqlite3.OperationalError as exc:
            if "readonly" in str(exc) and self.mode == "read-write":
                self._now_read_only(exc)
            else:
                self._give_up(f"{what} failed ({exc})")
            return default
        except (sqlite3.Error, OSError) as exc:
            self._give_up(f"{what} failed ({exc})")
            return default

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        if self.mode != "off":
            self.mode = "closed"

    # -- reading and writing --------------------------------------------------------------------
    def get(self, fingerprint: str, items: Sequence[Item],
            salt: str = "") -> dict[int, np.ndarray | str]:
        """Cached entries of `items`, by position: a float32 vector, or the reason there is
        none. Damaged entries are left out (and so recomputed), with one warning."""
        keys = [entry_key(fingerprint, item, salt) for item in items]
        where = {k: i for i, k in enumerate(keys)}

        def read(db: sqlite3.Connection) -> dict[int, np.ndarray | str]:
            found: dict[int, np.ndarray | str] = {}
            damaged = 0
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start : start + _CHUNK]
                rows = db.execute(
                    f"SELECT key, dim, data, reason, crc FROM vectors WHERE key IN "
                    f"({','.join('?' * len(chunk))})", chunk)
                for key, dim, data, reason, crc in rows:
                    good = _crc(dim, data, reason) == crc and (
                        reason is not None or (data is not None and len(data) == 4 * dim))
                    if not good:
                        damaged += 1
                        continue
                    found[where[key]] = reason if reason is not None else np.frombuffer(
                        data, dtype=np.float32)
            if damaged:
                log.warning("embedding cache %s: %d damaged entries of backend %s; they are "
                            "recomputed", self.path, damaged, fingerprint)
            return found

        return self._safely("reading", read, {})

    def get_fact(self, fingerprint: str, salt: str, kind: str) -> dict | None:
        """A fact about a backend stored with its vectors: what it settled on when it made
        them (kind "used"), or what the reference sample says about it (its calibration)."""
        def read(db: sqlite3.Connection) -> dict | None:
            row = db.execute("SELECT used FROM backends WHERE key = ?",
                             (_fact_key(fingerprint, salt, kind),)).fetchone()
            try:
                return None if row is None else json.loads(row[0])
            except ValueError:  # not what put_fact wrote: as if absent, computed afresh
                return None

        return self._safely("reading", read, None)

    def put_fact(self, fingerprint: str, salt: str, kind: str, fact: dict) -> None:
        if self._connect() is None or self.mode == "read-only":
            return
        self._safely("writing", lambda db: db.execute(
            "INSERT OR REPLACE INTO backends VALUES (?, ?)",
            (_fact_key(fingerprint, salt, kind), json.dumps(fact))), None)

    def get_used(self, fingerprint: str, salt: str = "") -> dict | None:
        """What the backend settled on when it made the cached vectors (`Backend.used`)."""
        return self.get_fact(fingerprint, salt, "used")

    def put(self, fingerprint: str, items: Sequence[Item], vectors: np.ndarray,
            reasons: dict[int, str], salt: str = "", used: dict | None = None,
            backend: dict | None = None) -> None:
        """Store rows of `vectors` (or, where `reasons` has the row, the reason) for `items`,
        what the backend settled on to make them, and the backend ({name, plugin, options},
        `note`). Nothing when the cache is read-only."""
        if self._connect() is None or self.mode == "read-only":
            return
        rows = []
        for i, item in enumerate(items):
            if i in reasons:
                data, reason = None, reasons[i]
            else:
                data, reason = np.ascontiguousarray(vectors[i], dtype=np.float32).tobytes(), None
            dim = vectors.shape[1]
            rows.append((entry_key(fingerprint, item, salt), fingerprint, dim, data, reason,
                         _crc(dim, data, reason)))

        def write(db: sqlite3.Connection) -> None:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?, ?, ?)", rows)
                if used is not None:
                    db.execute("INSERT OR REPLACE INTO backends VALUES (?, ?)",
                               (_fact_key(fingerprint, salt, "used"), json.dumps(used)))
                if backend is not None:
                    _note(db, fingerprint, backend)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

        self._safely("writing", write, None)

    def note(self, fingerprint: str, backend: dict) -> None:
        """Record that `backend` ({name, plugin, options}) used `fingerprint`'s vectors now.
        Nothing when the cache is read-only."""
        if self._connect() is None or self.mode == "read-only":
            return
        self._safely("writing", lambda db: _note(db, fingerprint, backend), None)

    # -- maintenance ----------------------------------------------------------------------------
    def info(self) -> CacheInfo:
        """What the cache holds, or why it cannot be read (`problem`)."""
        if not self.path.exists():
            return CacheInfo(self.path, 0, 0, [])
        size = sum(p.stat().st_size for p in self.path.parent.glob(f"{self.path.name}*")
                   if p.is_file())
        counts = self._safely("reading", lambda db: db.execute(
            "SELECT fingerprint, COUNT(*), SUM(COALESCE(LENGTH(data), 0) + "
            "COALESCE(LENGTH(reason), 0)) FROM vectors GROUP BY fingerprint "
            "ORDER BY COUNT(*) DESC, fingerprint").fetchall(), None)
        if counts is None:
            return CacheInfo(self.path, 0, size, [], self.problem)
        known = self._recorded()
        fingerprints = [FingerprintInfo(fp, n, nbytes or 0, *known.get(fp, ([], None)))
                        for fp, n, nbytes in counts]
        return CacheInfo(self.path, sum(f.entries for f in fingerprints), size,
                         [(f.fingerprint, f.entries) for f in fingerprints],
                         fingerprints=fingerprints)

    def _recorded(self) -> dict[str, tuple[list[dict], float]]:
        """Each recorded fingerprint's backends and last use ({}: a cache that has no record,
        made before there was one, or one that cannot be read)."""
        out: dict[str, tuple[list[dict], float]] = {}
        try:
            for fp, name, plugin, options, used in self._db.execute(  # type: ignore[union-attr]
                    "SELECT fingerprint, name, plugin, options, used FROM fingerprints "
                    "ORDER BY used DESC"):
                backends, last = out.get(fp, ([], used))
                backends.append({"name": name, "plugin": plugin, "options": json.loads(options)})
                out[fp] = (backends, max(last, used))
        except (sqlite3.Error, ValueError, TypeError, AttributeError):
            return {}  # no table (a cache made before it, read only) or a damaged one
        return out

    def clear(self, fingerprints: Sequence[str] | None = None) -> int | None:
        """Remove every entry, or the entries and records of `fingerprints` (what those backends
        settled on and their calibrations stay: small, and true of the fingerprint); returns how
        many (None: a file that could not be read as a cache is removed whole). A file that
        cannot be removed, or changed, is a HarnessError naming it."""
        if not self.path.exists():
            return 0
        self.close()
        some = list(fingerprints or [])
        if fingerprints is not None and not some:
            return 0
        marks = ",".join("?" * len(some))
        where = "" if fingerprints is None else f" WHERE fingerprint IN ({marks})"
        try:
            db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            try:
                db.executescript(_SCHEMA)  # a cache made before the table of fingerprints
                db.execute("BEGIN IMMEDIATE")
                count = db.execute(f"DELETE FROM vectors{where}", some).rowcount
                db.execute(f"DELETE FROM fingerprints{where}", some)
                if fingerprints is None:
                    db.execute("DELETE FROM backends")
                db.execute("COMMIT")
                _vacuum(db, must=fingerprints is None)
                return count
            finally:
                db.close()
        except sqlite3.Error as exc:  # damaged, read-only, not a database: the files go
            if fingerprints is not None:
                raise HarnessError(f"cannot remove entries from the embedding cache {self.path} "
                                   f"({exc}); `harness cache clear` alone removes it whole"
                                   ) from None
        for file in [self.path, *self.path.parent.glob(f"{self.path.name}-*")]:
            try:
                file.unlink(missing_ok=True)
            except OSError as exc:
                raise HarnessError(f"cannot remove the embedding cache {file} ({exc}); remove it "
                                   "by hand, or fix its folder's permissions") from None
        return None


def _note(db: sqlite3.Connection, fingerprint: str, backend: dict) -> None:
    db.execute("INSERT OR REPLACE INTO fingerprints VALUES (?, ?, ?, ?, ?)",
               (fingerprint, str(backend.get("name", "")), str(backend.get("plugin", "")),
                json.dumps(backend.get("options", {}), sort_keys=True, default=str),
                time.time()))


def _vacuum(db: sqlite3.Connection, must: bool) -> None:
    """Give the freed pages back to the disk. Another run reading the cache may prevent it
    (unless `must`, the pages are then reused)."""
    try:
        db.execute("VACUUM")
    except sqlite3.Error:
        if must:
            raise
