"""WiC accuracy: a pair of sentences holds the same sense of its target word when the cosine of
the two target vectors exceeds a threshold, tuned on a dev split when one is given; and the
threshold-free ROC-AUC of the cosine for same-sense pairs (as MirrorWiC reports), with a Wilson
interval on the accuracy and a Hanley-McNeil interval on the AUC. The files (WiC or one of its
variants) are read by `harness.suites.wic_readers`; wic.json, wic.md and wic-pairs.csv (every
pair's cosine and prediction) are rendered by harness.reports.studies.wic."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from harness.backend import Backend, Embeddings, Item
from harness.measures.stats import Z_95, roc_auc, wilson_interval
from harness.measures.vectors import row_similarities
from harness.pipeline.calibration import similarity_name
from harness.pipeline.context import RunContext
from harness.pipeline.prepare import prepare, prepare_one
from harness.suites.wic_format import WicPair
from harness.suites.wic_readers import read_pairs


def pair_similarities(backend: Backend, pairs: list[WicPair],
                      context: RunContext | None = None) -> np.ndarray:
    """Similarity (the backend's `similarity`, cosine by default) of each pair's two target
    vectors (NaN where a vector is missing), after the
    backend's `postprocess`; what the backend raised, raised."""
    items, where = _items(pairs)
    context = context or RunContext()
    prepared = prepare_one(backend, items, cache=context.cache, executor=context.executor)
    assert prepared.embedded is not None
    return _similarities(prepared.embedded, where, pairs, similarity_name(backend))


def similarities_by_backend(backends: list[Backend], pairs: list[WicPair],
                            context: RunContext | None = None
                            ) -> dict[str, np.ndarray | str]:
    """For each backend, `pair_similarities` of the pairs, or why it could not run."""
    items, where = _items(pairs)
    out: dict[str, np.ndarray | str] = {}
    for prepared in prepare(backends, items, **(context or RunContext()).embedding()):
        if prepared.ok and prepared.embedded is not None:
            out[prepared.backend.name] = _similarities(prepared.embedded, where, pairs,
                                                       similarity_name(prepared.backend))
        else:
            out[prepared.backend.name] = prepared.record.error or prepared.record.status
    return out


def _items(pairs: list[WicPair]) -> tuple[list[Item], dict[Item, int]]:
    items = list(dict.fromkeys([p.a for p in pairs] + [p.b for p in pairs]))
    return items, {item: i for i, item in enumerate(items)}


def _similarities(embedded: Embeddings, where: dict[Item, int],
                  pairs: list[WicPair], similarity: str = "cosine") -> np.ndarray:
    missing = embedded.reasons
    a = np.array([where[p.a] for p in pairs])
    b = np.array([where[p.b] for p in pairs])
    sims = row_similarities(embedded.vectors, a, b, similarity)
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
    # threshold-free: the chance that a same-sense pair has a higher cosine than a
    # different-sense one (ties count one half), over the pairs with a similarity
    roc_auc: float | None = None
    # 95% intervals: Wilson on the accuracy (over all pairs), Hanley-McNeil on the ROC-AUC
    accuracy_interval: tuple[float, float] | None = None
    roc_auc_interval: tuple[float, float] | None = None
    correct: int | None = None  # pairs predicted right


def auc_interval(auc: float | None, positives: int, negatives: int,
                 z: float = Z_95) -> tuple[float, float] | None:
    """Hanley and McNeil's (1982) normal interval on a ROC-AUC A from n1 positives and n2
    negatives: SE² = (A(1-A) + (n1-1)(Q1-A²) + (n2-1)(Q2-A²)) / (n1 n2), Q1 = A/(2-A),
    Q2 = 2A²/(1+A); clipped to [0, 1]. None without an AUC."""
    if auc is None or not positives or not negatives:
        return None
    a = auc
    q1, q2 = a / (2 - a), 2 * a * a / (1 + a)
    variance = (a * (1 - a) + (positives - 1) * (q1 - a * a)
                + (negatives - 1) * (q2 - a * a)) / (positives * negatives)
    half = z * float(np.sqrt(max(variance, 0.0)))
    return max(0.0, a - half), min(1.0, a + half)


def predictions(sims: np.ndarray, threshold: float) -> np.ndarray:
    """Each pair's prediction (same sense: cosine above the threshold); None without a
    cosine."""
    return np.array([None if not np.isfinite(x) else bool(x > threshold) for x in sims],
                    dtype=object)


@dataclass
class WicEvaluation:
    """WiC accuracy of several backends on one data file; `failures` names the backends that
    could not run, with why."""

    data: str
    gold: str
    dev: tuple[str, str] | None
    scores: list[WicScore] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)
    format: str = "wic"
    pairs: list[WicPair] = field(default_factory=list)  # the scored pairs
    cosines: dict[str, np.ndarray] = field(default_factory=dict)  # by backend, per pair

    def to_dict(self) -> dict[str, Any]:
        """What wic.json holds: the files scored and each backend's score."""
        return {"data": self.data, "gold": self.gold,
                "dev": list(self.dev) if self.dev else None,
                "results": [asdict(s) for s in self.scores], "format": self.format,
                "interval": "95%: Wilson on accuracy, Hanley-McNeil on ROC-AUC"}

    def text(self) -> str:
        """The table `harness wic` prints."""
        from harness.reports.studies.wic import wic_text

        return wic_text(self)

    def write(self, out_dir: str | Path) -> list[Path]:
        """wic.json, wic.md and wic-pairs.csv in `out_dir`; returns the paths written."""
        from harness.reports.studies.wic import write_wic

        return write_wic(self, out_dir)


