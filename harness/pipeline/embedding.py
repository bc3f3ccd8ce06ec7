"""The one owner of embedding: which items reach a backend, in which order and chunks, what the
cache already holds, how variants of one model share a forward pass, and how the pieces come
back together as `Embeddings` (vectors plus the reason for each missing row).

Executors (local, Ray) call `embed_group`; the Ray executor cuts shards with `shard_positions`
and puts them back with `assemble`, so that every batch, and every vector, is the same as a
local run's."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import numpy as np

from harness._version import __version__
from harness.backend import CORE_OPTIONS, Backend, Embeddings, Item
from harness.pipeline.boundary import calling
from harness.pipeline.embedding_cache import EmbeddingCache

log = logging.getLogger("harness.embedding")

# Items per call into a backend, in text-length order: the granularity of batching, progress
# and cache writes, and the unit of a Ray shard.
CHUNK = 512


class Progress(Protocol):
    """What a progress bar offers: update(n) and close()."""

    def update(self, n: int) -> None: ...

    def close(self) -> None: ...


ProgressFactory = Callable[[int, str], Progress]  # (total, description) -> a bar


def cache_salt(backend: Backend) -> str:
    """What besides the fingerprint decides a cached vector: the harness's version (its
    alignment and pooling) and the versions of the backend's libraries."""
    return json.dumps([__version__, backend.versions()], sort_keys=True)


def length_order(items: Sequence[Item]) -> list[int]:
    """Positions of `items` sorted by text length (stable): similar lengths batch together."""
    return sorted(range(len(items)), key=lambda i: len(items[i].text))


