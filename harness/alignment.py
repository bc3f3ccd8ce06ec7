"""From items to token sequences: tokenize each unique text once, align a target's character
span to the tokens it covers, and cut a window around the target when a text is longer than the
model takes. Framework-free (numpy and a `tokenizers.Tokenizer`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from harness.backend import Item


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


