"""`harness geometry`: how contextual each backend's vectors are, per hidden layer, on the
reference sample (Ethayarajh 2019): anisotropy, self-similarity, intra-sentence similarity and
maximum explainable variance, each also adjusted for anisotropy, and the share of the
anisotropy its top 1, 3 and 10 dimensions carry (rogue dimensions; see
harness.pipeline.numerics). Every layer of a model comes from one forward pass per text, as
`harness sweep` does. Its files (geometry.csv, geometry.md, geometry.png) are rendered by
harness.reports.studies.geometry."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from harness.backend import Backend, Embeddings, Item
from harness.errors import GeometryFailed
from harness.pipeline import calibration
from harness.pipeline.context import RunContext
from harness.pipeline.numerics import (
    dimension_contributions,
    dimension_shares,
    explained_by_first,
    intra_sentence_similarity,
    mev,
    self_similarity,
    top_shares,
)
from harness.pipeline.prepare import call_backend, prepare, require_available
from harness.pipeline.reference import reference_rows
from harness.reports.studies.geometry import COLUMNS, geometry_html, geometry_png
from harness.studies.layer_sweep import setting_variants

WORD = re.compile(r"\w+")
METRICS = ("anisotropy", "self_similarity", "intra_sentence_similarity", "mev")


@dataclass(frozen=True)
class GeometryRow:
    """One backend at one layer (None: a backend without layers); the fields are the columns
    of geometry.csv (harness.reports.studies.geometry.COLUMNS), in that order."""

    backend: str
    layer: int | None
    anisotropy: float
    self_similarity: float
    intra_sentence_similarity: float
    mev: float
    self_similarity_adjusted: float
    intra_sentence_similarity_adjusted: float
    mev_adjusted: float
    rogue_top1: float = float("nan")
    rogue_top3: float = float("nan")
    rogue_top10: float = float("nan")
    rogue_dimension: int = -1
    dimension_shares: tuple[float, ...] = ()  # each dimension's share of the anisotropy


class GeometryTable(list):
    """The rows of `measure` (a list of GeometryRow) that a notebook shows as a table, with
    `.png()` (each measure against layer), `.to_frame()` and `.write(DIR)` (the files of
    `harness geometry`)."""

    def __repr__(self) -> str:
        names = ", ".join(dict.fromkeys(row.backend for row in self))
        return f"<GeometryTable: {len(self)} rows of {names or 'no backend'}>"

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame([asdict(row) for row in self], columns=list(COLUMNS))

    def png(self) -> bytes:
        """Each measure against layer, one line per backend (needs matplotlib)."""
        return geometry_png(list(self))

    def write(self, out_dir: str | Path) -> list[Path]:
        """geometry.csv, geometry.md and geometry.png in `out_dir`; returns the paths
        written."""
        from harness.reports.studies.geometry import write_geometry

        return write_geometry(list(self), out_dir)

    def _repr_html_(self) -> str | None:
        try:
            return geometry_html(self)
        except ImportError:  # no Jinja2: the notebook shows the PNG or the repr
            return None

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


def measure(backends: Sequence[Backend], context: RunContext | None = None) -> GeometryTable:
    """The geometry of each backend (per layer) on the reference sample, embedded as `context`
    says; the first backend that fails raises."""
    out = GeometryTable()
    for backend, rows in measure_each(backends, context):
        if isinstance(rows, Exception):
            raise GeometryFailed(f"backend {backend.name}: {rows}", out) from rows
        out.extend(rows)
    return out


def measure_each(backends: Sequence[Backend], context: RunContext | None = None
                 ) -> Iterator[tuple[Backend, list[GeometryRow] | Exception]]:
    """Each backend with its rows (one per layer), or the exception that stopped it, as each
    finishes: a caller keeps what finished when a later backend fails or the user stops."""
    targets = [r.item() for r in reference_rows()]
    words, sentences = sentence_words()
    items = list(dict.fromkeys([*targets, *words]))
    index = {item: i for i, item in enumerate(items)}
    context = context or RunContext()
    for backend in backends:
        try:
            yield backend, _backend_rows(backend, items, index, targets, words, sentences,
                                         context)
        except Exception as exc:
            yield backend, exc


def _backend_rows(backend: Backend, items: list[Item], index: dict[Item, int],
                  targets: list[Item], words: list[Item], sentences: list[int],
                  context: RunContext) -> list[GeometryRow]:
    require_available(backend)
    variants = call_backend(backend, layer_variants, backend)
    group = [backend] + [v for _, v in variants if v is not backend]
    # every variant calibrated on the reference sample: its post-processing and baseline
    prepared = {p.backend.name: p for p in prepare(group, items, baseline=True,
                                                   **context.embedding())}
    out = []
    for layer, variant in variants:
        done = prepared[variant.name]
        if not done.ok:
            raise done.cause or done.error()
        if done.calibration is None:
            raise ValueError(f"{variant.name} has vectors for too few of the reference "
                             f"sample's {len(targets)} items (at least "
                             f"{calibration.MIN_VECTORS}) to measure its geometry")
        out.append(row_of(variant.name if layer is None else backend.name, layer,
                          done.take([index[i] for i in targets]),
                          done.take([index[w] for w in words]), sentences,
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
    contributions = dimension_contributions(vectors, words_of)
    top1, top3, top10 = top_shares(contributions)
    shares = tuple(float(c) for c in dimension_shares(contributions))
    return GeometryRow(name, layer, anisotropy, self_sim, intra, explained,
                       self_sim - anisotropy, intra - anisotropy,
                       explained - explained_by_first(every), top1, top3, top10,
                       int(np.argmax(np.abs(contributions))), shares)


def _with_nan(embedded: Embeddings) -> np.ndarray:
    vectors = np.asarray(embedded.vectors, dtype=np.float64).copy()
    vectors[list(embedded.reasons)] = np.nan
    return vectors
