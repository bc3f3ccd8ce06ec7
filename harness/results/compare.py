"""`harness compare`: the backends of any number of results.json files compared two by two,
suite by suite, on each kind of test through its measure's paired statistic (orderings:
accuracy intervals and an exact McNemar test on the expectations only one of them passes; graded
tests: each Spearman's rho and their difference with a seeded paired bootstrap interval and
p-value; a plugin's kind: its own, by default McNemar's on its rows). A backend name found in
several files is told apart by its file (name@file) and its runs are compared first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from harness.results.load import load_results
from harness.results.model import Results


def file_tags(paths: list[Path]) -> list[str]:
    """Short names that tell the files apart: their stems, else their folders' names."""
    for tag in (lambda p: p.stem, lambda p: p.parent.name, str):
        tags = [tag(p) for p in paths]
        if len(set(tags)) == len(tags):
            return tags
    return [str(i + 1) for i in range(len(paths))]


def _loaded(paths: Sequence[str | Path]) -> list[tuple[str, Results, set[str]]]:
    """Each file's tag, its results, and the backend names found in more than one file."""
    files = [Path(p) for p in paths]
    loaded = [load_results(p) for p in files]
    seen: dict[str, int] = {}
    for results in loaded:
        for name in results.backends:
            seen[name] = seen.get(name, 0) + 1
    clash = {name for name, count in seen.items() if count > 1}
    return [(tag, results, clash) for tag, results in zip(file_tags(files), loaded)]


def _label(backend: str, tag: str, clash: set[str]) -> str:
    return f"{backend}@{tag}" if backend in clash else backend


@dataclass
class Section:
    """One kind of test on one suite: its measure and its comparisons, the runs of the same
    backend name first."""

    measure: Any
    suite: str
    rows: list[Any]


def _base(label: str) -> str:
    return label.split("@", 1)[0]


def _same_backend_first(rows: list[Any]) -> list[Any]:
    return sorted(rows, key=lambda r: _base(r.a) != _base(r.b))


def _with_suite(row: Any, suite: str) -> Any:
    if "suite" in {f.name for f in fields(row)} and not row.suite:
        return replace(row, suite=suite)
    return row


def compare_by_suite(paths: Sequence[str | Path],
                     measures: Sequence[Any] | None = None) -> list[Section]:
    """For each measure (built-in ones first; None: those installed) and each suite (in the
    files' order), the comparisons of every two backends in the files on that suite."""
    if measures is None:
        from harness.plugins.manager import make_plugin_host

        measures = [entry.measure for entry in make_plugin_host().measures()]
    return _sections(_loaded(paths), measures)


def compare_results(results: Results, measures: Sequence[Any]) -> list[Section]:
    """The backends of one run compared, suite by suite, with these measures."""
    return _sections([("", results, set())], measures)


def _sections(loaded: list[tuple[str, Results, set[str]]],
              measures: Sequence[Any]) -> list[Section]:
    suites = list(dict.fromkeys(s for _, results, _ in loaded for s in results.suites))
    out = []
    for measure in measures:
        for suite in suites:
            rows: dict[str, list[Any]] = {}
            for tag, results, clash in loaded:
                for row in measure.compared_rows(results):
                    if row.suite == suite:
                        rows.setdefault(_label(row.backend, tag, clash), []).append(row)
            compared = [_with_suite(r, suite) for r in measure.compare(rows)]
            out.append(Section(measure, suite, _same_backend_first(compared)))
    return out


def compare_runs(paths: Sequence[str | Path],
                 measures: Sequence[Any] | None = None) -> list[tuple[Any, list[Any]]]:
    """For each measure, its comparisons of every two backends in the files, every suite's
    (`compare_by_suite`) one after the other."""
    sections = compare_by_suite(paths, measures)
    kinds = list(dict.fromkeys(id(s.measure) for s in sections))
    return [(next(s.measure for s in sections if id(s.measure) == k),
             [r for s in sections if id(s.measure) == k for r in s.rows]) for k in kinds]


def _of_kind(paths: Sequence[str | Path], kind: str) -> list[Any]:
    from harness.plugins.manager import make_plugin_host

    measures = [e.measure for e in make_plugin_host().measures() if e.measure.kind == kind]
    return compare_runs(paths, measures)[0][1]


def compare(paths: Sequence[str | Path]) -> list[Any]:
    """The orderings' comparisons (`PairComparison`) of every two backends in the files."""
    return _of_kind(paths, "orderings")


def compare_graded(paths: Sequence[str | Path]) -> list[Any]:
    """The graded tests' comparisons (`GradedComparison`) of every two backends."""
    return _of_kind(paths, "graded")
