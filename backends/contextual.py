"""What every contextual (transformer) backend shares: options, tokenization with character
offsets, aligning a target span to tokens, windows for long texts, length-sorted batches with
dynamic padding, and layer / sub-word / sentence pooling. A backend adds only its forward pass.

Everything here is numpy; no framework is imported.
"""

from __future__ import annotations

import json
import logging
from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from harness.backend import Backend, Item, Option, parse_int_list
from harness.errors import OptionError

log = logging.getLogger("harness.backends")

POOLING_OPTIONS = ("layers", "layer_pool", "subword_pool")
LAYER_POOLS = ("sum", "mean", "concat")
SUBWORD_POOLS = ("mean", "first", "last", "sum")

CONTEXTUAL_OPTIONS = {
    **Backend.OPTIONS,
    "layers": Option(
        (-4, -3, -2, -1),
        "hidden states to use: 0 is the embedding layer, negative counts from the top",
        parse_int_list,
    ),
    "layer_pool": Option("sum", "how the layers combine", choices=LAYER_POOLS),
    "subword_pool": Option("mean", "how a word's word pieces combine", choices=SUBWORD_POOLS),
    "max_length": Option(
        0,
        "longest token sequence per forward pass (0: the model's own limit); a longer text is "
        "cut to a window around the target",
        int,
    ),
    "batch_size": Option(64, "most sequences per forward pass", int, affects_vectors=False),
    "max_tokens": Option(
        4096,
        "most tokens (sequences x padded length) per forward pass; 0: no limit",
        int,
        affects_vectors=False,
    ),
    "device": Option("cpu", "cpu, cuda, cuda:N", affects_vectors=False),
}


@dataclass
class TokenizerSpec:
    """A `tokenizers.Tokenizer` (padding and truncation off) and the ids a sequence needs."""

    tokenizer: Any
    cls_id: int
    sep_id: int
    pad_id: int


@dataclass
class Plan:
    """Which token sequence each item reads, and which positions of it.

    `sequences` are unique (text, window) token-id arrays with the special tokens added.
    Item i reads positions [start[i], stop[i]) of sequence seq[i]; a whole-sentence item reads
    every position. seq[i] is -1 when the item cannot be embedded; `reasons` says why."""

    sequences: list[np.ndarray]
    seq: np.ndarray
    start: np.ndarray
    stop: np.ndarray
    sentence: np.ndarray
    reasons: dict[int, str] = field(default_factory=dict)
    cut_sentences: int = 0  # whole-sentence items longer than the window, cut to it


