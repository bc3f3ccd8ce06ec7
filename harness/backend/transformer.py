"""The base class of transformer-encoder backends: options, alignment of targets to tokens,
windows for long texts, length-sorted batches capped by tokens with dynamic padding, and
layer / sub-word / sentence pooling. A backend adds only loading and its forward pass; the `hf`
and `tf` plugins and the example ONNX plugin are such backends.

Everything here is numpy; no framework is imported.
"""

from __future__ import annotations

import json
import logging
import re
from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from harness.backend import CORE_OPTIONS, Backend, Embeddings, Item, Option
from harness.backend.alignment import TokenizerSpec, make_plan
from harness.backend.options import non_negative_int, positive_int
from harness.backend.pooling import (
    LAYER_POOLS,
    SUBWORD_POOLS,
    parse_layers,
    pool_layers,
    position_weights,
    resolve_layers,
)
from harness.errors import OptionError

log = logging.getLogger("harness.backends")

POOLING_OPTIONS = ("layers", "layer_pool", "subword_pool")

DEVICES = "cpu, cuda, cuda:N or mps"


def parse_device(text: str) -> str:
    """cpu, cuda, cuda:N or mps; anything else is refused by name."""
    device = text.strip().lower()
    if re.fullmatch(r"cpu|cuda(:\d+)?|mps", device) is None:
        raise ValueError(f"not a device this harness knows; use {DEVICES}")
    return device


TRANSFORMER_OPTIONS = {
    **Backend.OPTIONS,
    "layers": Option(
        "auto",
        "hidden states to use: 0 is the embedding layer, negative counts from the top; auto: "
        "the last four, or every transformer layer of a model with fewer than four",
        parse_layers,
    ),
    "layer_pool": Option("sum", "how the layers combine", choices=LAYER_POOLS),
    "subword_pool": Option("mean", "how a word's word pieces combine", choices=SUBWORD_POOLS),
    "max_length": Option(
        0,
        "longest token sequence per forward pass (0: the model's own limit); a longer text is "
        "cut to a window around the target",
        non_negative_int,
    ),
    "batch_size": Option(64, "most sequences per forward pass", positive_int,
                         affects_vectors=False),
    "max_tokens": Option(
        4096,
        "most tokens (sequences x padded length) per forward pass; 0: no limit",
        non_negative_int,
        affects_vectors=False,
    ),
    "device": Option("cpu", DEVICES, parse_device, affects_vectors=False),
}


@dataclass(frozen=True)
class LoadedModel:
    """What `load_model` returns: the tokenizer, how many hidden states a forward pass gives
    (the embedding layer included), the longest sequence the model takes (its position
    limit, template included), and optionally: the longest a whole sentence is read (a
    sentence-transformers model's max_seq_length), whether a word's text is read twice with
    the target in the second copy (decoder-only models, decoder_context=repeat), and what to
    record about the model in results.json."""

    tokenizer: TokenizerSpec
    hidden_states: int
    max_length: int
    sentence_max_length: int | None = None
    repeat: bool = False
    about: dict[str, Any] = field(default_factory=dict)


