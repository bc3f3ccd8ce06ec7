"""From items to token sequences: tokenize each unique text once, align a target's character
span to the tokens it covers, and cut a window around the target when a text is longer than the
model takes. Framework-free (numpy and a `tokenizers.Tokenizer`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from harness.backend import Item


@dataclass(frozen=True)
class TokenizerSpec:
    """A `tokenizers.Tokenizer` (padding and truncation off; texts are encoded without special
    tokens) and the model's own template around a text: the special-token ids before it
    (`prefix`, such as [CLS] or <s> or a BOS) and after it (`suffix`), and the id padding uses
    (None: any id, the attention mask alone hides padding)."""

    tokenizer: Any
    prefix: tuple[int, ...] = ()
    suffix: tuple[int, ...] = ()
    pad_id: int | None = None

    @classmethod
    def bert(cls, tokenizer: Any, cls_id: int, sep_id: int, pad_id: int) -> TokenizerSpec:
        """BERT's template: [CLS] text [SEP]."""
        return cls(tokenizer, (cls_id,), (sep_id,), pad_id)

    @property
    def specials(self) -> int:
        return len(self.prefix) + len(self.suffix)


@dataclass
class Plan:
    """Which token sequence each item reads, and which positions of it.

    `sequences` are unique token-id arrays (a text, or a window of it, inside the template).
    Item i reads positions `positions[i]` of sequence `seq[i]` (a whole-sentence item: every
    position). seq[i] is -1 when the item cannot be embedded; `reasons` says why."""

    sequences: list[np.ndarray]
    seq: np.ndarray
    positions: list[np.ndarray]
    sentence: np.ndarray
    reasons: dict[int, str] = field(default_factory=dict)
    cut_sentences: int = 0  # whole-sentence items longer than the window, cut to it


@dataclass(frozen=True)
class _Encoded:
    ids: np.ndarray
    cores: np.ndarray  # (n, 2): each token's characters, whitespace at either end left out
    tokens: list[str]


def make_plan(items: Sequence[Item], spec: TokenizerSpec, max_length: int,
              sentence_max_length: int | None = None, repeat: bool = False) -> Plan:
    """Tokenize each unique text once and align every item's span to its tokens.

    A word item's target tokens are those whose characters overlap a non-whitespace character
    of its span (a leading "▁" or "Ġ" or space in a token's offsets never disqualifies it; a
    whitespace-only token is never part of a target; a token that also holds punctuation
    beside the word, "mouse." in one piece, is the word's). A span that covers only part of a
    word's pieces (rat in "pirate") is refused with the reason. A text longer than
    `max_length` tokens (template included) is cut to a window centred on the target; a whole
    sentence is cut to its first `sentence_max_length` tokens. With `repeat` (decoder-only
    models), a word item reads its text twice, "text text", and the target is taken in the
    second copy."""
    sentence_max_length = sentence_max_length or max_length
    word_texts = [_read(item.text, repeat) for item in items if item.span is not None]
    sentence_texts = [item.text for item in items if item.span is None]
    texts = list(dict.fromkeys(word_texts + sentence_texts))
    where = {t: i for i, t in enumerate(texts)}
    encoded = [_encode(text, e) for text, e in zip(
        texts, spec.tokenizer.encode_batch(texts, add_special_tokens=False))]
    window = max(1, max_length - spec.specials)
    sentence_window = max(1, sentence_max_length - spec.specials)

    n = len(items)
    seq = np.full(n, -1, dtype=np.int64)
    positions: list[np.ndarray] = [np.zeros(0, dtype=np.int64)] * n
    sentence = np.zeros(n, dtype=bool)
    reasons: dict[int, str] = {}
    keys: dict[tuple[int, int, int], int] = {}
    sequences: list[np.ndarray] = []
    cut = 0
    for i, item in enumerate(items):
        if item.span is None:
            enc = encoded[where[item.text]]
            lo, hi = 0, min(len(enc.ids), sentence_window)
            sentence[i] = True
            cut += len(enc.ids) > sentence_window
            chosen = None
        else:
            text = _read(item.text, repeat)
            enc = encoded[where[text]]
            shift = len(text) - len(item.text)  # the target is in the last copy
            span = (item.span[0] + shift, item.span[1] + shift)
            chosen, why = target_tokens(enc, span, text, item, window)
            if chosen is None:
                reasons[i] = why
                continue
            a, b = int(chosen[0]), int(chosen[-1]) + 1
            n_tokens = len(enc.ids)
            lo = 0 if n_tokens <= window else min(max(0, a - (window - (b - a)) // 2),
                                                  n_tokens - window)
            hi = min(n_tokens, lo + window)
        key = (where[_read(item.text, repeat) if item.span is not None else item.text], lo, hi)
        if key not in keys:
            keys[key] = len(sequences)
            sequences.append(np.concatenate((np.asarray(spec.prefix, dtype=np.int64),
                                             enc.ids[lo:hi],
                                             np.asarray(spec.suffix, dtype=np.int64))))
        seq[i] = keys[key]
        positions[i] = (np.arange(len(sequences[seq[i]])) if chosen is None
                        else chosen - lo + len(spec.prefix))
    return Plan(sequences, seq, positions, sentence, reasons, cut)


def _read(text: str, repeat: bool) -> str:
    return f"{text} {text}" if repeat else text


def _encode(text: str, encoding: Any) -> _Encoded:
    """Token ids, and each token's characters with whitespace at either end trimmed."""
    offsets = np.asarray(encoding.offsets, dtype=np.int64).reshape(-1, 2)
    cores = offsets.copy()
    for row, (start, end) in enumerate(offsets):
        start, end = int(start), int(min(end, len(text)))
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        cores[row] = start, end
    return _Encoded(np.asarray(encoding.ids, dtype=np.int64), cores, list(encoding.tokens))


def target_tokens(enc: _Encoded, span: tuple[int, int], text: str, item: Item,
                  window: int) -> tuple[np.ndarray | None, str]:
    """Indices of the target's tokens, or None and the reason (naming the text, the span and
    the tokens there)."""
    s, e = span
    cores = enc.cores
    hit = (cores[:, 0] < e) & (cores[:, 1] > s) & (cores[:, 1] > cores[:, 0])
    found = np.flatnonzero(hit)
    place = f"{item.word!r} (characters {item.span[0]}-{item.span[1]} of {item.text!r})"
    if not len(found):
        near = np.flatnonzero((enc.cores[:, 1] >= s - 1) & (enc.cores[:, 0] <= e + 1))
        seen = " ".join(enc.tokens[j] for j in near) or "none"
        return None, (f"the target {place} covers no token of the model (tokens there: "
                      f"{seen})")
    pieces = " ".join(enc.tokens[j] for j in found)
    beside = text[cores[found[0], 0] : s] + text[e : cores[found[-1], 1]]
    if any(c.isalnum() for c in beside):
        return None, (f"the target {place} covers only part of the word piece(s) '{pieces}'; "
                      "a model embeds whole pieces: give a span (or word) that covers them")
    if found[-1] + 1 - found[0] > window:
        return None, (f"the target {place} is {found[-1] + 1 - found[0]} tokens long "
                      f"({pieces}), more than the window of {window} tokens the model's "
                      "length leaves room for")
    return found, ""
