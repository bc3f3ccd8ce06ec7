"""One preparation step for every caller that embeds: `harness run` and `sweep` (through the
runner), `wic`, `senses`, `geometry`, `harness.embed` and `harness.similarities`.

For each backend: is it available, what identifies it (fingerprint, versions); then, group by
group (variants of one model share a forward pass), its vectors of the items from an executor
(local or Ray), with the reference sample riding along when a calibration is wanted and the
cache does not hold it; the calibration fitted (post-processing and baseline) and stored; and
the vectors post-processed. Each backend comes back as a `Prepared`: its record, its vectors
and its calibration, or its record saying why not. Groups are yielded as they finish, so that a
caller keeps what finished when the user stops the work."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from harness.backend import CORE_OPTIONS, Backend, Embeddings, Item
from harness.backend.base import QUIET_AT_DEFAULT
from harness.backend.capabilities import share_key_of
from harness.backend.card import card_of
from harness.errors import BackendFailure, BackendUnavailable, HarnessError
from harness.pipeline import calibration
from harness.pipeline.boundary import calling
from harness.pipeline.calibration import Calibration
from harness.pipeline.embedding import ProgressFactory, take
from harness.pipeline.embedding_cache import EmbeddingCache
from harness.pipeline.executors import Executor, LocalExecutor
from harness.results.model import BackendRecord

log = logging.getLogger("harness.prepare")

_SAME = object()  # calibration_cache: the same store as `cache`
T = TypeVar("T")


@dataclass
class Prepared:
    """One backend, prepared: its record (status ok, or why not); its vectors of the items, in
    item order, post-processed as its options say; and its calibration (None when none was
    wanted, or when it has too few vectors of the reference sample for one)."""

    backend: Backend
    record: BackendRecord
    embedded: Embeddings | None = None
    calibration: Calibration | None = None
    cause: BaseException | None = None  # what the backend raised, when it failed so

    @property
    def ok(self) -> bool:
        return self.record.status == "ok" and self.embedded is not None

    def take(self, rows: Sequence[int]) -> Embeddings:
        """Its vectors of those items (by position in the items prepared), in that order."""
        assert self.embedded is not None, "only a backend that is ok has vectors"
        return take(self.embedded, rows)

    def error(self) -> HarnessError:
        """Why it is not ok, as the error a caller that stops at the first failure raises."""
        kind = BackendUnavailable if self.record.status == "unavailable" else HarnessError
        return kind(f"backend {self.backend.name!r}: {self.record.error}")


def call_backend(backend: Backend, call: Callable[..., T], *args: Any) -> T:
    """`call(*args)` as a call into the backend's own code (its plugin's), behind the boundary
    (harness/pipeline/boundary.py): what it raises fails this backend only."""
    with calling(backend.name):
        return call(*args)


def require_available(backend: Backend) -> None:
    """A BackendUnavailable that says what the backend lacks, unless it can run here."""
    with calling(backend.name):
        availability = backend.availability()
        if not availability.ok:
            raise BackendUnavailable(f"backend {backend.name!r}: {availability.explain()}")


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


def record_of(backend: Backend, status: str = "ok", error: str | None = None) -> BackendRecord:
    """A fresh record of the backend (fingerprint and versions are filled in when it runs)."""
    if status != "ok":
        log.info("backend %s %s: %s", backend.name, status, error)
    options = {k: v for k, v in backend.options.items()
               if not (k in QUIET_AT_DEFAULT and v == CORE_OPTIONS[k].default)}
    return BackendRecord(name=backend.name, plugin=backend.plugin,
                         options=jsonable(options), fingerprint=None, versions={},
                         status=status, error=error, context_free=backend.context_free)


def failure_text(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, BackendFailure) else f"{type(exc).__name__}: {exc}"


def fail(record: BackendRecord, why: BaseException | str) -> None:
    """Mark the record failed, with why."""
    record.status, record.error = "error", why if isinstance(why, str) else failure_text(why)
    log.info("backend %s error: %s", record.name, record.error)


def _fail(prepared: Prepared, exc: BaseException) -> None:
    fail(prepared.record, exc)
    prepared.cause = exc


def prepare(backends: Sequence[Backend], items: Sequence[Item], *,
            executor: Executor | None = None, cache: EmbeddingCache | None = None,
            calibration_cache: EmbeddingCache | None | object = _SAME,
            progress: ProgressFactory | None = None,
            baseline: bool = False) -> Iterator[Prepared]:
    """Each backend prepared (see `Prepared`), a group at a time, in the order the backends
    were given within each group. With `baseline`, every backend is calibrated on the reference
    sample and its baseline is recorded (`record.calibration`); without it, only a backend
    whose `postprocess` option needs a fit is. `calibration_cache` (default: `cache`) is where
    calibrations are looked up and kept. A backend with `cacheable = False` (a model in memory,
    whose weights change between calls) uses neither cache."""
    executor = executor or LocalExecutor()
    facts = cache if calibration_cache is _SAME else calibration_cache
    for group in group_backends(backends):
        kept = all(getattr(b, "cacheable", True) for b in group)  # False: weights in memory
        yield from _prepare_group(group, list(items), executor, cache if kept else None,
                                  facts if kept else None, progress, baseline)


def _prepare_group(group: list[Backend], items: list[Item], executor: Executor,
                   cache: EmbeddingCache | None, facts: Any,
                   progress: ProgressFactory | None, baseline: bool) -> Iterator[Prepared]:
    out: dict[str, Prepared] = {}
    ready = []
    for backend in group:
        try:
            with calling(backend.name):
                availability = backend.availability()
                if not availability.ok:
                    out[backend.name] = Prepared(backend, record_of(
                        backend, "unavailable", availability.explain()))
                    continue
                record = record_of(backend)
                record.fingerprint, record.versions = backend.fingerprint(), backend.versions()
                card = card_of(backend)
                record.card = card.to_dict() if card else None
            out[backend.name] = Prepared(backend, record)
            ready.append(backend)
        except Exception as exc:
            out[backend.name] = Prepared(backend, record_of(backend, "error", failure_text(exc)),
                                         cause=exc)
    if ready:
        _embed_ready(ready, out, items, executor, cache, facts, progress, baseline)
    yield from (out[backend.name] for backend in group)


def _embed_ready(ready: list[Backend], out: dict[str, Prepared], items: list[Item],
                 executor: Executor, cache: EmbeddingCache | None, facts: Any,
                 progress: ProgressFactory | None, baseline: bool) -> None:
    wanted = {b.name for b in ready if baseline or calibration.postprocessing(b) != "none"}
    calibrations = {b.name: calibration.cached(b, facts) for b in ready if b.name in wanted}
    # the reference sample rides along with the items when a backend's calibration is not in
    # the cache yet: one forward pass per text, the cache, Ray, all alike
    sample = list(calibration.reference()[0]) if None in calibrations.values() else []
    run_items = list(dict.fromkeys([*items, *sample]))
    bar = progress(len(run_items), ", ".join(b.name for b in ready)) if progress else None
    try:
        embedded = executor.embed(ready, run_items, cache=cache, progress=bar)
    except Exception as exc:  # the shared work failed: every backend of the group fails
        log.debug("traceback of backend %s", ready[0].name, exc_info=True)
        for backend in ready:
            _fail(out[backend.name], exc)
        return
    finally:
        if bar is not None:
            bar.close()
    index = {item: i for i, item in enumerate(run_items)}
    own = [index[item] for item in items]
    for backend, result in zip(ready, embedded):
        prepared = out[backend.name]
        if isinstance(result, Exception):
            _fail(prepared, result)
            continue
        fitted = calibrations.get(backend.name)
        try:
            result = calibration.truncated(backend, result)
            similarity = calibration.similarity_name(backend)
            if fitted is not None and fitted.width != result.vectors.shape[1] \
                    and len(result.reasons) < len(run_items):
                log.warning("backend %s: its cached calibration is of vectors of another width; "
                            "fitting it again", backend.name)
                [again] = executor.embed([backend], list(calibration.reference()[0]),
                                         cache=cache)
                if isinstance(again, Exception):
                    raise again
                again = calibration.truncated(backend, again)
                fitted = _fitted(backend, again, facts)
            elif backend.name in wanted and fitted is None:
                fitted = _fitted(backend, take(result, [index[i] for i in sample]), facts)
            result = calibration.apply(fitted, result)
        except Exception as exc:  # a post-processing that cannot be fitted: this backend
            _fail(prepared, exc)
            continue
        prepared.embedded = result if run_items == items else take(result, own)
        prepared.calibration = fitted
        prepared.record.used = dict(result.used)
        if similarity != "cosine":  # recorded where it is not the default (0.3's results)
            prepared.record.used["similarity"] = similarity
        if baseline and fitted is not None:
            prepared.record.calibration = fitted.record()


def _fitted(backend: Backend, sample: Embeddings, facts: Any) -> Calibration | None:
    """The backend's calibration from its vectors of the reference sample, stored."""
    fitted = calibration.calibrate(backend, sample)
    if fitted is not None:
        calibration.store(backend, fitted, facts)
    return fitted


def prepare_one(backend: Backend, items: Sequence[Item], **options: Any) -> Prepared:
    """`prepare` of one backend; what it raised (or, unavailable, a BackendUnavailable) raised
    when it is not ok."""
    [prepared] = prepare([backend], items, **options)
    if not prepared.ok:
        raise prepared.cause or prepared.error()
    return prepared
