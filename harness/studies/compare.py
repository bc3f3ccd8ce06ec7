"""`harness compare`: backends compared pairwise on the expectations both ran, with accuracy
intervals and an exact McNemar test on the expectations only one of them passes."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from harness.pipeline.gates import load_results
from harness.pipeline.stats import mcnemar_exact, wilson_interval
from harness.reports.text import markdown_table, text_table

Key = tuple[str, str, str]  # suite, test, expectation


@dataclass(frozen=True)
class PairComparison:
    a: str
    b: str
    shared: int
    passed_a: int
    passed_b: int
    only_a: int
    only_b: int
    p_value: float

    def cells(self) -> list[str]:
        def acc(passed: int) -> str:
            low, high = wilson_interval(passed, self.shared)
            return f"{passed / self.shared:.3f} [{low:.3f}, {high:.3f}]"

        return [self.a, self.b, str(self.shared), acc(self.passed_a), acc(self.passed_b),
                str(self.only_a), str(self.only_b), f"{self.p_value:.4g}"]


HEADERS = ["backend A", "backend B", "shared", "accuracy A [95% CI]", "accuracy B [95% CI]",
           "only A passes", "only B passes", "McNemar p"]


def file_tags(paths: list[Path]) -> list[str]:
    """Short names that tell the files apart: their stems, else their folders' names."""
    for tag in (lambda p: p.stem, lambda p: p.parent.name, str):
        tags = [tag(p) for p in paths]
        if len(set(tags)) == len(tags):
            return tags
    return [str(i + 1) for i in range(len(paths))]


def outcomes(paths: list[str | Path]) -> dict[str, dict[Key, bool]]:
    """Pass/fail per scored expectation of every backend in the files (an unscored one, with
    no vector for a context, is left out); with two files, a backend name found in both is
    told apart by its file (name@file)."""
    files = [Path(p) for p in paths]
    loaded = [load_results(p) for p in files]
    clash = set.intersection(*(set(r.backends) for r in loaded)) if len(loaded) > 1 else set()
    out: dict[str, dict[Key, bool]] = {}
    for tag, results in zip(file_tags(files), loaded):
        for row in results.rows:
            label = f"{row.backend}@{tag}" if row.backend in clash else row.backend
            if row.error is None:
                out.setdefault(label, {})[(row.suite, row.test, row.expectation)] = row.passed
    return out


def compare(paths: list[str | Path]) -> list[PairComparison]:
    by_backend = outcomes(paths)
    pairs = []
    for a, b in combinations(by_backend, 2):
        shared = sorted(set(by_backend[a]) & set(by_backend[b]))
        if not shared:
            continue
        pa = [by_backend[a][k] for k in shared]
        pb = [by_backend[b][k] for k in shared]
        only_a = sum(x and not y for x, y in zip(pa, pb))
        only_b = sum(y and not x for x, y in zip(pa, pb))
        pairs.append(PairComparison(a, b, len(shared), sum(pa), sum(pb), only_a, only_b,
                                    mcnemar_exact(only_a, only_b)))
    return pairs


def comparison_text(pairs: list[PairComparison]) -> str:
    return text_table(HEADERS, [p.cells() for p in pairs])


def comparison_markdown(pairs: list[PairComparison]) -> str:
    return ("## Backends compared\n\n" + markdown_table(HEADERS, [p.cells() for p in pairs])
            + "\n\nOn the expectations both backends ran: accuracy with a 95% Wilson interval, "
            "how many each passes alone, and the exact McNemar (binomial) p-value of those.\n")
