"""The files of `harness wic`: wic.json (every backend's score) and wic.md, and the table it
prints. `evaluation` is a `harness.studies.wic.WicEvaluation`, read by attribute."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.reports.studies import StudyFile, write_files
from harness.reports.text import markdown_table, text_table

HEADERS = ("backend", "accuracy", "threshold", "tuned on", "ROC-AUC", "pairs", "missing")


def cells(evaluation: Any) -> list[list[str]]:
    """A row of cells under HEADERS per backend scored."""
    return [[s.backend, f"{s.accuracy:.3f}", f"{s.threshold:.4f}", s.threshold_from,
             "-" if s.roc_auc is None else f"{s.roc_auc:.3f}", str(s.pairs), str(s.missing)]
            for s in evaluation.scores]


def wic_json(evaluation: Any) -> str:
    return json.dumps(evaluation.to_dict(), indent=2)


def wic_markdown(evaluation: Any) -> str:
    return "# WiC accuracy\n\n" + markdown_table(HEADERS, cells(evaluation)) + "\n"


def wic_text(evaluation: Any) -> str:
    """The table `harness wic` prints."""
    return text_table(HEADERS, cells(evaluation))


def write_wic(evaluation: Any, out_dir: str | Path) -> list[Path]:
    """wic.json and wic.md in `out_dir`."""
    return write_files(out_dir, [StudyFile("wic.json", lambda: wic_json(evaluation)),
                                 StudyFile("wic.md", lambda: wic_markdown(evaluation))])


__all__ = ["HEADERS", "cells", "wic_json", "wic_markdown", "wic_text", "write_wic"]
