"""Reading WordNet 3.0's database files (data.noun, data.verb, data.adj, data.adv; Debian's
wordnet-base installs them under /usr/share/wordnet): synsets with their lemmas and the example
sentences quoted in their glosses."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DATA_FILES = {"n": "data.noun", "v": "data.verb", "a": "data.adj", "r": "data.adv"}
DEFAULT_DIRS = ("/usr/share/wordnet", "/usr/local/share/wordnet")
_EXAMPLE = re.compile(r'"([^"]+)"')
_MARKER = re.compile(r"\([a-z]+\)$")  # adjective position markers such as "(a)", "(p)"


@dataclass(frozen=True)
class Synset:
    offset: str
    pos: str
    lemmas: tuple[str, ...]  # with spaces, not WordNet's underscores
    gloss: str
    examples: tuple[str, ...]


def find_wordnet_dir(explicit: str | Path | None = None) -> Path:
    """The folder holding data.noun: `explicit`, $WNSEARCHDIR, or Debian's location."""
    candidates = [explicit] if explicit else [os.environ.get("WNSEARCHDIR"), *DEFAULT_DIRS]
    for folder in candidates:
        if folder and (Path(folder) / "data.noun").is_file():
            return Path(folder)
    raise FileNotFoundError(
        "WordNet 3.0 database files (data.noun, ...) not found"
        + (f" in {explicit}" if explicit else f" in {', '.join(DEFAULT_DIRS)} or $WNSEARCHDIR")
        + ". Install them with: apt-get install wordnet-base"
    )


def read_synsets(folder: str | Path, pos: str = "n") -> Iterator[Synset]:
    """Every synset of one part of speech (n, v, a, r), in file order."""
    path = Path(folder) / DATA_FILES[pos]
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if line.startswith("  ") or " | " not in line:  # the licence header
                continue
            head, gloss = line.rstrip("\n").split(" | ", 1)
            fields = head.split()
            count = int(fields[3], 16)
            lemmas = tuple(
                _MARKER.sub("", fields[4 + 2 * i]).replace("_", " ") for i in range(count)
            )
            examples = tuple(e.strip() for e in _EXAMPLE.findall(gloss) if e.strip())
            yield Synset(fields[0], pos, lemmas, gloss.strip(), examples)


@dataclass(frozen=True)
class SenseTest:
    """Two examples of one sense of `lemma` and one of another: "a1: a2 > b1"."""

    lemma: str
    pos: str
    sense_a: str  # synset offsets
    sense_b: str
    a1: str
    a2: str
    b1: str


def sense_tests(folder: str | Path, pos: str = "n", n_tests: int = 1000, seed: int = 0,
                min_words: int = 1) -> list[SenseTest]:
    """Up to `n_tests` tests from lemmas with two senses that have examples in which the lemma
    occurs exactly once as a whole word; the same for the same arguments."""
    import random

    from harness.suite import locate_word

    by_lemma: dict[str, list[tuple[str, list[str]]]] = {}
    for synset in read_synsets(folder, pos):
        for lemma in synset.lemmas:
            good = []
            for example in synset.examples:
                if len(example.split()) < min_words:
                    continue
                try:
                    locate_word(example, lemma)
                except ValueError:
                    continue
                good.append(example)
            if good:
                by_lemma.setdefault(lemma, []).append((synset.offset, good))
    tests = []
    for lemma in sorted(by_lemma):
        senses = by_lemma[lemma]
        rich = [s for s in senses if len(s[1]) >= 2]
        if not rich:
            continue
        a = rich[0]
        others = [s for s in senses if s[0] != a[0]]
        if not others:
            continue
        b = others[0]
        tests.append(SenseTest(lemma, pos, a[0], b[0], a[1][0], a[1][1], b[1][0]))
    random.Random(seed).shuffle(tests)
    return tests[:n_tests]
