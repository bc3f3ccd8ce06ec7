"""Reading word-vector files: GloVe text (a word and its values per line, no header), word2vec
text (the same after a `count dim` header) and word2vec binary (`.bin`), gzipped or not; a
UTF-8 byte-order mark at the start is skipped. Every problem is a VectorFileError that names
the file, the line and what to fix."""

from __future__ import annotations

import codecs
import gzip
from pathlib import Path
from typing import IO

import numpy as np

from harness.plugin_api import HarnessError


class VectorFileError(HarnessError):
    """A vector file that cannot be read; the message names the file and the line."""


def _open(path: Path, mode: str) -> IO:
    if path.name.endswith(".gz"):
        return gzip.open(path, mode)
    return open(path, mode)


def read_text_vectors(path: str | Path) -> tuple[list[str], np.ndarray]:
    """Words and their vectors (float32) of a GloVe or word2vec text file."""
    path = Path(path)
    words: list[str] = []
    rows: list[np.ndarray] = []
    header: tuple[int, int] | None = None
    dim = 0
    first_line = 0
    try:
        with _open(path, "rb") as handle:
            for number, raw in enumerate(handle, 1):
                if number == 1:
                    raw = raw.removeprefix(codecs.BOM_UTF8)  # a byte-order mark is no word
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise VectorFileError(f"{path}:{number}: not UTF-8 ({exc.reason} at byte "
                                          f"{exc.start}); vector files are UTF-8 text") from None
                parts = line.split()
                if not parts:
                    continue  # blank lines, a trailing one included
                if not words and header is None and _is_header(parts):
                    header = (int(parts[0]), int(parts[1]))
                    continue
                word, values = parts[0], parts[1:]
                if not values:
                    raise VectorFileError(f"{path}:{number}: {word!r} has no values after it; "
                                          "each line is a word and its vector's values")
                if not dim:
                    dim, first_line = len(values), number
                if len(values) != dim:
                    raise VectorFileError(
                        f"{path}:{number}: {word!r} has {len(values)} values, but line "
                        f"{first_line} has {dim}; every vector must have the same size")
                try:
                    vector = np.array(values, dtype=np.float32)
                except ValueError:
                    bad = next(v for v in values if not _is_number(v))
                    raise VectorFileError(f"{path}:{number}: {bad!r} (in the vector of {word!r}) "
                                          "is not a number") from None
                if not np.isfinite(vector).all():
                    raise VectorFileError(f"{path}:{number}: the vector of {word!r} is not finite "
                                          "(NaN or inf); remove or fix that line")
                words.append(word)
                rows.append(vector)
    except (OSError, EOFError) as exc:
        raise VectorFileError(f"{path}: cannot read it ({exc})") from None
    if not words:
        raise VectorFileError(f"{path}: no vectors in it; a GloVe file has a word and its values "
                              "on each line")
    if header is not None and header != (len(words), dim):
        raise VectorFileError(f"{path}:1: the header says {header[0]} vectors of {header[1]} "
                              f"values, the file holds {len(words)} of {dim}")
    return words, np.stack(rows)


def read_binary_vectors(path: str | Path) -> tuple[list[str], np.ndarray]:
    """Words and their vectors of a word2vec binary file: a `count dim` line, then per word
    its bytes, a space and dim little-endian float32 values."""
    path = Path(path)
    try:
        with _open(path, "rb") as handle:
            head = handle.readline().removeprefix(codecs.BOM_UTF8).split()
            if len(head) != 2 or not all(p.isdigit() for p in head):
                raise VectorFileError(f"{path}:1: a word2vec binary file starts with 'count dim'"
                                      f", not {b' '.join(head)[:40]!r}")
            count, dim = int(head[0]), int(head[1])
            words, matrix = [], np.empty((count, dim), dtype=np.float32)
            for n in range(count):
                word = bytearray()
                while (char := handle.read(1)) not in (b" ", b""):
                    if char != b"\n":
                        word += char
                data = handle.read(4 * dim)
                if len(data) < 4 * dim:
                    raise VectorFileError(f"{path}: ends after {n} of the {count} vectors its "
                                          "header promises; an incomplete file?")
                try:
                    words.append(word.decode("utf-8"))
                except UnicodeDecodeError:
                    raise VectorFileError(f"{path}: word {n + 1} is not UTF-8") from None
                matrix[n] = np.frombuffer(data, dtype="<f4")
                if not np.isfinite(matrix[n]).all():
                    raise VectorFileError(f"{path}: the vector of {words[-1]!r} (word {n + 1}) "
                                          "is not finite")
    except (OSError, EOFError) as exc:
        raise VectorFileError(f"{path}: cannot read it ({exc})") from None
    if not words:
        raise VectorFileError(f"{path}: no vectors in it")
    return words, matrix


def _is_header(parts: list[str]) -> bool:
    return len(parts) == 2 and all(p.isdigit() for p in parts)


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False
