"""A compact BERT encoder in PyTorch for the `hf` plugin's BERT folders: the same arithmetic as
transformers' BertModel (embeddings, then layers of scaled dot-product attention and a GELU
feed-forward, each with a residual and LayerNorm), over the folder's own safetensors weights and
its WordPiece vocabulary. It saves importing transformers and its model-loading machinery
(about 4 s of a cold run on a 2-core machine) for the most common family; every other model,
and every BERT folder this does not recognise, goes through transformers. Tests hold it to
transformers' hidden states at every layer.

torch and safetensors are imported on first use."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.plugin_api import TokenizerSpec

ACTIVATIONS = {"gelu": "none", "gelu_new": "tanh", "gelu_pytorch_tanh": "tanh", "relu": None}


def compact_bert_settings(folder: Path) -> dict[str, Any] | None:
    """The config, tokenizer settings and WordPiece vocabulary of a folder this encoder runs
    exactly (a BERT with absolute positions and safetensors weights, its vocabulary in vocab.txt
    or tokenizer.json); None otherwise."""
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        tokenizer = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    plain_bert = (config.get("model_type") == "bert"
                  and config.get("position_embedding_type") in (None, "absolute")
                  and config.get("hidden_act", "gelu") in ACTIVATIONS
                  and not config.get("is_decoder") and not config.get("add_cross_attention")
                  and tokenizer.get("tokenizer_class") in (None, "BertTokenizer",
                                                           "BertTokenizerFast")
                  and tokenizer.get("do_basic_tokenize", True) and not tokenizer.get("never_split")
                  and (folder / "model.safetensors").is_file())
    vocab = _vocabulary(folder) if plain_bert else None
    specials = [tokenizer.get(f"{name}_token", default) for name, default in
                (("cls", "[CLS]"), ("sep", "[SEP]"), ("pad", "[PAD]"), ("unk", "[UNK]"))]
    if not vocab or not all(isinstance(t, str) and t in vocab for t in specials):
        return None
    return {"config": config, "tokenizer": tokenizer, "vocab": vocab}


def _vocabulary(folder: Path) -> dict[str, int] | None:
    """vocab.txt's tokens by id, else the WordPiece vocabulary of tokenizer.json."""
    try:
        if (folder / "vocab.txt").is_file():
            lines = (folder / "vocab.txt").read_text(encoding="utf-8").splitlines()
            return {token: i for i, token in reversed(list(enumerate(lines)))}
        model = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))["model"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return dict(model["vocab"]) if model.get("type") == "WordPiece" else None


def wordpiece_tokenizer(settings: dict[str, Any]) -> TokenizerSpec:
    """BERT's tokenizer as transformers builds it from the vocabulary and tokenizer_config.json."""
    from tokenizers import BertWordPieceTokenizer

    options = settings["tokenizer"]
    lowercase = options.get("do_lower_case", True)
    strip_accents = options.get("strip_accents")
    tokenizer = BertWordPieceTokenizer(
        settings["vocab"], lowercase=lowercase,
        strip_accents=lowercase if strip_accents is None else strip_accents, clean_text=True,
        handle_chinese_chars=options.get("tokenize_chinese_chars", True))
    ids = {name: tokenizer.token_to_id(options.get(f"{name}_token", default)) for name, default in
           (("cls", "[CLS]"), ("sep", "[SEP]"), ("pad", "[PAD]"))}
    return TokenizerSpec.bert(tokenizer, ids["cls"], ids["sep"], ids["pad"])


class CompactBert:
    """BERT's encoder: (input ids, mask) -> every hidden state, the embeddings' first."""

    def __init__(self, folder: Path, config: dict[str, Any], device: Any, dtype: Any):
        import safetensors.torch
        import torch

        self.torch = torch
        weights = safetensors.torch.load_file(str(folder / "model.safetensors"))
        self.w = {name.removeprefix("bert."): tensor.to(device=device, dtype=dtype)
                  for name, tensor in weights.items() if tensor.is_floating_point()}
        self.layers = config["num_hidden_layers"]
        self.heads = config["num_attention_heads"]
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.approximate = ACTIVATIONS[config.get("hidden_act", "gelu")]
        missing = [n for n in self._names() if n not in self.w]
        if missing:
            raise ValueError(f"{folder / 'model.safetensors'}: no {', '.join(missing[:3])}")

    def _names(self) -> list[str]:
        names = [f"embeddings.{n}" for n in ("word_embeddings.weight",
                                              "position_embeddings.weight",
                                              "token_type_embeddings.weight", "LayerNorm.weight",
                                              "LayerNorm.bias")]
        for n in range(self.layers):
            for part in ("attention.self.query", "attention.self.key", "attention.self.value",
                         "attention.output.dense", "attention.output.LayerNorm",
                         "intermediate.dense", "output.dense", "output.LayerNorm"):
                names += [f"encoder.layer.{n}.{part}.weight", f"encoder.layer.{n}.{part}.bias"]
        return names

    def _linear(self, x, name):
        return self.torch.nn.functional.linear(x, self.w[f"{name}.weight"], self.w[f"{name}.bias"])

    def _norm(self, x, name):
        return self.torch.nn.functional.layer_norm(
            x, x.shape[-1:], self.w[f"{name}.weight"], self.w[f"{name}.bias"], self.eps)

    def _act(self, x):
        functional = self.torch.nn.functional
        return functional.relu(x) if self.approximate is None else functional.gelu(
            x, approximate=self.approximate)

    def __call__(self, input_ids, attention_mask) -> list[Any]:
        torch, w = self.torch, self.w
        batch, length = input_ids.shape
        x = (w["embeddings.word_embeddings.weight"][input_ids]
             + w["embeddings.token_type_embeddings.weight"][0]
             + w["embeddings.position_embeddings.weight"][:length])
        x = self._norm(x, "embeddings.LayerNorm")
        states = [x]
        keep = attention_mask.bool()[:, None, None, :]  # padded keys take no attention
        size = x.shape[-1] // self.heads

        def split(t):  # (B, S, H) -> (B, heads, S, size)
            return t.view(batch, length, self.heads, size).transpose(1, 2)

        for n in range(self.layers):
            p = f"encoder.layer.{n}"
            q, k, v = (split(self._linear(x, f"{p}.attention.self.{part}"))
                       for part in ("query", "key", "value"))
            context = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=keep)
            context = context.transpose(1, 2).reshape(batch, length, -1)
            attended = self._norm(self._linear(context, f"{p}.attention.output.dense") + x,
                                  f"{p}.attention.output.LayerNorm")
            inner = self._act(self._linear(attended, f"{p}.intermediate.dense"))
            x = self._norm(self._linear(inner, f"{p}.output.dense") + attended,
                           f"{p}.output.LayerNorm")
            states.append(x)
        return states