def make_plan(items: Sequence[Item], spec: TokenizerSpec, max_length: int) -> Plan:
    """Tokenize each unique text once and align every item's span to its tokens."""
    texts = list(dict.fromkeys(item.text for item in items))
    text_index = {t: i for i, t in enumerate(texts)}
    encodings = spec.tokenizer.encode_batch(texts, add_special_tokens=False)
    ids = [np.asarray(e.ids, dtype=np.int64) for e in encodings]
    offsets = [np.asarray(e.offsets, dtype=np.int64).reshape(-1, 2) for e in encodings]
    window = max(1, max_length - 2)  # room left by the two special tokens

    n = len(items)
    seq = np.full(n, -1, dtype=np.int64)
    start = np.zeros(n, dtype=np.int64)
    stop = np.zeros(n, dtype=np.int64)
    sentence = np.zeros(n, dtype=bool)
    reasons: dict[int, str] = {}
    keys: dict[tuple[int, int], int] = {}
    sequences: list[np.ndarray] = []
    cut = 0

    for i, item in enumerate(items):
        t = text_index[item.text]
        n_tokens = len(ids[t])
        if item.span is None:
            first, lo, hi = 0, 0, min(n_tokens, window)
            sentence[i] = True
            cut += n_tokens > window
        else:
            found = target_tokens(offsets[t], item.span)
            if found is None:
                reasons[i] = (f"the target {item.word!r} in {item.text!r} covers no token of "
                              "the model")
                continue
            a, b = found
            if offsets[t][a, 0] < item.span[0] or offsets[t][b - 1, 1] > item.span[1]:
                pieces = " ".join(encodings[t].tokens[a:b])
                reasons[i] = (f"the target {item.word!r} in {item.text!r} covers only part of "
                              f"the word piece(s) '{pieces}'; a model embeds whole pieces: "
                              "give a span (or word) that covers them")
                continue
            if b - a > window:
                reasons[i] = (f"the target {item.word!r} is {b - a} tokens long, more than "
                              f"max_length={max_length} leaves room for")
                continue
            lo = 0 if n_tokens <= window else min(max(0, a - (window - (b - a)) // 2),
                                                  n_tokens - window)
            hi = min(n_tokens, lo + window)
            first = a
        key = (t, lo)
        if key not in keys:
            keys[key] = len(sequences)
            sequences.append(np.concatenate(([spec.cls_id], ids[t][lo:hi], [spec.sep_id])))
        seq[i] = keys[key]
        if item.span is None:
            start[i], stop[i] = 0, hi - lo + 2
        else:
            start[i], stop[i] = first - lo + 1, b - lo + 1  # +1: the leading special token
    return Plan(sequences, seq, start, stop, sentence, reasons, cut)


def target_tokens(offsets: np.ndarray, span: tuple[int, int]) -> tuple[int, int] | None:
    """[first, last + 1) of the tokens whose characters overlap `span`, or None."""
    s, e = span
    hit = (offsets[:, 0] < e) & (offsets[:, 1] > s) & (offsets[:, 1] > offsets[:, 0])
    found = np.flatnonzero(hit)
    if not len(found):
        return None
    return int(found[0]), int(found[-1]) + 1


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


def resolve_layers(layers: Sequence[int], n_states: int) -> list[int]:
    """Layer indices made non-negative; an index outside the model is an OptionError."""
    out = []
    for layer in layers:
        index = layer + n_states if layer < 0 else layer
        if not 0 <= index < n_states:
            raise OptionError(
                f"layers={layer}: the model has {n_states} hidden states (0 is the embedding "
                f"layer, {n_states - 1} the top; -1 to -{n_states} count from the top)"
            )
        out.append(index)
    return out


def pool_layers(states: Sequence[np.ndarray], mode: str) -> np.ndarray:
    """Combine k arrays of shape (B, S, H) into (B, S, H), or (B, S, k*H) for concat."""
    if mode == "concat":
        return np.concatenate(states, axis=-1)
    stacked = np.stack(states)
    return stacked.sum(axis=0) if mode == "sum" else stacked.mean(axis=0)


def position_weights(start: np.ndarray, stop: np.ndarray, width: int, mode: str) -> np.ndarray:
    """(m, width) weights over positions: the pooled vector of row i is weights[i] @ states."""
    pos = np.arange(width)[None, :]
    lo, hi = start[:, None], stop[:, None]
    if mode == "first":
        w = pos == lo
    elif mode == "last":
        w = pos == hi - 1
    else:
        w = (pos >= lo) & (pos < hi)
    w = w.astype(np.float32)
    if mode == "mean":
        w /= (hi - lo).astype(np.float32)
    return w


class ContextualBackend(Backend):
    """A transformer encoder. Subclasses implement `_load` (returning the TokenizerSpec, the
    number of hidden states and the model's length limit) and `_forward`.

    Backends of one model that differ only in pooling (`layers`, `layer_pool`, `subword_pool`)
    share a `forward_key`; `embed_group` then embeds them all from one forward pass per text."""

    OPTIONS = CONTEXTUAL_OPTIONS

    def __init__(self, name, options=None):
        super().__init__(name, options)
        self._spec: TokenizerSpec | None = None
        self._n_states = 0
        self._layers: list[int] = []
        self._max_length = 0
        self._reasons: dict[Item, str] = {}

    # -- what a subclass provides -------------------------------------------------------------
    @abstractmethod
    def _load(self) -> tuple[TokenizerSpec, int, int]:
        """Load tokenizer and weights: (tokenizer spec, number of hidden states including the
        embedding layer, the longest sequence the model takes)."""

    @abstractmethod
    def _forward(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> Sequence[Any]:
        """One forward pass: every hidden state, each (B, S, H), convertible by np.asarray."""

    def _sentence_vectors(self, hidden: Sequence[Any], pooled: np.ndarray, mask: np.ndarray,
                          rows: np.ndarray) -> np.ndarray:
        """Whole-sentence vectors of batch rows `rows`: the mean over real tokens of the pooled
        layers. A backend with a sentence pooling of its own overrides this."""
        weights = mask[rows].astype(np.float32)
        weights /= weights.sum(axis=1, keepdims=True)
        return np.einsum("is,ish->ih", weights, pooled[rows])

    # -- sharing a forward pass -----------------------------------------------------------------
    def forward_key(self) -> str | None:
        """Equal for backends that differ only in pooling options."""
        shared = {k: v for k, v in sorted(self.options.items()) if k not in POOLING_OPTIONS}
        return json.dumps([type(self).__module__, type(self).__qualname__, self._weights_id(),
                           shared], default=str)

    def resources(self) -> dict[str, float]:
        """One GPU when the device is CUDA."""
        gpu = str(self.options["device"]).startswith("cuda")
        return {"num_cpus": 1, "num_gpus": 1 if gpu else 0}

    def sweep_settings(self) -> list[dict[str, str]]:
        """Every single layer (0: embeddings), every sub-word pooling and every layer pooling;
        loads the model to count its layers."""
        self._ensure_loaded()
        return ([{"layers": str(i)} for i in range(self._n_states)]
                + [{"subword_pool": p} for p in SUBWORD_POOLS]
                + [{"layer_pool": p} for p in LAYER_POOLS])

    def embed_group(self, items: Sequence[Item],
                    group: Sequence[Backend]) -> list[np.ndarray | Exception]:
        """Vectors of `items` for every backend of `group` (this one first; all with this
        forward_key), from one forward pass per text; an Exception for a backend whose own
        options fail (the others still get their vectors)."""
        if any(not isinstance(b, ContextualBackend) or b.forward_key() != self.forward_key()
               for b in group):
            raise ValueError("embed_group takes backends of one model and forward settings")
        return self._embed_variants(list(items), list(group))  # type: ignore[arg-type]

    # -- the shared pipeline --------------------------------------------------------------------
    def _ensure_loaded(self) -> TokenizerSpec:
        if self._spec is None:
            spec, n_states, model_limit = self._load()
            asked = self.options["max_length"]
            if asked and asked < 3:
                raise OptionError(f"max_length={asked}: must be at least 3 (two special tokens)")
            self._max_length = min(asked, model_limit) if asked else model_limit
            self._n_states = n_states
            self._layers = resolve_layers(self.options["layers"], n_states)
            self._spec = spec
        return self._spec

    def embed(self, items: Sequence[Item]) -> np.ndarray:
        """All items at once: each unique (text, window) runs through the model once, in
        length-sorted batches."""
        out = self._embed_variants(list(items), [self])[0]
        if isinstance(out, Exception):
            raise out
        return out

    def _embed(self, items: Sequence[Item]) -> np.ndarray:
        return self.embed(items)

    def _embed_variants(self, items: list[Item],
                        variants: list[ContextualBackend]) -> list[np.ndarray | Exception]:
        if not items:
            return [np.zeros((0, 0), dtype=np.float32) for _ in variants]
        spec = self._ensure_loaded()
        errors: dict[int, Exception] = {}
        for v, variant in enumerate(variants):
            try:
                variant._layers = resolve_layers(variant.options["layers"], self._n_states)
            except OptionError as exc:
                errors[v] = exc
        plan = make_plan(items, spec, self._max_length)
        if plan.cut_sentences:
            log.warning("%s: %d whole-sentence contexts are longer than %d tokens; their vectors "
                        "use the first %d", self.name, plan.cut_sentences, self._max_length,
                        self._max_length)
        for variant in variants:
            variant._reasons.update({items[i]: why for i, why in plan.reasons.items()})
        if not plan.sequences:  # no item could be embedded; the reasons say why
            return [errors.get(v) or np.full((len(items), 1), np.nan, dtype=np.float32)
                    for v in range(len(variants))]
        outs: list[np.ndarray | None] = [None] * len(variants)
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
            ids, mask = pad_batch([plan.sequences[s] for s in order[lo:hi]], spec.pad_id)
            hidden = self._forward(ids, mask)
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
                    weights = position_weights(plan.start[w_items], plan.stop[w_items],
                                               ids.shape[1], variant.options["subword_pool"])
                    parts.append((w_items, np.einsum("is,ish->ih", weights, pooled[rows[words]])))
                if (~words).any():
                    parts.append((chosen[~words],
                                  self._sentence_vectors(hidden, pooled, mask, rows[~words])))
                for where, vectors in parts:
                    if outs[v] is None:
                        outs[v] = np.full((len(items), vectors.shape[1]), np.nan, np.float32)
                    out = outs[v]
                    if out.shape[1] != vectors.shape[1]:
                        errors[v] = ValueError(
                            f"{variant.name}: whole-sentence vectors have {vectors.shape[1]} "
                            f"dimensions but word vectors {out.shape[1]} (layer_pool=concat?), "
                            "so they cannot be compared; score sentence and word contexts with "
                            "separate backend settings")
                        break
                    out[where] = vectors
        return [errors[v] if v in errors else variant._checked(
                    outs[v] if outs[v] is not None
                    else np.full((len(items), 1), np.nan, np.float32), len(items))
                for v, variant in enumerate(variants)]

    def missing_reason(self, item: Item) -> str:
        return self._reasons.get(item, super().missing_reason(item))
