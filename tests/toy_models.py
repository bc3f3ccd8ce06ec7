"""A toy tokenizer and a toy numpy model for torch-free tests of the transformer base class
(harness/backend): small enough to reason about by hand, deterministic, and fast.

`ToyTokenizer` is WordPiece-like and uncased: a word (a run of letters and digits) of at most
five characters is one piece, a longer word is cut into pieces of four ("rodent" -> rode ##nt),
and each punctuation mark is a piece of its own. `punctuation=False` splits on whitespace only
("mouse." is one piece); `space_prefix=True` gives offsets that take in the space before a word
(as "Ġmouse" or "▁mouse" do), and one whitespace-only piece for any further spaces before it
(as GPT-2's "Ġ"). Ids are a hash of the piece, so they do not depend on which texts are
tokenized together. `ascii_only=True` reads a piece with a character outside ASCII as the
unknown token [UNK] (id UNK), as a vocabulary without that character would ("🐭" -> [UNK],
"hippopotamuś" -> hipp ##opot [UNK]), and names it as `tokenizers` does, through
`.model.unk_token` and `token_to_id` (`says_unknown=False`: it does not say).

`ToyModel.states(ids)` defines the hidden states of one unpadded sequence: state 0 is a token
embedding (a function of the id) plus a position embedding; each layer mixes the state before
it through a fixed matrix and adds the mean of the sequence (so a vector depends on its context
and on where its window starts). `ToyBackend.forward` runs it row by row on a padded batch and
fills padding with large junk values, so that padding leaking into a vector shows. `ToyBackend`
records every forward call, for tests to check batches against their budget.

`textbook_vector` pools the states of one sequence the textbook way, independently of
harness.backend.pooling: the yardstick for the backend's vectors.

numpy only: no torch, tensorflow or transformers.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from harness.backend.alignment import TokenizerSpec
from harness.backend.transformer import TRANSFORMER_OPTIONS, LoadedModel, TransformerBackend

PAD, CLS, SEP = 0, 1, 2
FIRST_ID, VOCAB = 3, 65521  # ids of pieces: FIRST_ID .. FIRST_ID + VOCAB - 1
UNK = FIRST_ID + VOCAB  # the unknown token of ToyTokenizer(ascii_only=True)
HIDDEN = 6
LIMIT = 64  # the toy model's position limit, special tokens included
JUNK = 1e4  # what padded positions hold in forward's output


@dataclass(frozen=True)
class ToyEncoding:
    """What `tokenizers.Encoding` offers the alignment: ids, character offsets, pieces."""

    ids: list[int]
    offsets: list[tuple[int, int]]
    tokens: list[str]


def piece_id(piece: str) -> int:
    return FIRST_ID + zlib.crc32(piece.encode("utf-8")) % VOCAB


@dataclass(frozen=True)
class ToyWordPiece:
    """What `tokenizers.models.WordPiece` tells of its unknown token."""

    unk_token: str = "[UNK]"


class ToyTokenizer:
    """See the module docstring. `texts` records every text encode_batch was given."""

    def __init__(self, punctuation: bool = True, space_prefix: bool = False,
                 ascii_only: bool = False, says_unknown: bool = True):
        self.pattern = re.compile(r"\w+|[^\w\s]" if punctuation else r"\S+")
        self.space_prefix = space_prefix
        self.ascii_only = ascii_only
        self.model = ToyWordPiece() if ascii_only and says_unknown else None
        self.texts: list[str] = []

    def token_to_id(self, token: str) -> int:
        return UNK if token == "[UNK]" else piece_id(token)

    def id_to_token(self, id_: int) -> str | None:
        """[UNK] for its id (other ids are hashes: not told)."""
        return "[UNK]" if id_ == UNK else None

    def piece(self, piece: str) -> str:
        """The piece, or [UNK] for one outside the vocabulary."""
        return "[UNK]" if self.ascii_only and not piece.isascii() else piece

    def encode(self, text: str, add_special_tokens: bool = False) -> ToyEncoding:
        assert not add_special_tokens, "the harness adds the template itself"
        offsets: list[tuple[int, int]] = []
        tokens: list[str] = []
        for match in self.pattern.finditer(text):
            start, end = match.span()
            if self.space_prefix:
                blank = start
                while blank > 0 and text[blank - 1].isspace():
                    blank -= 1
                if start - blank > 1:  # "river  bank": Ġriver Ġ Ġbank
                    offsets.append((blank, start - 1))
                    tokens.append("Ġ")
                if start > blank:
                    start -= 1
            word = match.group().lower()
            cuts = ([word[i : i + 4] for i in range(0, len(word), 4)]
                    if word.isalnum() and len(word) > 5 else [word])
            at = match.start()
            for k, cut in enumerate(cuts):
                offsets.append((start if k == 0 else at, at + len(cut)))
                tokens.append(self.piece(("Ġ" if self.space_prefix and start < at and k == 0
                                          else "") + ("##" if k else "") + cut))
                at += len(cut)
        return ToyEncoding([self.token_to_id(t) for t in tokens], offsets, tokens)

    def encode_batch(self, texts: Sequence[str],
                     add_special_tokens: bool = False) -> list[ToyEncoding]:
        self.texts.extend(texts)
        return [self.encode(t, add_special_tokens) for t in texts]


def bert_spec(tokenizer: ToyTokenizer | None = None) -> TokenizerSpec:
    """The toy tokenizer in BERT's template: [CLS] text [SEP], padded with PAD."""
    return TokenizerSpec.bert(tokenizer or ToyTokenizer(), CLS, SEP, PAD)


