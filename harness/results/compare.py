"""`harness compare`: the backends of one or two results.json files compared two by two, on
each kind of test through its measure's paired statistic (orderings: accuracy intervals and an
exact McNemar test on the expectations only one of them passes; graded tests: each Spearman's
rho and their difference with a seeded paired bootstrap interval; a plugin's kind: its own, by
default McNemar's on its rows)."""

from __future__ import annotations

from collections.abc import Sequence
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
    clash = set.intersection(*(set(r.backends) for r in loaded)) if len(loaded) > 1 else set()
    return [(tag, results, clash) for tag, results in zip(file_tags(files), loaded)]


def _label(backend: str, tag: str, clash: set[str]) -> str:
    return f"{backend}@{tag}" if backend in clash else backend


def compare_runs(paths: Sequence[str | Path],
                 measures: Sequence[Any] | None = None) -> list[tuple[Any, list[Any]]]:
    """For each measure (built-in ones first; None: those installed), its comparisons of every
    two backends in the files; with two files, a backend name found in both is told apart by
    its file (name@file)."""
    if measures is None:
        from harness.plugins.manager import make_plugin_host

        measures = [entry.measure for entry in make_plugin_host().measures()]
    loaded = _loaded(paths)
    out = []
    for measure in measures:
        rows: dict[str, list[Any]] = {}
        for tag, results, clash in loaded:
            for row in measure.compared_rows(results):
                rows.setdefault(_label(row.backend, tag, clash), []).append(row)
        out.append((measure, measure.compare(rows)))
    return out


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
