"""The runner: every unique context embedded once per backend, then every suite scored.

A backend that is unavailable or raises is recorded as such; the other backends' results are
kept. Ctrl-C stops the run but keeps what finished (`Results.interrupted`)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

import numpy as np

from harness.backend import Backend, Item
from harness.embedding_cache import EmbeddingCache
from harness.errors import HarnessError
from harness.results import BackendRecord, Results
from harness.scoring import (
    ExpectationResult,
    failed_summary,
    score_suite,
    summarize,
    unit_rows,
)
from harness.suite import Suite

log = logging.getLogger("harness.runner")

CHUNK = 512  # items per embed() call; the granularity of the progress bar
ProgressFactory = Callable[[int, str], "Progress"]


class Progress:
    """Minimal progress protocol: update(n) and close(). The default shows nothing."""

    def update(self, n: int) -> None:  # pragma: no cover - trivial
        pass

    def close(self) -> None:  # pragma: no cover - trivial
        pass


def unique_items(suites: Sequence[Suite]) -> list[Item]:
    """Every distinct (text, span) of the suites, in first-seen order."""
    return list(dict.fromkeys(item for suite in suites for item in suite.items()))


def embed_items(
    backend: Backend,
    items: Sequence[Item],
    progress: Progress | None = None,
    cache: EmbeddingCache | None = None,
) -> tuple[np.ndarray, dict[int, str]]:
    """Vectors for `items` and, for rows the backend could not embed, the reason. With a
    cache, only the items it lacks reach the backend (none: the model is never loaded)."""
    if cache is None:
        return _compute(backend, items, progress)
    fingerprint = backend.fingerprint()
    cached = cache.get(fingerprint, items)
    if progress is not None and cached:
        progress.update(len(cached))
    todo = [i for i in range(len(items)) if i not in cached]
    log.info("%s: %d of %d vectors cached", backend.name, len(cached), len(items))
    fresh, fresh_missing = _compute(backend, [items[i] for i in todo], progress)
    if todo:
        cache.put(fingerprint, [items[i] for i in todo], fresh, fresh_missing)
    dims = {len(v) for v in cached.values() if not isinstance(v, str)}
    dims |= {fresh.shape[1]} if todo and np.isfinite(fresh).any() else set()
    if len(dims) > 1:
        raise ValueError(f"backend {backend.name!r}: cached and new vectors differ in size "
                         f"{sorted(dims)}; clear the cache (harness cache clear)")
    vectors = np.full((len(items), dims.pop() if dims else 1), np.nan, dtype=np.float64)
    missing = {}
    for i, entry in cached.items():
        if isinstance(entry, str):
            missing[i] = entry
        else:
            vectors[i] = entry
    if todo:
        vectors[todo] = fresh
        missing.update({todo[j]: why for j, why in fresh_missing.items()})
    return vectors, missing


def _compute(
    backend: Backend, items: Sequence[Item], progress: Progress | None = None
) -> tuple[np.ndarray, dict[int, str]]:
    """Vectors from the backend (texts of similar length batched together), and reasons."""
    order = sorted(range(len(items)), key=lambda i: len(items[i].text))
    parts = []
    for start in range(0, len(order), CHUNK):
        chunk = [items[i] for i in order[start : start + CHUNK]]
        parts.append(backend.embed(chunk))
        if progress is not None:
            progress.update(len(chunk))
    # a part with no vector at all may not know the width: only the others count
    dims = {p.shape[1] for p in parts if np.isfinite(p).any()}
    if len(dims) > 1:
        raise ValueError(f"backend {backend.name!r} returned vectors of sizes {sorted(dims)}")
    width = dims.pop() if dims else 1
    parts = [p if p.shape[1] == width else np.full((len(p), width), np.nan) for p in parts]
    vectors = np.empty((len(items), width), dtype=np.float64)
    if parts:
        vectors[order] = np.concatenate(parts, axis=0)
    bad = ~np.isfinite(vectors).all(axis=1)
    bad |= ~bad & (np.abs(vectors).sum(axis=1) == 0)
    missing = {}
    for i in np.flatnonzero(bad):
        if np.isfinite(vectors[i]).all():
            missing[int(i)] = f"{backend.name} returned a zero vector"
        else:
            missing[int(i)] = backend.missing_reason(items[i])
    return vectors, missing


def jsonable(value: Any) -> Any:
    """Option values as JSON can hold them (tuples and sets become lists)."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted(jsonable(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _record(backend: Backend) -> BackendRecord:
    return BackendRecord(
        name=backend.name,
        plugin=backend.plugin,
        options=jsonable(backend.options),
        fingerprint=None,
        versions={},
    )


def run_suites(
    suites: Sequence[Suite],
    backends: Sequence[Backend],
    progress: ProgressFactory | None = None,
    skip_unavailable: bool = False,
    cache: EmbeddingCache | None = None,
) -> Results:
    """Score every backend on every suite. With `skip_unavailable` (the default backends of a
    run without -b), a backend that cannot run here is recorded as 'skipped', not failed."""
    names = [s.name for s in suites]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        files = [str(s.path) for s in suites if s.name == dup[0]]
        raise HarnessError(f"suites {' and '.join(files)} share the name {dup[0]!r}; give each "
                           "suite its own name (the suite: key)")
    items = unique_items(suites)
    index = {item: i for i, item in enumerate(items)}
    results = Results(
        suites=names,
        backends={},
        summary_rows=[],
        rows=[],
        suite_fingerprints={s.name: s.fingerprint() for s in suites},
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )
    for position, backend in enumerate(backends):
        record = _record(backend)
        results.backends[backend.name] = record
        try:
            rows = _run_one(backend, record, suites, items, index, progress, cache)
            if record.status == "unavailable" and skip_unavailable:
                record.status = "skipped"
        except KeyboardInterrupt:
            log.warning("interrupted: keeping the results of the backends that finished")
            for later in backends[position:]:
                rec = results.backends.setdefault(later.name, _record(later))
                rec.status, rec.error = "interrupted", "the run was interrupted (Ctrl-C)"
                results.summary_rows += [failed_summary(later.name, s, rec.status, rec.error)
                                         for s in suites]
            results.interrupted = True
            break
        if record.status != "ok":
            assert record.error is not None
            results.summary_rows += [failed_summary(backend.name, s, record.status, record.error)
                                     for s in suites]
            continue
        results.rows += rows
        results.summary_rows += [summarize(backend.name, s, rows) for s in suites]
    return results


def _run_one(
    backend: Backend,
    record: BackendRecord,
    suites: Sequence[Suite],
    items: list[Item],
    index: dict[Item, int],
    progress: ProgressFactory | None,
    cache: EmbeddingCache | None,
) -> list[ExpectationResult]:
    try:
        availability = backend.availability()
        if not availability.ok:
            record.status, record.error = "unavailable", availability.explain()
            log.info("backend %s is unavailable: %s", backend.name, record.error)
            return []
        record.fingerprint = backend.fingerprint()
        record.versions = backend.versions()
        bar = progress(len(items), backend.name) if progress else None
        try:
            vectors, missing = embed_items(backend, items, bar, cache)
        finally:
            if bar is not None:
                bar.close()
    except KeyboardInterrupt:
        raise
    except Exception as exc:
        record.status, record.error = "error", f"{type(exc).__name__}: {exc}"
        log.info("backend %s failed: %s", backend.name, record.error)
        log.debug("traceback of backend %s", backend.name, exc_info=True)
        return []
    unit, _ = unit_rows(vectors)
    rows: list[ExpectationResult] = []
    for suite in suites:
        rows += score_suite(backend.name, suite, index, unit, missing)
    return rows
