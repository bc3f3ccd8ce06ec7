"""The Word-in-Context (WiC) benchmark's files: reading them into pairs of contexts, and
schema-2 suite tests made from them. The other WiC variants (WiC-TSV, XL-WiC, MCL-WiC, AM2iCo)
are read by harness.suites.wic_readers into the same WicPair.

Data files are tab-separated: lemma, part of speech, the target's token indices in the two
sentences ("i-j", whitespace tokens, counted from 0), sentence 1, sentence 2. A gold file holds
T or F, one line per pair. The token at each index must be the lemma or an inflection of it
(WordNet's morphology where WordNet is installed, else a prefix match): a wrong index is an
error naming the file, line and both words, or with `lenient` a warning."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
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
    id: str = ""  # the pair's id in its file (MCL-WiC), else its line number


def _lines(path: str | Path) -> list[str]:
    try:
        return Path(path).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise HarnessError(f"{path}: cannot read it ({exc})") from None


def read_gold(gold: str | Path, count: int, data: str | Path) -> list[bool]:
    """The T/F labels of a gold file, one per non-blank line, `count` of them."""
    marks = [(n, line.strip()) for n, line in enumerate(_lines(gold), 1) if line.strip()]
    if len(marks) != count:
        raise HarnessError(f"{gold}: {len(marks)} labels for the {count} pairs of {data}; "
                           "give the gold file that goes with this data file")
    for n, mark in marks:
        if mark not in ("T", "F"):
            raise HarnessError(f"{gold}:{n}: expected T or F, got {mark!r}")
    return [m == "T" for _, m in marks]


_EDGE = re.compile(r"^\W+|\W+$")


class LemmaCheck:
    """Is a token the lemma or an inflection of it? WordNet's morphology (as `make-suite
    wordnet` uses it) where WordNet's files are found and the part of speech is WordNet's,
    and a plain prefix match (the token starts with the lemma) in every case."""

    def __init__(self, wordnet_dir: str | Path | None = None):
        from harness.suites.wordnet import Morphology, find_wordnet_dir

        try:
            self.morphology: object | None = Morphology(find_wordnet_dir(wordnet_dir))
        except HarnessError:
            self.morphology = None

    def matches(self, token: str, lemma: str, pos: str) -> bool:
        """Whether `token` is `lemma` or an inflection of it (case and edge punctuation
        aside; a hyphenated token matches by any of its parts)."""
        word, base = _EDGE.sub("", token).lower(), lemma.lower().replace("_", " ")
        tag = {"n": "n", "v": "v", "a": "a", "j": "a", "s": "a", "r": "r"}.get(pos[:1].lower())
        for part in [word, *word.split("-")[1:]] if "-" in word else [word]:
            if part and (part.startswith(base) or base.startswith(part + " ")):
                return True
            if self.morphology and tag and base in self.morphology.base_forms(  # type: ignore
                    part, tag):
                return True
        return False


def token_span(sentence: str, index: int) -> tuple[int, int] | None:
    """Character span of the index-th whitespace-separated token."""
    position = 0
    for i, token in enumerate(sentence.split(" ")):
        if i == index:
            return (position, position + len(token)) if token else None
        position += len(token) + 1
    return None


def read_wic(data: str | Path, gold: str | Path | None = None, *, lenient: bool = False,
             warn: Callable[[str], None] | None = None,
             check: LemmaCheck | None = None) -> list[WicPair]:
    """Pairs of a WiC data file (and their labels from its gold file); every problem is a
    HarnessError naming the file and line. A target token that is not the lemma or an
    inflection of it is an error, or with `lenient` a warning passed to `warn` (stderr)."""
    rows = [line for line in _lines(data) if line.strip()]
    labels: list[bool | None] = [None] * len(rows)
    if gold is not None:
        labels = list(read_gold(gold, len(rows), data))
    check = check or LemmaCheck()
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
            raise HarnessError(f"{data}:{n}: token {i} or {j} is not in its sentence (indices "
                               "count whitespace tokens from 0)")
        a, b = Item(first, spans[0]), Item(second, spans[1])
        for which, item, k in (("1", a, i), ("2", b, j)):
            if not check.matches(item.word or "", lemma, pos):
                message = (f"{data}:{n}: token {k} of sentence {which} is {item.word!r}, not "
                           f"the lemma {lemma!r} or an inflection of it (indices count "
                           "whitespace tokens from 0): fix the index")
                if not lenient:
                    raise HarnessError(message + ", or pass --lenient to score it anyway")
                (warn or (lambda m: print(f"warning: {m}", file=sys.stderr)))(message)
        pairs.append(WicPair(lemma, pos, a, b, label, str(n)))
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
                    contexts[f"{kind}{n}{side}"] = ({"text": item.text} if item.span is None
                                                    else {"text": item.text,
                                                          "span": item.span})
        expect = [f"t{i}a ~ t{i}b > f{j}a ~ f{j}b" for i in range(1, len(same) + 1)
                  for j in range(1, len(other) + 1)][:max_per_lemma]
        tests.append({"id": f"{lemma}.{pos}" if pos else lemma, "contexts": contexts,
                      "expect": expect})
    return tests
