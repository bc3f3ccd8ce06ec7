"""The Python API, for notebooks and scripts; every CLI command is a thin layer over it.

    >>> import harness
    >>> results = harness.run(["suites/polysemy.yaml"], ["glove-50d"])
    >>> results.summary                       # a pandas DataFrame
    >>> harness.similarities("glove-50d", {"mouse1": ("A mouse is a rodent animal.", "mouse"),
    ...                                    "rat": ("A rat is an animal.", "rat")})
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from harness.backend import Backend, BrokenInstance, Item
from harness.errors import BackendUnavailable, HarnessError
from harness.pipeline.boundary import calling
from harness.pipeline.embedding_cache import EmbeddingCache
from harness.pipeline.executors import Executor, LocalExecutor, make_executor
from harness.pipeline.prepare import prepare_one
from harness.pipeline.results import Results
from harness.pipeline.runner import ProgressFactory, run_suites
from harness.pipeline.scoring import WEAK_BELOW, unit_rows
from harness.plugins.manager import load_registry
from harness.plugins.registry import Registry
from harness.suites.model import Suite
from harness.suites.named import load
from harness.suites.words import locate_word

if TYPE_CHECKING:
    import pandas as pd

    from harness.studies.layer_geometry import GeometryRow
    from harness.studies.layer_sweep import Sweep
    from harness.studies.sense_maps import SenseMap
    from harness.studies.wic import WicEvaluation

# A context for the ad-hoc API: "a sentence" (whole sentence), (text, word),
# (text, word, occurrence), or an Item with a character span.
ContextLike = str | tuple | Item
BackendLike = str | Backend


BACKEND_IS = ("a backend is an instance name like 'minilm', an inline spec like "
              "'static:vectors=PATH', or a harness.Backend object")
CONTEXT_IS = ("a context is a sentence (a str), (text, word), (text, word, occurrence), or "
              "harness.Item(text, (start, end))")


def get_backend(spec: BackendLike, registry: Registry | None = None) -> Backend:
    """A backend from an instance name (`glove-50d`) or inline spec (`static:vectors=PATH`)."""
    if isinstance(spec, Backend):
        return spec
    if not isinstance(spec, str) or not spec.strip():
        raise TypeError(f"{BACKEND_IS}; got {spec!r}")
    return (registry or load_registry()).create(spec)


def get_backends(specs: Iterable[BackendLike] | BackendLike,
                 registry: Registry | None = None) -> list[Backend]:
    """Backends from names, inline specs or Backend objects (a single one without a list)."""
    if isinstance(specs, str | Backend):
        specs = [specs]
    if isinstance(specs, Mapping) or not isinstance(specs, Iterable):
        raise TypeError(f"backends must be a list: {BACKEND_IS}; got {type(specs).__name__}")
    specs = list(specs)
    if not specs:
        raise ValueError("no backends given: name some (like ['minilm']), or leave backends "
                         "out for every default instance available here")
    if any(isinstance(s, str) for s in specs):
        registry = registry or load_registry()
    return [get_backend(s, registry) for s in specs]


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


def _suites(suites: Iterable[str | Path | Suite] | str | Path | Suite) -> list[Suite]:
    if isinstance(suites, str | Path | Suite):
        suites = [suites]
    if isinstance(suites, Mapping) or not isinstance(suites, Iterable):
        raise TypeError(f"suites must be a list of suite files or Suite objects; got "
                        f"{type(suites).__name__}")
    suites = list(suites)
    if not suites:
        raise ValueError("no suites given: name suite files, like ['suites/polysemy.yaml']")
    bad = [s for s in suites if not isinstance(s, str | Path | Suite)]
    if bad:
        raise TypeError(f"a suite is a path to a suite file or a Suite object; got {bad[0]!r}")
    return [s if isinstance(s, Suite) else load(s) for s in suites]


def load_suite(spec: str | Path) -> Suite:
    """A suite from its file, or by name (`wordsim353`, `simlex999`: built from gensim's copy
    on first use), read and checked; a SuiteError lists every problem with file and line."""
    return load(spec)


def _executor(executor: str | Executor) -> Executor:
    if not isinstance(executor, str) and not callable(getattr(executor, "embed", None)):
        raise TypeError(f"executor must be 'local', 'ray' or an executor object (with an embed "
                        f"method); got {executor!r}")
    return make_executor(executor) if isinstance(executor, str) else executor


def _cache(value: object) -> EmbeddingCache | None:
    """The embedding cache a `cache` argument asks for: True (the default folder's), False or
    None (none), or an EmbeddingCache; a TypeError for anything else."""
    if isinstance(value, EmbeddingCache) or value is None:
        return value
    return EmbeddingCache() if _flag("cache", value) else None


def _flag(name: str, value: object) -> bool:
    """A True/False argument; a TypeError for anything else (the string 'no' is true)."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False; got {value!r}")
    return bool(value)


