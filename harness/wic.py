"""The Word-in-Context (WiC) benchmark's format, and WiC accuracy: a pair of sentences holds
the same sense of its target word when the cosine of the two target vectors exceeds a
threshold, tuned on a dev split when one is given.

Data files are tab-separated: lemma, part of speech, the target's token indices in the two
sentences ("i-j", whitespace tokens, from 0), sentence 1, sentence 2. A gold file holds T or F,
one line per pair."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from harness.backend import Backend, Item
from harness.embedding_cache import EmbeddingCache
from harness.errors import HarnessError


@dataclass(frozen=True)
class WicPair:
    lemma: str
    pos: str
    a: Item
    b: Item
    same_sense: bool | None  # None without a gold file


def token_span(sentence: str, index: int) -> tuple[int, int] | None:
    """Character span of the index-th whitespace-separated token."""
    position = 0
    for i, token in enumerate(sentence.split(" ")):
        if i == index:
            return (position, position + len(token)) if token else None
        position += len(token) + 1
    return None


def read_wic(data: str | Path, gold: str | Path | None = None) -> list[WicPair]:
    """Pairs of a WiC data file (and their labels from its gold file); every problem is a
    HarnessError naming the file and line."""
    def lines(path: str | Path) -> list[str]:
        try:
            return Path(path).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise HarnessError(f"{path}: cannot read it ({exc})") from None

    rows = [line for line in lines(data) if line.strip()]
    labels: list[bool | None] = [None] * len(rows)
    if gold is not None:
        marks = [line.strip() for line in lines(gold) if line.strip()]
        if len(marks) != len(rows):
            raise HarnessError(f"{gold}: {len(marks)} labels for the {len(rows)} pairs of {data}")
        for n, mark in enumerate(marks, 1):
            if mark not in ("T", "F"):
                raise HarnessError(f"{gold}:{n}: expected T or F, got {mark!r}")
        labels = [m == "T" for m in marks]
    pairs = []
    for n, (row, label) in enumerate(zip(rows, labels), 1):
        fields = row.split("\t")
        if len(fields) != 5:
            raise HarnessError(f"{data}:{n}: expected 5 tab-separated fields (lemma, part of "
                               f"speech, i-j, sentence 1, sentence 2), found {len(fields)}")
        lemma, pos, index, first, second = fields
        try:
            i, j = (int(x) for x in index.split("-"))
        except ValueError:
            raise HarnessError(f"{data}:{n}: the index pair {index!r} is not like 3-7") from None
        spans = token_span(first, i), token_span(second, j)
        if None in spans:
            raise HarnessError(f"{data}:{n}: token {i} or {j} is not in its sentence")
        pairs.append(WicPair(lemma, pos, Item(first, spans[0]), Item(second, spans[1]), label))
    return pairs


def pair_similarities(backend: Backend, pairs: list[WicPair],
                      cache: EmbeddingCache | None = None) -> np.ndarray:
    """Cosine of each pair's two target vectors (NaN where a vector is missing), after the
    backend's `postprocess`."""
    from harness import calibration
    from harness.embedding import embed_items
    from harness.scoring import unit_rows

    items = list(dict.fromkeys([p.a for p in pairs] + [p.b for p in pairs]))
    where = {item: i for i, item in enumerate(items)}
    embedded = calibration.postprocess(backend, embed_items(backend, items, cache=cache), cache)
    unit, missing = unit_rows(embedded.vectors)[0], embedded.reasons
    a = np.array([where[p.a] for p in pairs])
    b = np.array([where[p.b] for p in pairs])
    sims = np.einsum("ij,ij->i", unit[a], unit[b])
    gone = np.array([where[p.a] in missing or where[p.b] in missing for p in pairs])
    return np.where(gone, np.nan, sims)


def tune_threshold(sims: np.ndarray, labels: np.ndarray) -> float:
    """The threshold (a midpoint between neighbouring similarities) with the best accuracy."""
    values = np.unique(sims[np.isfinite(sims)])
    if not len(values):
        return 0.5
    candidates = np.concatenate(([values[0] - 1e-6], (values[1:] + values[:-1]) / 2,
                                 [values[-1] + 1e-6]))
    scores = [accuracy(sims, labels, t) for t in candidates]
    return float(candidates[int(np.argmax(scores))])


def accuracy(sims: np.ndarray, labels: np.ndarray, threshold: float) -> float:
    """Share of pairs whose (sim > threshold) equals their label; a missing vector is wrong."""
    predicted = np.where(np.isfinite(sims), sims > threshold, ~labels.astype(bool))
    return float(np.mean(predicted == labels.astype(bool)))