class ToyModel:
    """Hidden states of an unpadded sequence (see the module docstring); `layers` transformer
    layers, so `layers + 1` hidden states with the embedding layer."""

    def __init__(self, layers: int = 5, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.layers = layers
        self.frequency = rng.uniform(0.5, 2.0, HIDDEN)
        self.phase = rng.uniform(0.0, 2 * np.pi, HIDDEN)
        self.position = rng.standard_normal((LIMIT, HIDDEN)) * 0.5
        self.mix = [np.eye(HIDDEN) * 0.5 + rng.standard_normal((HIDDEN, HIDDEN)) * 0.2
                    for _ in range(layers)]

    def states(self, ids: Sequence[int]) -> list[np.ndarray]:
        """Every hidden state of one sequence, each (len(ids), HIDDEN), in float64."""
        ids = np.asarray(ids, dtype=np.int64)
        assert len(ids) <= LIMIT, f"{len(ids)} tokens, beyond the position limit {LIMIT}"
        embedding = 1.5 * np.sin(ids[:, None] * self.frequency + self.phase)
        out = [embedding + self.position[: len(ids)]]
        for mix in self.mix:
            before = out[-1]
            out.append(np.tanh(before @ mix) + before.mean(axis=0))
        return out


class ToyBackend(TransformerBackend):
    """A transformer backend over ToyModel and ToyTokenizer. `sentence_limit` and `repeat`
    stand for a model's sentence_max_length and decoder-only reading."""

    plugin = "toy"
    OPTIONS = TRANSFORMER_OPTIONS

    def __init__(self, name: str = "toy", options=None, *, model: ToyModel | None = None,
                 tokenizer: ToyTokenizer | None = None, sentence_limit: int | None = None,
                 repeat: bool = False):
        super().__init__(name, options)
        self.model = model or ToyModel()
        self.tokenizer = tokenizer or ToyTokenizer()
        self.sentence_limit = sentence_limit
        self.repeat = repeat
        self.loads = 0
        self.calls: list[tuple[int, int]] = []  # (rows, padded width) of every forward pass

    def weights_id(self) -> str:
        return f"toy-{self.model.layers}"

    def load_model(self) -> LoadedModel:
        self.loads += 1
        return LoadedModel(bert_spec(self.tokenizer), self.model.layers + 1, LIMIT,
                           sentence_max_length=self.sentence_limit, repeat=self.repeat,
                           about={"kind": "toy"})

    def forward(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> list[np.ndarray]:
        self.calls.append(input_ids.shape)
        rows, width = input_ids.shape
        out = [np.full((rows, width, HIDDEN), JUNK) for _ in range(self.model.layers + 1)]
        for row in range(rows):
            n = int(attention_mask[row].sum())
            assert attention_mask[row, :n].all(), "padding on the right only"
            for layer, state in enumerate(self.model.states(input_ids[row, :n])):
                out[layer][row, :n] = state
        return out


def textbook_vector(model: ToyModel, ids: Sequence[int], positions: Sequence[int] | None,
                    layers: Sequence[int] = (-4, -3, -2, -1), layer_pool: str = "sum",
                    subword_pool: str = "mean") -> np.ndarray:
    """The vector of the tokens at `positions` of one sequence (None: a whole sentence, the
    mean over every token), computed the textbook way in float64, independently of
    harness.backend.pooling: the chosen hidden states (Python indexing, so negative counts from
    the top) summed, averaged or concatenated; then the target's pieces averaged, summed, or
    the first or last taken."""
    states = model.states(ids)
    chosen = [states[layer] for layer in layers]
    if layer_pool == "concat":
        pooled = np.concatenate(chosen, axis=1)
    else:
        pooled = sum(chosen) / (len(chosen) if layer_pool == "mean" else 1)
    if positions is None:
        return pooled.mean(axis=0)
    rows = pooled[list(positions)]
    return {"mean": rows.mean(axis=0), "sum": rows.sum(axis=0), "first": rows[0],
            "last": rows[-1]}[subword_pool]


def sequence(text: str, tokenizer: ToyTokenizer | None = None) -> list[int]:
    """[CLS] text [SEP] as ids."""
    return [CLS, *(tokenizer or ToyTokenizer()).encode(text).ids, SEP]
