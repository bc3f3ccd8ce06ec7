"""Sense maps (`harness senses`): a word's contexts grouped by sense, embedded by one backend
and projected to 2-D (PCA by default, t-SNE as an option; scikit-learn), one colour per sense.
The contexts come from WordNet (every gloss example of every sense of a lemma that contains the
lemma or an inflection of it) or from a file of (sense, text, word) rows. Its files
(senses.png, senses.html, senses.csv) are rendered by harness.reports.studies.senses."""

from __future__ import annotations

import csv
import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from harness.backend import Backend, Item
from harness.pipeline.context import RunContext
from harness.pipeline.prepare import prepare_one
from harness.reports.studies.senses import legend, sense_body

METHODS = ("pca", "tsne")
FILE_COLUMNS = ("sense", "text", "word")  # and, optionally, occurrence and gloss


@dataclass(frozen=True)
class Sense:
    """One sense and its contexts."""

    name: str  # "bank.n.01", or the file's sense column
    gloss: str
    contexts: tuple[Item, ...]


@dataclass(frozen=True)
class Projection:
    """Points in 2-D, and what their axes are: "PC 1 (41.2% of variance)" and the share of the
    variance each principal component explains (PCA), or "t-SNE 1" and no share (t-SNE)."""

    points: np.ndarray
    axes: tuple[str, str]
    explained: tuple[float, float] | None = None


@dataclass(frozen=True)
class SenseMap:
    """The contexts of a word's senses placed in 2-D: `points[i]` is context i of `senses`
    taken in order (those without a vector left out, `sense_of[i]` its sense's index)."""

    backend: str
    word: str
    method: str
    senses: tuple[Sense, ...]
    points: np.ndarray
    sense_of: tuple[int, ...]
    texts: tuple[str, ...]
    note: str  # how many contexts were found, and any left out
    axes: tuple[str, str] = ("", "")  # the axes' labels (Projection.axes)
    explained: tuple[float, float] | None = None  # PCA: each axis's share of the variance

    def __repr__(self) -> str:
        return (f"<SenseMap: {self.word!r} in {self.backend}, {len(self.points)} contexts of "
                f"{len(self.senses)} senses ({self.method.upper()})>")

    @property
    def title(self) -> str:
        return f"{self.word}: senses in {self.backend} ({self.method.upper()})"

    def png(self) -> bytes:
        """The map as a PNG picture (needs matplotlib)."""
        from harness.figures.plots import sense_plot  # matplotlib is imported when it draws

        return sense_plot(self.points, self.sense_of, [legend(s, 50) for s in self.senses],
                          self.title, self.axes)

    def _repr_html_(self) -> str | None:
        """The map as SVG, for notebooks (senses.html's body); None without Jinja2."""
        try:
            return sense_body(self)
        except ImportError:
            return None

    def write(self, out_dir: str | Path) -> list[Path]:
        """senses.png, senses.html and senses.csv in `out_dir`; returns the paths written."""
        from harness.reports.studies.senses import write_sense_map

        return write_sense_map(self, out_dir)

    def _repr_png_(self) -> bytes | None:
        """The map as a PNG, for notebooks; None without matplotlib."""
        try:
            return self.png()
        except ImportError:
            return None

    def rows(self) -> list[tuple[str, str, float, float]]:
        """(sense, text, x, y) per point."""
        return [(self.senses[s].name, text, float(x), float(y))
                for s, text, (x, y) in zip(self.sense_of, self.texts, self.points)]


def wordnet_senses(lemma: str, wordnet_dir: str | Path | None = None) -> tuple[list[Sense], str]:
    """Every sense of `lemma` with the gloss examples that contain it (or an inflection), and a
    line that says how many of its senses and examples that is."""
    from harness.suites.wordnet import Morphology, find_wordnet_dir, senses_of, usable_context

    folder = find_wordnet_dir(wordnet_dir)
    found = senses_of(folder, lemma)
    if not found:
        raise ValueError(f"WordNet 3.0 has no lemma {lemma!r} (in {folder}): give a word as "
                         "WordNet spells it, such as 'bank' or 'lean'")
    morphology = Morphology(folder)
    senses, examples = [], 0
    for pos, number, synset in found:
        examples += len(synset.examples)
        usable = [c for c in (usable_context(e, lemma, pos, morphology, 1, False)
                              for e in synset.examples) if c is not None]
        if usable:
            from harness.suites.words import locate_word

            items = tuple(Item(c.text, locate_word(c.text, c.word, c.occurrence))
                          for c in usable)
            senses.append(Sense(f"{lemma.replace(' ', '_')}.{pos}.{number:02d}",
                                synset.gloss.split(";")[0].strip(), items))
    contexts = sum(len(s.contexts) for s in senses)
    note = (f"WordNet 3.0: {lemma!r} has {len(found)} senses and {examples} gloss examples; "
            f"{contexts} examples of {len(senses)} senses contain {lemma!r} or an inflection")
    return senses, note


