"""A model card read from a model folder's files, never downloading and never loading weights:
config.json (hidden_size, num_hidden_layers, max_position_embeddings, vocab_size, model_type), the
README's YAML front matter (license, base_model, language, datasets), the sentence-transformers
files (modules.json, sentence_bert_config.json's max_seq_length, 1_Pooling's width) and the
parameters counted from the safetensors headers (the JSON header of each file: shapes only).

A file that is missing, too large or does not parse gives no fields: a card is information, never
a reason for a run to fail."""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path
from typing import Any

from harness.plugin_api import ModelCard

MAX_JSON_BYTES = 4_000_000  # config.json and its kin
MAX_FRONT_MATTER = 64_000  # the README's YAML front matter
MAX_HEADER_BYTES = 100_000_000  # a safetensors header (the format's own limit)


def _json(path: Path) -> Any:
    try:
        if path.stat().st_size > MAX_JSON_BYTES:
            return None
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def front_matter(readme: Path) -> dict[str, Any]:
    """The YAML front matter of a model's README (between the first two `---` lines), parsed
    with yaml.safe_load; {} when there is none, it is too long or it does not parse."""
    try:
        with readme.open(encoding="utf-8", errors="replace") as handle:
            head = handle.read(MAX_FRONT_MATTER + 8)
    except OSError:
        return {}
    if not head.startswith("---"):
        return {}
    end = head.find("\n---", 3)
    if end < 0:  # no closing line within the bound
        return {}
    import yaml

    try:
        data = yaml.safe_load(head[3:end])
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def safetensors_parameters(path: Path) -> int | None:
    """The number of weights in one .safetensors file, from its JSON header only."""
    try:
        with path.open("rb") as handle:
            (size,) = struct.unpack("<Q", handle.read(8))
            if size > MAX_HEADER_BYTES:
                return None
            header = json.loads(handle.read(size))
    except (OSError, ValueError, struct.error):
        return None
    if not isinstance(header, dict):
        return None
    total = 0
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        shape = entry.get("shape") if isinstance(entry, dict) else None
        if not isinstance(shape, list) or not all(isinstance(n, int) for n in shape):
            return None
        total += math.prod(shape)
    return total


def folder_parameters(folder: Path) -> int | None:
    """The weights of every .safetensors file of a folder (a sharded model's shards too)."""
    files = sorted(folder.glob("*.safetensors"))
    counts = [safetensors_parameters(f) for f in files]
    if not counts or any(c is None for c in counts):
        return None
    return sum(c for c in counts if c is not None)


def _texts(value: Any) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list):
        return ()
    return tuple(str(v) for v in values if isinstance(v, str | int | float) and str(v).strip())


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 \
        else None


def folder_card(root: Path) -> ModelCard:
    """The card of a transformers or sentence-transformers model folder."""
    transformer, pooling_width, max_seq = root, None, None
    modules = _json(root / "modules.json")
    if isinstance(modules, list):
        for module in modules:
            if not isinstance(module, dict):
                continue
            kind = str(module.get("type", ""))
            where = root / str(module.get("path", ""))
            if kind.endswith("Transformer"):
                transformer = where
            elif kind.endswith("Pooling"):
                pooling = _json(where / "config.json")
                if isinstance(pooling, dict):
                    pooling_width = _int(pooling.get("word_embedding_dimension"))
        settings = _json(transformer / "sentence_bert_config.json")
        if isinstance(settings, dict):
            max_seq = _int(settings.get("max_seq_length"))
    config = _json(transformer / "config.json")
    config = config if isinstance(config, dict) else {}
    text = config.get("text_config")  # a multimodal model's language part
    source = text if isinstance(text, dict) and "hidden_size" not in config else config
    meta = front_matter(root / "README.md")
    licence = meta.get("license")
    base = meta.get("base_model")
    base = base[0] if isinstance(base, list) and len(base) == 1 else base
    limits = [v for v in (max_seq, _int(source.get("max_position_embeddings"))) if v]
    return ModelCard(
        parameters=folder_parameters(transformer),
        width=pooling_width or _int(source.get("hidden_size") or source.get("d_model")),
        layers=_int(source.get("num_hidden_layers") or source.get("num_layers")),
        max_length=min(limits) if limits else None,
        vocabulary=_int(source.get("vocab_size")),
        licence=str(licence) if isinstance(licence, str | int | float) else None,
        base_model=str(base) if isinstance(base, str) else None,
        model_type=config.get("model_type") if isinstance(config.get("model_type"), str)
        else None,
        languages=_texts(meta.get("language")),
        datasets=_texts(meta.get("datasets")),
    )


def bert_config_card(config_file: Path | bytes) -> ModelCard:
    """The card a Google BERT checkpoint's bert_config.json (a file, or its bytes) gives."""
    try:
        config = _json(config_file) if isinstance(config_file, Path) else json.loads(config_file)
    except ValueError:
        config = None
    if not isinstance(config, dict):
        return ModelCard()
    return ModelCard(width=_int(config.get("hidden_size")),
                     layers=_int(config.get("num_hidden_layers")),
                     max_length=_int(config.get("max_position_embeddings")),
                     vocabulary=_int(config.get("vocab_size")), model_type="bert")
