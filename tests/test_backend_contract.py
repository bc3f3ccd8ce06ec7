"""The backend contract around `embed_batch`: checked answers, reasons that travel with the
vectors, a fingerprint computed once, and plugins of the 0.1 interface refused with what
replaces it."""

from __future__ import annotations

import numpy as np
import pytest

from harness.backend import Backend, Embeddings
from harness.pipeline.runner import run_suites
from harness.suites.validate import load_suite
from harness.testing import FakeBackend
from tests.helpers import POLYSEMY


def test_an_answer_that_is_not_embeddings_is_a_clear_error():
    class Bare(FakeBackend):
        def embed_batch(self, items):
            return np.zeros((len(items), 4), dtype=np.float32)

    results = run_suites([load_suite(POLYSEMY)], [Bare("bare")])
    assert results.backends["bare"].status == "error"
    assert "embed_batch returned ndarray, not Embeddings" in results.backends["bare"].error


def test_reasons_travel_with_the_vectors_into_the_results():
    backend = FakeBackend("f", {"missing": "rat"})
    results = run_suites([load_suite(POLYSEMY)], [backend])
    unscored = [r for r in results.rows if r.error]
    assert unscored and all("'rat' is in the fake backend's missing list" in r.error
                            for r in unscored)


def test_a_nan_row_without_a_reason_gets_one():
    class Silent(FakeBackend):
        def embed_batch(self, items):
            out = super().embed_batch(items)
            return Embeddings(np.full_like(out.vectors, np.nan))  # no reasons given

    results = run_suites([load_suite(POLYSEMY)], [Silent("silent")])
    assert all(r.error and "silent has no vector for this context" in r.error
               for r in results.rows)


def test_weights_are_identified_once_per_backend_per_run(tiny_bert, monkeypatch, write_suite):
    """A local model folder is hashed to identify its weights: once per backend object, however
    many chunks and variants share the forward pass."""
    from harness_backends import hf
    from harness_backends.hf import HfBackend

    calls = []
    digest = hf.path_digest
    monkeypatch.setattr(hf, "path_digest", lambda path: calls.append(path) or digest(path))
    base = {"model": str(tiny_bert), "batch_size": 64}
    group = [HfBackend("a", {**base, "layers": "-1"}), HfBackend("b", {**base, "layers": "0"}),
             HfBackend("c", {**base, "layers": "1,2", "layer_pool": "mean"})]
    words = [f"word{i}" for i in range(1100)]  # three chunks of 512 items
    text = "\n".join(f'      c{i}: {{text: "a {w} here", word: {w}}}' for i, w in enumerate(words))
    suite = load_suite(write_suite(f"suite: big\ntests:\n  - id: t\n    contexts:\n{text}\n"
                                   "    expect: ['c0: c1 > c2']\n"))
    results = run_suites([suite], group)
    assert all(r.status == "ok" for r in results.backends.values())
    assert len(calls) == len(group)


def test_a_backend_of_the_0_1_interface_is_refused_with_what_replaces_it():
    with pytest.raises(TypeError, match=r"Old implements _embed and _weights_id, .*removed in "
                       r"0\.4: implement embed_batch"):
        class Old(Backend):
            plugin = "old"

            def _weights_id(self):
                return "old-1"

            def _embed(self, items):
                return np.zeros((len(items), 2), dtype=np.float32)

