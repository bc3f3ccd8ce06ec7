"""`harness geometry`: how contextual each backend's vectors are, per hidden layer, on the
reference sample (Ethayarajh 2019): anisotropy, self-similarity, intra-sentence similarity and
maximum explainable variance, each also adjusted for anisotropy (see
harness.geometry_measures). Every layer of a model comes from one forward pass per text, as
`harness sweep` does."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import astuple, dataclass, fields
from pathlib import Path

import numpy as np

from harness import calibration
from harness.backend import Backend, Embeddings, Item
from harness.boundary import calling
from harness.embedding import ProgressFactory, embed_group, take
from harness.embedding_cache import EmbeddingCache
from harness.errors import BackendUnavailable, HarnessError
from harness.files import atomic_write
from harness.geometry_measures import (
    explained_by_first,
    intra_sentence_similarity,
    mev,
    self_similarity,
)
from harness.layer_sweep import setting_variants
from harness.reference import reference_rows
from harness.reports.text import markdown_table, text_table

log = logging.getLogger("harness.geometry")
WORD = re.compile(r"\w+")
METRICS = ("anisotropy", "self_similarity", "intra_sentence_similarity", "mev")


@dataclass(frozen=True)
class GeometryRow:
    """One backend at one layer (None: a backend without layers)."""

    backend: str
    layer: int | None
    anisotropy: float
    self_similarity: float
    intra_sentence_similarity: float
    mev: float
    self_similarity_adjusted: float
    intra_sentence_similarity_adjusted: float
    mev_adjusted: float


COLUMNS = [f.name for f in fields(GeometryRow)]


def sentence_words() -> tuple[list[Item], list[int]]:
    """Every word of every reference sentence, and the sentence each belongs to."""
    items, sentences = [], []
    for n, row in enumerate(reference_rows()):
        for match in WORD.finditer(row.text):
            items.append(Item(row.text, match.span()))
            sentences.append(n)
    return items, sentences


def layer_variants(backend: Backend) -> list[tuple[int | None, Backend]]:
    """(layer, backend) for each hidden layer of a model, sharing its forward pass (as
    `harness sweep` makes them); a backend without layers is itself, layer None."""
    layers = [(int(value), variant) for option, value, variant in setting_variants(backend)
              if option == "layers"]
    return layers or [(None, backend)]


def measure(backends: Sequence[Backend], cache: EmbeddingCache | None = None,
            progress: ProgressFactory | None = None) -> list[GeometryRow]:
    """The geometry of each backend (per layer) on the reference sample; the first backend
    that fails raises."""
    out: list[GeometryRow] = []
    for backend, rows in measure_each(backends, cache, progress):
        if isinstance(rows, Exception):
            raise GeometryFailed(f"backend {backend.name}: {rows}", out) from rows
        out.extend(rows)
    return out


class GeometryFailed(HarnessError):
    """A backend failed; `rows` holds those of the backends that finished before it."""

    def __init__(self, message: str, rows: list[GeometryRow]):
        super().__init__(message)
        self.rows = rows


def measure_each(backends: Sequence[Backend], cache: EmbeddingCache | None = None,
                 progress: ProgressFactory | None = None
                 ) -> Iterator[tuple[Backend, list[GeometryRow] | Exception]]:
    """Each backend with its rows (one per layer), or the exception that stopped it, as each
    finishes: a caller keeps what finished when a later backend fails or the user stops."""
    targets = [r.item() for r in reference_rows()]
    words, sentences = sentence_words()
    items = list(dict.fromkeys([*targets, *words]))
    index = {item: i for i, item in enumerate(items)}
    for backend in backends:
        try:
            yield backend, _backend_rows(backend, items, index, targets, words, sentences,
                                         cache, progress)
        except Exception as exc:
            yield backend, exc


def _backend_rows(backend, items, index, targets, words, sentences, cache,
                  progress) -> list[GeometryRow]:
    with calling(backend.name):
        available = backend.availability()
        if not available.ok:
            raise BackendUnavailable(f"backend {backend.name!r}: {available.explain()}")
        variants = layer_variants(backend)
    group = [backend] + [v for _, v in variants if v is not backend]
    bar = progress(len(items), backend.name) if progress else None
    try:
        embedded = embed_group(group, items, cache=cache, progress=bar)
    finally:
        if bar is not None:
            bar.close()
    out = []
    for (layer, variant), result in zip(variants, embedded[-len(variants):]):
        if isinstance(result, Exception):
            raise result
        target = take(result, [index[i] for i in targets])
        fitted = calibration.calibrate(variant, target)  # its post-processing and baseline
        if fitted is None:
            raise ValueError(f"{variant.name} has vectors for too few of the reference "
                             f"sample's {len(targets)} items (at least "
                             f"{calibration.MIN_VECTORS}) to measure its geometry")
        target, result = calibration.apply(fitted, target), calibration.apply(fitted, result)
        out.append(row_of(variant.name if layer is None else backend.name, layer, target,
                          take(result, [index[w] for w in words]), sentences,
                          fitted.baseline_similarity))
    return out


def row_of(name: str, layer: int | None, target: Embeddings, words: Embeddings,
           sentences: list[int], anisotropy: float) -> GeometryRow:
    """One row from the vectors of the reference targets and of every word of their sentences;
    `anisotropy` is the baseline of the target vectors."""
    rows = reference_rows()
    vectors = _with_nan(target)
    words_of = [r.word for r in rows]
    self_sim = self_similarity(vectors, words_of)
    intra = intra_sentence_similarity(_with_nan(words), sentences)
    explained = mev(vectors, words_of)
    every = vectors[np.isfinite(vectors).all(axis=1)]
    return GeometryRow(name, layer, anisotropy, self_sim, intra, explained,
                       self_sim - anisotropy, intra - anisotropy,
                       explained - explained_by_first(every))


def _with_nan(embedded: Embeddings) -> np.ndarray:
    vectors = np.asarray(embedded.vectors, dtype=np.float64).copy()
    vectors[list(embedded.reasons)] = np.nan
    return vectors


def cells(row: GeometryRow) -> list[str]:
    return [row.backend, "" if row.layer is None else str(row.layer),
            *(f"{value:.4f}" for value in astuple(row)[2:])]


def geometry_text(rows: list[GeometryRow]) -> str:
    return text_table(COLUMNS, [cells(r) for r in rows])


def write_geometry(rows: list[GeometryRow], out_dir: Path) -> list[Path]:
    """geometry.csv, geometry.md and geometry.png (each measure against layer)."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row.backend, "" if row.layer is None else row.layer,
                         *(f"{v:.6f}" for v in astuple(row)[2:])])
    atomic_write(out_dir / "geometry.csv", buffer.getvalue())
    items = len(reference_rows())
    md = ["# Geometry of the vectors, per layer", "",
          f"On the reference sample ({items} words in context from WordNet 3.0's gloss "
          "examples). anisotropy: the mean cosine of two different words; self_similarity: "
          "of one word in different sentences; intra_sentence_similarity: of a word and its "
          "sentence's mean; mev: the share of a word's variance its first principal component "
          "explains. *_adjusted: less the same measure of unrelated words (Ethayarajh 2019).",
          "", markdown_table(COLUMNS, [cells(r) for r in rows]), ""]
    atomic_write(out_dir / "geometry.md", "\n".join(md))
    written = [out_dir / "geometry.csv", out_dir / "geometry.md"]
    try:
        from harness.reports.plots import geometry_plot

        atomic_write(out_dir / "geometry.png", geometry_plot(rows))
        written.append(out_dir / "geometry.png")
    except ImportError:
        log.warning("geometry.png needs matplotlib: pip install 'wic-harness[geometry]'")
    return written
