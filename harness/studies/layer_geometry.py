"""`harness geometry`: how contextual each backend's vectors are, per hidden layer, on the
reference sample (Ethayarajh 2019): anisotropy, self-similarity, intra-sentence similarity and
maximum explainable variance, each also adjusted for anisotropy (see
harness.pipeline.numerics). Every layer of a model comes from one forward pass per text, as
`harness sweep` does."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import asdict, astuple, dataclass, fields
from pathlib import Path

import numpy as np

from harness.backend import Backend, Embeddings, Item
from harness.errors import BackendUnavailable, GeometryFailed
from harness.files import atomic_write
from harness.pipeline import calibration
from harness.pipeline.boundary import calling
from harness.pipeline.embedding import ProgressFactory, take
from harness.pipeline.embedding_cache import EmbeddingCache
from harness.pipeline.executors import Executor
from harness.pipeline.numerics import (
    explained_by_first,
    intra_sentence_similarity,
    mev,
    self_similarity,
)
from harness.pipeline.prepare import prepare
from harness.pipeline.reference import reference_rows
from harness.reports.text import csv_cell, markdown_table, text_table
from harness.studies.layer_sweep import setting_variants

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


class GeometryTable(list):
    """The rows of `measure` (a list of GeometryRow) that a notebook shows as a table, with
    `.png()` (each measure against layer) and `.to_frame()`."""

    def __repr__(self) -> str:
        names = ", ".join(dict.fromkeys(row.backend for row in self))
        return f"<GeometryTable: {len(self)} rows of {names or 'no backend'}>"

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame([asdict(row) for row in self], columns=COLUMNS)

    def png(self) -> bytes:
        return geometry_png(list(self))

    def _repr_html_(self) -> str:
        from html import escape

        head = "".join(f"<th>{escape(c)}</th>" for c in COLUMNS)
        body = "".join("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in cells(row))
                       + "</tr>" for row in self)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def _repr_png_(self) -> bytes | None:
        try:
            return self.png()
        except ImportError:  # no matplotlib: the table alone
            return None


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
            progress: ProgressFactory | None = None,
            executor: Executor | None = None) -> GeometryTable:
    """The geometry of each backend (per layer) on the reference sample; the first backend
    that fails raises."""
    out = GeometryTable()
    for backend, rows in measure_each(backends, cache, progress, executor):
        if isinstance(rows, Exception):
            raise GeometryFailed(f"backend {backend.name}: {rows}", out) from rows
        out.extend(rows)
    return out


def measure_each(backends: Sequence[Backend], cache: EmbeddingCache | None = None,
                 progress: ProgressFactory | None = None, executor: Executor | None = None
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
                                         cache, progress, executor)
        except Exception as exc:
            yield backend, exc


def _backend_rows(backend, items, index, targets, words, sentences, cache, progress,
                  executor) -> list[GeometryRow]:
    with calling(backend.name):
        available = backend.availability()
        if not available.ok:
            raise BackendUnavailable(f"backend {backend.name!r}: {available.explain()}")
        variants = layer_variants(backend)
    group = [backend] + [v for _, v in variants if v is not backend]
    # every variant calibrated on the reference sample: its post-processing and baseline
    prepared = {p.backend.name: p for p in prepare(group, items, executor=executor, cache=cache,
                                                   progress=progress, baseline=True)}
    out = []
    for layer, variant in variants:
        done = prepared[variant.name]
        if not done.ok:
            raise done.cause or done.error()
        if done.calibration is None:
            raise ValueError(f"{variant.name} has vectors for too few of the reference "
                             f"sample's {len(targets)} items (at least "
                             f"{calibration.MIN_VECTORS}) to measure its geometry")
        assert done.embedded is not None
        out.append(row_of(variant.name if layer is None else backend.name, layer,
                          take(done.embedded, [index[i] for i in targets]),
                          take(done.embedded, [index[w] for w in words]), sentences,
                          done.calibration.baseline_similarity))
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


def geometry_png(rows: list[GeometryRow]) -> bytes:
    """Each measure against layer, one line per backend, as a PNG picture (needs matplotlib)."""
    from harness.figures.plots import geometry_plot

    return geometry_plot([asdict(row) for row in rows])


def write_geometry(rows: list[GeometryRow], out_dir: Path) -> list[Path]:
    """geometry.csv, geometry.md and geometry.png (each measure against layer)."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([csv_cell(row.backend), "" if row.layer is None else row.layer,
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
        atomic_write(out_dir / "geometry.png", geometry_png(rows))
        written.append(out_dir / "geometry.png")
    except ImportError:
        log.warning("geometry.png needs matplotlib: pip install 'wic-harness[geometry]'")
    return written
