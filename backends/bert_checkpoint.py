"""Google-format BERT checkpoints (bert_config.json, vocab.txt, bert_model.ckpt.index and
.data-*): finding and checking the files, unpacking a zip safely into the cache, the variable
names and shapes, and writing one from a transformers BERT model (`export_checkpoint`). What
keeps unpacking a zip safe is `safe_zip`.

TensorFlow is imported inside the functions that read or write variables."""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from harness.plugin_api import HarnessError, build_once, cache_dir, path_digest
from harness_backends.safe_zip import UnsafeZip, check_sizes, extract, files_of, zip_errors

CONFIG, VOCAB, PREFIX = "bert_config.json", "vocab.txt", "bert_model.ckpt"
# Written beside an export from a sentence-transformers folder: what Google's format cannot
# hold, the model's max_seq_length and its sentence pooling, so that the tf plugin embeds
# sentences (and long texts) as the hf plugin does.
EXPORT_SETTINGS = "harness_export.json"
POOLING_MODES = ("mean", "cls", "max")
SPECIAL_TOKENS = ("[CLS]", "[SEP]", "[PAD]", "[UNK]")
ACTIVATIONS = ("gelu", "gelu_new", "gelu_pytorch_tanh", "relu")  # what the tf plugin computes
REQUIRED_CONFIG = ("hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
                   "vocab_size", "max_position_embeddings", "type_vocab_size")