def file_senses(path: str | Path) -> tuple[list[Sense], str]:
    """Senses from a tab-separated file (a .csv file: comma-separated) whose header names the
    columns sense, text and word, and optionally occurrence (which one, when the word occurs
    more than once) and gloss (the legend's text)."""
    from harness.suites.words import locate_word

    path = Path(path)
    delimiter = "," if path.suffix.lower() == ".csv" else "\t"
    try:
        handle = open(path, encoding="utf-8", newline="")
    except OSError as exc:
        raise ValueError(f"{path}: cannot read the senses file ({exc.strerror})") from None
    with handle:
        reader = csv.DictReader(handle, delimiter=delimiter)
        lacking = [c for c in FILE_COLUMNS if c not in (reader.fieldnames or [])]
        if lacking:
            raise ValueError(f"{path}:1: the header must name the columns "
                             f"{', '.join(FILE_COLUMNS)} (separated by "
                             f"{'commas' if delimiter == ',' else 'tabs'}); missing: "
                             f"{', '.join(lacking)}")
        contexts: dict[str, list[Item]] = {}
        glosses: dict[str, str] = {}
        for row in reader:
            where = f"{path}:{reader.line_num}"
            sense, text, word = (str(row.get(c) or "").strip() for c in FILE_COLUMNS)
            if not (sense and text and word):
                raise ValueError(f"{where}: sense, text and word must each be given")
            occurrence = str(row.get("occurrence") or "").strip()
            if occurrence and not occurrence.isdigit():
                raise ValueError(f"{where}: occurrence must be a whole number; got "
                                 f"{occurrence!r}")
            try:
                span = locate_word(text, word, int(occurrence) if occurrence else None)
            except ValueError as exc:
                raise ValueError(f"{where}: {exc}") from None
            contexts.setdefault(sense, []).append(Item(text, span))
            glosses.setdefault(sense, str(row.get("gloss") or "").strip())
    if not contexts:
        raise ValueError(f"{path}: no rows under the header")
    senses = [Sense(name, glosses[name], tuple(items)) for name, items in contexts.items()]
    count = sum(len(s.contexts) for s in senses)
    return senses, f"{path}: {count} contexts of {len(senses)} senses"


def _needs_sklearn() -> None:
    if importlib.util.find_spec("sklearn") is None:
        raise ValueError("a sense map needs scikit-learn: pip install 'wic-harness[geometry]'")


def project(vectors: np.ndarray, method: str = "pca", seed: int = 0) -> Projection:
    """Unit-length rows placed in 2-D: their first two principal components, with the share
    of the variance each explains, or t-SNE (cosine distance, perplexity at most 30 and below
    a third of the points)."""
    from harness.pipeline.numerics import unit

    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    rows = unit(vectors)
    _needs_sklearn()
    if len(rows) < 3:
        raise ValueError(f"a map needs at least 3 contexts with a vector; got {len(rows)}")
    if method == "pca":
        from sklearn.decomposition import PCA

        pca = PCA(n_components=2, random_state=seed)
        points = pca.fit_transform(rows)
        shares = tuple(float(x) for x in pca.explained_variance_ratio_)
        return Projection(points, tuple(f"PC {n} ({share:.1%} of variance)"
                                        for n, share in enumerate(shares, 1)), shares)
    from sklearn.manifold import TSNE

    perplexity = float(min(30.0, max(1.0, (len(rows) - 1) / 3)))
    return Projection(TSNE(n_components=2, perplexity=perplexity, metric="cosine", init="pca",
                           random_state=seed).fit_transform(rows), ("t-SNE 1", "t-SNE 2"))


def sense_map(backend: Backend, senses: Sequence[Sense], *, word: str = "",
              method: str = "pca", note: str = "",
              context: RunContext | None = None) -> SenseMap:
    """The senses' contexts embedded by `backend` (post-processed as its options say, as
    `context` says) and projected to 2-D."""
    context = context or RunContext()
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    _needs_sklearn()  # before the embedding work, not after it
    items = [item for sense in senses for item in sense.contexts]
    owner = [n for n, sense in enumerate(senses) for _ in sense.contexts]
    embedded = prepare_one(backend, items, **context.embedding()).embedded
    assert embedded is not None
    keep = [i for i in range(len(items)) if i not in embedded.reasons]
    if len(embedded.reasons):
        note += (f"; {len(embedded.reasons)} without a vector left out (first: "
                 f"{next(iter(embedded.reasons.values()))})")
    rows = embedded.vectors[keep]
    if len(rows) and np.ptp(rows, axis=0).max() <= 1e-6:
        raise ValueError(f"all {len(rows)} contexts have one vector in {backend.name!r}: "
                         "nothing to map; use a contextual backend, such as minilm")
    projected = project(rows, method)
    return SenseMap(backend.name, word or (items[0].word if items else ""), method,
                    tuple(senses), projected.points, tuple(owner[i] for i in keep),
                    tuple(items[i].text for i in keep), note, projected.axes,
                    projected.explained)
