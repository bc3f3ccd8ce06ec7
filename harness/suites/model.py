"""The data classes of a suite: `Suite` -> `Test` -> `LabelledContext` and `Expectation` (an
ordering of cosines), or `GradedPair` (a pair of contexts and its human rating), what the
runner scores. Reading and checking a file is `harness.suites.validate`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from harness.backend import Item
from harness.errors import HarnessError

CONTEXT_KEYS = ("text", "word", "occurrence", "span")  # a context's keys in a suite file


@dataclass(frozen=True, slots=True)
class LabelledContext:
    """A labelled context: a text and the span of its target word (None: the whole sentence)."""

    label: str
    text: str
    span: tuple[int, int] | None = None

    @property
    def word(self) -> str | None:
        return None if self.span is None else self.text[self.span[0] : self.span[1]]

    @property
    def item(self) -> Item:
        return Item(self.text, self.span)


@dataclass(frozen=True, slots=True)
class Expectation:
    """sim(anchor, closer) - sim(anchor, farther) must exceed `margin`. With `farther_anchor`
    (schema 2's pair form), sim(anchor, closer) - sim(farther_anchor, farther) must."""

    anchor: str
    closer: str
    farther: str
    margin: float = 0.0
    farther_anchor: str | None = None

    @property
    def labels(self) -> tuple[str, ...]:
        if self.farther_anchor is None:
            return (self.anchor, self.closer, self.farther)
        return (self.anchor, self.closer, self.farther_anchor, self.farther)

    def __str__(self) -> str:
        if self.farther_anchor is not None:
            return f"{self.anchor} ~ {self.closer} > {self.farther_anchor} ~ {self.farther}"
        return f"{self.anchor}: {self.closer} > {self.farther}"


@dataclass(frozen=True, slots=True)
class PairSide:
    """One side of a graded pair: a context (a word in its text, or a whole sentence), a word
    alone (its own text), or a word's type vector: the mean of its vectors in several texts
    (Bommasani et al. 2020). `label` names it in reports: the contexts label, or the word or
    text of an inline one."""

    label: str
    items: tuple[Item, ...]
    kind: str  # "context", "sentence", "word" or "type"


@dataclass(frozen=True, slots=True)
class GradedPair:
    """Two sides and the human rating of how similar they are."""

    a: PairSide
    b: PairSide
    score: float


@dataclass(frozen=True, slots=True)
class Test:
    """Orderings (`expect`) or a graded test (`pairs`, with an optional rating `scale`)."""

    id: str
    contexts: Mapping[str, LabelledContext]
    expect: tuple[Expectation, ...]
    description: str = ""
    pairs: tuple[GradedPair, ...] = ()
    scale: tuple[float, float] | None = None

    @property
    def graded(self) -> bool:
        return bool(self.pairs)


@dataclass(frozen=True, slots=True)
class Suite:
    name: str
    tests: tuple[Test, ...]
    description: str = ""
    path: str | None = field(default=None, compare=False)

    def items(self) -> Iterator[Item]:
        for test in self.tests:
            for context in test.contexts.values():
                yield context.item
            for pair in test.pairs:
                yield from pair.a.items
                yield from pair.b.items

    @property
    def n_expectations(self) -> int:
        return sum(len(t.expect) for t in self.tests)

    @property
    def n_pairs(self) -> int:
        return sum(len(t.pairs) for t in self.tests)

    @property
    def ordering_tests(self) -> int:
        return sum(not t.graded for t in self.tests)

    @property
    def graded_tests(self) -> int:
        return sum(t.graded for t in self.tests)

    def fingerprint(self) -> str:
        """A digest of what the suite tests (not of its formatting or comments)."""
        payload = [
            self.name,
            [
                [
                    t.id,
                    sorted([c.label, c.text, c.span] for c in t.contexts.values()),
                    [[str(e), e.margin] for e in t.expect],
                    # graded tests only: an ordering suite's digest is what it was before them
                    *([[[p.a.kind, p.a.items, p.b.kind, p.b.items, p.score] for p in t.pairs],
                       t.scale] if t.graded else []),
                ]
                for t in self.tests
            ],
        ]
        return hashlib.sha256(json.dumps(payload).encode()).hexdigest()[:16]


def check_unique_names(suites: Sequence[Suite]) -> None:
    """Suites scored together need names of their own: a HarnessError names the files."""
    names = [s.name for s in suites]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        files = [str(s.path) for s in suites if s.name == dup[0]]
        raise HarnessError(f"suites {' and '.join(files)} share the name {dup[0]!r}; give each "
                           "suite its own name (the suite: key)")
