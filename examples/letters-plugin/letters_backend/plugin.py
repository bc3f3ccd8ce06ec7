"""A toy contextual backend: a word's vector is the hashed character trigrams of the word, plus
a smaller share of those of the other words in its sentence."""

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from harness.plugin_api import Backend, Embeddings, Item, Option, hookimpl

WORD = re.compile(r"\w+")


class LettersBackend(Backend):
    plugin = "letters"                          # -b letters:dim=128,context=0.3
    description = "hashed character trigrams of a word and of its sentence (a toy)"
    OPTIONS = {
        **Backend.OPTIONS,                      # batch_size: items per embed_batch call
        "dim": Option(64, "vector size", int),
        "context": Option(0.5, "weight of the other words of the sentence", float),
    }

    def weights_id(self) -> str:
        return "letters-1"                      # no weights: a version of the recipe

    def versions(self) -> dict[str, str]:
        return {"numpy": np.__version__}

    def embed_batch(self, items: Sequence[Item]) -> Embeddings:
        vectors = np.full((len(items), self.options["dim"]), np.nan, dtype=np.float32)
        reasons = {}
        for row, item in enumerate(items):
            words = [m.span() for m in WORD.finditer(item.text)]
            if not words:
                reasons[row] = f"no word in {item.text!r}"
                continue
            if item.span is None:               # a whole-sentence context
                vectors[row] = np.mean([self.word(item.text[a:b]) for a, b in words], axis=0)
                continue
            start, end = item.span
            if not 0 <= start < end <= len(item.text):
                reasons[row] = f"the span {item.span} is outside {item.text!r}"
                continue
            others = [self.word(item.text[a:b]) for a, b in words if b <= start or a >= end]
            context = np.mean(others, axis=0) if others else 0.0
            vectors[row] = self.word(item.text[start:end]) + self.options["context"] * context
        return Embeddings(vectors, reasons)

    def word(self, word: str) -> np.ndarray:
        padded = f"#{word.lower()}#"
        out = np.zeros(self.options["dim"], dtype=np.float32)
        for i in range(len(padded) - 2):
            digest = hashlib.blake2b(padded[i : i + 3].encode(), digest_size=4).digest()
            out[int.from_bytes(digest, "little") % self.options["dim"]] += 1.0
        return out


@hookimpl
def harness_register_backends(register):
    register.add_plugin(LettersBackend)
    register.add_instance("letters-64", plugin="letters", options={"dim": 64},
                          description="hashed trigrams, 64 wide", default=False)
