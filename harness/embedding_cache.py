"""A content-addressed, on-disk cache of vectors, in one SQLite file under the cache folder.

An entry's key is a digest of the backend's fingerprint (its weights and every option that
changes vectors), a salt (the versions of the harness and of the libraries that compute the
vectors, so that an upgrade never serves old vectors), the text and the target span. Writes
go in transactions, so a killed run leaves no half-written entry and concurrent runs do not
corrupt the file (WAL mode). Each entry
carries a CRC: a damaged one is detected, dropped and recomputed. A vector a backend could not
give (an unknown word) is cached as its reason, so a warm run needs no model at all.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import time
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from harness.backend import Item
from harness.cache_folder import cache_dir

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
"""
_CHUNK = 500  # keys per SELECT (SQLite's variable limit is far above this)


def entry_key(fingerprint: str, item: Item, salt: str = "") -> bytes:
    span = "" if item.span is None else f"{item.span[0]}:{item.span[1]}"
    return hashlib.sha256(f"{fingerprint}\0{salt}\0{span}\0{item.text}".encode()).digest()[:20]


def _backend_key(fingerprint: str, salt: str) -> bytes:
    return hashlib.sha256(f"{fingerprint}\0{salt}".encode()).digest()[:20]


def _crc(dim: int, data: bytes | None, reason: str | None) -> int:
    payload = (data or b"") + (reason or "").encode()
    return zlib.crc32(payload, dim)


@dataclass(frozen=True)
class CacheInfo:
    path: Path
    entries: int
    bytes: int
    backends: list[tuple[str, int]]  # (fingerprint, entries)


class EmbeddingCache:
    """Vectors (float32) or reasons, by backend fingerprint and (text, span)."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else cache_dir() / FILE_NAME
        self._db: sqlite3.Connection | None = None

    # -- the connection -------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._db = self._open()
            except sqlite3.DatabaseError as exc:  # not a database at all: keep it aside
                aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
                log.warning("embedding cache %s is unreadable (%s); moved to %s, starting a "
                            "new one", self.path, exc, aside)
                self.path.replace(aside)
                self._db = self._open()
        return self._db

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self._connect()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # -- reading and writing --------------------------------------------------------------------
    def get(self, fingerprint: str, items: Sequence[Item],
            salt: str = "") -> dict[int, np.ndarray | str]:
        """Cached entries of `items`, by position: a float32 vector, or the reason there is
        none. Damaged entries are left out (and so recomputed)."""
        keys = [entry_key(fingerprint, item, salt) for item in items]
        where = {k: i for i, k in enumerate(keys)}
        found: dict[int, np.ndarray | str] = {}
        db = self._connect()
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start : start + _CHUNK]
            rows = db.execute(
                f"SELECT key, dim, data, reason, crc FROM vectors WHERE key IN "
                f"({','.join('?' * len(chunk))})", chunk)
            for key, dim, data, reason, crc in rows:
                good = _crc(dim, data, reason) == crc and (
                    reason is not None or (data is not None and len(data) == 4 * dim))
                if not good:
                    log.warning("embedding cache: a damaged entry for backend %s; recomputing",
                                fingerprint)
                    continue
                found[where[key]] = reason if reason is not None else np.frombuffer(
                    data, dtype=np.float32)
        return found

    def get_used(self, fingerprint: str, salt: str = "") -> dict | None:
        """What the backend settled on when it made the cached vectors (`Backend.used`)."""
        row = self._connect().execute("SELECT used FROM backends WHERE key = ?",
                                      (_backend_key(fingerprint, salt),)).fetchone()
        return None if row is None else json.loads(row[0])

    def put(self, fingerprint: str, items: Sequence[Item], vectors: np.ndarray,
            reasons: dict[int, str], salt: str = "", used: dict | None = None) -> None:
        """Store rows of `vectors` (or, where `reasons` has the row, the reason) for `items`,
        and what the backend settled on to make them."""
        rows = []
        for i, item in enumerate(items):
            if i in reasons:
                data, reason = None, reasons[i]
            else:
                data, reason = np.ascontiguousarray(vectors[i], dtype=np.float32).tobytes(), None
            dim = vectors.shape[1]
            rows.append((entry_key(fingerprint, item, salt), fingerprint, dim, data, reason,
                         _crc(dim, data, reason)))
        with self._transaction() as db:
            db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?, ?, ?)", rows)
            if used is not None:
                db.execute("INSERT OR REPLACE INTO backends VALUES (?, ?)",
                           (_backend_key(fingerprint, salt), json.dumps(used)))

    # -- maintenance ----------------------------------------------------------------------------
    def info(self) -> CacheInfo:
        if not self.path.exists():
            return CacheInfo(self.path, 0, 0, [])
        db = self._connect()
        backends = db.execute("SELECT fingerprint, COUNT(*) FROM vectors GROUP BY fingerprint "
                              "ORDER BY COUNT(*) DESC").fetchall()
        size = sum(p.stat().st_size for p in self.path.parent.glob(f"{self.path.name}*")
                   if p.is_file())
        return CacheInfo(self.path, sum(n for _, n in backends), size, backends)

    def clear(self) -> int:
        """Remove every entry; returns how many there were."""
        if not self.path.exists():
            return 0
        with self._transaction() as db:
            count = db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]
            db.execute("DELETE FROM vectors")
            db.execute("DELETE FROM backends")
        self._connect().execute("VACUUM")
        return count
