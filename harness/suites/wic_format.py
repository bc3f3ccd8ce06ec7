"""The Word-in-Context (WiC) benchmark's files: reading them into pairs of contexts, and
schema-2 suite tests made from them.

Data files are tab-separated: lemma, part of speech, the target's token indices in the two
sentences ("i-j", whitespace tokens, from 0), sentence 1, sentence 2. A gold file holds T or F,
one line per pair."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness.backend import Item
from harness.errors import HarnessError


@dataclass(frozen=True)
class WicPair:
    lemma: str
    pos: str
    a: Item
    b: Item
    same_sense: bool | None  # None without a gold file


def token_span(sentence: str, index: int) -> tuple[int, int] | None:
    """Character span of the index-th whitespace-separated token."""
    position = 0
    for i, token in enumerate(sentence.split(" ")):
        if i == index:
            return (position, position + len(token)) if token else None
        position += len(token) + 1
    return None


def read_wic(data: str | Path, gold: str | Path | None = None) -> list[WicPair]:
    """Pairs of a WiC data file (and their labels from its gold file); every problem is a
    HarnessError naming the file and line."""
    def lines(path: str | Path) -> list[str]:
        try:
            return Path(path).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise HarnessError(f"{path}: cannot read it ({exc})") from None

    rows = [line for line in lines(data) if line.strip()]
    labels: list[bool | None] = [None] * len(rows)
    if gold is not None:
        marks = [line.strip() for line in lines(gold) if line.strip()]
        if len(marks) != len(rows):
            raise HarnessError(f"{gold}: {len(marks)} labels for the {len(rows)} pairs of {data}")
        for n, mark in enumerate(marks, 1):
            if mark not in ("T", "F"):
                raise HarnessError(f"{gold}:{n}: expected T or F, got {mark!r}")
        labels = [m == "T" for m in marks]
    pairs = []
    for n, (row, label) in enumerate(zip(rows, labels), 1):
        fields = row.split("\t")
        if len(fields) != 5:
            raise HarnessError(f"{data}:{n}: expected 5 tab-separated fields (lemma, part of "
                               f"speech, i-j, sentence 1, sentence 2), found {len(fields)}")
        lemma, pos, index, first, second = fields
        try:
            i, j = (int(x) for x in index.split("-"))
        except ValueError:
            raise HarnessError(f"{data}:{n}: the index pair {index!r} is not like 3-7") from None
        spans = token_span(first, i), token_span(second, j)
        if None in spans:
            raise HarnessError(f"{data}:{n}: token {i} or {j} is not in its sentence")
        pairs.append(WicPair(lemma, pos, Item(first, spans[0]), Item(second, spans[1]), label))
    return pairs


def wic_suite_tests(pairs: list[WicPair], max_per_lemma: int = 20) -> list[dict]:
    """Schema-2 suite tests, one per lemma that has both kinds of pairs: each pair labelled T
    (same sense) more similar than each pair labelled F, "t1a ~ t1b > f1a ~ f1b" (at most
    `max_per_lemma` expectations per lemma)."""
    by_lemma: dict[tuple[str, str], list[WicPair]] = {}
    for pair in pairs:
        by_lemma.setdefault((pair.lemma, pair.pos), []).append(pair)
    tests = []
    for (lemma, pos), mine in sorted(by_lemma.items()):
        same = [p for p in mine if p.same_sense]
        other = [p for p in mine if p.same_sense is False]
        if not same or not other:
            continue
        contexts = {}
        for kind, group in (("t", same), ("f", other)):
            for n, pair in enumerate(group, 1):
                for side, item in (("a", pair.a), ("b", pair.b)):
                    contexts[f"{kind}{n}{side}"] = {"text": item.text, "span": item.span}
        expect = [f"t{i}a ~ t{i}b > f{j}a ~ f{j}b" for i in range(1, len(same) + 1)
                  for j in range(1, len(other) + 1)][:max_per_lemma]
        tests.append({"id": f"{lemma}.{pos}", "contexts": contexts, "expect": expect})
    return tests