def evaluate_wic(data: str | Path, gold: str | Path | None, backends: list[Backend], *,
                 dev: tuple[str | Path, str | Path | None] | None = None,
                 context: RunContext | None = None, format: str = "wic",
                 **read_options: Any) -> WicEvaluation:
    """WiC accuracy of each backend: a pair is "same sense" when its cosine exceeds a threshold
    tuned on `dev` (without it, on the data itself: an optimistic, oracle threshold). The files
    are in `format` (harness.suites.wic_readers.FORMATS); `read_options` (lenient, warn) go to
    the WiC reader. A backend that is unavailable or fails is named in `failures`; the others
    are kept."""
    test = read_pairs(data, gold, format, **read_options)
    dev_pairs = read_pairs(dev[0], dev[1], format, **read_options) if dev else None
    labels = np.array([bool(p.same_sense) for p in test])
    out = WicEvaluation(str(data), "" if gold is None else str(gold),
                        (str(dev[0]), str(dev[1] or "")) if dev else None, format=format,
                        pairs=test)
    on_test = similarities_by_backend(backends, test, context)
    on_dev = similarities_by_backend(
        [b for b in backends if not isinstance(on_test[b.name], str)], dev_pairs,
        context) if dev_pairs is not None else {}
    for backend in backends:
        sims = on_test[backend.name]
        dev_sims = on_dev.get(backend.name)
        failed = sims if isinstance(sims, str) else dev_sims if isinstance(dev_sims, str) else ""
        if failed:  # this backend failed: the others' results are kept
            out.failures[backend.name] = failed
            continue
        assert isinstance(sims, np.ndarray)
        if dev_pairs is not None:
            threshold = tune_threshold(dev_sims, np.array([p.same_sense for p in dev_pairs]))
            source = "dev"
        else:
            threshold, source = tune_threshold(sims, labels), "oracle (tuned on these data)"
        have = np.isfinite(sims)
        right = int(sum(p is not None and p == g
                        for p, g in zip(predictions(sims, threshold), labels)))
        auc = roc_auc(sims[have], labels[have].astype(bool))
        out.cosines[backend.name] = sims
        out.scores.append(WicScore(backend.name, threshold, source,
                                   accuracy(sims, labels, threshold), len(test),
                                   int((~have).sum()), auc,
                                   wilson_interval(right, len(test)),
                                   auc_interval(auc, int(labels[have].sum()),
                                                int((~labels[have]).sum())), right))
    return out
