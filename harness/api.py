"""The Python API, for notebooks and scripts; every CLI command is a thin layer over it.

    >>> import harness
    >>> results = harness.run(["suites/polysemy.yaml"], ["glove-50d"], output="reports/x")
    >>> results.summary                       # a pandas DataFrame
    >>> harness.similarities("glove-50d", {"mouse1": ("A mouse is a rodent animal.", "mouse"),
    ...                                    "rat": ("A rat is an animal.", "rat")})

A finished run is a `harness.Results`: `results.to_dict()` is what results.json holds,
`harness.Results.from_dict(json.load(open("reports/x/results.json")))` reads one back, and
`harness.write_reports(results, "reports/y")` writes its reports again (every registered one:
results.json, results.csv, report.md, junit.xml, report.html, ...). A study's result writes its
files with `.write(DIR)` (`Sweep`, `GeometryTable`, `SenseMap`, `WicEvaluation`).

Every function that embeds takes the same keyword arguments for how it runs: `registry` (the
plugins' backends, default the installed ones), `cache` (the embedding cache: True, False or
an EmbeddingCache), `executor` ("local", "ray" or an executor object), `progress` ("auto",
True, False or a maker of bars) and, where it has files, `output` (a folder: the files the
command writes with -o are written there). They make one `RunContext`
(harness/pipeline/context.py), which the studies receive.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from harness.backend import Backend, BrokenInstance, Item
from harness.errors import BackendUnavailable, HarnessError
from harness.measures.orderings import WEAK_BELOW
from harness.measures.vectors import unit_rows
from harness.pipeline.context import RunContext
from harness.pipeline.executors import Executor, LocalExecutor
from harness.pipeline.inputs import (
    ContextLike,
    cache_of,
    context_list,
    executor_of,
    flag,
    folder_of,
    fraction,
    progress_of,
    to_item,
)
from harness.pipeline.prepare import call_backend, prepare_one
from harness.pipeline.runner import ProgressFactory, run_suites
from harness.plugins.manager import load_registry
from harness.plugins.registry import Registry
from harness.results.model import Results
from harness.suites.model import Suite, select_suites
from harness.suites.named import load

if TYPE_CHECKING:
    import pandas as pd

    from harness.studies.layer_geometry import GeometryTable
    from harness.studies.layer_sweep import Sweep
    from harness.studies.sense_maps import SenseMap
    from harness.studies.wic import WicEvaluation

BackendLike = str | Backend


BACKEND_IS = ("a backend is an instance name like 'minilm', an inline spec like "
              "'static:vectors=PATH', a harness.Backend object or a SentenceTransformer")



def get_backend(spec: BackendLike, registry: Registry | None = None) -> Backend:
    """A backend from an instance name (`glove-50d`), an inline spec (`static:vectors=PATH`),
    or a model in memory (a sentence_transformers.SentenceTransformer: wrapped, never written
    to disk nor cached; harness.integrations.sentence_transformers)."""
    if isinstance(spec, Backend):
        return spec
    if not isinstance(spec, str) and _model_object(spec):
        from harness.integrations.sentence_transformers import wrap

        return wrap(spec)
    if not isinstance(spec, str) or not spec.strip():
        raise TypeError(f"{BACKEND_IS}; got {spec!r}")
    return (registry or load_registry()).create(spec)


def _model_object(spec: object) -> bool:
    """A model in memory the harness wraps as a backend (a SentenceTransformer)."""
    return any(c.__module__.startswith("sentence_transformers") for c in type(spec).__mro__)


def get_backends(specs: Iterable[BackendLike] | BackendLike,
                 registry: Registry | None = None) -> list[Backend]:
    """Backends from names, inline specs or Backend objects (a single one without a list)."""
    if isinstance(specs, str | Backend) or _model_object(specs):
        specs = [specs]
    if isinstance(specs, Mapping) or not isinstance(specs, Iterable):
        raise TypeError(f"backends must be a list: {BACKEND_IS}; got {type(specs).__name__}")
    specs = list(specs)
    if not specs:
        raise ValueError("no backends given: name some (like ['minilm']), or leave backends "
                         "out for every default instance available here")
    if any(isinstance(s, str) for s in specs):
        registry = registry or load_registry()
    objects = [i for i, s in enumerate(specs) if not isinstance(s, str | Backend)
               and _model_object(s)]
    if len(objects) > 1:  # models in memory: model-1, model-2, ... in the order given
        from harness.integrations.sentence_transformers import wrap

        for n, i in enumerate(objects, 1):
            specs[i] = wrap(specs[i], f"model-{n}")
    out = [get_backend(s, registry) for s in specs]
    names = [b.name for b in out]
    twice = next((n for n in names if names.count(n) > 1), None)
    if twice is not None:  # results are kept by name: one would hide the other
        raise HarnessError(f"two backends are named {twice!r}: give each its own name "
                           "(-b NAME=SPEC)")
    return out


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


def _context(*, registry: Registry | None = None, cache: object = True,
             executor: str | Executor = "local",
             progress: ProgressFactory | bool | str | None = "auto",
             output: str | Path | None = None, **more: object) -> RunContext:
    """The run context the API's keyword arguments ask for, each checked (a TypeError or
    ValueError that says what is wanted); the output folder made."""
    return RunContext(registry=registry, cache=cache_of(cache),
                      executor=executor_of(executor), progress=progress_of(progress),
                      output=folder_of(output), **more)


def run(
    suites: Iterable[str | Path | Suite] | str | Path | Suite,
    backends: Iterable[BackendLike] | BackendLike | None = None,
    *,
    registry: Registry | None = None,
    progress: ProgressFactory | bool | str | None = "auto",
    cache: bool = True,
    executor: str | Executor = "local",
    reference: bool = True,
    weak_below: float = WEAK_BELOW,
    select: Iterable[str] | str | None = None, limit: int | None = None,
    output: str | Path | None = None,
) -> Results:
    """Score backends (names, inline specs or Backend objects; default: every default
    instance, those unavailable here skipped) on suites (paths or Suite objects). A single
    path or name may be given without a list. Vectors are cached on disk unless cache=False.
    `executor` is "local", "ray" (a local Ray) or an executor object such as
    `harness.pipeline.ray_executor.RayExecutor(address=...)`. With `reference`, each backend's
    baseline on the reference sample is recorded and every margin is also given in its
    standard deviations (`margin_sd`); a pass below `weak_below` of them is flagged weak.
    `select` (patterns of test ids, as -k) and `limit` keep some tests (`Suite.select`).
    `progress`: "auto" shows bars in a notebook (tqdm.auto) or on a terminal, True always,
    False never, or a maker of bars. With `output` (a folder, made if missing), the reports
    `harness run -o DIR` writes (results.json, report.html, ...: `harness.write_reports`) are
    written there."""
    context = _context(registry=registry, progress=progress, cache=cache, executor=executor,
                       output=output, reference=flag("reference", reference),
                       weak_below=fraction("weak_below", weak_below))
    loaded, selection = select_suites(_suites(suites), select, limit)
    chosen = (default_backends(registry) if backends is None
              else get_backends(backends, registry))
    results = run_suites(loaded, chosen, skip_unavailable=backends is None,
                         reference=context.reference, weak_below=context.weak_below,
                         **context.embedding())
    results.selection = selection
    if context.output is not None:
        from harness.reports import write_reports

        write_reports(results, context.output)
    return results


def sweep(
    suites: Iterable[str | Path | Suite] | str | Path | Suite,
    backends: Iterable[BackendLike] | BackendLike,
    *,
    registry: Registry | None = None,
    progress: ProgressFactory | bool | str | None = "auto",
    cache: bool = True,
    executor: str | Executor = "local",
    select: Iterable[str] | str | None = None, limit: int | None = None,
    output: str | Path | None = None,
) -> Sweep:
    """Accuracy of every layer and pooling option of each backend, from one forward pass per
    text: `.rows` (one per setting) and `.results` (the whole run); `select` and `limit` as
    for `run`. With `output`, the files `harness sweep -o DIR` writes (sweep.csv, sweep.md,
    sweep.png and the run's reports) are written there."""
    from harness.studies.layer_sweep import sweep as run_sweep

    context = _context(registry=registry, progress=progress, cache=cache, executor=executor,
                       output=output)
    loaded, selection = select_suites(_suites(suites), select, limit)
    done = run_sweep(loaded, get_backends(backends, registry), context)
    done.results.selection = selection
    if context.output is not None:
        from harness.reports import write_reports

        write_reports(done.results, context.output)
        done.write(context.output)
    return done


def evaluate_wic(
    data: str | Path,
    gold: str | Path | None,
    backends: Iterable[BackendLike] | BackendLike | None = None,
    *,
    dev: tuple[str | Path, str | Path | None] | None = None,
    format: str = "wic",
    lenient: bool = False,
    registry: Registry | None = None,
    progress: ProgressFactory | bool | str | None = "auto",
    cache: bool = True,
    executor: str | Executor = "local",
    output: str | Path | None = None,
) -> WicEvaluation:
    """WiC accuracy of backends (default: every default instance available here) on
    Word-in-Context files, with a threshold tuned on `dev` (else an oracle threshold). `format`:
    `wic`, `wic-tsv`, `xl-wic`, `mcl-wic` or `am2ico` (`gold` None where the data file holds the
    labels); `lenient`: a target that is not its lemma is a warning, not an error. With
    `output`, wic.json, wic.md and wic-pairs.csv are written there, as `harness wic -o DIR`
    writes them."""
    from harness.studies.wic import evaluate_wic as evaluate

    context = _context(registry=registry, progress=progress, cache=cache, executor=executor,
                       output=output)
    chosen = ([b for b in default_backends(registry) if b.availability().ok]
              if backends is None else get_backends(backends, registry))
    done = evaluate(data, gold, chosen, dev=dev, context=context, format=format,
                    lenient=lenient)
    if context.output is not None:
        done.write(context.output)
    return done


def geometry(
    backends: Iterable[BackendLike] | BackendLike,
    *,
    registry: Registry | None = None,
    progress: ProgressFactory | bool | str | None = "auto",
    cache: bool = True,
    executor: str | Executor = "local",
    output: str | Path | None = None,
) -> GeometryTable:
    """How contextual each backend's vectors are on the reference sample, one row per hidden
    layer of a model (one for a backend without layers): anisotropy, Ethayarajh's
    self-similarity, intra-sentence similarity and MEV, and each adjusted for anisotropy.
    With `output`, geometry.csv, geometry.md and geometry.png are written there."""
    from harness.studies.layer_geometry import measure

    context = _context(registry=registry, progress=progress, cache=cache, executor=executor,
                       output=output)
    rows = measure(get_backends(backends, registry), context)
    if context.output is not None:
        rows.write(context.output)
    return rows


def senses(
    backend: BackendLike,
    *,
    wordnet: str | None = None,
    file: str | Path | None = None,
    wordnet_dir: str | Path | None = None,
    method: str = "pca",
    registry: Registry | None = None,
    progress: ProgressFactory | bool | str | None = "auto",
    cache: bool = True,
    executor: str | Executor = "local",
    output: str | Path | None = None,
) -> SenseMap:
    """A map of a word's contexts grouped by sense, from WordNet (`wordnet="bank"`: the gloss
    examples of each sense that contain the word) or a file of (sense, text, word) rows,
    embedded by `backend` and projected to 2-D ("pca" or "tsne"). `.note` says how many
    contexts were found; with `output` (or later, `.write(DIR)`), senses.png, senses.html
    and senses.csv are written there."""
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
    context = _context(registry=registry, progress=progress, cache=cache, executor=executor,
                       output=output)
    done = sense_map(model, found, word=wordnet or "", method=method, note=note,
                     context=context)
    if context.output is not None:
        done.write(context.output)
    return done


def embed(backend: BackendLike, contexts: Sequence[ContextLike],
          cache: bool = True, *, executor: str | Executor = "local",
          registry: Registry | None = None) -> np.ndarray:
    """Vectors for ad-hoc contexts (a list, a generator or a pandas Series of them; not a
    table or a mapping), like the notebook's `get_bert_embeddings`: always an
    (n, dim) array, post-processed as the backend's `postprocess` option says. A row of NaN
    means the backend has no vector for that context. The contexts are embedded afresh; with
    `cache`, a post-processing's fit on the reference sample comes from (and goes to) the
    embedding cache. `registry` makes a backend named by a string (default: the installed
    plugins')."""
    items = [to_item(c, f"context {i}") for i, c in enumerate(context_list(contexts))]
    context = _context(registry=registry, cache=cache, executor=executor, progress=False)
    model = get_backend(backend, registry)
    if items:  # as a run prepares them (zero rows too)
        out = prepare_one(model, items, executor=context.executor, cache=None,
                          calibration_cache=context.cache).embedded
        assert out is not None
        if len(out.reasons) < len(items):
            return np.asarray(out.vectors, dtype=np.float32)  # as the docs and the cache have it
    return np.full((len(items), call_backend(model, _width, model, not items)), np.nan,
                   dtype=np.float32)


def _width(model: Backend, check: bool) -> int:
    """The width of the backend's vectors: no vector told it, a plain sentence does (with
    `check`, a BackendUnavailable first if it cannot run here)."""
    if check and not (availability := model.availability()).ok:
        raise BackendUnavailable(f"backend {model.name!r}: {availability.explain()}")
    return model.embed([Item("The word is here.", (4, 8))]).vectors.shape[1]


def similarities(
    backend: BackendLike, contexts: Mapping[str, ContextLike], cache: bool = True, *,
    executor: str | Executor = "local", registry: Registry | None = None,
) -> pd.DataFrame:
    """Cosine similarity between every pair of labelled contexts, as a labelled DataFrame
    (vectors from `embed`, with the same `cache` and `executor`)."""
    import pandas as pd

    if not isinstance(contexts, Mapping):
        raise TypeError(f"contexts must be a mapping of label -> context, like {{'mouse1': "
                        f"('A mouse ran.', 'mouse')}}; got {type(contexts).__name__}")
    labels = list(contexts)
    unit, _ = unit_rows(embed(backend, [contexts[k] for k in labels], cache,
                              executor=executor, registry=registry))
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
