"""A deterministic fake backend for unit tests of the core (never registered by default).

Vectors come from the `vectors` option when it names the context (its exact text first, then
its target word, lower-cased), else from a hash of (text, span), so every run gives the same
numbers. Options make it unavailable, fail, or miss words, to test how the core copes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from harness.plugin_api import (
    AVAILABLE,
    Availability,
    Backend,
    Embeddings,
    Item,
    Option,
    hookimpl,
    parse_bool,
    positive_int,
)


def _words(text: str) -> frozenset[str]:
    return frozenset(w.strip().lower() for w in text.split(",") if w.strip())


class FakeBackend(Backend):
    plugin = "fake"
    description = "deterministic fake vectors, for tests"
    OPTIONS = {
        **Backend.OPTIONS,
        "dim": Option(8, "vector size", positive_int),
        "vectors": Option(None, "mapping of text or word -> vector (Python API only)"),
        "missing": Option(frozenset(), "words to return NaN for (comma-separated)", _words),
        "available": Option(True, "report itself available", parse_bool),
        "fail": Option(False, "raise RuntimeError from embed", parse_bool),
        "seed": Option(0, "changes every hashed vector", int),
        "fail_once": Option("", "a file path: the first embed call in any process raises, "
                            "creating the file; later calls work (an injected fault)"),
    }

    def __init__(self, name, options=None):
        super().__init__(name, options)
        self.calls: list[list[Item]] = []  # every embed_batch call, for tests to inspect

    def availability(self) -> Availability:
        if self.options["available"]:
            return AVAILABLE
        return Availability(False, "the fake backend was told to be unavailable.",
                            "drop available=false")

    def weights_id(self) -> str:
        vectors = self.options["vectors"] or {}
        return hashlib.sha256(repr(sorted(vectors.items())).encode()).hexdigest()

    def versions(self) -> dict[str, str]:
        return {"fake": "1"}

    def vector(self, item: Item) -> np.ndarray:
        vectors = self.options["vectors"] or {}
        word = (item.word or "").lower()
        if item.span is not None and (item.span[1] > len(item.text) or not word.strip()):
            return np.full(self.options["dim"], np.nan)  # a span outside the text
        if word and word in self.options["missing"]:
            return np.full(self.options["dim"], np.nan)
        for key in (item.text, word):
            if key and key in vectors:
                return np.asarray(vectors[key], dtype=np.float64)
        seed = hashlib.sha256(f"{self.options['seed']}|{item.text}|{item.span}".encode())
        rng = np.random.default_rng(int.from_bytes(seed.digest()[:8], "little"))
        return rng.standard_normal(self.options["dim"])

    def embed_batch(self, items: Sequence[Item]) -> Embeddings:
        if self.options["fail"]:
            raise RuntimeError("the fake backend was told to fail")
        marker = self.options["fail_once"]
        if marker:
            import os

            try:
                os.close(os.open(marker, os.O_CREAT | os.O_EXCL))
            except FileExistsError:
                pass
            else:
                raise RuntimeError("the fake backend's injected fault (once)")
        self.calls.append(list(items))
        vectors = np.stack([self.vector(item) for item in items]).astype(np.float32)
        reasons = {i: self.reason_for(item) for i, item in enumerate(items)
                   if not np.isfinite(vectors[i]).all()}
        return Embeddings(vectors, reasons)

    def reason_for(self, item: Item) -> str:
        if item.span is not None and item.span[1] > len(item.text):
            return f"the span {item.span} is outside {item.text!r}"
        return f"{item.word!r} is in the fake backend's missing list"


class FakePlugin:
    """Registers the `fake` plugin and a `fake` instance: `host.register(FakePlugin())`."""

    @hookimpl
    def harness_register_backends(self, register) -> None:
        register.add_plugin(FakeBackend)
        register.add_instance("fake", plugin="fake", description="deterministic fake vectors")