def _fraction(name: str, value: object) -> float:
    """A finite number of at least 0; a TypeError or ValueError for anything else."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be a number (in standard deviations); got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number of at least 0; got {value!r}")
    return float(value)


def run(
    suites: Iterable[str | Path | Suite] | str | Path | Suite,
    backends: Iterable[BackendLike] | BackendLike | None = None,
    *,
    registry: Registry | None = None,
    progress: ProgressFactory | None = None,
    cache: bool = True,
    executor: str | Executor = "local",
    reference: bool = True,
    weak_below: float = WEAK_BELOW,
    baseline: bool | None = None,
) -> Results:
    """Score backends (names, inline specs or Backend objects; default: every default
    instance, those unavailable here skipped) on suites (paths or Suite objects). A single
    path or name may be given without a list. Vectors are cached on disk unless cache=False.
    `executor` is "local", "ray" (a local Ray) or an executor object such as
    `harness.pipeline.executors.RayExecutor(address=...)`. With `reference`, each backend's
    baseline on the reference sample is recorded and every margin is also given in its
    standard deviations (`margin_sd`); a pass below `weak_below` of them is flagged weak.
    (`baseline=` is the name of `reference=` before 0.3, deprecated.)"""
    if baseline is not None:
        warnings.warn("harness.run(baseline=...) is now reference=...; baseline= goes in the "
                      "next release", DeprecationWarning, stacklevel=2)
        reference = baseline
    reference, weak_below = _flag("reference", reference), _fraction("weak_below", weak_below)
    store = _cache(cache)
    loaded = _suites(suites)
    chosen = (default_backends(registry) if backends is None
              else get_backends(backends, registry))
    return run_suites(loaded, chosen, progress=progress, skip_unavailable=backends is None,
                      cache=store, executor=_executor(executor), reference=reference,
                      weak_below=weak_below)


def sweep(
    suites: Iterable[str | Path | Suite] | str | Path | Suite,
    backends: Iterable[BackendLike] | BackendLike,
    *,
    registry: Registry | None = None,
    progress: ProgressFactory | None = None,
    cache: bool = True,
    executor: str | Executor = "local",
) -> Sweep:
    """Accuracy of every layer and pooling option of each backend, from one forward pass per
    text: `.rows` (one per setting) and `.results` (the whole run)."""
    from harness.studies.layer_sweep import sweep as run_sweep

    return run_sweep(_suites(suites), get_backends(backends, registry),
                     cache=_cache(cache), progress=progress,
                     executor=_executor(executor))


def evaluate_wic(
    data: str | Path,
    gold: str | Path,
    backends: Iterable[BackendLike] | BackendLike | None = None,
    *,
    dev: tuple[str | Path, str | Path] | None = None,
    registry: Registry | None = None,
    progress: ProgressFactory | None = None,
    cache: bool = True,
    executor: str | Executor = "local",
) -> WicEvaluation:
    """WiC accuracy of backends (default: every default instance available here) on
    Word-in-Context files, with a threshold tuned on `dev` (else an oracle threshold)."""
    from harness.studies.wic import evaluate_wic as evaluate

    chosen = ([b for b in default_backends(registry) if b.availability().ok]
              if backends is None else get_backends(backends, registry))
    return evaluate(data, gold, chosen, dev=dev, cache=_cache(cache),
                    executor=_executor(executor), progress=progress)


def geometry(
    backends: Iterable[BackendLike] | BackendLike,
    *,
    registry: Registry | None = None,
    progress: ProgressFactory | None = None,
    cache: bool = True,
    executor: str | Executor = "local",
) -> list[GeometryRow]:
    """How contextual each backend's vectors are on the reference sample, one row per hidden
    layer of a model (one for a backend without layers): anisotropy, Ethayarajh's
    self-similarity, intra-sentence similarity and MEV, and each adjusted for anisotropy."""
    from harness.studies.layer_geometry import measure

    return measure(get_backends(backends, registry), cache=_cache(cache),
                   progress=progress, executor=_executor(executor))


def senses(
    backend: BackendLike,
    *,
    wordnet: str | None = None,
    file: str | Path | None = None,
    wordnet_dir: str | Path | None = None,
    method: str = "pca",
    registry: Registry | None = None,
    cache: bool = True,
    executor: str | Executor = "local",
) -> SenseMap:
    """A map of a word's contexts grouped by sense, from WordNet (`wordnet="bank"`: the gloss
    examples of each sense that contain the word) or a file of (sense, text, word) rows,
    embedded by `backend` and projected to 2-D ("pca" or "tsne"). `.note` says how many
    contexts were found; `harness.studies.sense_maps.write_sense_map` writes its PNG, HTML
    and CSV."""
    from harness.studies.sense_maps import file_senses, sense_map, wordnet_senses

    if (wordnet is None) == (file is None):
        raise ValueError("give the contexts either as wordnet=LEMMA or as file=PATH")
    model = get_backend(backend, registry)
    if model.context_free:  # every context of a word would be one point
        raise ValueError(f"backend {model.name!r} is context-free: it gives a word one vector "
                         "wherever it occurs, so a map of its senses would put every context of "
                         "the word on one point; use a contextual backend, such as minilm")
    found, note = (wordnet_senses(wordnet, wordnet_dir) if wordnet is not None
                   else file_senses(file))
    return sense_map(model, found, word=wordnet or "", method=method, note=note,
                     cache=_cache(cache), executor=_executor(executor))


def to_item(context: ContextLike, where: str = "the context") -> Item:
    """An Item from a sentence, (text, word[, occurrence]) or an Item; a TypeError or
    ValueError that says what a context must be, otherwise."""
    if isinstance(context, str):
        context = Item(context, None)
    if isinstance(context, Item):
        text, span = context
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{where}: the text must be a non-empty str; got {text!r}")
        if span is not None and not (
                isinstance(span, tuple) and len(span) == 2
                and all(isinstance(i, int) and not isinstance(i, bool) for i in span)
                and 0 <= span[0] < span[1] <= len(text)):
            raise ValueError(f"{where}: the span {span!r} is not inside {text!r} ({len(text)} "
                             "characters): give (start, end) with 0 <= start < end <= "
                             f"{len(text)}")
        return Item(text, span)
    if not isinstance(context, tuple) or not 2 <= len(context) <= 3:
        raise TypeError(f"{where}: {CONTEXT_IS}; got {context!r}")
    text, word, *rest = context
    if not isinstance(text, str) or not (word is None or isinstance(word, str)):
        raise TypeError(f"{where}: {CONTEXT_IS}; got {context!r}")
    if word is None:
        return to_item(Item(text, None), where)
    occurrence = rest[0] if rest else None
    if occurrence is not None and (not isinstance(occurrence, numbers.Integral)
                                   or isinstance(occurrence, bool)):
        raise TypeError(f"{where}: the occurrence (which occurrence of {word!r} to take) must "
                        f"be an int from 1; got {occurrence!r} ({type(occurrence).__name__})")
    try:
        return Item(text, locate_word(text, word, occurrence))
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None


LIST_OF_CONTEXTS = "contexts must be a list of contexts, like [(text, word), ...]"


def context_list(contexts: object) -> list:
    """The contexts as a list (from a list, a tuple of contexts, a generator, a pandas Series
    or any other sequence); a TypeError that says what to pass for a table, a mapping, one
    context, bytes, or anything else."""
    kind, shape = type(contexts).__name__, getattr(contexts, "shape", None)
    if hasattr(contexts, "columns") or (isinstance(shape, tuple) and len(shape) > 1):
        raise TypeError(f"{LIST_OF_CONTEXTS}; got {kind} of shape {shape}, a table: iterating "
                        "over it gives its column names or whole rows, not contexts. Pass its "
                        "rows as tuples: list(zip(df.text, df.word)) for a DataFrame's columns "
                        "text and word, [tuple(row) for row in array] for an array")
    if isinstance(contexts, Mapping) or (shape is None and callable(getattr(contexts, "keys",
                                                                            None))):
        raise TypeError(f"{LIST_OF_CONTEXTS}; got {kind}, whose keys are no contexts: for "
                        "labelled contexts, use harness.similarities, or pass "
                        "list(contexts.values())")
    if isinstance(contexts, tuple) and contexts and all(isinstance(c, tuple | Item)
                                                        for c in contexts):
        return list(contexts)
    if isinstance(contexts, str | tuple | Item):
        one = "[sentence]" if isinstance(contexts, str) else "[(text, word)]"
        raise TypeError(f"{LIST_OF_CONTEXTS}; got {kind} {contexts!r}, a single context: put "
                        f"it in a list, {one}")
    if isinstance(contexts, bytes | bytearray):
        raise TypeError(f"{LIST_OF_CONTEXTS}; got {kind}: decode the text to a str "
                        "(data.decode('utf-8')) and put each context in a list")
    if not isinstance(contexts, Iterable) or shape == ():
        raise TypeError(f"{LIST_OF_CONTEXTS}; got {kind} {contexts!r}")
    return list(contexts)


def embed(backend: BackendLike, contexts: Sequence[ContextLike],
          cache: bool = True, *, executor: str | Executor = "local") -> np.ndarray:
    """Vectors for ad-hoc contexts (a list, a generator or a pandas Series of them; not a
    table or a mapping), like the notebook's `get_bert_embeddings`: always an
    (n, dim) array, post-processed as the backend's `postprocess` option says. A row of NaN
    means the backend has no vector for that context. The contexts are embedded afresh; with
    `cache`, a post-processing's fit on the reference sample comes from (and goes to) the
    embedding cache."""
    items = [to_item(c, f"context {i}") for i, c in enumerate(context_list(contexts))]
    store = _cache(cache)
    model = get_backend(backend)
    if items:  # as a run prepares them (zero rows too)
        out = prepare_one(model, items, executor=_executor(executor), cache=None,
                          calibration_cache=store).embedded
        assert out is not None
        if len(out.reasons) < len(items):
            return out.vectors
    with calling(model.name):  # no vector tells the width: a plain sentence does
        if not items and not (availability := model.availability()).ok:
            raise BackendUnavailable(f"backend {model.name!r}: {availability.explain()}")
        width = model.embed([Item("The word is here.", (4, 8))]).vectors.shape[1]
    return np.full((len(items), width), np.nan, dtype=np.float32)


def similarities(
    backend: BackendLike, contexts: Mapping[str, ContextLike], cache: bool = True, *,
    executor: str | Executor = "local",
) -> pd.DataFrame:
    """Cosine similarity between every pair of labelled contexts, as a labelled DataFrame
    (vectors from `embed`, with the same `cache` and `executor`)."""
    import pandas as pd

    if not isinstance(contexts, Mapping):
        raise TypeError(f"contexts must be a mapping of label -> context, like {{'mouse1': "
                        f"('A mouse ran.', 'mouse')}}; got {type(contexts).__name__}")
    labels = list(contexts)
    unit, _ = unit_rows(embed(backend, [contexts[k] for k in labels], cache,
                              executor=executor))
    return pd.DataFrame(unit @ unit.T, index=labels, columns=labels)


__all__ = [
    "LocalExecutor",
    "default_backends",
    "embed",
    "evaluate_wic",
    "geometry",
    "get_backend",
    "get_backends",
    "load_suite",
    "run",
    "senses",
    "similarities",
    "sweep",
    "to_item",
]
