"""The runner: every unique context embedded once per backend, then every suite scored.

Backends that share a forward_key (variants of one model that differ only in pooling) are
embedded together, one forward pass per text. A backend that is unavailable or raises is
recorded as such; the other backends' results are kept. Ctrl-C stops the run but keeps what
finished (`Results.interrupted`)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

import numpy as np

from harness._version import __version__
from harness.backend import Backend, Item
from harness.embedding_cache import EmbeddingCache
from harness.errors import HarnessError
from harness.results import BackendRecord, Results
from harness.scoring import (
    ExpectationResult,
    failed_summary,
    score_suite,
    summarize,
    test_similarities,
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


Embedded = tuple[np.ndarray, dict[int, str]]  # vectors, and the reason for each missing row


def embed_items(
    backend: Backend,
    items: Sequence[Item],
    progress: Progress | None = None,
    cache: EmbeddingCache | None = None,
) -> Embedded:
    """Vectors for `items` and, for rows the backend could not embed, the reason. With a
    cache, only the items it lacks reach the backend (none: the model is never loaded)."""
    out = embed_group(backend, [backend], items, progress, cache)[0]
    if isinstance(out, Exception):
        raise out
    return out


def embed_group(
    lead: Backend,
    group: Sequence[Backend],
    items: Sequence[Item],
    progress: Progress | None = None,
    cache: EmbeddingCache | None = None,
) -> list[Embedded | Exception]:
    """`embed_items` for several backends of one forward_key at once (`lead` among them):
    the items any of them lacks in the cache run through the model once. A backend that
    alone failed gets its Exception in place of its vectors."""
    cached: list[dict[int, np.ndarray | str]] = [
        cache.get(b.fingerprint(), items, cache_salt(b)) if cache else {} for b in group]
    todo = [i for i in range(len(items)) if any(i not in c for c in cached)]
    if progress is not None and len(todo) < len(items):
        progress.update(len(items) - len(todo))
    if cache:
        log.info("%s: %d of %d contexts cached", ", ".join(b.name for b in group),
                 len(items) - len(todo), len(items))
    fresh = _compute(lead, group, [items[i] for i in todo], progress)
    out: list[Embedded | Exception] = []
    for backend, have, computed in zip(group, cached, fresh):
        if isinstance(computed, Exception):
            out.append(computed)
            continue
        vectors, reasons = computed
        if cache and todo:
            cache.put(backend.fingerprint(), [items[i] for i in todo], vectors, reasons,
                      cache_salt(backend))
        out.append(_merge(backend, len(items), have, todo, vectors, reasons))
    return out


def cache_salt(backend: Backend) -> str:
    """What besides the fingerprint decides a cached vector: the harness's version (its
    alignment and pooling) and the versions of the backend's libraries."""
    return json.dumps([__version__, backend.versions()], sort_keys=True)


def _merge(backend: Backend, n: int, cached: dict[int, np.ndarray | str], todo: list[int],
           fresh: np.ndarray, fresh_missing: dict[int, str]) -> Embedded:
    """Cached entries and freshly computed rows, in item order."""
    dims = {len(v) for v in cached.values() if not isinstance(v, str)}
    dims |= {fresh.shape[1]} if todo and np.isfinite(fresh).any() else set()
    if len(dims) > 1:
        raise ValueError(f"backend {backend.name!r}: cached and new vectors differ in size "
                         f"{sorted(dims)}; clear the cache (harness cache clear)")
    vectors = np.full((n, dims.pop() if dims else 1), np.nan, dtype=np.float64)
    missing = {}
    for i, entry in cached.items():
        if isinstance(entry, str):
            missing[i] = entry
        else:
            vectors[i] = entry
    if todo:
        fresh_rows = np.isfinite(fresh).any(axis=1)
        vectors[np.asarray(todo)[fresh_rows]] = fresh[fresh_rows]
        missing.update({todo[j]: why for j, why in fresh_missing.items()})
    return vectors, missing


def _compute(lead: Backend, group: Sequence[Backend], items: Sequence[Item],
             progress: Progress | None = None) -> list[Embedded | Exception]:
    """Vectors from the backends (texts of similar length batched together), and reasons."""
    order = sorted(range(len(items)), key=lambda i: len(items[i].text))
    parts: list[list[np.ndarray]] = [[] for _ in group]
    failed: dict[int, Exception] = {}
    for start in range(0, len(order), CHUNK):
        chunk = [items[i] for i in order[start : start + CHUNK]]
        outs = lead.embed_group(chunk, group) if len(group) > 1 else [lead.embed(chunk)]
        for b, out in enumerate(outs):
            if isinstance(out, Exception):
                failed.setdefault(b, out)
            else:
                parts[b].append(out)
        if progress is not None:
            progress.update(len(chunk))
    return [failed[b] if b in failed else _assemble(backend, items, order, parts[b])
            for b, backend in enumerate(group)]