class CheckpointError(HarnessError):
    """A checkpoint that cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True)
class BertCheckpoint:
    folder: Path
    config: dict[str, Any]
    unpacked: Path | None = None  # the cache folder a zip was unpacked into

    @property
    def prefix(self) -> Path:
        return self.folder / PREFIX

    @property
    def vocab(self) -> Path:
        return self.folder / VOCAB

    def export_settings(self) -> dict[str, Any]:
        path = self.folder / EXPORT_SETTINGS
        if not path.is_file():
            return {}
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CheckpointError(f"{path}: cannot read it as JSON ({exc})") from None


def expected_shapes(config: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    """Every encoder variable the harness reads, with the shape bert_config.json implies.
    (cls/..., the pooler and global_step are ignored.)"""
    h, i = config["hidden_size"], config["intermediate_size"]
    shapes = {
        "bert/embeddings/word_embeddings": (config["vocab_size"], h),
        "bert/embeddings/position_embeddings": (config["max_position_embeddings"], h),
        "bert/embeddings/token_type_embeddings": (config["type_vocab_size"], h),
        "bert/embeddings/LayerNorm/gamma": (h,),
        "bert/embeddings/LayerNorm/beta": (h,),
    }
    per_layer = {
        "attention/self/query/kernel": (h, h), "attention/self/query/bias": (h,),
        "attention/self/key/kernel": (h, h), "attention/self/key/bias": (h,),
        "attention/self/value/kernel": (h, h), "attention/self/value/bias": (h,),
        "attention/output/dense/kernel": (h, h), "attention/output/dense/bias": (h,),
        "attention/output/LayerNorm/gamma": (h,), "attention/output/LayerNorm/beta": (h,),
        "intermediate/dense/kernel": (h, i), "intermediate/dense/bias": (i,),
        "output/dense/kernel": (i, h), "output/dense/bias": (h,),
        "output/LayerNorm/gamma": (h,), "output/LayerNorm/beta": (h,),
    }
    for n in range(config["num_hidden_layers"]):
        shapes.update({f"bert/encoder/layer_{n}/{k}": v for k, v in per_layer.items()})
    return shapes


# -- opening ---------------------------------------------------------------------------------


def open_checkpoint(path: str | Path) -> BertCheckpoint:
    """A checkpoint from a zip as downloaded (checked, then unpacked once into the cache) or a
    folder; the files may sit at the root or inside one folder."""
    path = Path(path).expanduser()
    if not path.exists():
        raise CheckpointError(f"{path}: no such checkpoint zip or folder")
    unpacked = unpack_zip(path) if path.is_file() else None
    root = _find_root(unpacked or path, path)
    return BertCheckpoint(root, check_folder(root, path), unpacked)


def check_folder(root: Path, shown: Path) -> dict[str, Any]:
    """bert_config.json of the folder `root` (checked), once its other files are checked."""
    config_path = root / CONFIG
    try:
        text = config_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CheckpointError(f"{config_path}: cannot read it as JSON ({exc})") from None
    config = parse_config(text, config_path)
    if not (root / VOCAB).is_file():
        raise CheckpointError(f"{shown}: no {VOCAB} beside {CONFIG} (in {root})")
    try:
        tokens = (root / VOCAB).read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise CheckpointError(f"{root / VOCAB}: not UTF-8 text ({exc.reason} at byte "
                              f"{exc.start})") from None
    known = set(tokens)
    missing = [t for t in SPECIAL_TOKENS if t not in known]
    if missing:
        raise CheckpointError(f"{root / VOCAB}: no {', '.join(missing)} token")
    n_tokens = len(tokens)
    if n_tokens > config["vocab_size"]:
        raise CheckpointError(f"{root / VOCAB} has {n_tokens} tokens but {CONFIG} says "
                              f"vocab_size {config['vocab_size']}: they do not belong together")
    if not (root / f"{PREFIX}.index").is_file() or not list(root.glob(f"{PREFIX}.data-*")):
        raise CheckpointError(
            f"{shown}: no {PREFIX}.index and {PREFIX}.data-* files beside {CONFIG} (in {root})")
    return config


def parse_config(text: str, shown: object) -> dict[str, Any]:
    """bert_config.json's text, checked: the integers the encoder needs, heads that divide
    the hidden size. `shown` names it in messages."""
    try:
        config = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CheckpointError(f"{shown}: cannot read it as JSON ({exc})") from None
    if not isinstance(config, dict):
        raise CheckpointError(f"{shown}: a JSON object of settings is expected, not "
                              f"{type(config).__name__}")
    missing = [k for k in REQUIRED_CONFIG if not isinstance(config.get(k), int)]
    if missing:
        raise CheckpointError(f"{shown}: missing or non-integer {', '.join(missing)}")
    if config["hidden_size"] % config["num_attention_heads"]:
        raise CheckpointError(f"{shown}: hidden_size {config['hidden_size']} is not a "
                              f"multiple of num_attention_heads {config['num_attention_heads']}")
    act = config.get("hidden_act", "gelu")
    if act not in ACTIVATIONS:
        raise CheckpointError(f"{shown}: hidden_act {act!r} is not supported "
                              f"({', '.join(ACTIVATIONS)})")
    return config


def _find_root(folder: Path, shown: Path) -> Path:
    if (folder / CONFIG).is_file():
        return folder
    inner = [p for p in folder.iterdir() if p.is_dir() and (p / CONFIG).is_file()]
    if len(inner) == 1:
        return inner[0]
    raise CheckpointError(_no_config(shown))


def _no_config(shown: Path) -> str:
    return (f"{shown}: no {CONFIG} at its root or in exactly one folder inside it (is this a "
            "Google BERT checkpoint, like uncased_L-12_H-768_A-12.zip?)")


def unpack_zip(path: Path) -> Path:
    """Unpack a checkpoint zip once into the cache (keyed by its digest) and return the folder.
    Its directory and bert_config.json are checked first (`zip_members`), so that a zip that
    is not a checkpoint, or would unpack to too much, writes nothing."""
    try:
        members = zip_members(path)
        target = cache_dir() / "tf-checkpoints" / cache_name(path)
        return build_once(target, lambda tmp: extract_members(path, members, tmp))
    except UnsafeZip as exc:  # a checkpoint's zip: its errors are the checkpoint's
        raise CheckpointError(str(exc)) from None


def cache_name(path: Path) -> str:
    """A folder name for the zip's unpacked copy that fits any file system: its stem in
    ASCII letters, digits and ._- (at most 60), then 16 hex digits of its digest."""
    ascii_stem = unicodedata.normalize("NFKD", path.stem).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_stem).strip("-.")[:60].strip("-.")
    return f"{stem or 'checkpoint'}-{path_digest(path)[:16]}"


# -- checkpoint zips ---------------------------------------------------------------------------
# A zip is checked from its directory before anything is written (`safe_zip`): bert_config.json
# read and checked, the files the harness reads present, their unpacked size bounded. Only
# those files are unpacked, and the bytes written are counted.

MAX_CONFIG_BYTES = 1024**2  # a bert_config.json is a few hundred bytes


def zip_members(path: Path) -> list[Any]:
    """The members of a checkpoint zip the harness reads (ZipInfo), once its directory and
    bert_config.json are checked; nothing is written."""
    import zipfile

    with zip_errors(path), zipfile.ZipFile(path) as archive:
        by_name = {i.filename: i for i in files_of(path, archive)}
        root = _zip_root(path, by_name)
        members = _needed_members(path, by_name, root)
        _check_zipped_config(path, archive, by_name[root + CONFIG])
        check_sizes(path, members)
    return members


def _zip_root(path: Path, by_name: dict[str, Any]) -> str:
    """'' when bert_config.json is at the zip's root, else 'FOLDER/' of the one folder holding
    it."""
    if CONFIG in by_name:
        return ""
    inner = [n[: -len(CONFIG)] for n in by_name if n.endswith("/" + CONFIG) and n.count("/") == 1]
    if len(inner) == 1:
        return inner[0]
    raise CheckpointError(_no_config(path))


def _needed_members(path: Path, by_name: dict[str, Any], root: str) -> list[Any]:
    where = f"in {root.rstrip('/')}/" if root else "at its root"
    if root + VOCAB not in by_name:
        raise CheckpointError(f"{path}: no {VOCAB} beside {CONFIG} ({where})")
    data = [i for n, i in by_name.items()
            if n.startswith(f"{root}{PREFIX}.data-") and "/" not in n[len(root):]]
    if root + f"{PREFIX}.index" not in by_name or not data:
        raise CheckpointError(
            f"{path}: no {PREFIX}.index and {PREFIX}.data-* files beside {CONFIG} ({where})")
    wanted = [root + n for n in (CONFIG, VOCAB, f"{PREFIX}.index", EXPORT_SETTINGS)]
    return [by_name[n] for n in wanted if n in by_name] + data


def _check_zipped_config(path: Path, archive: Any, info: Any) -> None:
    shown = f"{path}: {info.filename}"
    if info.file_size > MAX_CONFIG_BYTES:
        raise CheckpointError(f"{shown} is {info.file_size:,} bytes; a {CONFIG} is a few "
                              "hundred")
    with archive.open(info) as handle:
        data = handle.read(MAX_CONFIG_BYTES + 1)
    try:
        text = data[:MAX_CONFIG_BYTES].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CheckpointError(f"{shown}: cannot read it as JSON (not UTF-8: {exc.reason} at "
                              f"byte {exc.start})") from None
    parse_config(text, shown)


def extract_members(path: Path, members: list[Any], dest: Path) -> None:
    """Unpack `members` of the zip into `dest` (`safe_zip.extract`: the bytes written
    counted), then check the folder as a folder checkpoint is."""
    extract(path, members, dest)
    check_folder(_find_root(dest, path), path)


# -- reading variables -------------------------------------------------------------------------


def read_weights(checkpoint: BertCheckpoint) -> dict[str, np.ndarray]:
    """The encoder's variables, checked against bert_config.json. A zip's unpacked copy whose
    variables cannot be used is removed from the cache."""
    try:
        return _read_weights(checkpoint)
    except CheckpointError:
        if checkpoint.unpacked is not None:
            shutil.rmtree(checkpoint.unpacked, ignore_errors=True)
        raise


def _read_weights(checkpoint: BertCheckpoint) -> dict[str, np.ndarray]:
    import tensorflow as tf

    try:
        reader = tf.train.load_checkpoint(str(checkpoint.prefix))
        shapes = reader.get_variable_to_shape_map()
    except Exception as exc:  # TF raises several kinds for unreadable checkpoints
        raise CheckpointError(f"{checkpoint.prefix}: cannot read the checkpoint "
                              f"({type(exc).__name__}: {exc})") from None
    problems = []
    for name, shape in expected_shapes(checkpoint.config).items():
        if name not in shapes:
            problems.append(f"variable {name} is missing")
        elif tuple(shapes[name]) != shape:
            problems.append(f"variable {name} has shape {tuple(shapes[name])} but "
                            f"{CONFIG} implies {shape}")
    if problems:
        raise CheckpointError(f"{checkpoint.prefix}: " + "; ".join(problems[:5])
                              + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""))
    try:
        return {name: reader.get_tensor(name) for name in expected_shapes(checkpoint.config)}
    except Exception as exc:
        raise CheckpointError(f"{checkpoint.prefix}: cannot read the variables "
                              f"({type(exc).__name__}: {exc}); is the .data file complete?"
                              ) from None


def vocab_is_uncased(vocab: Path) -> bool:
    """True when no ordinary token of vocab.txt has an upper-case ASCII letter (an uncased vocab
    still holds a few symbols Python calls upper case, such as 'ℝ')."""
    with open(vocab, encoding="utf-8") as handle:
        for line in handle:
            token = line.strip()
            if (token and not (token.startswith("[") and token.endswith("]"))
                    and re.search("[A-Z]", token)):
                return False
    return True


# -- writing (export) --------------------------------------------------------------------------

_LAYER = re.compile(r"^encoder\.layer\.(\d+)\.")


def google_name(key: str) -> tuple[str, bool] | None:
    """The Google variable name of a transformers BERT parameter, and whether its matrix is
    transposed (torch Linear stores [out, in]; TF kernels are [in, out]). None: not exported."""
    key = key.removeprefix("bert.")
    if key.startswith("embeddings.position_ids"):
        return None
    name = _LAYER.sub(lambda m: f"encoder/layer_{m.group(1)}/", key).replace(".", "/")
    if name.endswith("LayerNorm/weight"):
        return "bert/" + name[: -len("weight")] + "gamma", False
    if name.endswith("LayerNorm/bias"):
        return "bert/" + name[: -len("bias")] + "beta", False
    if name.startswith("embeddings/") and name.endswith("_embeddings/weight"):
        return "bert/" + name[: -len("/weight")], False
    if name.endswith("/weight"):
        return "bert/" + name[: -len("weight")] + "kernel", True
    if name.endswith("/bias"):
        return "bert/" + name, False
    return None


def export_checkpoint(model: str | Path, out: str | Path) -> Path:
    """Write a transformers BERT model (a folder, or a packaged model name) as a Google-format
    checkpoint in `out`: bert_config.json, vocab.txt, bert_model.ckpt.{index,data-*}."""
    import tensorflow as tf
    import torch  # noqa: F401  (transformers needs it to load the weights)
    from transformers import AutoConfig, AutoModel

    from harness_backends.hf import PACKAGED_MODELS, sentence_transformers_settings

    root = PACKAGED_MODELS[str(model)].path() if str(model) in PACKAGED_MODELS else Path(model)
    if root is None or not Path(root).is_dir():
        raise CheckpointError(f"{model}: not a model folder")
    root = Path(root)
    settings: dict[str, Any] = {}
    source = root
    if (root / "modules.json").is_file():  # a sentence-transformers folder
        source, max_seq_length = sentence_transformers_settings(root)
        modules = json.loads((root / "modules.json").read_text(encoding="utf-8"))
        settings = {"max_seq_length": max_seq_length, "sentence_pooling": _st_pooling(root),
                    "normalize": str(modules[-1].get("type", "")).endswith("Normalize")}
    if not (source / "config.json").is_file():
        raise CheckpointError(f"{model}: not a transformers model folder (no config.json)")
    config = AutoConfig.from_pretrained(str(source))
    if config.model_type != "bert":
        raise CheckpointError(f"{model}: a {config.model_type!r} model; only BERT models have "
                              "a Google checkpoint format")
    vocab_lines = _vocab_lines(source)
    bert = AutoModel.from_pretrained(str(source)).eval()
    tensors = {}
    for key, value in bert.state_dict().items():
        found = google_name(key)
        if found:
            name, transpose = found
            array = value.detach().float().cpu().numpy()
            tensors[name] = np.ascontiguousarray(array.T if transpose else array)
    google_config = {
        "attention_probs_dropout_prob": config.attention_probs_dropout_prob,
        "hidden_act": config.hidden_act,
        "hidden_dropout_prob": config.hidden_dropout_prob,
        "hidden_size": config.hidden_size,
        "initializer_range": config.initializer_range,
        "intermediate_size": config.intermediate_size,
        "max_position_embeddings": config.max_position_embeddings,
        "num_attention_heads": config.num_attention_heads,
        "num_hidden_layers": config.num_hidden_layers,
        "type_vocab_size": config.type_vocab_size,
        "vocab_size": config.vocab_size,
    }
    if config.layer_norm_eps != 1e-12:  # Google's code hard-codes 1e-12
        google_config["layer_norm_eps"] = config.layer_norm_eps
    missing = [n for n in expected_shapes(google_config) if n not in tensors]
    if missing:
        raise CheckpointError(f"{model}: the model has no parameter for {', '.join(missing[:3])}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    names = sorted(tensors)
    tf.raw_ops.SaveV2(prefix=str(out / PREFIX), tensor_names=names,
                      shape_and_slices=[""] * len(names),
                      tensors=[tf.constant(tensors[n]) for n in names])
    (out / CONFIG).write_text(json.dumps(google_config, indent=2) + "\n", encoding="utf-8")
    (out / VOCAB).write_text("".join(f"{token}\n" for token in vocab_lines), encoding="utf-8")
    if settings:
        (out / EXPORT_SETTINGS).write_text(json.dumps(settings, indent=2) + "\n",
                                           encoding="utf-8")
    return out


def _st_pooling(root: Path) -> str | None:
    """The sentence pooling of a sentence-transformers folder, if the tf plugin can compute it
    (one Pooling module on the last layer, then at most a Normalize)."""
    modules = json.loads((root / "modules.json").read_text(encoding="utf-8"))
    kinds = [str(m.get("type", "")).rsplit(".", 1)[-1] for m in modules]
    if kinds[1:] not in (["Pooling"], ["Pooling", "Normalize"]):
        return None
    config = json.loads((root / modules[1]["path"] / "config.json").read_text(encoding="utf-8"))
    modes = [m for m in POOLING_MODES if config.get(f"pooling_mode_{m}_token"
                                                    if m == "cls" else f"pooling_mode_{m}_tokens")]
    return modes[0] if len(modes) == 1 else None


def _vocab_lines(source: Path) -> list[str]:
    """vocab.txt's tokens in id order: the folder's own file, else the tokenizer's vocab."""
    if (source / VOCAB).is_file():
        return (source / VOCAB).read_text(encoding="utf-8").splitlines()
    from transformers import AutoTokenizer

    vocab = AutoTokenizer.from_pretrained(str(source)).get_vocab()
    tokens = sorted(vocab, key=vocab.__getitem__)
    if [vocab[t] for t in tokens] != list(range(len(tokens))):
        raise CheckpointError(f"{source}: the tokenizer's ids are not 0..n-1; no {VOCAB} "
                              "can be written for it")
    return tokens
