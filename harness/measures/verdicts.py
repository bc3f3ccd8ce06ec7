"""`harness compare`'s verdicts: for every comparison with a p-value (McNemar's for orderings
and a plugin's default, the paired bootstrap's for graded tests), which backend is better, with
Holm's correction over all the comparisons made when there are several, in a sentence: "minilm
better than glove-50d on wordnet, p = 0.003 (Holm)"; "no difference shown on simlex999"."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from harness.measures.significance import ALPHA, holm_adjusted


@dataclass(frozen=True)
class Verdict:
    a: str
    b: str
    suite: str
    test: str | None  # a graded test's name (graded tests are compared one by one)
    kind: str
    p_value: float
    adjusted: float  # Holm-adjusted over the comparisons made (p itself when only one)
    better: str | None  # a or b when the difference is significant at 5%, else None

    @property
    def where(self) -> str:
        return self.suite + (f" / {self.test}" if self.test else "")

    def sentence(self, corrected: bool) -> str:
        shown = f"p = {self.adjusted:.3g}" + (" (Holm)" if corrected else "")
        if self.better is None:
            return f"no difference shown between {self.a} and {self.b} on {self.where}, {shown}"
        worse = self.b if self.better == self.a else self.a
        return f"{self.better} better than {worse} on {self.where}, {shown}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _direction(row: Any) -> int:
    """+1 when a scored higher, -1 when b did, 0 when neither."""
    for first, second in (("passed_a", "passed_b"), ("rho_a", "rho_b")):
        x, y = getattr(row, first, None), getattr(row, second, None)
        if x is not None and y is not None:
            return (x > y) - (x < y)
    return 0


def verdicts(sections: Sequence[Any], alpha: float = ALPHA) -> list[Verdict]:
    """A verdict per comparison of the sections (`Section`s of harness/results/compare.py)
    that has a p-value, Holm-adjusted over all of them."""
    found = [(s, row) for s in sections for row in s.rows
             if getattr(row, "p_value", None) is not None]
    adjusted = holm_adjusted([row.p_value for _, row in found]) if len(found) > 1 \
        else [row.p_value for _, row in found]
    out = []
    for (section, row), p in zip(found, adjusted):
        direction = _direction(row)
        better = None if p > alpha or not direction else row.a if direction > 0 else row.b
        out.append(Verdict(row.a, row.b, section.suite, getattr(row, "test", None)
                           if section.measure.kind == "graded" else None,
                           section.measure.kind, row.p_value, p, better))
    return out
