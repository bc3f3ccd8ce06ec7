"""From items to token sequences: tokenize each unique text once, align a target's character
span to the tokens it covers, and cut a window around the target when a text is longer than the
model takes. Framework-free (numpy and a `tokenizers.Tokenizer`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from harness.backend import Item


@dataclass(frozen=True)
class TokenizerSpec:
    """A `tokenizers.Tokenizer` (padding and truncation off; texts are encoded without special
    tokens) and the model's own template around a text: the special-token ids before it
    (`prefix`, such as [CLS] or <s> or a BOS) and after it (`suffix`), the id padding uses
    (None: any id, the attention mask alone hides padding), and the id of the unknown token
    (None: the one the tokenizer's model names, if any; a target read as it has no vector)."""

    tokenizer: Any
    prefix: tuple[int, ...] = ()
    suffix: tuple[int, ...] = ()
    pad_id: int | None = None
    unk_id: int | None = None

    @classmethod
    def bert(cls, tokenizer: Any, cls_id: int, sep_id: int, pad_id: int,
             unk_id: int | None = None) -> TokenizerSpec:
        """BERT's template: [CLS] text [SEP]."""
        return cls(tokenizer, (cls_id,), (sep_id,), pad_id, unk_id)

    @property
    def specials(self) -> int:
        return len(self.prefix) + len(self.suffix)

    @cached_property
    def unknown_id(self) -> int | None:
        """`unk_id` if given, else the unknown token's id as the tokenizer says (None: none)."""
        return self.unk_id if self.unk_id is not None else find_unknown_id(self.tokenizer)

    @cached_property
    def unknown(self) -> tuple[int, str] | None:
        """The unknown token's id and its text ([UNK], <unk>), or None."""
        if self.unknown_id is None:
            return None
        text = getattr(self.tokenizer, "id_to_token", lambda _: None)(self.unknown_id)
        return self.unknown_id, text if isinstance(text, str) else f"(id {self.unknown_id})"


def find_unknown_id(tokenizer: Any) -> int | None:
    """The id of the unknown token of a `tokenizers.Tokenizer` (or one of its implementations,
    such as BertWordPieceTokenizer): its model's unk_token (WordPiece, BPE, WordLevel) or unk_id
    (Unigram); None when it has none (byte-level BPE) or does not say."""
    model = getattr(tokenizer, "model", None)
    if model is None:
        return None
    if hasattr(model, "unk_token"):
        return _token_id(tokenizer, model.unk_token)
    try:  # Unigram keeps its unk_id only in its serialised form
        saved = json.loads(tokenizer.to_str()).get("model", {})
    except (AttributeError, TypeError, ValueError):
        return None
    unk = saved.get("unk_id")
    return unk if isinstance(unk, int) and not isinstance(unk, bool) else None


def _token_id(tokenizer: Any, token: Any) -> int | None:
    if not isinstance(token, str) or not token or not hasattr(tokenizer, "token_to_id"):
        return None
    found = tokenizer.token_to_id(token)
    return found if isinstance(found, int) else None


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
    second copy. A target any of whose tokens is the unknown token has no vector (the model
    cannot tell one unknown word from another); a whole sentence is embedded all the same."""
    sentence_max_length = sentence_max_length or max_length
    word_texts = [_read(item.text, repeat) for item in items if item.span is not None]
    sentence_texts = [item.text for item in items if item.span is None]
    texts = list(dict.fromkeys(word_texts + sentence_texts))
    where = {t: i for i, t in enumerate(texts)}
    encoded = [_encode(text, e) for text, e in zip(
        texts, spec.tokenizer.encode_batch(texts, add_special_tokens=False))]
    window = max(1, max_length - spec.specials)
    sentence_window = max(1, sentence_max_length - spec.specials)
    unknown = spec.unknown

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
            chosen, why = target_tokens(enc, span, text, item, window, unknown)
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


def target_tokens(enc: _Encoded, span: tuple[int, int], text: str, item: Item, window: int,
                  unknown: tuple[int, str] | None = None) -> tuple[np.ndarray | None, str]:
    """Indices of the target's tokens, or None and the reason (naming the text, the span and
    the tokens there); a target with the `unknown` token (its id and text) has none."""
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
    unseen = [j for j in found if unknown is not None and enc.ids[j] == unknown[0]]
    if unseen:
        return None, _unknown_reason(enc, unseen, text, item, place, unknown)
    if found[-1] + 1 - found[0] > window:
        return None, (f"the target {place} is {found[-1] + 1 - found[0]} tokens long "
                      f"({pieces}), more than the window of {window} tokens the model's "
                      "length leaves room for")
    return found, ""


def _unknown_reason(enc: _Encoded, unseen: list[int], text: str, item: Item, place: str,
                    unknown: tuple[int, str]) -> str:
    """Why a target read (in part) as the unknown token has no vector."""
    token = unknown[1]
    stretches = [text[enc.cores[j, 0] : enc.cores[j, 1]] for j in unseen]
    it = "it" if len(unseen) == 1 else "them"
    if stretches == [item.word]:
        return (f"the tokenizer reads the target {place} as its unknown token {token}: the "
                f"model cannot see {it}")
    return (f"the tokenizer reads {', '.join(map(repr, stretches))} in the target {place} as "
            f"its unknown token {token}: the model cannot see {it}")