def shard_positions(items: Sequence[Item], shard_size: int) -> list[list[int]]:
    """Runs of the length order, each a whole number of chunks (at least one), so that a
    worker embedding a shard makes exactly the batches a local run makes."""
    size = max(CHUNK, -(-shard_size // CHUNK) * CHUNK)
    order = length_order(items)
    return [order[i : i + size] for i in range(0, len(order), size)]


def assemble(backend: Backend, n: int, pieces: Sequence[tuple[Sequence[int], Embeddings]],
             used: Mapping[str, Any] | None = None) -> Embeddings:
    """One backend's pieces (each: the item positions it covers, and its Embeddings) as
    Embeddings of all n items in item order. A row with a reason, or without a finite nonzero
    vector, is missing (with a reason); the pieces must agree on the width. `used` (default:
    what the pieces say) is what the backend settled on."""
    # a piece with no vector at all may not know the width: only the others count
    widths = {e.vectors.shape[1] for _, e in pieces if np.isfinite(e.vectors).any()}
    if len(widths) > 1:
        raise ValueError(f"backend {backend.name!r} gave vectors of sizes {sorted(widths)}; a "
                         "backend gives one size (when the cache holds vectors of another size: "
                         "harness cache clear)")
    vectors = np.full((n, widths.pop() if widths else 1), np.nan, dtype=np.float64)
    reasons: dict[int, str] = {}
    settled: dict[str, Any] = {}
    for positions, piece in pieces:
        settled.update(piece.used)
        where = np.asarray(positions, dtype=np.int64)
        if len(where) and piece.vectors.shape[1] == vectors.shape[1]:
            vectors[where] = piece.vectors
        reasons.update({int(where[i]): why for i, why in piece.reasons.items()})
    finite = np.isfinite(vectors).all(axis=1)
    zero = finite & (np.abs(np.nan_to_num(vectors)).sum(axis=1) == 0)
    for i in np.flatnonzero(~finite | zero):
        if int(i) not in reasons:
            reasons[int(i)] = (f"{backend.name} returned a zero vector" if finite[i]
                               else f"{backend.name} has no vector for this context")
    vectors[list(reasons)] = np.nan
    return Embeddings(vectors, reasons, dict(used) if used is not None else settled)


def embed_group(group: Sequence[Backend], items: Sequence[Item], *,
                cache: EmbeddingCache | None = None,
                progress: Progress | None = None) -> list[Embeddings | Exception]:
    """Embeddings of `items` for each backend of `group`: one backend, or several that share a
    forward pass (the first leads). Only the items some backend of the group lacks in the cache
    reach the model (none: it is never loaded). An Exception stands in for the embeddings of a
    backend that alone failed; a failure of the shared work raises."""
    cached: list[dict[int, np.ndarray | str]] = [
        cache.get(b.fingerprint(raw=True), items, cache_salt(b)) if cache else {} for b in group]
    todo = [i for i in range(len(items)) if any(i not in c for c in cached)]
    if progress is not None and len(todo) < len(items):
        progress.update(len(items) - len(todo))
    if cache:
        log.info("%s: %d of %d contexts cached", ", ".join(b.name for b in group),
                 len(items) - len(todo), len(items))
    fresh = _compute(group, [items[i] for i in todo], progress)
    out: list[Embeddings | Exception] = []
    for backend, have, computed in zip(group, cached, fresh):
        if isinstance(computed, Exception):
            out.append(computed)
            continue
        used = dict(computed.used)
        if cache and todo:
            cache.put(backend.fingerprint(raw=True), [items[i] for i in todo], computed.vectors,
                      dict(computed.reasons), cache_salt(backend), used, label(backend))
        elif cache:  # nothing computed: what the backend used comes from the cache
            cache.note(backend.fingerprint(raw=True), label(backend))
            used = used or cache.get_used(backend.fingerprint(raw=True), cache_salt(backend)) or {}
        pieces = [*_cached_pieces(have), (todo, computed)]
        out.append(assemble(backend, len(items), pieces, used))
    return out


def label(backend: Backend) -> dict[str, Any]:
    """What the embedding cache records of a backend: its name, plugin, and the options its
    raw fingerprint holds (those that change its own vectors)."""
    options = {k: v for k, v in sorted(backend.options.items()) if k not in CORE_OPTIONS
               and k in backend.OPTIONS and backend.OPTIONS[k].affects_vectors}
    return {"name": backend.name, "plugin": backend.plugin, "options": options}


def take(embedded: Embeddings, rows: Sequence[int]) -> Embeddings:
    """Those rows, in that order (reasons renumbered; a row taken twice keeps its reason
    twice)."""
    return Embeddings(embedded.vectors[list(rows)],
                      {i: embedded.reasons[r] for i, r in enumerate(rows)
                       if r in embedded.reasons}, embedded.used)


def embed_items(backend: Backend, items: Sequence[Item], *,
                cache: EmbeddingCache | None = None) -> Embeddings:
    """`embed_group` of one backend: its Embeddings of `items`, or its exception raised."""
    [out] = embed_group([backend], items, cache=cache)
    if isinstance(out, Exception):
        raise out
    return out


def _cached_pieces(cached: dict[int, np.ndarray | str]) -> list[tuple[list[int], Embeddings]]:
    """Cache entries as pieces for `assemble`: one per vector width, and one of reasons."""
    by_width: dict[int, list[int]] = {}
    missing = {}
    for i, entry in cached.items():
        if isinstance(entry, str):
            missing[i] = entry
        else:
            by_width.setdefault(len(entry), []).append(i)
    pieces = [(rows, Embeddings(np.stack([cached[i] for i in rows]))) for rows in by_width.values()]
    if missing:
        rows = list(missing)
        pieces.append((rows, Embeddings(np.full((len(rows), 1), np.nan),
                                        {k: missing[i] for k, i in enumerate(rows)})))
    return pieces


def _compute(group: Sequence[Backend], items: Sequence[Item],
             progress: Progress | None) -> list[Embeddings | Exception]:
    """Embeddings from the backends, CHUNK items at a time in length order."""
    order = length_order(items)
    pieces: list[list[tuple[list[int], Embeddings]]] = [[] for _ in group]
    failed: dict[int, Exception] = {}
    for start in range(0, len(order), CHUNK):
        where = order[start : start + CHUNK]
        chunk = [items[i] for i in where]
        for b, out in enumerate(_embed_chunk(group, chunk)):
            if isinstance(out, Exception):
                failed.setdefault(b, out)
            else:
                pieces[b].append((where, out))
        if progress is not None:
            progress.update(len(chunk))
    return [failed[b] if b in failed else assemble(backend, len(items), pieces[b])
            for b, backend in enumerate(group)]


def _embed_chunk(group: Sequence[Backend], chunk: list[Item]) -> list[Embeddings | Exception]:
    lead = group[0]
    with calling(lead.name):
        if len(group) == 1:
            return [lead.embed(chunk)]
        outs = lead.embed_shared(chunk, group)  # type: ignore[attr-defined]
        return [out if isinstance(out, Exception) else backend.checked(out, len(chunk))
                for backend, out in zip(group, outs)]
