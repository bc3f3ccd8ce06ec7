"""What the Python API takes, checked at its edge: contexts, executors, the cache and flags.
Each wrong value is a TypeError or ValueError that says what is wanted."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np

from harness.backend import Item
from harness.pipeline.embedding_cache import EmbeddingCache
from harness.pipeline.executors import Executor, make_executor
from harness.suites.words import locate_word

# A context for the ad-hoc API: "a sentence" (whole sentence), (text, word),
# (text, word, occurrence), or an Item with a character span.
ContextLike = str | tuple | Item

CONTEXT_IS = ("a context is a sentence (a str), (text, word), (text, word, occurrence), or "
              "harness.Item(text, (start, end))")


def executor_of(executor: str | Executor) -> Executor:
    if not isinstance(executor, str) and not callable(getattr(executor, "embed", None)):
        raise TypeError(f"executor must be 'local', 'ray' or an executor object (with an embed "
                        f"method); got {executor!r}")
    return make_executor(executor) if isinstance(executor, str) else executor


def cache_of(value: object) -> EmbeddingCache | None:
    """The embedding cache a `cache` argument asks for: True (the default folder's), False or
    None (none), or an EmbeddingCache; a TypeError for anything else."""
    if isinstance(value, EmbeddingCache) or value is None:
        return value
    return EmbeddingCache() if flag("cache", value) else None


def folder_of(value: object) -> Path | None:
    """The output folder an `output` argument names (made, with its parents, if missing), or
    None; a TypeError for anything but a path or a string, a ValueError for a file."""
    if value is None:
        return None
    if not isinstance(value, str | Path) or not str(value).strip():
        raise TypeError(f"output must be a folder (a path or a string); got {value!r}")
    folder = Path(value)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"output {str(folder)!r} is a file: give a folder for the reports")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def flag(name: str, value: object) -> bool:
    """A True/False argument; a TypeError for anything else (the string 'no' is true)."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False; got {value!r}")
    return bool(value)


def fraction(name: str, value: object) -> float:
    """A finite number of at least 0; a TypeError or ValueError for anything else."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be a number (in standard deviations); got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number of at least 0; got {value!r}")
    return float(value)


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


def progress_of(value: object):
    """The progress-bar maker a `progress` argument asks for: a maker itself; "auto" (the
    default of the API) or True: tqdm.auto's bars in a notebook, tqdm on a terminal's stderr,
    none otherwise (True: on stderr anyway); False or None: none."""
    if value is None or value is False:
        return None
    if callable(value):
        return value
    if value not in ("auto", True):
        raise TypeError(f"progress must be 'auto', True, False or a progress-bar maker; got "
                        f"{value!r}")
    import sys

    notebook = "ipykernel" in sys.modules
    if not (notebook or value is True or sys.stderr.isatty()):
        return None

    def make(total: int, desc: str):
        if notebook:
            from tqdm.auto import tqdm
        else:
            from tqdm import tqdm
        return tqdm(total=total, desc=desc, unit="ctx", leave=False, delay=1.0)

    return make
