"""The runner: every unique context embedded once per backend (by an executor), then every suite
scored.

Backends that can share a forward pass (variants of one model that differ only in pooling) are
embedded together. A backend that is unavailable or raises is recorded as such; the other
backends' results are kept. Ctrl-C stops the run but keeps what finished
(`Results.interrupted`)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from harness import calibration
from harness.backend import Backend, Item
from harness.boundary import BackendFailure, calling
from harness.capabilities import share_key_of
from harness.embedding import ProgressFactory, take
from harness.embedding_cache import EmbeddingCache
from harness.errors import Terminated
from harness.executors import Executor, LocalExecutor
from harness.results import BackendRecord, Results
from harness.scoring import (
    WEAK_BELOW,
    ExpectationResult,
    failed_summary,
    score_suite,
    summarize,
    test_similarities,
    unit_rows,
)
from harness.suite import Suite, check_unique_names

log = logging.getLogger("harness.runner")


def unique_items(suites: Sequence[Suite]) -> list[Item]:
    """Every distinct (text, span) of the suites, in first-seen order."""
    return list(dict.fromkeys(item for suite in suites for item in suite.items()))


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


def group_backends(backends: Sequence[Backend]) -> list[list[Backend]]:
    """Backends in groups that can share a forward pass, in order of first appearance."""
    groups: dict[object, list[Backend]] = {}
    for position, backend in enumerate(backends):
        try:
            with calling(backend.name):
                key = share_key_of(backend)
        except Exception:  # reported when the backend runs
            key = None
        groups.setdefault(key if key is not None else ("alone", position), []).append(backend)
    return list(groups.values())


@dataclass
class Scored:
    """What one backend of a run gave: its record, and when it ran, its rows and each test's
    similarity matrix."""

    record: BackendRecord
    rows: list[ExpectationResult] = field(default_factory=list)
    similarities: dict[str, dict] = field(default_factory=dict)


def run_suites(
    suites: Sequence[Suite],
    backends: Sequence[Backend],
    progress: ProgressFactory | None = None,
    skip_unavailable: bool = False,
    cache: EmbeddingCache | None = None,
    executor: Executor = LocalExecutor(),  # noqa: B008 - stateless
    baseline: bool = True,
    weak_below: float = WEAK_BELOW,
) -> Results:
    """Score every backend on every suite. With `skip_unavailable` (the default backends of a
    run without -b), a backend that cannot run here is recorded as 'skipped', not failed.
    With `baseline` (and always for a backend with `postprocess`), each backend's vectors of
    the reference sample give its baseline, and each margin is also given in standard
    deviations of it; a pass below `weak_below` of them is flagged weak."""
    check_unique_names(suites)
    names = [s.name for s in suites]
    items = unique_items(suites)
    scored: dict[str, Scored] = {}
    interrupted = ""
    for group in group_backends(backends):
        try:
            scored.update(_run_group(group, suites, items, executor, cache, progress, baseline,
                                     weak_below))
        except KeyboardInterrupt as exc:
            interrupted = "SIGTERM" if isinstance(exc, Terminated) else "Ctrl-C"
            log.warning("interrupted (%s): keeping the results of the backends that finished",
                        interrupted)
            break
    records, summary, rows = {}, [], []
    for backend in backends:  # reports follow the order the backends were given in
        done = scored.get(backend.name)
        record = done.record if done else _record(backend, "interrupted",
                                                  f"the run was interrupted ({interrupted})")
        if record.status == "unavailable" and skip_unavailable:
            record.status = "skipped"
        records[backend.name] = record
        if record.status == "ok":
            rows += done.rows
            summary += [summarize(backend.name, s, done.rows) for s in suites]
        else:
            summary += [failed_summary(backend.name, s, record.status, record.error or "")
                        for s in suites]
    return Results(
        suites=names,
        backends=records,
        summary_rows=summary,
        rows=rows,
        suite_fingerprints={s.name: s.fingerprint() for s in suites},
        similarities={name: s.similarities for name, s in scored.items()
                      if s.record.status == "ok"},
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        interrupted=bool(interrupted),
        weak_below=weak_below,
    )


def _record(backend: Backend, status: str = "ok", error: str | None = None) -> BackendRecord:
    if status != "ok":
        log.info("backend %s %s: %s", backend.name, status, error)
    return BackendRecord(name=backend.name, plugin=backend.plugin,
                         options=jsonable(backend.options), fingerprint=None, versions={},
                         status=status, error=error, context_free=backend.context_free)


def _failure(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, BackendFailure) else f"{type(exc).__name__}: {exc}"


def _fail(record: BackendRecord, why: BaseException | str) -> None:
    record.status, record.error = "error", why if isinstance(why, str) else _failure(why)
    log.info("backend %s error: %s", record.name, record.error)


def _run_group(group: list[Backend], suites: Sequence[Suite], items: list[Item],
               executor: Executor, cache: EmbeddingCache | None,
               progress: ProgressFactory | None, baseline: bool,
               weak_below: float) -> dict[str, Scored]:
    """Each backend of the group, scored, or its record saying why not."""
    out: dict[str, Scored] = {}
    ready = []
    for backend in group:
        try:
            with calling(backend.name):
                availability = backend.availability()
                if not availability.ok:
                    out[backend.name] = Scored(_record(backend, "unavailable",
                                                       availability.explain()))
                    continue
                record = _record(backend)
                record.fingerprint, record.versions = backend.fingerprint(), backend.versions()
            out[backend.name] = Scored(record)
            ready.append(backend)
        except Exception as exc:
            out[backend.name] = Scored(_record(backend, "error", _failure(exc)))
    if not ready:
        return out
    # the reference sample is of words in context: a run of whole sentences only has no
    # baseline (a post-processing, fitted on words in context, still applies to sentences)
    record_baseline = baseline and any(item.span is not None for item in items)
    wanted = {b.name for b in ready
              if record_baseline or calibration.postprocessing(b) != "none"}
    calibrations = {b.name: calibration.cached(b, cache) for b in ready if b.name in wanted}
    # the reference sample rides along with the suites' contexts when a backend's calibration
    # is not in the cache yet: one forward pass per text, the cache, Ray, all alike
    sample = list(calibration.reference()[0]) if None in calibrations.values() else []
    run_items = list(dict.fromkeys([*items, *sample]))
    bar = progress(len(run_items), ", ".join(b.name for b in ready)) if progress else None
    try:
        embedded = executor.embed(ready, run_items, cache=cache, progress=bar)
    except Exception as exc:  # the shared work failed: every backend of the group fails
        log.debug("traceback of backend %s", ready[0].name, exc_info=True)
        for backend in ready:
            _fail(out[backend.name].record, exc)
        return out
    finally:
        if bar is not None:
            bar.close()
    index = {item: i for i, item in enumerate(run_items)}
    for backend, result in zip(ready, embedded):
        if isinstance(result, Exception):
            _fail(out[backend.name].record, result)
            continue
        scored = out[backend.name]
        calibrated = calibrations.get(backend.name)
        if backend.name in wanted and calibrated is None:
            try:
                calibrated = calibration.calibrate(
                    backend, take(result, [index[i] for i in sample]))
            except Exception as exc:  # a post-processing that cannot be fitted: this backend
                _fail(scored.record, exc)
                continue
            if calibrated is not None:
                calibration.store(backend, calibrated, cache)
            elif record_baseline:
                log.warning("backend %s has too few vectors of the reference sample (at least "
                            "%d needed): no baseline, and margins are not given in its "
                            "standard deviations", backend.name, calibration.MIN_VECTORS)
        result = calibration.apply(calibrated, result)
        unit, _ = unit_rows(result.vectors)
        missing = result.reasons
        scored.record.used = dict(result.used)
        recorded = calibrated if record_baseline else None
        scored.record.geometry = recorded.record() if recorded else None
        scored.rows = [row for suite in suites for row in score_suite(
            backend.name, suite, index, unit, missing,
            recorded.baseline_sd if recorded else None, weak_below)]
        if scored.rows and all(row.error is not None for row in scored.rows):
            lacking = [missing[i] for i in range(len(items)) if i in missing]
            _fail(scored.record, f"no expectation could be scored: every one lacks a vector (of "
                  f"{len(lacking)} contexts without one, the first: {lacking[0]})")
            scored.rows = []
            continue
        scored.similarities = {
            suite.name: test_similarities(suite, index, unit, missing) for suite in suites}
    return out
