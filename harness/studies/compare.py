"""`harness compare`: backends compared pairwise on the expectations both ran, with accuracy
intervals and an exact McNemar test on the expectations only one of them passes; and on the
graded tests both scored, each Spearman's rho and their difference with a 95% interval from a
seeded paired bootstrap over the pairs both scored (2,000 resamples, seed 0, percentile
interval)."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from harness.pipeline.gates import load_results
from harness.pipeline.results import Results
from harness.pipeline.stats import bootstrap_difference, mcnemar_exact, spearman, wilson_interval
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

    def to_dict(self) -> dict:
        """Every number of the row (`harness compare --json`); intervals as [low, high]."""
        return {"a": self.a, "b": self.b, "shared": self.shared,
                "passed_a": self.passed_a, "passed_b": self.passed_b,
                "accuracy_a": self.passed_a / self.shared,
                "accuracy_a_ci": list(wilson_interval(self.passed_a, self.shared)),
                "accuracy_b": self.passed_b / self.shared,
                "accuracy_b_ci": list(wilson_interval(self.passed_b, self.shared)),
                "only_a": self.only_a, "only_b": self.only_b, "p_value": self.p_value}


HEADERS = ["backend A", "backend B", "shared", "accuracy A [95% CI]", "accuracy B [95% CI]",
           "only A passes", "only B passes", "McNemar p"]


def file_tags(paths: list[Path]) -> list[str]:
    """Short names that tell the files apart: their stems, else their folders' names."""
    for tag in (lambda p: p.stem, lambda p: p.parent.name, str):
        tags = [tag(p) for p in paths]
        if len(set(tags)) == len(tags):
            return tags
    return [str(i + 1) for i in range(len(paths))]


def _loaded(paths: list[str | Path]) -> list[tuple[str, Results, set[str]]]:
    """Each file's tag, its results, and the backend names found in more than one file."""
    files = [Path(p) for p in paths]
    loaded = [load_results(p) for p in files]
    clash = set.intersection(*(set(r.backends) for r in loaded)) if len(loaded) > 1 else set()
    return [(tag, results, clash) for tag, results in zip(file_tags(files), loaded)]


def _label(backend: str, tag: str, clash: set[str]) -> str:
    return f"{backend}@{tag}" if backend in clash else backend


def outcomes(paths: list[str | Path]) -> dict[str, dict[Key, bool]]:
    """Pass/fail per scored expectation of every backend in the files (an unscored one, with
    no vector for a context, is left out); with two files, a backend name found in both is
    told apart by its file (name@file)."""
    out: dict[str, dict[Key, bool]] = {}
    for tag, results, clash in _loaded(paths):
        for row in results.rows:
            if row.error is None:
                out.setdefault(_label(row.backend, tag, clash), {})[
                    (row.suite, row.test, row.expectation)] = row.passed
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


# -- graded tests ----------------------------------------------------------------------------

PairKey = tuple[str, str, int, str, str]  # suite, test, position, a, b


@dataclass(frozen=True)
class GradedComparison:
    """Two backends on one graded test, over the pairs both scored."""

    a: str
    b: str
    suite: str
    test: str
    pairs: int
    rho_a: float | None
    rho_b: float | None
    difference_ci: tuple[float, float] | None

    def cells(self) -> list[str]:
        def rho(value: float | None) -> str:
            return "-" if value is None else f"{value:.3f}"

        difference = ("-" if self.rho_a is None or self.rho_b is None
                      else f"{self.rho_a - self.rho_b:+.3f}")
        interval = ("-" if self.difference_ci is None
                    else f"[{self.difference_ci[0]:+.3f}, {self.difference_ci[1]:+.3f}]")
        return [self.a, self.b, f"{self.suite} / {self.test}", str(self.pairs), rho(self.rho_a),
                rho(self.rho_b), difference, interval]

    def to_dict(self) -> dict:
        """Every number of the row (`harness compare --json`); the interval as [low, high],
        None where there is none."""
        both = self.rho_a is not None and self.rho_b is not None
        return {"a": self.a, "b": self.b, "suite": self.suite, "test": self.test,
                "pairs": self.pairs, "rho_a": self.rho_a, "rho_b": self.rho_b,
                "difference": self.rho_a - self.rho_b if both else None,
                "difference_ci": None if self.difference_ci is None
                else list(self.difference_ci)}


GRADED_HEADERS = ["backend A", "backend B", "graded test", "pairs", "rho A", "rho B",
                  "A - B", "95% CI (bootstrap)"]


def graded_pairs(paths: list[str | Path]) -> dict[str, dict[PairKey, tuple[float, float]]]:
    """(cosine, rating) per scored pair of every backend in the files; a pair is its suite,
    test, position in the test and sides."""
    out: dict[str, dict[PairKey, tuple[float, float]]] = {}
    for tag, results, clash in _loaded(paths):
        position: dict[tuple[str, str, str], int] = {}
        for row in results.pair_rows:
            where = (row.backend, row.suite, row.test)
            n = position[where] = position.get(where, -1) + 1
            if row.cosine is not None:
                out.setdefault(_label(row.backend, tag, clash), {})[
                    (row.suite, row.test, n, row.a, row.b)] = (row.cosine, row.score)
    return out


def compare_graded(paths: list[str | Path]) -> list[GradedComparison]:
    """Every two backends on every graded test both scored (at least 4 common pairs for an
    interval)."""
    by_backend = graded_pairs(paths)
    out = []
    for a, b in combinations(by_backend, 2):
        shared = sorted(set(by_backend[a]) & set(by_backend[b]))
        for suite, test in dict.fromkeys((k[0], k[1]) for k in shared):
            keys = [k for k in shared if k[:2] == (suite, test)]
            cos_a = [by_backend[a][k][0] for k in keys]
            cos_b = [by_backend[b][k][0] for k in keys]
            ratings = [by_backend[a][k][1] for k in keys]
            out.append(GradedComparison(a, b, suite, test, len(keys), spearman(cos_a, ratings),
                                        spearman(cos_b, ratings),
                                        bootstrap_difference(cos_a, cos_b, ratings)))
    return out


def graded_text(rows: list[GradedComparison]) -> str:
    return text_table(GRADED_HEADERS, [r.cells() for r in rows])


def graded_markdown(rows: list[GradedComparison]) -> str:
    table = markdown_table(GRADED_HEADERS, [r.cells() for r in rows])
    return ("## Graded tests compared\n\n" + table
            + "\n\nOn the pairs both backends scored: each backend's Spearman's rho, their "
            "difference, and its 95% interval from a paired bootstrap over those pairs (2,000 "
            "resamples, seed 0, percentile interval).\n")
