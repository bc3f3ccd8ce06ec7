"""The one word-in-context embedding interface every backend implements.

A backend turns a batch of `Item`s (a text plus the character span of the target word in it, or no
span for a whole-sentence context) into `Embeddings`: an (n, dim) float array, and for each row it
could not embed (a row of NaN: an out-of-vocabulary word, say) the reason. The harness reports such
a row per expectation instead of scoring it.

An author implements `embed_batch` and usually `availability`, `weights_id` and `versions`, and
declares `plugin` and `OPTIONS`. Construction is cheap and never loads weights; the first
`embed_batch` call does. Everything else (batching, checking what comes back, the fingerprint)
is done here. What the runner can do with some backends beyond this (sharing a forward pass,
sweeping settings, asking a cluster for resources) is in `harness.backend.capabilities`.

numpy is imported on first use, so that loading plugins stays fast.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from harness.backend.card import ModelCard
from harness.backend.options import (
    Option,
    parse_bool,
    parse_dim,
    parse_int_list,
    parse_postprocess,
    parse_similarity,
    positive_int,
)
from harness.errors import OptionError, did_you_mean

if TYPE_CHECKING:
    import numpy as np

__all__ = ["AVAILABLE", "Availability", "Backend", "Embeddings", "Item", "Option", "parse_bool",
           "parse_int_list"]


# Options the harness handles itself, for every backend: they are part of its options and its
# fingerprint, not of its own vectors.
CORE_OPTIONS = {
    "postprocess": Option(
        "none", "none, center, standardize or abtt:D: vectors transformed with the backend's "
        "own vectors of the reference sample", parse_postprocess),
    "truncate_dim": Option(
        "full", "full or N: keep each vector's first N components (a Matryoshka width, as "
        "sentence-transformers' truncate_dim), before post-processing and the similarity",
        parse_dim),
    "similarity": Option(
        "cosine", "cosine, dot, euclidean, manhattan, spearman or model (the folder's "
        "similarity_fn_name): how two vectors are compared; distances negated (larger is "
        "closer); spearman is Spearman's rho between the two vectors' components",
        parse_similarity),
}

# core options added after 0.3: left out of a record at their default (results stay as they were)
QUIET_AT_DEFAULT = ("truncate_dim", "similarity")


class Item(NamedTuple):
    """A context: `text`, and the [start, end) character span of the target (None: sentence)."""

    text: str
    span: tuple[int, int] | None = None

    @property
    def word(self) -> str | None:
        return None if self.span is None else self.text[self.span[0] : self.span[1]]


@dataclass(frozen=True)
class Embeddings:
    """What a backend gives for a batch of items: one row of `vectors` per item, in order; for
    each row it has no vector for (a row of NaN), the reason, by row index; and what the
    backend settled on to make them (`Backend.used`: the layers of a model, say)."""

    vectors: np.ndarray
    reasons: Mapping[int, str] = field(default_factory=dict)
    used: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Availability:
    """Whether a backend can run here; if not, why and the command that fixes it."""

    ok: bool
    reason: str = ""
    install: str = ""

    def explain(self) -> str:
        if self.ok:
            return "available"
        return self.reason + (f" Fix: {self.install}" if self.install else "")


AVAILABLE = Availability(True)


class Backend(ABC):
    """Base class of backends. Subclasses set `plugin` and `OPTIONS`, implement `embed_batch`,
    and usually `availability`, `weights_id` and `versions`."""

    plugin: ClassVar[str] = ""
    description: ClassVar[str] = ""
    # A context-free (type-level) model gives a word one vector wherever it occurs; reports
    # use such a backend as a control: what it passes needs no context.
    context_free: ClassVar[bool] = False
    OPTIONS: ClassVar[Mapping[str, Option]] = {
        "batch_size": Option(32, "items per embed_batch call", positive_int,
                             affects_vectors=False),
        **CORE_OPTIONS,
    }

    def __init__(self, name: str, options: Mapping[str, Any] | None = None):
        self.name = name
        given = dict(options or {})
        unknown = [k for k in given if k not in self.OPTIONS]
        if unknown:
            key = unknown[0]
            hint = did_you_mean(key, self.OPTIONS)
            known = ", ".join(sorted(self.OPTIONS))
            raise OptionError(
                f"backend {name!r}: unknown option {key!r}{hint}; plugin {self.plugin!r} takes: "
                f"{known}"
            )
        self.options: dict[str, Any] = {
            key: spec.coerce(key, given[key]) if key in given else spec.default
            for key, spec in self.OPTIONS.items()
        }
        self._weights: str | None = None
        # card fields the instance's configuration adds or overrides (harness.toml's
        # [backends.NAME.meta]); see `card()`
        self.meta: ModelCard | None = None

    # -- what an author implements --------------------------------------------------------------
    def availability(self) -> Availability:
        """Whether this backend can run here. Must be cheap: no weights loaded."""
        return AVAILABLE

    def weights_id(self) -> str:
        """What identifies the weights (a package version, a file digest). The harness calls it
        once per backend object, so it may hash large files."""
        return ""

    def versions(self) -> dict[str, str]:
        """Versions of the packages and weights that produce the vectors (for reports)."""
        return {}

    def used(self) -> dict[str, Any]:
        """What this backend settled on when it embedded, beyond its options (the layers a
        default picked, the model's length limit): recorded in results.json. Optional."""
        return {}

    def similarity_fn(self) -> str | None:
        """The model's own similarity function (`similarity=model`), one of cosine, dot,
        euclidean or manhattan, read from files only; None (the default): it has none."""
        return None

    def card(self) -> ModelCard | None:
        """What is known of the model (a `ModelCard`: parameters, width, layers, licence, ...),
        read from files only: never a download, never weights loaded for it. Optional: None
        (the default) says nothing is known. results.json records it as `backends[NAME].card`,
        with harness.toml's `[backends.NAME.meta]` over it."""
        return None

    @abstractmethod
    def embed_batch(self, items: Sequence[Item]) -> Embeddings:
        """Embed a batch of at most `batch_items()` items: their vectors, an (n, dim) float
        array in item order, and the reason for each row left NaN."""

    # -- what the harness provides ------------------------------------------------------------
    def batch_items(self) -> int:
        """Most items per `embed_batch` call: the `batch_size` option. A backend that packs
        its own batches (the transformer base class packs by tokens) returns more."""
        return max(1, int(self.options.get("batch_size") or 1))

    def embed(self, items: Sequence[Item]) -> Embeddings:
        """Embed any number of items, `batch_items()` at a time, checking every batch."""
        import numpy as np

        items = list(items)
        size = self.batch_items()
        outs = []
        for start in range(0, len(items), size):
            batch = items[start : start + size]
            outs.append((start, self.checked(self.embed_batch(batch), len(batch))))
        if not outs:
            return Embeddings(np.zeros((0, 0), dtype=np.float32))
        # a batch without one vector may not know the width: only the others count
        widths = {out.vectors.shape[1] for _, out in outs if len(out.reasons) < len(out.vectors)}
        if len(widths) > 1:
            raise ValueError(f"backend {self.name!r} returned vectors of sizes {sorted(widths)} "
                             "in different batches; a backend gives one size")
        width = widths.pop() if widths else outs[0][1].vectors.shape[1]
        parts, reasons, used = [], {}, {}
        for start, out in outs:
            parts.append(out.vectors if out.vectors.shape[1] == width
                         else np.full((len(out.vectors), width), np.nan, dtype=np.float32))
            reasons.update({start + i: why for i, why in out.reasons.items()})
            used.update(out.used)
        return Embeddings(np.concatenate(parts, axis=0), reasons, used)

    def checked(self, out: Any, n: int) -> Embeddings:
        """`out` as Embeddings of n rows of float32 (what the cache stores, so that a cold and
        a warm run score the same numbers), or a ValueError naming the backend. A row with a
        value float32 cannot hold (NaN, inf, beyond 3.4e38) has no vector, with the reason."""
        import numpy as np

        if not isinstance(out, Embeddings):
            raise TypeError(f"backend {self.name!r}: embed_batch returned "
                            f"{type(out).__name__}, not Embeddings(vectors, reasons)")
        vectors = np.asarray(out.vectors)
        if vectors.ndim != 2 or vectors.shape[0] != n:
            raise ValueError(
                f"backend {self.name!r} returned shape {vectors.shape} for {n} items; "
                "expected (n, dim)"
            )
        if not np.issubdtype(vectors.dtype, np.floating):
            raise ValueError(f"backend {self.name!r} returned dtype {vectors.dtype}, not float")
        with np.errstate(over="ignore", invalid="ignore"):
            vectors = vectors.astype(np.float32)
        reasons = {int(i): str(why) for i, why in out.reasons.items()}
        if any(not 0 <= i < n for i in reasons):
            raise ValueError(f"backend {self.name!r} gave reasons for rows {sorted(reasons)} of a "
                             f"batch of {n}")
        for row in np.flatnonzero(~np.isfinite(vectors).all(axis=1)):
            if int(row) not in reasons and not np.isnan(vectors[row]).all():
                reasons[int(row)] = (f"{self.name} returned a vector with values that are not "
                                     "finite in float32 (NaN, inf or beyond ±3.4e38)")
        vectors[list(reasons)] = np.nan
        return Embeddings(vectors, reasons, dict(out.used) or self.used())

    def weights(self) -> str:
        """`weights_id()`, computed on first use only."""
        if self._weights is None:
            self._weights = self.weights_id()
        return self._weights

    def fingerprint(self, raw: bool = False) -> str:
        """A stable digest of the plugin, the weights and every option that changes vectors
        (the harness's own, such as `postprocess`, only when not at their default). `raw`:
        without the harness's own options: what the backend's own vectors, and so the
        embedding cache, depend on."""
        payload = {
            "plugin": self.plugin,
            "weights": self.weights(),
            "options": {
                k: v for k, v in sorted(self.options.items()) if self.OPTIONS[k].affects_vectors
                and not (k in CORE_OPTIONS and (raw or v == CORE_OPTIONS[k].default))
            },
        }
        blob = json.dumps(payload, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} plugin={self.plugin!r}>"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "OPTIONS" in cls.__dict__:
            clash = [k for k in CORE_OPTIONS if cls.OPTIONS.get(k, CORE_OPTIONS[k])
                     is not CORE_OPTIONS[k]]
            if clash:
                raise TypeError(f"{cls.__qualname__}.OPTIONS defines {', '.join(clash)}, which "
                                "the harness handles for every backend: rename that option")
            cls.OPTIONS = {**cls.OPTIONS, **CORE_OPTIONS}  # every backend takes them
        old = [m for m in ("_embed", "_weights_id") if m in cls.__dict__]
        if old:  # the interface before 0.2, removed in 0.4: say what replaces it
            raise TypeError(f"{cls.__qualname__} implements {' and '.join(old)}, wic-harness's "
                            "backend interface before 0.2, removed in 0.4: implement embed_batch "
                            "(returning Embeddings with the reasons) and weights_id instead")


class BrokenInstance(Backend):
    """Stands in for a registered instance that could not be built (bad options from its
    plugin), so that a run reports it as an error and goes on with the others."""

    def __init__(self, name: str, plugin: str, error: Exception):
        super().__init__(name)
        self.plugin = plugin  # type: ignore[misc]
        self.error = error

    def availability(self) -> Availability:
        raise self.error

    def embed_batch(self, items: Sequence[Item]) -> Embeddings:
        raise self.error
