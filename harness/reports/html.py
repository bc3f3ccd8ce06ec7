"""report.html: one self-contained page (CSS, JS and SVG pictures inline) with the summary, the
gates, the controls, the backends, plots, a per-expectation table (searchable over every column,
filtered to failures, one backend, or what one backend fails and another passes; each row opens
its test's description and sentences), each test's sentences, and similarity heatmaps (failed
tests first). Rendered from templates/report.html with Jinja2 (autoescaping on; the SVG
is drawn by harness.figures.svg, which escapes every text in it)."""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from harness.figures.labels import colours
from harness.figures.svg import (
    accuracy_chart,
    heatmap,
    margin_chart,
    rating_scatter,
    scatter,
)
from harness.reports.measures import measure_sections
from harness.reports.significance import significance
from harness.reports.tables import (
    GRADED_RULES,
    MAX_HTML_ROWS,
    backends_table,
    baseline_note,
    control_note,
    controls,
    controls_table,
    correlations_table,
    expectations_table,
    gate_lines,
    outcome,
    selection_note,
    shown_rows,
    summary_table,
    test_views,
    with_interval,
    zero_shot_note,
)
from harness.results.model import Results

log = logging.getLogger("harness.reports")
TEMPLATES = Path(__file__).with_name("templates")
MAX_HEATMAPS = 8  # per backend: a large suite would give thousands
MAX_SCATTERS = 24  # graded tests x backends drawn; every number is in correlations.csv
MAX_HEATMAP_CONTEXTS = 40  # a test with more contexts is left to results.json


@dataclass(frozen=True)
class Heatmap:
    suite: str
    test: str
    failed: bool  # the backend did not pass one of the test's expectations
    picture: str  # inline SVG: the heatmap, and the map beside it


@dataclass(frozen=True)
class Heatmaps:
    name: str
    drawn: list[Heatmap]
    tests: int  # tests with similarities (those with few enough contexts)
    failed: int  # of them, tests with an expectation the backend did not pass

    @property
    def more(self) -> int:
        return self.tests - len(self.drawn)


# the order in which a backend's tests are drawn: a failure first, then a tie, then an
# expectation without a vector, then the tests it passed
OUTCOME_RANK = ("fail", "tie", "unscored")


def _worst_outcomes(results: Results) -> dict[str, dict[tuple[str, str], int]]:
    """Per backend and (suite, test) it did not pass, the rank of its worst outcome."""
    out: dict[str, dict[tuple[str, str], int]] = {}
    for r in results.rows:
        if not r.passed:
            mine = out.setdefault(r.backend, {})
            n = OUTCOME_RANK.index(outcome(r).lower())
            mine[(r.suite, r.test)] = min(n, mine.get((r.suite, r.test), n))
    return out


def _heatmaps(results: Results) -> tuple[list[Heatmaps], str]:
    """Per backend, the heatmaps of its tests, at most MAX_HEATMAPS: those it did not pass
    first (a failure, then a tie, then an expectation without a vector)."""
    worst = _worst_outcomes(results)
    out = []
    for backend, suites in results.similarities.items():
        rank = worst.get(backend, {})
        failed = {key for key, n in rank.items() if n < len(OUTCOME_RANK)}
        tests = [(suite, test, data) for suite, by_test in suites.items()
                 for test, data in by_test.items()
                 if len(data["labels"]) <= MAX_HEATMAP_CONTEXTS]
        ordered = sorted(tests, key=lambda t: rank.get(t[:2], len(OUTCOME_RANK)))
        drawn = [Heatmap(s, t, (s, t) in failed,
                         heatmap(d["labels"], d["matrix"], f"{s} / {t}") + word_map(d, t))
                 for s, t, d in ordered[:MAX_HEATMAPS]]
        out.append(Heatmaps(backend, drawn, len(tests), sum(t[:2] in failed for t in tests)))
    note = ""
    if any(len(d["labels"]) > MAX_HEATMAP_CONTEXTS for suites in results.similarities.values()
           for by_test in suites.values() for d in by_test.values()):
        note = (f"Tests with more than {MAX_HEATMAP_CONTEXTS} contexts get no heatmap; their "
                "similarities are in results.json.")
    return out, note


