"""report.html's "Significant differences" section: the backends of the run compared suite by
suite with `harness compare`'s statistics (exact McNemar on the expectations both scored, a
paired bootstrap of rho on each graded test), a verdict per comparison, Holm's correction over
them when there are several."""

from __future__ import annotations

from typing import Any

from harness.results.model import Results


def significance(results: Results) -> dict[str, Any] | None:
    """{"note": what the verdicts are, "lines": the significant differences first, then the
    others}; None with fewer than two backends that ran."""
    if sum(rec.status == "ok" for rec in results.backends.values()) < 2:
        return None
    from harness.measures.graded import GradedMeasure
    from harness.measures.orderings import OrderingsMeasure
    from harness.measures.verdicts import verdicts
    from harness.reports.comparison import correction_note
    from harness.results.compare import compare_results

    measures = [OrderingsMeasure(), GradedMeasure(), *results.measures.values()]
    found = verdicts(compare_results(results, measures))
    if not found:
        return None
    corrected = len(found) > 1
    ordered = sorted(found, key=lambda v: v.better is None)
    return {"note": correction_note(found) + ", as harness compare gives them.",
            "lines": [v.sentence(corrected) for v in ordered],
            "significant": sum(v.better is not None for v in found)}
