"""What a leaderboard ranks: stored runs (the store's, or an exported folder's) gathered into
columns, one per suite, suite fingerprint and kind of test, each holding every model's scored
items. A model is a backend name; where several runs hold the same name on the same column, the
latest run (by its time, then its id) is the one kept. Suites are compared only on the same
fingerprint: a suite whose fingerprint changed is a new column, named so.

The statistics (scores, honest ranks, intervals) are harness/measures/ranking.py's."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from harness.results.runs import RunInfo, StoredRun

BINARY, GRADED = "binary", "graded"  # how a column's items are compared


@dataclass(frozen=True)
class Column:
    """A suite (its name and fingerprint) and a kind of test: one column of the leaderboard."""

    suite: str
    fingerprint: str
    kind: str  # orderings | graded | a plugin's kind
    label: str  # the suite's name, told apart when its fingerprint or kind differs

    @property
    def compared(self) -> str:
        """BINARY (pass/fail items: McNemar) or GRADED (rated pairs: a paired bootstrap)."""
        return GRADED if self.kind == "graded" else BINARY


@dataclass
class Entry:
    """One model's items in one column, from one run. Binary kinds: `items` maps an item's key
    to whether it passed (scored items only). Graded: `items` maps (test, position, a, b) to
    (cosine, rating) for the pairs scored."""

    model: str
    run: RunInfo
    items: dict[tuple, Any]
    card: dict[str, Any] | None = None
    # the data sets of the suite the model's card lists among its training data (not zero-shot)
    trained_on: tuple[str, ...] = ()


@dataclass
class Board:
    """Every column and, per column, its entries by model name."""

    columns: list[Column] = field(default_factory=list)
    entries: dict[Column, dict[str, Entry]] = field(default_factory=dict)
    runs: dict[str, RunInfo] = field(default_factory=dict)  # by run id
    # every run of a model on a column, oldest first (the history)
    series: dict[tuple[Column, str], list[Entry]] = field(default_factory=dict)

    @property
    def models(self) -> list[str]:
        return sorted({m for by_model in self.entries.values() for m in by_model})


def _binary_items(rows: Iterable[Any], key: Any, outcome: Any, unanswered: bool = False
                  ) -> dict[str, dict[tuple, bool | None]]:
    """backend -> item -> passed; with `unanswered` (wsd), an unscored row kept as None (it
    lowers the F1 the board scores, not the McNemar test on the items both answered)."""
    out: dict[str, dict[tuple, bool | None]] = {}
    for row in rows:
        verdict = outcome(row)
        if verdict in ("pass", "fail"):
            out.setdefault(row.backend, {})[key(row)] = verdict == "pass"
        elif unanswered:
            out.setdefault(row.backend, {})[key(row)] = None
    return out


def _graded_items(rows: Iterable[Any]) -> dict[str, dict[tuple, tuple[float, float]]]:
    out: dict[str, dict[tuple, tuple[float, float]]] = {}
    position: dict[tuple[str, str], int] = {}
    for row in rows:
        where = (row.backend, row.test)
        n = position[where] = position.get(where, -1) + 1
        if row.cosine is not None:
            out.setdefault(row.backend, {})[(row.test, n, row.a, row.b)] = (row.cosine,
                                                                             row.score)
    return out


def run_items(run: StoredRun) -> dict[tuple[str, str], dict[str, dict[tuple, Any]]]:
    """(suite, kind) -> backend -> its scored items, for the backends that ran."""
    results = run.results
    ok = {name for name, rec in results.backends.items() if rec.status == "ok"}
    found: dict[tuple[str, str], dict[str, dict[tuple, Any]]] = {}

    def add(kind: str, by_backend: Mapping[str, dict[tuple, Any]], suite: str) -> None:
        for backend, items in by_backend.items():
            if backend in ok and items:
                found.setdefault((suite, kind), {})[backend] = items

    for suite in results.suites:
        rows = [r for r in results.rows if r.suite == suite]
        add("orderings", _binary_items(
            rows, lambda r: (r.test, r.expectation),
            lambda r: None if r.error is not None else "pass" if r.passed else "fail"), suite)
        add("graded", _graded_items(p for p in results.pair_rows if p.suite == suite), suite)
        for kind, rows_of_kind in sorted(results.measure_rows.items()):
            measure = results.measures.get(kind)
            mine = [r for r in rows_of_kind if r.suite == suite]
            if measure is not None:
                add(kind, _binary_items(mine, measure.key, measure.outcome,
                                        getattr(measure, "unanswered_items", False)), suite)
            else:  # no measure installed: its rows' own `passed` and `error`
                add(kind, _binary_items(mine, lambda r: (r.suite, r.test), lambda r: None
                                        if getattr(r, "error", None) is not None else
                                        "pass" if getattr(r, "passed", False) else "fail"),
                    suite)
    return found


def _card(run: StoredRun, backend: str) -> dict[str, Any] | None:
    card = getattr(run.results.backends.get(backend), "card", None)
    return dict(card) if isinstance(card, Mapping) else None


def _trained_on(run: StoredRun, backend: str, suite: str) -> tuple[str, ...]:
    found = getattr(run.results.backends.get(backend), "contamination", None)
    return tuple(found.get(suite, ())) if isinstance(found, Mapping) else ()


def gather(runs: Sequence[StoredRun], suites: Sequence[str] = (),
           backends: Sequence[str] = ()) -> Board:
    """The board of the runs: only the suites and backends named, when some are. Runs are taken
    oldest first (by time, then id), so the latest run of a model on a column is the one kept."""
    board = Board()
    first_seen: dict[tuple[str, str], tuple[str, str]] = {}
    kinds: dict[tuple[str, str], set[str]] = {}
    for run in sorted(runs, key=lambda r: (r.info.created, r.info.id)):
        board.runs[run.info.id] = run.info
        for (suite, kind), by_backend in sorted(run_items(run).items()):
            if suites and suite not in suites:
                continue
            fingerprint = run.results.suite_fingerprints.get(suite, "")
            first_seen.setdefault((suite, fingerprint), (run.info.created, run.info.id))
            kinds.setdefault((suite, fingerprint), set()).add(kind)
            for backend, items in sorted(by_backend.items()):
                if backends and backend not in backends:
                    continue
                key = Column(suite, fingerprint, kind, "")
                entry = Entry(backend, run.info, items, _card(run, backend),
                              _trained_on(run, backend, suite))
                board.entries.setdefault(key, {})[backend] = entry
                board.series.setdefault((key, backend), []).append(entry)
    return _labelled(board, first_seen, kinds)


def _labelled(board: Board, first_seen: Mapping[tuple[str, str], tuple[str, str]],
              kinds: Mapping[tuple[str, str], set[str]]) -> Board:
    """The columns named: `wordnet`, or `wordnet (2: 3fa4c1d2)` when wordnet's fingerprint
    changed (numbered by first appearance), with ` · graded` when a suite has several kinds."""
    versions: dict[str, list[str]] = {}
    for suite, fingerprint in sorted(first_seen, key=lambda k: (first_seen[k], k)):
        versions.setdefault(suite, []).append(fingerprint)
    labelled: dict[Column, dict[str, Entry]] = {}
    series: dict[tuple[Column, str], list[Entry]] = {}
    for key in sorted(board.entries, key=lambda c: (c.suite, versions[c.suite].index(
            c.fingerprint), c.kind != "orderings", c.kind != "graded", c.kind)):
        if not board.entries[key]:
            continue
        label = key.suite
        if len(versions[key.suite]) > 1:
            number = versions[key.suite].index(key.fingerprint) + 1
            label += f" ({number}: {key.fingerprint[:8] or 'no fingerprint'})"
        if len(kinds[(key.suite, key.fingerprint)]) > 1:
            label += f" · {key.kind}"
        column = Column(key.suite, key.fingerprint, key.kind, label)
        board.columns.append(column)
        labelled[column] = board.entries[key]
        for model in labelled[column]:
            series[(column, model)] = board.series[(key, model)]
    board.entries, board.series = labelled, series
    return board
