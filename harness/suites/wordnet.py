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
    path = _data_file(folder, pos)
    with open(path, encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, 1):
            if line.startswith("  ") or " | " not in line:  # the licence header
                continue
            yield _synset(line, pos, f"{path}:{number}")


def _data_file(folder: str | Path, pos: str) -> Path:
    path = Path(folder) / DATA_FILES[pos]
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such WordNet data file (apt-get install "
                                "wordnet-base, or give the folder that holds it)")
    return path


def _synset(line: str, pos: str, where: str) -> Synset:
    """One line of a data.<pos> file."""
    head, gloss = line.rstrip("\n").split(" | ", 1)
    fields = head.split()
    try:
        count = int(fields[3], 16)
        lemmas = tuple(
            _MARKER.sub("", fields[4 + 2 * i]).replace("_", " ") for i in range(count)
        )
    except (IndexError, ValueError):
        raise ValueError(f"{where}: not a line of WordNet's data format") from None
    examples = tuple(e.strip() for e in _EXAMPLE.findall(gloss) if e.strip())
    return Synset(fields[0], pos, lemmas, gloss.strip(), examples)


INDEX_FILES = {"n": "index.noun", "v": "index.verb", "a": "index.adj", "r": "index.adv"}


def senses_of(folder: str | Path, lemma: str) -> list[tuple[str, int, Synset]]:
    """Every sense of `lemma`: (part of speech, sense number, synset), in WordNet's order (its
    index files list a lemma's synsets by sense number; the offset is a byte offset into the
    data file)."""
    key = lemma.strip().lower().replace(" ", "_") + " "
    out = []
    for pos, name in INDEX_FILES.items():
        index = Path(folder) / name
        if not index.is_file():
            continue
        with open(index, encoding="utf-8", errors="replace") as handle:
            line = next((li for li in handle if li.startswith(key)), None)
        if line is None:
            continue
        fields = line.split()
        offsets = fields[-int(fields[2]):]
        path = _data_file(folder, pos)
        with open(path, "rb") as data:
            for number, offset in enumerate(offsets, 1):
                data.seek(int(offset))
                text = data.readline().decode("utf-8", errors="replace")
                out.append((pos, number, _synset(text, pos, f"{path} at byte {offset}")))
    return out


EXCEPTION_FILES = {"n": "noun.exc", "v": "verb.exc", "a": "adj.exc", "r": "adv.exc"}
# WordNet's detachment rules (morphy): inflected ending -> base ending
DETACHMENTS = {
    "n": [("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"),
          ("men", "man"), ("ies", "y")],
    "v": [("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""),
          ("ing", "e"), ("ing", "")],
    "a": [("er", ""), ("est", ""), ("er", "e"), ("est", "e")],
    "r": [],
}
_TOKEN = re.compile(r"\w+(?:[-']\w+)*")


class Morphology:
    """WordNet's morphology: the base forms an inflected word may have (its exception lists,
    then its detachment rules), as WordNet's own morphy finds them."""

    def __init__(self, folder: str | Path):
        self.exceptions: dict[str, dict[str, set[str]]] = {}
        for pos, name in EXCEPTION_FILES.items():
            table: dict[str, set[str]] = {}
            path = Path(folder) / name
            if path.is_file():
                for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                    inflected, *bases = line.split()
                    table.setdefault(inflected, set()).update(bases)
            self.exceptions[pos] = table

    def base_forms(self, word: str, pos: str) -> set[str]:
        word = word.lower()
        forms = {word} | self.exceptions[pos].get(word, set())
        for ending, base in DETACHMENTS[pos]:
            if word.endswith(ending) and len(word) > len(ending):
                forms.add(word[: len(word) - len(ending)] + base)
        return forms


def find_form(example: str, lemma: str, pos: str, morphology: Morphology) -> list[str]:
    """The words of `example` that are `lemma` or an inflection of it (a multi-word lemma
    must appear as it is)."""
    if " " in lemma or "-" in lemma:
        return [m.group(0) for m in re.finditer(
            r"(?<!\w)" + re.escape(lemma) + r"(?!\w)", example, re.IGNORECASE)]
    return [t for t in _TOKEN.findall(example) if lemma.lower() in morphology.base_forms(t, pos)]


@dataclass(frozen=True)
class SenseExample:
    text: str
    word: str  # the form found in the text
    occurrence: int | None = None  # which one, when the form occurs more than once


@dataclass(frozen=True)
class SenseTest:
    """Two examples of one sense of `lemma` and one of another sense: "a1: a2 > b1"."""

    lemma: str
    pos: str
    sense_a: str  # synset offsets
    sense_b: str
    gloss_a: str
    gloss_b: str
    a1: SenseExample
    a2: SenseExample
    b1: SenseExample


def usable_context(example: str, lemma: str, pos: str, morphology: Morphology,
                   min_words: int, once_only: bool) -> SenseExample | None:
    """The example as a context of `lemma`, or None when it does not fit the options."""
    from harness.suites.words import locate_word

    if len(_TOKEN.findall(example)) < min_words:
        return None
    forms = find_form(example, lemma, pos, morphology)
    if not forms or (once_only and len(forms) > 1):
        return None
    word = forms[0]
    try:
        locate_word(example, word)  # the form must be found exactly once as a whole word...
        return SenseExample(example, word)
    except ValueError:
        if once_only:
            return None
        return SenseExample(example, word, 1)  # ...or, when allowed, its first occurrence


def sense_tests(folder: str | Path, pos: str = "n", n_tests: int = 1000, seed: int = 0,
                min_words: int = 1, once_only: bool = True) -> list[SenseTest]:
    """Up to `n_tests` tests, one per lemma with two senses that have usable examples: two of
    one sense, one of another. The same for the same arguments (the order is shuffled by
    `seed`)."""
    import random

    morphology = Morphology(folder)
    glosses: dict[str, str] = {}
    by_lemma: dict[str, list[tuple[str, list[SenseExample]]]] = {}
    for synset in read_synsets(folder, pos):
        glosses[synset.offset] = synset.gloss.split(";")[0].strip()
        for lemma in synset.lemmas:
            good = [c for c in (usable_context(e, lemma, pos, morphology, min_words, once_only)
                                for e in synset.examples) if c is not None]
            if good:
                by_lemma.setdefault(lemma, []).append((synset.offset, good))
    tests = []
    for lemma in sorted(by_lemma):
        senses = by_lemma[lemma]
        rich = [s for s in senses if len(s[1]) >= 2]
        others = [s for s in senses if rich and s[0] != rich[0][0]]
        if not rich or not others:
            continue
        (a, (a1, a2, *_)), (b, (b1, *_)) = rich[0], others[0]
        tests.append(SenseTest(lemma, pos, a, b, glosses[a], glosses[b], a1, a2, b1))
    random.Random(seed).shuffle(tests)
    return tests[:n_tests]


def sense_suite_tests(tests: list[SenseTest]) -> list[dict]:
    """Suite tests ("a1: a2 > b1") for `dump_suite`."""
    def context(c: SenseExample) -> dict:
        return {"text": c.text, "word": c.word, "occurrence": c.occurrence}

    return [{
        "id": f"{t.lemma.replace(' ', '_')}.{t.pos}.{t.sense_a}",
        "description": f"{t.lemma} ({t.pos}): a = {t.gloss_a}; b = {t.gloss_b}",
        "contexts": {"a1": context(t.a1), "a2": context(t.a2), "b1": context(t.b1)},
        "expect": ["a1: a2 > b1"],
    } for t in tests]
