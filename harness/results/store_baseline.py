"""A baseline from the results store: `--baseline store:latest` (or `store:KEY=VALUE`) gates a
run on, for each of its backends and suites, the latest stored run holding that backend name
(run to its end) and that suite (with the label, when one is given), as a results.json
baseline gates it today. The pieces, each from its own stored run, are put together into one
`Results` holding only those backends and suites."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import HarnessError
from harness.results.model import Results

PREFIX = "store:"
_LABEL = re.compile(r"^[A-Za-z0-9_.-]+$")


def is_store_baseline(spec: str) -> bool:
    return spec.strip().startswith(PREFIX)


def parse(spec: str) -> dict[str, str]:
    """The labels a `store:...` baseline asks for: {} for `store:latest`."""
    what = spec.strip()[len(PREFIX):]
    if what == "latest":
        return {}
    key, eq, value = what.partition("=")
    if not eq or not _LABEL.match(key) or not value:
        raise HarnessError(f"--baseline {spec}: write store:latest, or store:KEY=VALUE for the "
                           "latest stored run with that label (as --label KEY=VALUE gave it)")
    return {key: value}


@dataclass
class StoreBaseline:
    """A baseline to be drawn from the store once the run knows its backends and suites."""

    spec: str
    path: Path
    labels: dict[str, str] = field(default_factory=dict)

    @classmethod
    def open(cls, spec: str, path: Path) -> StoreBaseline:
        """Checked now (before any embedding work): the spec reads and the store holds a run
        with the labels asked for."""
        from harness.results.store import Store

        baseline = cls(spec, path, parse(spec))
        with Store(path) as store:
            if not store.runs(labels=baseline.labels):
                raise HarnessError(f"--baseline {spec}: the results store {path} holds no run"
                                   f"{baseline._with()}; record one first (a `harness run` "
                                   "without --no-store), or give a results.json")
        return baseline

    def _with(self) -> str:
        return "".join(f" with the label {k}={v}" for k, v in self.labels.items())

    def for_run(self, current: Results) -> Results:
        """The baseline of `current`: per backend and suite, the latest stored run's part (a
        backend or suite the store does not hold is left out: the gate warns of it)."""
        from harness.results.store import Store

        picked: dict[tuple[str, str], str] = {}
        with Store(self.path) as store:
            for backend in current.backends:
                for suite in current.suites:
                    run_id = _latest(store, backend, suite, self.labels)
                    if run_id is not None:
                        picked[backend, suite] = run_id
            # none at all: an empty baseline, whose gate warns that each backend is not in
            # it (as a results.json of other backends does): the run's reports are not lost
            runs = {run_id: store.load(run_id).results for run_id in set(picked.values())}
        return _assembled(picked, runs)


def _latest(store, backend: str, suite: str, labels: dict[str, str]) -> str | None:
    where = "".join(" AND EXISTS (SELECT 1 FROM run_labels l WHERE l.run_id = r.id AND "
                    "l.key = ? AND l.value = ?)" for _ in labels)
    params = [backend, suite] + [x for kv in labels.items() for x in kv]
    rows = store._query(
        "SELECT r.id FROM runs r JOIN run_backends b ON b.run_id = r.id JOIN run_suites s ON "
        "s.run_id = r.id WHERE b.name = ? AND b.status = 'ok' AND s.name = ?" + where +
        " ORDER BY r.created DESC, r.rowid DESC LIMIT 1", params)
    return rows[0][0] if rows else None


def _assembled(picked: dict[tuple[str, str], str], runs: dict[str, Results]) -> Results:
    """One Results of the picked (backend, suite) parts of the stored runs."""
    out = Results(suites=[], backends={}, summary_rows=[], rows=[])
    for (backend, suite), run_id in picked.items():
        source = runs[run_id]
        out.backends.setdefault(backend, source.backends[backend])
        if suite not in out.suites:
            out.suites.append(suite)
            if suite in source.suite_fingerprints:
                out.suite_fingerprints[suite] = source.suite_fingerprints[suite]

        def mine(row, backend=backend, suite=suite) -> bool:
            return row.backend == backend and row.suite == suite

        out.summary_rows += filter(mine, source.summary_rows)
        out.rows += filter(mine, source.rows)
        out.correlation_rows += filter(mine, source.correlation_rows)
        out.pair_rows += filter(mine, source.pair_rows)
        for kind, rows in source.measure_rows.items():
            out.measures.setdefault(kind, source.measures[kind])
            out.measure_rows.setdefault(kind, []).extend(filter(mine, rows))
    return out


def load_baseline(spec: str, store: str | Path | None = None):
    """A --baseline: a results.json (`Results`), or `store:latest` / `store:KEY=VALUE` (a
    `StoreBaseline`, checked now against the results store at `store`, drawn once the run
    knows its backends and suites: `harness.pipeline.gates.check_gates` does)."""
    from harness.results.load import load_results

    if is_store_baseline(spec):
        from harness.results.store import store_path

        return StoreBaseline.open(spec, Path(store) if store else store_path())
    return load_results(spec)
