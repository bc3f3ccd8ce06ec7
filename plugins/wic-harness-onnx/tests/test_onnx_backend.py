"""wic-harness-onnx against wic-harness's conformance kit, its polysemy suite, and the
graph's own pooled sentence vector."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import harness
from harness.plugin_api import Item, OptionError, make_plugin_host
from harness.testing.conformance import BackendConformance
from wic_harness_onnx.plugin import OnnxBackend

POLYSEMY = Path(__file__).resolve().parents[3] / "suites" / "polysemy.yaml"


def registered():
    """The instance as wic-harness finds it: through the installed entry point."""
    return make_plugin_host(strict=True).registry().create("paraphrase-minilm-onnx")


class TestOnnxConformance(BackendConformance):
    @pytest.fixture(scope="class")
    @classmethod
    def backend(cls):
        return registered()


def test_listed_by_harness():
    listed = subprocess.run([sys.executable, "-m", "harness", "list"], capture_output=True,
                            text=True, timeout=300)
    assert listed.returncode == 0, listed.stderr
    line = next(ln for ln in listed.stdout.splitlines()
                if ln.startswith("paraphrase-minilm-onnx"))
    assert "onnx" in line and "available" in line


def test_runs_the_polysemy_suite():
    results = harness.run(POLYSEMY, [registered()], cache=False, progress=False)
    record = results.backends["paraphrase-minilm-onnx"]
    assert record.status == "ok", record.error
    summary = results.summary_rows[0]
    assert summary.total == 8 and summary.unscored == 0 and summary.ties == 0


def test_sentences_equal_the_graphs_own_mean_pooling():
    """The graph's pooled output is its mean over real tokens: ours must equal it."""
    backend = OnnxBackend("o")
    texts = ["A mouse is a rodent animal.", "Gravity made the tower lean to the side."]
    ours = backend.embed([Item(t, None) for t in texts]).vectors
    spec = backend._ensure_loaded().tokenizer
    session = backend._session
    pooled = [o.name for o in session.get_outputs() if len(o.shape) == 2 and
              o.type == "tensor(float)"][0]
    for text, vector in zip(texts, ours):
        ids = np.array([[*spec.prefix, *spec.tokenizer.encode(text, add_special_tokens=False).ids,
                         *spec.suffix]])
        [graph] = session.run([pooled], {"input_ids": ids, "attention_mask": np.ones_like(ids)})
        np.testing.assert_allclose(vector, graph[0], atol=1e-5)


def test_the_vocabulary_fits_the_graph():
    """MiniLM's 30522-token vocab: its last id runs, one more is out of the graph's range."""
    backend = OnnxBackend("o")
    backend._ensure_loaded()
    assert backend._spec.tokenizer.get_vocab_size() == 30522
    ok = np.array([[101, 30521, 102]])
    backend.forward(ok, np.ones_like(ok))
    from onnxruntime.capi.onnxruntime_pybind11_state import InvalidArgument

    bad = np.array([[101, 30522, 102]])
    with pytest.raises(InvalidArgument, match="must be within the inclusive range"):
        backend.forward(bad, np.ones_like(bad))


def test_unavailable_without_a_model(tmp_path):
    availability = OnnxBackend("o", {"model": str(tmp_path / "none.onnx")}).availability()
    assert not availability.ok and "is not there" in availability.reason


def test_only_the_last_layer_exists():
    with pytest.raises(OptionError, match="use layers=-1"):
        OnnxBackend("o", {"layers": "0"}).embed([Item("A mouse.", (2, 7))])
    settings = OnnxBackend("o").sweep_settings()
    assert settings and all("layers" not in s for s in settings)