def _assemble(backend: Backend, items: Sequence[Item], order: list[int],
              parts: list[np.ndarray]) -> Embedded:
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
        context_free=backend.context_free,
    )


def group_backends(backends: Sequence[Backend]) -> list[list[Backend]]:
    """Backends in groups that can share a forward pass, in order of first appearance."""
    groups: dict[object, list[Backend]] = {}
    for position, backend in enumerate(backends):
        try:
            key = backend.forward_key()
        except Exception:  # reported when the backend runs
            key = None
        groups.setdefault(key if key is not None else ("alone", position), []).append(backend)
    return list(groups.values())


def run_suites(
    suites: Sequence[Suite],
    backends: Sequence[Backend],
    progress: ProgressFactory | None = None,
    skip_unavailable: bool = False,
    cache: EmbeddingCache | None = None,
    executor: Any = None,
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
    records = {b.name: _record(b) for b in backends}
    rows_of: dict[str, list[ExpectationResult]] = {}
    similarities: dict[str, dict] = {}
    interrupted = False
    for group in group_backends(backends):
        try:
            rows_of.update(_run_group(group, records, suites, items, index, progress, cache,
                                      similarities, executor))
        except KeyboardInterrupt:
            log.warning("interrupted: keeping the results of the backends that finished")
            interrupted = True
            break
    summary, rows = [], []
    for backend in backends:  # reports follow the order the backends were given in
        record = records[backend.name]
        if backend.name in rows_of and record.status == "ok":
            rows += rows_of[backend.name]
            summary += [summarize(backend.name, s, rows_of[backend.name]) for s in suites]
            continue
        if record.status == "ok":  # never reached: the run was interrupted first
            record.status, record.error = "interrupted", "the run was interrupted (Ctrl-C)"
        elif record.status == "unavailable" and skip_unavailable:
            record.status = "skipped"
        assert record.error is not None
        summary += [failed_summary(backend.name, s, record.status, record.error) for s in suites]
    return Results(
        suites=names,
        backends=records,
        summary_rows=summary,
        rows=rows,
        suite_fingerprints={s.name: s.fingerprint() for s in suites},
        similarities={b.name: similarities[b.name] for b in backends
                      if b.name in similarities and records[b.name].status == "ok"},
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        interrupted=interrupted,
    )


def _fail(record: BackendRecord, status: str, error: str) -> None:
    record.status, record.error = status, error
    log.info("backend %s %s: %s", record.name, status, error)


def _run_group(
    group: list[Backend],
    records: dict[str, BackendRecord],
    suites: Sequence[Suite],
    items: list[Item],
    index: dict[Item, int],
    progress: ProgressFactory | None,
    cache: EmbeddingCache | None,
    similarities: dict[str, dict],
    executor: Any = None,
) -> dict[str, list[ExpectationResult]]:
    """Rows of every backend of the group that runs (and, into `similarities`, each test's
    similarity matrix); the others' records say why not."""
    ready = []
    for backend in group:
        record = records[backend.name]
        try:
            availability = backend.availability()
            if not availability.ok:
                _fail(record, "unavailable", availability.explain())
                continue
            record.fingerprint = backend.fingerprint()
            record.versions = backend.versions()
            ready.append(backend)
        except Exception as exc:
            _fail(record, "error", f"{type(exc).__name__}: {exc}")
    if not ready:
        return {}
    bar = progress(len(items), ", ".join(b.name for b in ready)) if progress else None
    try:
        if executor is None:
            embedded = embed_group(ready[0], ready, items, bar, cache)
        else:  # another executor (Ray): the same work, elsewhere
            embedded = executor.embed(ready[0], ready, items, bar, cache)
    except Exception as exc:  # the shared work failed: every backend of the group fails
        for backend in ready:
            _fail(records[backend.name], "error", f"{type(exc).__name__}: {exc}")
        log.debug("traceback of backend %s", ready[0].name, exc_info=True)
        return {}
    finally:
        if bar is not None:
            bar.close()
    out = {}
    for backend, result in zip(ready, embedded):
        if isinstance(result, Exception):
            _fail(records[backend.name], "error", f"{type(result).__name__}: {result}")
            continue
        vectors, missing = result
        unit, _ = unit_rows(vectors)
        out[backend.name] = [row for suite in suites
                             for row in score_suite(backend.name, suite, index, unit, missing)]
        similarities[backend.name] = {
            suite.name: test_similarities(suite, index, unit, missing) for suite in suites}
    return out
