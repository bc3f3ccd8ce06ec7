"""What the reference sample says about one backend: its post-processing fitted on the backend's
own vectors of the sample, and the baseline (mean and SD of the cosine of unrelated pairs) of
the vectors it scores. Computed once per backend and kept with its vectors in the embedding
cache, so that a warm run reads a few numbers, not the sample's two thousand vectors."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from harness.backend import Backend, Embeddings, Item
from harness.pipeline.embedding import cache_salt
from harness.pipeline.embedding_cache import EmbeddingCache
from harness.pipeline.numerics import Transform, baseline
from harness.pipeline.reference import REFERENCE_NAME, REFERENCE_PATH, reference_rows

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def reference() -> tuple[tuple[Item, ...], tuple[str, ...], str]:
    """The reference sample's items, their target words, and what identifies the sample."""
    rows = reference_rows()
    digest = hashlib.sha256(REFERENCE_PATH.read_bytes()).hexdigest()[:12]
    return tuple(r.item() for r in rows), tuple(r.word for r in rows), digest


@dataclass(frozen=True)
class Calibration:
    """A backend's fitted post-processing and the baseline of the vectors it scores."""

    transform: Transform
    baseline_similarity: float
    baseline_sd: float
    pairs: int
    width: int  # of the vectors it was fitted on

    def record(self) -> dict[str, Any]:
        """What results.json records under backends[NAME].calibration."""
        items, _, _ = reference()
        return {"baseline_similarity": self.baseline_similarity,
                "baseline_sd": self.baseline_sd,
                "reference": {"name": REFERENCE_NAME, "size": len(items), "pairs": self.pairs}}

    def to_dict(self) -> dict[str, Any]:
        return {"transform": self.transform.to_dict(), "baseline": [
            self.baseline_similarity, self.baseline_sd, self.pairs], "width": self.width}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calibration:
        """What `to_dict` wrote; a KeyError, TypeError or ValueError for anything else (a
        transform whose arrays do not fit its width included)."""
        similarity, sd, pairs = data["baseline"]
        width = int(data["width"])
        return cls(Transform.from_dict(data["transform"], width), float(similarity), float(sd),
                   int(pairs), width)


def postprocessing(backend: Backend) -> str:
    return str(backend.options.get("postprocess", "none"))


MODEL_SIMILARITIES = {"cosine": "cosine", "dot": "dot", "dot_product": "dot",
                      "euclidean": "euclidean", "manhattan": "manhattan"}


def similarity_name(backend: Backend) -> str:
    """The `similarity` option, `model` resolved to the model's own (`Backend.similarity_fn`,
    sentence-transformers' similarity_fn_name); a ValueError when it has none."""
    name = str(backend.options.get("similarity", "cosine"))
    if name != "model":
        return name
    own = backend.similarity_fn()
    if own is None:
        raise ValueError(f"similarity=model: {backend.name} names no similarity function of its "
                         "own (a sentence-transformers folder's similarity_fn_name); give one: "
                         "cosine, dot, euclidean, manhattan or spearman")
    if own not in MODEL_SIMILARITIES:
        raise ValueError(f"similarity=model: {backend.name}'s similarity function {own!r} is "
                         f"not one the harness knows ({', '.join(MODEL_SIMILARITIES)})")
    return MODEL_SIMILARITIES[own]


def width(backend: Backend) -> int | None:
    """The `truncate_dim` option: the number of components kept (None: all of them)."""
    dim = backend.options.get("truncate_dim", "full")
    return None if dim == "full" else int(dim)


def truncated(backend: Backend, embedded: Embeddings) -> Embeddings:
    """The first `truncate_dim` components of every vector (the backend's own vectors, before any
    post-processing), as sentence-transformers' truncate_dim; unchanged at full. A width
    beyond the vectors' is an error."""
    keep = width(backend)
    if keep is None:
        return embedded
    have = embedded.vectors.shape[1]
    if keep > have:
        raise ValueError(f"truncate_dim={keep}: {backend.name} gives vectors of {have} "
                         f"components; use truncate_dim={have} or less, or truncate_dim=full")
    return Embeddings(np.ascontiguousarray(embedded.vectors[:, :keep]), embedded.reasons,
                      embedded.used)


MIN_VECTORS = 100  # of the reference sample, to fit a post-processing or a baseline


def calibrate(backend: Backend, raw: Embeddings) -> Calibration | None:
    """From the backend's own (raw) vectors of the reference sample, in the sample's order.
    None when it has too few of them for a baseline (a post-processing then is an error)."""
    _, words, _ = reference()
    vectors = np.asarray(raw.vectors, dtype=np.float64).copy()
    vectors[list(raw.reasons)] = np.nan
    have = int(np.isfinite(vectors).all(axis=1).sum())
    if have < MIN_VECTORS:
        if postprocessing(backend) != "none":
            raise ValueError(f"postprocess={postprocessing(backend)}: {backend.name} has vectors "
                             f"for {have} of the reference sample's {len(words)} items, too few "
                             f"to fit it (at least {MIN_VECTORS})")
        return None
    transform = Transform.fit(postprocessing(backend), vectors)
    similarity, sd, pairs = baseline(transform(vectors), words, similarity_name(backend))
    return Calibration(transform, similarity, sd, pairs, vectors.shape[1])


def fact_kind() -> str:
    """The cache's name for a calibration on this reference sample."""
    return f"calibration:{REFERENCE_NAME}:{reference()[2]}"


def cached(backend: Backend, cache: EmbeddingCache | None) -> Calibration | None:
    if cache is None:
        return None
    data = cache.get_fact(backend.fingerprint(), cache_salt(backend), fact_kind())
    try:
        return None if data is None else Calibration.from_dict(data)
    except Exception as exc:  # noqa: BLE001 - not what store wrote: computed afresh
        log.info("calibration of %s in the cache is damaged (%r); computing it again",
                 backend.name, exc)
        return None


def store(backend: Backend, calibration: Calibration, cache: EmbeddingCache | None) -> None:
    if cache is not None:
        cache.put_fact(backend.fingerprint(), cache_salt(backend), fact_kind(),
                       calibration.to_dict())


def apply(calibration: Calibration | None, embedded: Embeddings) -> Embeddings:
    """The vectors post-processed (rows without a vector stay NaN)."""
    if calibration is None or calibration.transform.kind == "none":
        return embedded
    return Embeddings(calibration.transform(embedded.vectors), embedded.reasons, embedded.used)
