"""The runner: every unique context embedded once per backend (by an executor), then every suite
scored.

Backends that can share a forward pass (variants of one model that differ only in pooling) are
embedded together. A backend that is unavailable or raises is recorded as such; the other
backends' results are kept. Ctrl-C stops the run but keeps what finished
(`Results.interrupted`)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from harness.backend import Backend, Item
from harness.backend.card import overlap
from harness.errors import HarnessError, Terminated
from harness.measures.graded import score_graded
from harness.measures.orderings import (
    WEAK_BELOW,
    OrderingsMeasure,
    failed_summary,
    summarize,
    test_similarities,
)
from harness.measures.vectors import TestVectors
from harness.pipeline.calibration import MIN_VECTORS, similarity_name
from harness.pipeline.embedding import ProgressFactory
from harness.pipeline.embedding_cache import EmbeddingCache
from harness.pipeline.executors import Executor, LocalExecutor
from harness.pipeline.prepare import Prepared, fail, prepare, record_of
from harness.results.model import BackendRecord, Results
from harness.results.rows import CorrelationResult, ExpectationResult, PairResult
from harness.suites.model import Suite, check_unique_names

log = logging.getLogger("harness.runner")
ORDERINGS = OrderingsMeasure()


def unique_items(suites: Sequence[Suite]) -> list[Item]:
    """Every distinct (text, span) of the suites, in first-seen order."""
    return list(dict.fromkeys(item for suite in suites for item in suite.items()))


@dataclass
class Scored:
    """What one backend of a run gave: its record, and when it ran, its rows and each test's
    similarity matrix."""

    record: BackendRecord
    rows: list[ExpectationResult] = field(default_factory=list)
    similarities: dict[str, dict] = field(default_factory=dict)
    pairs: list[PairResult] = field(default_factory=list)
    correlations: list[CorrelationResult] = field(default_factory=list)
    measured: dict[str, list] = field(default_factory=dict)  # a plugin measure's rows, by kind


def run_suites(
    suites: Sequence[Suite],
    backends: Sequence[Backend],
    progress: ProgressFactory | None = None,
    skip_unavailable: bool = False,
    cache: EmbeddingCache | None = None,
    executor: Executor = LocalExecutor(),  # noqa: B008 - stateless
    reference: bool = True,
    weak_below: float = WEAK_BELOW,
) -> Results:
    """Score every backend on every suite. With `skip_unavailable` (the default backends of a
    run without -b), a backend that cannot run here is recorded as 'skipped', not failed.
    With `reference` (and always for a backend with `postprocess`), each backend's vectors of
    the reference sample give its baseline, and each margin is also given in standard
    deviations of it; a pass below `weak_below` of them is flagged weak."""
    check_unique_names(suites)
    names = [s.name for s in suites]
    measures = plugin_measures_of(suites)
    items = unique_items(suites)
    scored: dict[str, Scored] = {}
    interrupted = ""
    # the reference sample is of words in context: a run of whole sentences only has no
    # baseline (a post-processing, fitted on words in context, still applies to sentences)
    record_baseline = reference and any(item.span is not None for item in items)
    try:
        for prepared in prepare(backends, items, executor=executor, cache=cache,
                                progress=progress, baseline=record_baseline):
            scored[prepared.backend.name] = _score(prepared, suites, items, record_baseline,
                                                   weak_below, measures)
    except KeyboardInterrupt as exc:
        interrupted = "SIGTERM" if isinstance(exc, Terminated) else "Ctrl-C"
        log.warning("interrupted (%s): keeping the results of the backends that finished",
                    interrupted)
    records, summary, rows, pairs, correlations = {}, [], [], [], []
    measured: dict[str, list] = {kind: [] for kind in measures}
    measure_summaries: dict[str, list] = {kind: [] for kind in measures}
    for backend in backends:  # reports follow the order the backends were given in
        done = scored.get(backend.name)
        record = done.record if done else record_of(backend, "interrupted",
                                                    f"the run was interrupted ({interrupted})")
        if record.status == "unavailable" and skip_unavailable:
            record.status = "skipped"
        records[backend.name] = record
        trained_on = (record.card or {}).get("datasets", ())
        record.contamination = {s.name: found for s in suites
                                if (found := overlap(trained_on, s.datasets))}
        if record.status == "ok":
            rows += done.rows
            pairs += done.pairs
            correlations += done.correlations
            summary += [summarize(backend.name, s, done.rows, done.correlations)
                        for s in suites]
        else:
            summary += [failed_summary(backend.name, s, record.status, record.error or "")
                        for s in suites]
        for kind, measure in measures.items():
            mine = done.measured.get(kind, []) if record.status == "ok" else []
            measured[kind] += mine
            measure_summaries[kind] += [
                measure.summarize(backend.name, s.name, [r for r in mine if r.suite == s.name])
                if record.status == "ok" else
                measure.failed_summary(backend.name, s.name, record.status, record.error or "")
                for s in suites if any(t.kind == kind for t in s.tests)]
    return Results(
        suites=names,
        backends=records,
        summary_rows=summary,
        rows=rows,
        suite_fingerprints={s.name: s.fingerprint() for s in suites},
        similarities={name: s.similarities for name, s in scored.items()
                      if s.record.status == "ok"},
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        interrupted=bool(interrupted),
        weak_below=weak_below,
        correlation_rows=correlations,
        pair_rows=pairs,
        tests={s.name: describe_tests(s) for s in suites},
        measures=measures,
        measure_rows=measured,
        measure_summaries=measure_summaries,
    )


def _measured(measure, backend: str, suite: Suite, test, vectors: TestVectors) -> list:
    """A plugin measure's rows of one test; what it raises, a HarnessError that names it."""
    try:
        return list(measure.score(backend, suite, test, vectors))
    except Exception as exc:  # a plugin's bug: said with its kind and the test, not a traceback
        raise HarnessError(f"the measure of the kind {measure.kind!r} "
                           f"({type(measure).__module__}) raised on test {test.id!r} of suite "
                           f"{suite.name!r} for backend {backend}: {type(exc).__name__}: "
                           f"{exc}") from exc