@dataclass(frozen=True)
class WicScore:
    """One backend's WiC accuracy with the threshold it used and where that came from."""

    backend: str
    threshold: float
    threshold_from: str  # "dev", or "oracle (tuned on these data)"
    accuracy: float
    pairs: int
    missing: int  # pairs without a similarity (a target with no vector): counted as wrong


@dataclass
class WicEvaluation:
    """WiC accuracy of several backends on one data file; `failures` names the backends that
    could not run, with why."""

    data: str
    gold: str
    dev: tuple[str, str] | None
    scores: list[WicScore] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)

    HEADERS = ("backend", "accuracy", "threshold", "tuned on", "pairs", "missing")

    def cells(self) -> list[list[str]]:
        return [[s.backend, f"{s.accuracy:.3f}", f"{s.threshold:.4f}", s.threshold_from,
                 str(s.pairs), str(s.missing)] for s in self.scores]

    def to_dict(self) -> dict[str, Any]:
        return {"data": self.data, "gold": self.gold,
                "dev": list(self.dev) if self.dev else None,
                "results": [asdict(s) for s in self.scores]}

    def write(self, out_dir: str | Path) -> list[Path]:
        """wic.json and wic.md in `out_dir`."""
        import json

        from harness.files import atomic_write
        from harness.reports.text import markdown_table

        out = Path(out_dir)
        atomic_write(out / "wic.json", json.dumps(self.to_dict(), indent=2))
        atomic_write(out / "wic.md", "# WiC accuracy\n\n"
                     + markdown_table(self.HEADERS, self.cells()) + "\n")
        return [out / "wic.json", out / "wic.md"]


def evaluate_wic(data: str | Path, gold: str | Path, backends: list[Backend], *,
                 dev: tuple[str | Path, str | Path] | None = None,
                 cache: EmbeddingCache | None = None) -> WicEvaluation:
    """WiC accuracy of each backend: a pair is "same sense" when its cosine exceeds a threshold
    tuned on `dev` (without it, on the data itself: an optimistic, oracle threshold). A backend
    that is unavailable or fails is named in `failures`; the others are kept."""
    test = read_wic(data, gold)
    dev_pairs = read_wic(*dev) if dev else None
    labels = np.array([p.same_sense for p in test])
    out = WicEvaluation(str(data), str(gold), (str(dev[0]), str(dev[1])) if dev else None)
    for backend in backends:
        availability = backend.availability()
        if not availability.ok:
            out.failures[backend.name] = availability.explain()
            continue
        try:
            sims = pair_similarities(backend, test, cache)
            if dev_pairs is not None:
                dev_labels = np.array([p.same_sense for p in dev_pairs])
                threshold = tune_threshold(pair_similarities(backend, dev_pairs, cache),
                                           dev_labels)
                source = "dev"
            else:
                threshold, source = tune_threshold(sims, labels), "oracle (tuned on these data)"
        except Exception as exc:  # this backend failed: the others' results are kept
            out.failures[backend.name] = f"{type(exc).__name__}: {exc}"
            continue
        out.scores.append(WicScore(backend.name, threshold, source,
                                   accuracy(sims, labels, threshold), len(test),
                                   int(np.isnan(sims).sum())))
    return out


def wic_suite_tests(pairs: list[WicPair], max_per_lemma: int = 20) -> list[dict]:
    """Schema-2 suite tests, one per lemma that has both kinds of pairs: each pair labelled T
    (same sense) more similar than each pair labelled F, "t1a ~ t1b > f1a ~ f1b" (at most
    `max_per_lemma` expectations per lemma)."""
    by_lemma: dict[tuple[str, str], list[WicPair]] = {}
    for pair in pairs:
        by_lemma.setdefault((pair.lemma, pair.pos), []).append(pair)
    tests = []
    for (lemma, pos), mine in sorted(by_lemma.items()):
        same = [p for p in mine if p.same_sense]
        other = [p for p in mine if p.same_sense is False]
        if not same or not other:
            continue
        contexts = {}
        for kind, group in (("t", same), ("f", other)):
            for n, pair in enumerate(group, 1):
                for side, item in (("a", pair.a), ("b", pair.b)):
                    contexts[f"{kind}{n}{side}"] = {"text": item.text, "span": item.span}
        expect = [f"t{i}a ~ t{i}b > f{j}a ~ f{j}b" for i in range(1, len(same) + 1)
                  for j in range(1, len(other) + 1)][:max_per_lemma]
        tests.append({"id": f"{lemma}.{pos}", "contexts": contexts, "expect": expect})
    return tests
