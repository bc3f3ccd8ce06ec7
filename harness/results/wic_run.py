"""How the results store keeps a `harness wic` run: as a `Results` with one suite,
`wic:<data file name>` (its fingerprint: the SHA-256 of the data, gold and dev files), one
summary row per backend (accuracy, pairs as `total`, pairs judged right as `passed`, pairs
without a similarity as `unscored`) and no item rows; and wic.json's whole content (thresholds,
where they came from, ROC AUC) kept beside it as the run's study of kind `wic`
(`Store.study(id)`)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from harness.results.model import BackendRecord, Results
from harness.results.rows import SummaryRow


def _fingerprint(paths: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        try:
            digest.update(Path(path).read_bytes())
        except OSError:
            digest.update(str(path).encode())
    return digest.hexdigest()[:16]


def wic_results(wic: Mapping[str, Any], records: Sequence[BackendRecord],
                failures: Mapping[str, str]) -> Results:
    """A WiC evaluation (wic.json's content, the records of its backends, the backends that
    failed with why) as a Results the store keeps."""
    suite = f"wic:{Path(wic['data']).name}"
    files = [wic["data"], wic["gold"], *(wic.get("dev") or [])]
    backends = {rec.name: rec for rec in records}
    for name, why in failures.items():
        if name in backends:
            backends[name].status, backends[name].error = "error", why
    summary = [SummaryRow(backend=s["backend"], suite=suite,
                          passed=round(s["accuracy"] * s["pairs"]), total=s["pairs"],
                          accuracy=s["accuracy"], ties=0, tests_passed=0, tests_total=0,
                          unscored=s["missing"]) for s in wic["results"]]
    summary += [SummaryRow(backend=name, suite=suite, passed=0, total=0, accuracy=None, ties=0,
                           tests_passed=0, tests_total=0, status="error", error=why)
                for name, why in failures.items()]
    return Results(suites=[suite], backends=backends, summary_rows=summary, rows=[],
                   suite_fingerprints={suite: _fingerprint(files)},
                   created=datetime.now(timezone.utc).isoformat(timespec="seconds"))
