"""The data classes of a suite: `Suite` -> `Test` -> `LabelledContext` and `Expectation` (an
ordering of cosines), or `GradedPair` (a pair of contexts and its human rating), what the
runner scores. Reading and checking a file is `harness.suites.validate`."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

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
    """Orderings (`expect`), a graded test (`pairs`, with an optional rating `scale`), or a
    test of a kind a plugin measures: its `kind`, the part the measure parsed (`data`) and the
    items it needs embedded beyond the contexts (`needs`)."""

    id: str
    contexts: Mapping[str, LabelledContext]
    expect: tuple[Expectation, ...]
    description: str = ""
    pairs: tuple[GradedPair, ...] = ()
    scale: tuple[float, float] | None = None
    kind: str = ""  # a plugin measure's kind ("": orderings or graded, built in)
    data: Any = None
    needs: tuple[Item, ...] = ()

    @property
    def graded(self) -> bool:
        return bool(self.pairs)

    @property
    def ordering(self) -> bool:
        return not self.pairs and not self.kind


@dataclass(frozen=True, slots=True)
class Suite:
    name: str
    tests: tuple[Test, ...]
    description: str = ""
    path: str | None = field(default=None, compare=False)
    # the data sets it was built from (schema 3's `datasets:`): a model trained on one of
    # them is not zero-shot here. Not part of the fingerprint: the tests are what it tests.
    datasets: tuple[str, ...] = ()

    def items(self) -> Iterator[Item]:
        for test in self.tests:
            for context in test.contexts.values():
                yield context.item
            for pair in test.pairs:
                yield from pair.a.items
                yield from pair.b.items
            yield from test.needs

    @property
    def n_expectations(self) -> int:
        return sum(len(t.expect) for t in self.tests)

    @property
    def n_pairs(self) -> int:
        return sum(len(t.pairs) for t in self.tests)

    @property
    def ordering_tests(self) -> int:
        return sum(t.ordering for t in self.tests)

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
                    # a plugin measure's tests only
                    *([t.kind, repr(t.data), [[i.text, i.span] for i in t.needs]]
                      if t.kind else []),
                ]
                for t in self.tests
            ],
        ]
        return hashlib.sha256(json.dumps(payload).encode()).hexdigest()[:16]

    def select(self, patterns: Sequence[str] = (), limit: int | None = None) -> Suite:
        """This suite with only the tests whose id or `suite/id` matches one of `patterns`
        (`matches`; none given: every test), the first `limit` of them. A HarnessError names
        the suite and the patterns when none is left. (Its fingerprint is not the whole
        suite's.)"""
        kept = [t for t in self.tests if not patterns or any(
            matches(p, t.id) or matches(p, f"{self.name}/{t.id}") for p in patterns)]
        if not kept:
            shown = ", ".join(t.id for t in self.tests[:10])
            more = ", ..." if len(self.tests) > 10 else ""
            where = f" ({self.path})" if self.path else ""
            raise HarnessError(f"the selection {' or '.join(map(repr, patterns))} leaves suite "
                               f"{self.name!r}{where} empty: no test id matches; its tests are "
                               f"{shown}{more}")
        return replace(self, tests=tuple(kept[:limit]))


def matches(pattern: str, name: str) -> bool:
    """Whether `name` matches `pattern`, ignoring case: as a substring, or with the wildcards
    `*` (any characters) and `?` (one character), as a whole."""
    if "*" not in pattern and "?" not in pattern:
        return pattern.casefold() in name.casefold()
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, name, re.IGNORECASE | re.DOTALL) is not None


def select_suites(suites: Sequence[Suite], patterns: Sequence[str] | str | None = None,
                  limit: int | None = None) -> tuple[list[Suite], dict | None]:
    """The suites with the tests `patterns` and `limit` select (`Suite.select`), and what
    results.json records of it: {patterns, limit, suites: {name: {kept, of}}} (None: no
    selection). A TypeError or ValueError for a pattern or limit of the wrong kind."""
    patterns = [patterns] if isinstance(patterns, str) else list(patterns or [])
    if not all(isinstance(p, str) and p.strip() for p in patterns):
        raise TypeError(f"select must be a pattern or a list of patterns (non-empty str); got "
                        f"{patterns!r}")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool)
                              or limit < 1):
        raise ValueError(f"limit must be a whole number of at least 1; got {limit!r}")
    if not patterns and limit is None:
        return list(suites), None
    chosen = [suite.select(patterns, limit) for suite in suites]
    counts = {s.name: {"kept": len(c.tests), "of": len(s.tests)} for s, c in zip(suites, chosen)}
    return chosen, {"patterns": patterns, "limit": limit, "suites": counts}


def check_unique_names(suites: Sequence[Suite]) -> None:
    """Suites scored together need names of their own: a HarnessError names the files."""
    names = [s.name for s in suites]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        files = [str(s.path) for s in suites if s.name == dup[0]]
        raise HarnessError(f"suites {' and '.join(files)} share the name {dup[0]!r}; give each "
                           "suite its own name (the suite: key)")
