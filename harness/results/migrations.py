"""The results store's schema, built by numbered migrations (as llm's migrations.py): each
migration is a function that changes the schema one step, recorded by name in the table
`_migrations` when applied; the store's schema version is the number applied (also kept in
SQLite's `user_version`). A store holding a migration this harness does not know was written
by a newer harness and is refused rather than misread.

A new migration is a new function decorated with `@migration`, appended at the end; a
published one is never edited."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from harness.errors import HarnessError

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: list[tuple[str, Migration]] = []


def migration(fn: Migration) -> Migration:
    """Register `fn` as the next migration."""
    MIGRATIONS.append((fn.__name__, fn))
    return fn


@migration
def m001_initial(db: sqlite3.Connection) -> None:
    """Runs, their backends and suites, summary rows, item rows per kind, studies, labels."""
    for statement in _INITIAL.split(";"):
        if statement.strip():
            db.execute(statement)


_INITIAL = """
CREATE TABLE runs (
    id TEXT PRIMARY KEY, created TEXT NOT NULL, harness_version TEXT NOT NULL,
    command TEXT NOT NULL, git_commit TEXT, labels TEXT NOT NULL, kind TEXT NOT NULL,
    results BLOB NOT NULL);
CREATE INDEX runs_created ON runs(created);
CREATE TABLE run_labels (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, key TEXT NOT NULL,
    value TEXT NOT NULL, PRIMARY KEY (run_id, key));
CREATE INDEX run_labels_key ON run_labels(key, value);
CREATE TABLE run_backends (
    id INTEGER PRIMARY KEY, run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    name TEXT NOT NULL, plugin TEXT NOT NULL, options TEXT NOT NULL, fingerprint TEXT,
    versions TEXT NOT NULL, status TEXT NOT NULL, error TEXT, metadata TEXT, calibration TEXT,
    UNIQUE (run_id, name));
CREATE INDEX run_backends_name ON run_backends(name);
CREATE INDEX run_backends_fingerprint ON run_backends(fingerprint);
CREATE TABLE run_suites (
    id INTEGER PRIMARY KEY, run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    name TEXT NOT NULL, fingerprint TEXT, kinds TEXT NOT NULL, UNIQUE (run_id, name));
CREATE INDEX run_suites_name ON run_suites(name);
CREATE TABLE summary_rows (
    backend INTEGER NOT NULL REFERENCES run_backends(id) ON DELETE CASCADE,
    suite INTEGER NOT NULL REFERENCES run_suites(id) ON DELETE CASCADE,
    status TEXT NOT NULL, passed INTEGER, total INTEGER, accuracy REAL, ties INTEGER,
    unscored INTEGER, tests_passed INTEGER, tests_total INTEGER, graded_tests INTEGER,
    median_spearman REAL);
CREATE INDEX summary_rows_backend ON summary_rows(backend);
CREATE TABLE names (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
CREATE TABLE ordering_items (
    backend INTEGER NOT NULL REFERENCES run_backends(id) ON DELETE CASCADE,
    suite INTEGER NOT NULL, test INTEGER NOT NULL, expectation INTEGER NOT NULL,
    passed INTEGER NOT NULL, tie INTEGER NOT NULL, margin REAL, sim_closer REAL,
    sim_farther REAL);
CREATE INDEX ordering_items_backend ON ordering_items(backend);
CREATE TABLE graded_items (
    backend INTEGER NOT NULL REFERENCES run_backends(id) ON DELETE CASCADE,
    suite INTEGER NOT NULL, test INTEGER NOT NULL, a INTEGER NOT NULL, b INTEGER NOT NULL,
    rating REAL NOT NULL, cosine REAL);
CREATE INDEX graded_items_backend ON graded_items(backend);
CREATE TABLE correlations (
    backend INTEGER NOT NULL REFERENCES run_backends(id) ON DELETE CASCADE,
    suite INTEGER NOT NULL, test INTEGER NOT NULL, pairs INTEGER, scored INTEGER,
    spearman REAL, pearson REAL);
CREATE INDEX correlations_backend ON correlations(backend);
CREATE TABLE measure_items (
    backend INTEGER NOT NULL REFERENCES run_backends(id) ON DELETE CASCADE,
    suite INTEGER NOT NULL, kind TEXT NOT NULL, row TEXT NOT NULL);
CREATE INDEX measure_items_backend ON measure_items(backend);
CREATE TABLE studies (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, kind TEXT NOT NULL,
    content TEXT NOT NULL, PRIMARY KEY (run_id, kind))
"""


def applied(db: sqlite3.Connection) -> list[str]:
    """The names of the migrations applied to `db`, in order."""
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, "
               "applied TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)")
    return [name for (name,) in db.execute("SELECT name FROM _migrations ORDER BY rowid")]


def schema_version(db: sqlite3.Connection) -> int:
    """The store's schema version: the number of migrations applied."""
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite3.Connection, where: str) -> int:
    """Apply the migrations `db` lacks, in one transaction (another process migrating at the
    same time waits); returns the schema version. `where` names the store in errors."""
    known = [name for name, _ in MIGRATIONS]
    if schema_version(db) == len(known):  # the usual case: nothing to do, no write lock
        return len(known)
    db.execute("BEGIN IMMEDIATE")
    try:
        done = applied(db)
        newer = [name for name in done if name not in known]
        if newer:
            raise HarnessError(f"{where}: the results store was written by a newer harness "
                               f"(migration {newer[0]!r}); upgrade wic-harness to use it")
        for name, fn in MIGRATIONS:
            if name not in done:
                fn(db)
                db.execute("INSERT INTO _migrations (name) VALUES (?)", (name,))
        db.execute(f"PRAGMA user_version = {len(known)}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return len(known)