def word_map(data: dict, test: str) -> str:
    """For a test whose contexts share a target word, a small map of its contexts (classical
    MDS of the cosines: their principal components), coloured by target word; "" otherwise."""
    words = [(w or "").lower() for w in data.get("words") or []]
    matrix = data["matrix"]
    keep = [i for i, row in enumerate(matrix) if row[i] is not None and words and words[i]]
    shared = [w for w in dict.fromkeys(words[i] for i in keep)
              if sum(words[i] == w for i in keep) > 1]
    if not shared or len(keep) < 3:
        return ""
    import numpy as np

    from harness.pipeline.numerics import classical_mds

    names = list(dict.fromkeys(words[i] for i in keep))
    cosines = np.array([[matrix[i][j] for j in keep] for i in keep], dtype=np.float64)
    labels = [data["labels"][i] for i in keep]
    return scatter(classical_mds(cosines), [names.index(words[i]) for i in keep], names,
                   labels, f"{test}: map (MDS)", size=180, labels=labels)


def _environment():
    """Jinja2 over templates/, its compiled template kept in the cache folder (compiling it
    is most of a warm run's report time), when that folder can be written. That copy is an
    optimisation, like the embedding cache: one that cannot be read or written (a full disk,
    a damaged file) is skipped, never a failed report."""
    import jinja2

    from harness.files import cache_dir

    compiled = cache_dir() / "templates"
    try:
        compiled.mkdir(parents=True, exist_ok=True)
        bytecode = _optional_bytecode_cache()(str(compiled)) if os.access(
            compiled, os.W_OK) else None
    except OSError:
        bytecode = None
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                              bytecode_cache=bytecode)


@functools.cache
def _optional_bytecode_cache() -> type:
    """jinja2's FileSystemBytecodeCache, with every failure to read or write it skipped."""
    import jinja2

    class OptionalBytecodeCache(jinja2.FileSystemBytecodeCache):
        def load_bytecode(self, bucket) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception as exc:  # noqa: BLE001 - the template is compiled instead
                bucket.reset()
                log.debug("compiled template not read from %s: %s", self.directory, exc)

        def dump_bytecode(self, bucket) -> None:
            try:
                super().dump_bytecode(bucket)
            except Exception as exc:  # noqa: BLE001 - it is compiled again next time
                log.debug("compiled template not kept in %s: %s", self.directory, exc)

    return OptionalBytecodeCache


def _scatters(results: Results, colour_of: dict[str, str]) -> list[str]:
    """Cosine against rating for each backend and graded test, rho and its interval above."""
    out = []
    for c in results.correlation_rows[:MAX_SCATTERS]:
        mine = [p for p in results.pair_rows if (p.backend, p.suite, p.test) == (
            c.backend, c.suite, c.test) and p.cosine is not None]
        rho = f"rho {with_interval(c.spearman, c.spearman_ci)}"
        out.append(rating_scatter([p.score for p in mine], [p.cosine for p in mine],
                                  f"{c.backend} / {c.test}",
                                  [f"{p.a} ~ {p.b}: rating {p.score:g}, cosine {p.cosine:.3f}"
                                   for p in mine], colour=colour_of.get(c.backend, "#4c78a8"),
                                  subtitle=rho))
    return out


def render(results: Results) -> str:
    env = _environment()
    heatmaps, heatmaps_note = _heatmaps(results)
    control_rows = controls(results)
    shown, note = shown_rows(results.rows, MAX_HTML_ROWS)
    views = test_views(results, shown)
    colour_of = colours(results.backends)  # one colour per backend, in every picture
    return env.get_template("report.html").render(
        selection=selection_note(results.selection),
        title=f"wic-harness report: {', '.join(results.suites)}",
        results=results,
        summary=summary_table(results),
        zero_shot=zero_shot_note(results),
        gates=gate_lines(results),
        controls=controls_table(control_rows) if control_rows else None,
        control_note=control_note(control_rows[0].control) if control_rows else "",
        backends=backends_table(results),
        significance=significance(results),
        baseline_note=baseline_note(results),
        plots=[accuracy_chart([(s.backend, s.suite, s.passed, s.total)
                               for s in results.summary_rows if s.status == "ok"], colour_of),
               margin_chart({b: [r.margin for r in results.rows
                                 if r.backend == b and r.margin is not None]
                             for b in results.backends}, colour_of)],
        colours=colour_of,
        expectations=expectations_table(shown, views),
        expectations_note=note,
        tests=list(views.values()),
        row_backends=list(dict.fromkeys(r.backend for r in shown)),
        heatmaps=heatmaps, heatmaps_note=heatmaps_note, max_heatmaps=MAX_HEATMAPS,
        correlations=(correlations_table(results.correlation_rows)
                      if results.correlation_rows else None),
        graded_rules=GRADED_RULES, scatters=_scatters(results, colour_of),
        measures=measure_sections(results, MAX_HTML_ROWS),
        scatters_note=(f"{len(results.correlation_rows) - MAX_SCATTERS} more graded tests: "
                       "their pairs are in pairs.csv."
                       if len(results.correlation_rows) > MAX_SCATTERS else ""),
    )
