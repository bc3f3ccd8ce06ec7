"""What the results store writes for one run besides its compressed results.json: the run's
backends and suites, its summary rows and every item's result, one table per kind of test
(harness/results/migrations.py has the schema), so that queries across runs need no JSON.
Test, expectation and word names are interned in the table `names`."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from harness.results.model import Results


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True)


class _Names:
    """Interned names of one transaction: text -> id in the table `names`."""

    def __init__(self, db: sqlite3.Connection):
        self.db, self.ids = db, {}

    def __call__(self, text: str) -> int:
        found = self.ids.get(text)
        if found is None:
            self.db.execute("INSERT OR IGNORE INTO names (text) VALUES (?)", (text,))
            found = self.db.execute("SELECT id FROM names WHERE text = ?", (text,)).fetchone()[0]
            self.ids[text] = found
        return found


def suite_kinds(results: Results) -> dict[str, list[str]]:
    """Each suite's kinds of test in the run: orderings, graded, and plugin kinds."""
    kinds: dict[str, set[str]] = {suite: set() for suite in results.suites}
    for kind, rows in (("orderings", results.rows), ("graded", results.correlation_rows),
                       *results.measure_rows.items()):
        for row in rows:
            kinds.setdefault(row.suite, set()).add(kind)
    return {suite: sorted(found) for suite, found in kinds.items()}


def write_rows(db: sqlite3.Connection, run_id: str, results: Results) -> None:
    """Insert the run's backends, suites, summary and item rows (inside the caller's
    transaction)."""
    backends: dict[str, int] = {}
    for name, rec in results.backends.items():
        meta = getattr(rec, "card", None) or getattr(rec, "metadata", None)
        backends[name] = db.execute(
            "INSERT INTO run_backends (run_id, name, plugin, options, fingerprint, versions, "
            "status, error, metadata, calibration) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (run_id, name, rec.plugin, _json(rec.options), rec.fingerprint, _json(rec.versions),
             rec.status, rec.error, _json(meta), _json(rec.calibration))).lastrowid
    kinds = suite_kinds(results)
    suites: dict[str, int] = {}

    def suite(name: str) -> int:
        if name not in suites:
            suites[name] = db.execute(
                "INSERT INTO run_suites (run_id, name, fingerprint, kinds) VALUES (?,?,?,?)",
                (run_id, name, results.suite_fingerprints.get(name),
                 json.dumps(kinds.get(name, [])))).lastrowid
        return suites[name]

    for name in kinds:
        suite(name)

    def backend(name: str) -> int:  # a row of a backend the run does not list: kept anyway
        if name not in backends:
            backends[name] = db.execute(
                "INSERT INTO run_backends (run_id, name, plugin, options, versions, status) "
                "VALUES (?, ?, '', '{}', '{}', 'unknown')", (run_id, name)).lastrowid
        return backends[name]

    names = _Names(db)
    db.executemany(
        "INSERT INTO summary_rows VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        [(backend(s.backend), suite(s.suite), s.status, s.passed, s.total, s.accuracy, s.ties,
          s.unscored, s.tests_passed, s.tests_total, s.graded_tests, s.median_spearman)
         for s in results.summary_rows])
    db.executemany(
        "INSERT INTO ordering_items VALUES (?,?,?,?,?,?,?,?,?)",
        [(backend(r.backend), suite(r.suite), names(r.test), names(r.expectation),
          int(r.passed), int(r.tie), r.margin, r.sim_closer, r.sim_farther)
         for r in results.rows])
    db.executemany(
        "INSERT INTO graded_items VALUES (?,?,?,?,?,?,?)",
        [(backend(p.backend), suite(p.suite), names(p.test), names(p.a), names(p.b),
          p.score, p.cosine) for p in results.pair_rows])
    db.executemany(
        "INSERT INTO correlations VALUES (?,?,?,?,?,?,?)",
        [(backend(c.backend), suite(c.suite), names(c.test), c.pairs, c.scored, c.spearman,
          c.pearson) for c in results.correlation_rows])
    for kind, rows in results.measure_rows.items():
        measure = results.measures[kind]
        db.executemany(
            "INSERT INTO measure_items VALUES (?,?,?,?)",
            [(backend(r.backend), suite(r.suite), kind, json.dumps(measure.to_dict(r)))
             for r in rows])
