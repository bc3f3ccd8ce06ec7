"""Two backends compared on the rows of one kind of test both scored: accuracy with a 95%
Wilson interval, how many rows each passes alone, and an exact McNemar test on those; what
`harness compare` shows for orderings, and for a plugin's kind unless its measure says
otherwise."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from harness.measures.stats import mcnemar_exact, wilson_interval

HEADERS = ("backend A", "backend B", "shared", "accuracy A [95% CI]", "accuracy B [95% CI]",
           "only A passes", "only B passes", "McNemar p")


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
    suite: str = ""  # the suite compared on (`harness compare` compares suite by suite)

    def cells(self) -> list[str]:
        def acc(passed: int) -> str:
            low, high = wilson_interval(passed, self.shared)
            return f"{passed / self.shared:.3f} [{low:.3f}, {high:.3f}]"

        return [self.a, self.b, str(self.shared), acc(self.passed_a), acc(self.passed_b),
                str(self.only_a), str(self.only_b), f"{self.p_value:.4g}"]

    def to_dict(self) -> dict:
        """Every number of the row (`harness compare --json`); intervals as [low, high]."""
        return {"a": self.a, "b": self.b, **({"suite": self.suite} if self.suite else {}),
                "shared": self.shared,
                "passed_a": self.passed_a, "passed_b": self.passed_b,
                "accuracy_a": self.passed_a / self.shared,
                "accuracy_a_ci": list(wilson_interval(self.passed_a, self.shared)),
                "accuracy_b": self.passed_b / self.shared,
                "accuracy_b_ci": list(wilson_interval(self.passed_b, self.shared)),
                "only_a": self.only_a, "only_b": self.only_b, "p_value": self.p_value}


def compare_outcomes(rows: Mapping[str, Sequence[Any]], key: Callable[[Any], tuple],
                     passed: Callable[[Any], bool | None]) -> list[PairComparison]:
    """Every two backends (`rows` by backend label) on the rows both scored (`passed` None:
    not scored, left out), keyed by `key`."""
    by_backend: dict[str, dict[tuple, bool]] = {}
    for label, mine in rows.items():
        for row in mine:
            outcome = passed(row)
            if outcome is not None:
                by_backend.setdefault(label, {})[key(row)] = outcome
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