def pad_batch(sequences: Sequence[np.ndarray], pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    """Right-pad to the longest sequence: (input_ids, attention_mask)."""
    width = max(len(s) for s in sequences)
    ids = np.full((len(sequences), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(sequences), width), dtype=np.int64)
    for row, s in enumerate(sequences):
        ids[row, : len(s)] = s
        mask[row, : len(s)] = 1
    return ids, mask


def token_budget_batches(sorted_lengths: np.ndarray, batch_size: int,
                         max_tokens: int) -> list[int]:
    """Boundaries of batches over length-sorted sequences: each holds at most `batch_size`
    sequences and at most `max_tokens` padded tokens (always at least one sequence)."""
    if not len(sorted_lengths):
        return [0]
    bounds, start = [0], 0
    batch_size = max(1, batch_size)
    for end in range(1, len(sorted_lengths) + 1):
        count = end - start
        if count > batch_size or (max_tokens and count * sorted_lengths[end - 1] > max_tokens
                                  and count > 1):
            bounds.append(end - 1)
            start = end - 1
    bounds.append(len(sorted_lengths))
    return bounds


class TransformerBackend(Backend):
    """A transformer encoder. Subclasses implement `load_model` and `forward`, and may
    override `sentence_vectors`.

    It has every capability of `harness.backend.capabilities`: backends of one model that differ
    only in pooling (`layers`, `layer_pool`, `subword_pool`) share a `share_key`, and `embed_shared`
    embeds them all from one forward pass per text; `sweep_settings` lists every layer and
    pooling; `resources` asks for a GPU when the device is CUDA."""

    OPTIONS = TRANSFORMER_OPTIONS

    def __init__(self, name, options=None):
        super().__init__(name, options)
        self._loaded: LoadedModel | None = None
        self._layers: list[int] = []
        self._max_length = 0

    # -- what a subclass provides -------------------------------------------------------------
    @abstractmethod
    def load_model(self) -> LoadedModel:
        """Load tokenizer and weights (called once, on first use)."""

    @abstractmethod
    def forward(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> Sequence[Any]:
        """One forward pass: every hidden state, each (B, S, H), convertible by np.asarray."""

    def sentence_vectors(self, hidden: Sequence[Any], pooled: np.ndarray, mask: np.ndarray,
                         rows: np.ndarray) -> np.ndarray:
        """Whole-sentence vectors of batch rows `rows`: the mean over real tokens of the pooled
        layers. A backend with a sentence pooling of its own overrides this."""
        weights = mask[rows].astype(np.float32)
        weights /= weights.sum(axis=1, keepdims=True)
        return np.einsum("is,ish->ih", weights, pooled[rows])

    # -- capabilities -------------------------------------------------------------------------
    def share_key(self) -> str:
        """Equal for backends that differ only in pooling options (and in what the harness
        does with the vectors afterwards, such as `postprocess`)."""
        shared = {k: v for k, v in sorted(self.options.items())
                  if k not in POOLING_OPTIONS and k not in CORE_OPTIONS}
        return json.dumps([type(self).__module__, type(self).__qualname__, self.weights(),
                           shared], default=str)

    def resources(self) -> dict[str, float]:
        """One GPU when the device is CUDA."""
        gpu = str(self.options["device"]).startswith("cuda")
        return {"num_cpus": 1, "num_gpus": 1 if gpu else 0}

    def sweep_settings(self) -> list[dict[str, str]]:
        """Every single layer (0: embeddings), every sub-word pooling and every layer pooling;
        loads the model to count its layers."""
        n_states = self._ensure_loaded().hidden_states
        return ([{"layers": str(i)} for i in range(n_states)]
                + [{"subword_pool": p} for p in SUBWORD_POOLS]
                + [{"layer_pool": p} for p in LAYER_POOLS])

    def embed_shared(self, items: Sequence[Item],
                     group: Sequence[Backend]) -> list[Embeddings | Exception]:
        """Embeddings of `items` for every backend of `group` (this one first; all with this
        share_key), from one forward pass per text; an Exception for a backend whose own
        options fail (the others still get their vectors)."""
        key = self.share_key()
        if any(not isinstance(b, TransformerBackend) or b.share_key() != key for b in group):
            raise ValueError("embed_shared takes backends of one model and forward settings")
        return self._embed_variants(list(items), list(group))  # type: ignore[arg-type]

    # -- the Backend contract -------------------------------------------------------------------
    def batch_items(self) -> int:
        """Every item the harness hands over at once: batches are packed here, by tokens
        (`batch_size` sequences and `max_tokens` tokens per forward pass at most)."""
        return 1 << 30

    def embed_batch(self, items: Sequence[Item]) -> Embeddings:
        """Each unique (text, window) runs through the model once, in length-sorted batches."""
        out = self._embed_variants(list(items), [self])[0]
        if isinstance(out, Exception):
            raise out
        return out

    @property
    def _spec(self) -> TokenizerSpec | None:
        return self._loaded.tokenizer if self._loaded else None

    def used(self) -> dict[str, Any]:
        """The layers and the longest sequence this backend used, and what its model says
        about itself; {} before it has run."""
        if self._loaded is None:
            return {}
        out: dict[str, Any] = {"layers": list(self._layers), "max_length": self._max_length}
        if self._loaded.sentence_max_length and (self._loaded.sentence_max_length
                                                 < self._max_length):
            out["sentence_max_length"] = self._loaded.sentence_max_length
        return {**out, **self._loaded.about}

    # -- the shared pipeline --------------------------------------------------------------------
    def _ensure_loaded(self) -> LoadedModel:
        if self._loaded is None:
            loaded = self.load_model()
            asked = self.options["max_length"]
            least = loaded.tokenizer.specials + 1
            if asked and not least <= asked <= loaded.max_length:
                raise OptionError(
                    f"max_length={asked}: this model takes {least} to {loaded.max_length} "
                    f"tokens (its position limit, {loaded.tokenizer.specials} special tokens "
                    "included); 0 takes the limit")
            self._max_length = asked or loaded.max_length
            self._loaded = loaded  # each variant's layers are resolved when it embeds
        return self._loaded

    def _embed_variants(self, items: list[Item],
                        variants: list[TransformerBackend]) -> list[Embeddings | Exception]:
        if not items:
            return [Embeddings(np.zeros((0, 0), dtype=np.float32)) for _ in variants]
        loaded = self._ensure_loaded()
        spec = loaded.tokenizer
        errors: dict[int, Exception] = {}
        for v, variant in enumerate(variants):
            try:
                variant._layers = resolve_layers(variant.options["layers"],
                                                 loaded.hidden_states)
                variant._loaded, variant._max_length = loaded, self._max_length
            except OptionError as exc:
                errors[v] = exc
        sentence_limit = min(loaded.sentence_max_length or self._max_length, self._max_length)
        plan = make_plan(items, spec, self._max_length, sentence_limit, loaded.repeat)
        if plan.cut_sentences:
            log.warning("%s: %d whole-sentence contexts are longer than %d tokens; their vectors "
                        "use the first %d", self.name, plan.cut_sentences, sentence_limit,
                        sentence_limit)
        outs: list[np.ndarray | None] = [None] * len(variants)
        if plan.sequences:
            self._pool_batches(plan, spec, variants, outs, errors)
        return [errors[v] if v in errors else Embeddings(
                    outs[v] if outs[v] is not None
                    else np.full((len(items), 1), np.nan, np.float32), dict(plan.reasons),
                    variant.used())
                for v, variant in enumerate(variants)]

    def _pool_batches(self, plan, spec: TokenizerSpec, variants: list[TransformerBackend],
                      outs: list[np.ndarray | None], errors: dict[int, Exception]) -> None:
        """Run the plan's sequences in token-budget batches and pool each variant's vectors
        into `outs` (an error of one variant goes into `errors`)."""
        n_items = len(plan.seq)
        lengths = np.array([len(s) for s in plan.sequences])
        order = np.argsort(lengths, kind="stable")
        bounds = token_budget_batches(lengths[order], int(self.options["batch_size"]),
                                      int(self.options["max_tokens"]))
        # which batch, and which row of it, each sequence lands in; then items by batch
        batch_of_seq = np.empty(len(order), dtype=np.int64)
        row_of_seq = np.empty(len(order), dtype=np.int64)
        for k, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:])):
            batch_of_seq[order[lo:hi]] = k
            row_of_seq[order[lo:hi]] = np.arange(hi - lo)
        item_batch = np.where(plan.seq >= 0, batch_of_seq[np.maximum(plan.seq, 0)], -1)
        by_batch = np.argsort(item_batch, kind="stable")
        item_bounds = np.searchsorted(item_batch[by_batch], np.arange(len(bounds)))
        for k, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:])):
            ids, mask = pad_batch([plan.sequences[s] for s in order[lo:hi]], spec.pad_id or 0)
            hidden = self.forward(ids, mask)
            chosen = by_batch[item_bounds[k] : item_bounds[k + 1]]
            rows = row_of_seq[plan.seq[chosen]]
            words = ~plan.sentence[chosen]
            for v, variant in enumerate(variants):
                if v in errors:
                    continue
                pooled = pool_layers([np.asarray(hidden[j], dtype=np.float32)
                                      for j in variant._layers], variant.options["layer_pool"])
                parts = []
                if words.any():
                    w_items = chosen[words]
                    weights = position_weights([plan.positions[j] for j in w_items],
                                               ids.shape[1], variant.options["subword_pool"])
                    parts.append((w_items, np.einsum("is,ish->ih", weights, pooled[rows[words]]),
                                  True))
                if (~words).any():
                    parts.append((chosen[~words],
                                  self.sentence_vectors(hidden, pooled, mask, rows[~words]),
                                  False))
                for where, vectors, of_words in parts:
                    if outs[v] is None:
                        outs[v] = np.full((n_items, vectors.shape[1]), np.nan, np.float32)
                    out = outs[v]
                    if out.shape[1] != vectors.shape[1]:
                        word_width, sentence_width = ((vectors.shape[1], out.shape[1]) if of_words
                                                      else (out.shape[1], vectors.shape[1]))
                        errors[v] = ValueError(
                            f"{variant.name}: whole-sentence vectors have {sentence_width} "
                            f"dimensions but word vectors {word_width} (layer_pool=concat?), "
                            "so they cannot be compared; score sentence and word contexts with "
                            "separate backend settings")
                        break
                    out[where] = vectors
