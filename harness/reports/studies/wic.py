"""The files of `harness wic`: wic.json (every backend's score), wic.md, wic-pairs.csv (every
pair's cosine and prediction, per backend), and the table it prints. `evaluation` is a
`harness.studies.wic.WicEvaluation`, read by attribute."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any

from harness.reports.studies import StudyFile, write_files
from harness.reports.text import markdown_table, text_table

HEADERS = ("backend", "accuracy", "95% (Wilson)", "threshold", "tuned on", "ROC-AUC",
           "95% (Hanley-McNeil)", "pairs", "missing")
PAIR_COLUMNS = ("backend", "id", "lemma", "word1", "text1", "word2", "text2", "gold", "cosine",
                "prediction", "correct")


def _interval(bounds: Any) -> str:
    return "-" if bounds is None else f"[{bounds[0]:.3f}, {bounds[1]:.3f}]"


def cells(evaluation: Any) -> list[list[str]]:
    """A row of cells under HEADERS per backend scored."""
    return [[s.backend, f"{s.accuracy:.3f}", _interval(s.accuracy_interval),
             f"{s.threshold:.4f}", s.threshold_from,
             "-" if s.roc_auc is None else f"{s.roc_auc:.3f}", _interval(s.roc_auc_interval),
             str(s.pairs), str(s.missing)]
            for s in evaluation.scores]


def _mark(value: bool | None) -> str:
    return "" if value is None else "T" if value else "F"


def wic_pairs_csv(evaluation: Any) -> str:
    """One row per backend and pair: the pair (id, lemma, both targets and texts), its gold
    label, the cosine, the prediction at the backend's threshold and whether it is right (an
    empty cosine and prediction: a target without a vector, counted wrong)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(PAIR_COLUMNS)
    for score in evaluation.scores:
        sims = evaluation.cosines.get(score.backend, ())
        for pair, sim in zip(evaluation.pairs, sims):
            have = math.isfinite(sim)
            predicted = bool(sim > score.threshold) if have else None
            writer.writerow([score.backend, pair.id, pair.lemma, pair.a.word or "", pair.a.text,
                             pair.b.word or "", pair.b.text, _mark(pair.same_sense),
                             f"{sim:.6f}" if have else "", _mark(predicted),
                             "yes" if predicted is not None and predicted == pair.same_sense
                             else "no"])
    return out.getvalue()


def wic_json(evaluation: Any) -> str:
    return json.dumps(evaluation.to_dict(), indent=2)


def wic_markdown(evaluation: Any) -> str:
    return ("# WiC accuracy\n\n" + markdown_table(HEADERS, cells(evaluation)) + "\n\n"
            "Intervals are 95%: Wilson on the accuracy, Hanley-McNeil on the ROC-AUC. Every "
            "pair's cosine and prediction: wic-pairs.csv.\n")


def wic_text(evaluation: Any) -> str:
    """The table `harness wic` prints."""
    return text_table(HEADERS, cells(evaluation))


def write_wic(evaluation: Any, out_dir: str | Path) -> list[Path]:
    """wic.json, wic.md and wic-pairs.csv in `out_dir`."""
    return write_files(out_dir, [StudyFile("wic.json", lambda: wic_json(evaluation)),
                                 StudyFile("wic.md", lambda: wic_markdown(evaluation)),
                                 StudyFile("wic-pairs.csv", lambda: wic_pairs_csv(evaluation))])


__all__ = ["HEADERS", "PAIR_COLUMNS", "cells", "wic_json", "wic_markdown", "wic_pairs_csv",
           "wic_text", "write_wic"]
