"""The Python API, for notebooks and scripts; the CLI is a thin layer over it.

    >>> import harness
    >>> results = harness.run(["suites/polysemy.yaml"], ["glove-50d"])
    >>> results.summary                       # a pandas DataFrame
    >>> harness.similarities("glove-50d", {"mouse1": ("A mouse is a rodent animal.", "mouse"),
    ...                                    "rat": ("A rat is an animal.", "rat")})
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from harness.backend import Backend, BrokenInstance, Item
from harness.embedding_cache import EmbeddingCache
from harness.errors import BackendUnavailable, HarnessError
from harness.plugins.manager import load_registry
from harness.plugins.registry import Registry
from harness.results import Results
from harness.runner import ProgressFactory, run_suites
from harness.scoring import unit_rows
from harness.suite import Suite, load_suite, locate_word

if TYPE_CHECKING:
    import pandas as pd

# A context for the ad-hoc API: "a sentence" (whole sentence), (text, word),
# (text, word, occurrence), or an Item with a character span.
ContextLike = str | tuple | Item


def get_backend(spec: str | Backend, registry: Registry | None = None) -> Backend:
    """A backend from an instance name (`glove-50d`) or inline spec (`static:vectors=PATH`)."""
    if isinstance(spec, Backend):
        return spec
    return (registry or load_registry()).create(spec)


def default_backends(registry: Registry | None = None) -> list[Backend]:
    """Every default instance; one that cannot be built is a BrokenInstance that reports why."""
    registry = registry or load_registry()
    out: list[Backend] = []
    for name in registry.default_names():
        try:
            out.append(registry.create(name))
        except HarnessError as exc:
            out.append(BrokenInstance(name, registry.instances[name].plugin, exc))
    return out


def run(
    suites: Iterable[str | Path | Suite],
    backends: Iterable[str | Backend] | None = None,
    *,
    registry: Registry | None = None,
    progress: ProgressFactory | None = None,
    cache: bool = True,
) -> Results:
    """Score backends (names, inline specs or Backend objects; default: every default
    instance, those unavailable here skipped) on suites (paths or Suite objects). A single
    path or name may be given without a list. Vectors are cached on disk unless cache=False."""
    store = EmbeddingCache() if cache else None
    if isinstance(suites, str | Path | Suite):
        suites = [suites]
    loaded = [s if isinstance(s, Suite) else load_suite(s) for s in suites]
    if backends is None:
        return run_suites(loaded, default_backends(registry), progress=progress,
                          skip_unavailable=True, cache=store)
    if isinstance(backends, str | Backend):
        backends = [backends]
    registry = registry or load_registry()
    chosen = [get_backend(b, registry) for b in backends]
    return run_suites(loaded, chosen, progress=progress, cache=store)


def to_item(context: ContextLike) -> Item:
    """An Item from a sentence, (text, word[, occurrence]) or an Item."""
    if isinstance(context, Item):
        return context
    if isinstance(context, str):
        return Item(context, None)
    text, word, *rest = context
    if word is None:
        return Item(text, None)
    return Item(text, locate_word(text, word, rest[0] if rest else None))


def embed(backend: str | Backend, contexts: Sequence[ContextLike]) -> np.ndarray:
    """Vectors for ad-hoc contexts, like the notebook's `get_bert_embeddings`. A row of NaN
    means the backend has no vector for that context."""
    if isinstance(contexts, str | tuple | Item):
        raise TypeError("contexts must be a list of contexts, like [(text, word), ...]")
    model = get_backend(backend)
    availability = model.availability()
    if not availability.ok:
        raise BackendUnavailable(f"backend {model.name!r}: {availability.explain()}")
    return model.embed([to_item(c) for c in contexts])


def similarities(
    backend: str | Backend, contexts: Mapping[str, ContextLike]
) -> pd.DataFrame:
    """Cosine similarity between every pair of labelled contexts, as a labelled DataFrame."""
    import pandas as pd

    labels = list(contexts)
    unit, _ = unit_rows(embed(backend, [contexts[k] for k in labels]))
    return pd.DataFrame(unit @ unit.T, index=labels, columns=labels)


__all__ = [
    "default_backends",
    "embed",
    "get_backend",
    "load_suite",
    "run",
    "similarities",
    "to_item",
]