def plugin_measures_of(suites: Sequence[Suite]) -> dict:
    """The plugin measures of the kinds the suites' tests are, by kind ({} for built-in kinds
    only: no plugin host is made)."""
    kinds = list(dict.fromkeys(t.kind for s in suites for t in s.tests if t.kind))
    if not kinds:
        return {}
    from harness.suites.kinds import plugin_measures

    known = {m.kind: m for m in plugin_measures()}
    lacking = [kind for kind in kinds if kind not in known]
    if lacking:
        raise HarnessError(f"no installed plugin measures tests of the kind {lacking[0]!r}")
    return {kind: known[kind] for kind in kinds}


def describe_tests(suite: Suite) -> dict[str, dict]:
    """What each test of a suite is, for results.json: its description and its labelled
    contexts, each as [text, start, end] ([text] for a whole sentence)."""
    return {test.id: {"description": test.description, "contexts": {
        label: [c.text] if c.span is None else [c.text, *c.span]
        for label, c in test.contexts.items()}} for test in suite.tests}


def _score(prepared: Prepared, suites: Sequence[Suite], items: list[Item],
           record_baseline: bool, weak_below: float, measures: dict) -> Scored:
    """A prepared backend's rows and similarity matrices, or its record saying why not."""
    scored = Scored(prepared.record)
    if not prepared.ok:
        return scored
    assert prepared.embedded is not None
    fitted = prepared.calibration
    if record_baseline and fitted is None:
        log.warning("backend %s has too few vectors of the reference sample (at least %d "
                    "needed): no baseline, and margins are not given in its standard "
                    "deviations", prepared.backend.name, MIN_VECTORS)
    index = {item: i for i, item in enumerate(items)}
    missing = prepared.embedded.reasons
    baseline_sd = fitted.baseline_sd if record_baseline and fitted else None
    similarity = similarity_name(prepared.backend)
    vectors = TestVectors(index, prepared.embedded.vectors, missing, baseline_sd, weak_below,
                          similarity)
    scored.rows = [row for suite in suites for test in suite.tests if test.ordering
                   for row in ORDERINGS.score(prepared.backend.name, suite, test, vectors)]
    for suite in suites:
        pairs, correlations = score_graded(prepared.backend.name, suite, index,
                                           prepared.embedded.vectors, missing, similarity)
        scored.pairs += pairs
        scored.correlations += correlations
    for suite in suites:
        for test in (t for t in suite.tests if t.kind):
            scored.measured.setdefault(test.kind, []).extend(_measured(
                measures[test.kind], prepared.backend.name, suite, test, vectors))
    outcomes = [row.error for row in scored.rows] + [pair.error for pair in scored.pairs] + [
        row.error for rows in scored.measured.values() for row in rows]
    if outcomes and all(error is not None for error in outcomes):
        lacking = [missing[i] for i in range(len(items)) if i in missing]
        what = "expectation and pair" if scored.pairs else "one"
        fail(scored.record, f"no expectation could be scored: every {what} lacks a vector (of "
             f"{len(lacking)} contexts without one, the first: {lacking[0]})")
        scored.rows, scored.pairs, scored.correlations, scored.measured = [], [], [], {}
        return scored
    scored.similarities = {
        suite.name: test_similarities(suite, index, vectors.rows, missing, similarity)
        for suite in suites}
    return scored
