"""A fixed reference sample of word-in-context items for anisotropy statistics (Ethayarajh 2019,
"How Contextual are Contextualized Word Representations?"): the baseline similarity of vectors of
different words, and each word's self-similarity over its occurrences in different sentences.

The sample is drawn, with a fixed seed, from the example sentences of WordNet 3.0's glosses and
ships as harness/data/reference-wordnet.tsv. Each item is one sentence with one target word in
it (the lemma or an inflection, found with WordNet's morphology), and no sentence is used twice.
One lemma for every ten items comes with `min_occurrences` to `per_word` different sentences; the
rest of the sample is one sentence each of other lemmas. A lemma has one part of speech.
"""

from __future__ import annotations

import math
import random
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from harness.backend import Item

REFERENCE_NAME = "wordnet-3.0-gloss-examples"
REFERENCE_SIZE = 2000
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
REFERENCE_PATH = DATA_DIR / "reference-wordnet.tsv"
LICENSE_PATH = DATA_DIR / "WORDNET-LICENSE"
MIN_WORDS = 4  # words in a sentence, at least
COLUMNS = ("lemma", "pos", "synset", "start", "end", "text")
_WORD = re.compile(r"[a-z]+")  # lemmas of one lower-case word: no names, phrases or hyphens


class ReferenceRow(NamedTuple):
    """One item: `text` with the target at `span`, an occurrence of `lemma` (part of speech
    `pos`) in an example sentence of the synset at offset `synset` of data.<pos>."""

    lemma: str
    pos: str
    synset: str
    text: str
    span: tuple[int, int]

    @property
    def word(self) -> str:
        return self.text[self.span[0] : self.span[1]]

    def item(self) -> Item:
        from harness.backend import Item

        return Item(self.text, self.span)


def candidates(folder: str | Path) -> dict[tuple[str, str], list[ReferenceRow]]:
    """Every usable sentence of every one-word lemma, keyed by (lemma, pos), in file order: at
    least MIN_WORDS words, the lemma or an inflection exactly once, each sentence once."""
    from harness.suites.wordnet import Morphology, read_synsets, usable_context
    from harness.suites.words import locate_word

    morphology = Morphology(folder)
    pool: dict[tuple[str, str], dict[str, ReferenceRow]] = {}
    for pos in "nvar":
        for synset in read_synsets(folder, pos):
            for lemma in filter(_WORD.fullmatch, synset.lemmas):
                for example in synset.examples:
                    found = usable_context(example, lemma, pos, morphology, MIN_WORDS, True)
                    if found is not None:
                        span = locate_word(example, found.word)
                        row = ReferenceRow(lemma, pos, synset.offset, example, span)
                        pool.setdefault((lemma, pos), {}).setdefault(example, row)
    return {key: list(rows.values()) for key, rows in pool.items()}


def build_reference(wordnet_dir: str | Path | None = None, size: int = REFERENCE_SIZE,
                    seed: int = 0, per_word: int = 8,
                    min_occurrences: int = 5) -> list[ReferenceRow]:
    """`size` items (fewer if WordNet runs out): size / 10 lemmas with `min_occurrences` to
    `per_word` sentences each, then one sentence each of other lemmas; sorted by lemma. The same
    for the same arguments."""
    from harness.suites.wordnet import find_wordnet_dir

    pool = candidates(find_wordnet_dir(wordnet_dir))
    keys = sorted(pool)
    rng = random.Random(seed)
    rng.shuffle(keys)
    rows: list[ReferenceRow] = []
    lemmas: set[str] = set()
    texts: set[str] = set()

    def free(key: tuple[str, str]) -> list[ReferenceRow]:
        return [] if key[0] in lemmas else [r for r in pool[key] if r.text not in texts]

    def take(chosen: list[ReferenceRow]) -> None:
        rows.extend(chosen)
        lemmas.add(chosen[0].lemma)
        texts.update(r.text for r in chosen)

    words = math.ceil(size / 10)
    for key in keys:  # lemmas seen in several sentences
        if words == 0 or len(rows) + min_occurrences > size:
            break
        if len(sentences := free(key)) >= min_occurrences:
            take(rng.sample(sentences, min(per_word, len(sentences), size - len(rows))))
            words -= 1
    for key in keys:  # then one sentence each of other lemmas
        if len(rows) == size:
            break
        if sentences := free(key):
            take([rng.choice(sentences)])
    return sorted(rows, key=lambda r: (r.lemma, r.synset, r.text))


def write_reference(path: str | Path, wordnet_dir: str | Path | None = None,
                    size: int = REFERENCE_SIZE, seed: int = 0, per_word: int = 8,
                    min_occurrences: int = 5) -> list[ReferenceRow]:
    """Build the sample and write it as a TSV file with a header that says how it was made."""
    rows = build_reference(wordnet_dir, size, seed, per_word, min_occurrences)
    header = [
        f"{REFERENCE_NAME}: {len(rows)} word-in-context items for anisotropy statistics",
        "(Ethayarajh 2019), from the example sentences of WordNet 3.0's glosses. Made by",
        f"  build_reference(size={size}, seed={seed}, per_word={per_word}, "
        f"min_occurrences={min_occurrences})",
        "on WordNet 3.0's database files (Debian's wordnet-base, /usr/share/wordnet), that is",
        f"  harness make-reference --size {size} --seed {seed} --per-word {per_word} "
        f"--min-occurrences {min_occurrences} -o PATH",
        "Columns: lemma, pos (n, v, a, r), synset (its offset in WordNet's data.<pos>), and the",
        "[start, end) character span of the lemma's form in text. Lines starting with # are",
        "comments.",
        "",
        *LICENSE_PATH.read_text(encoding="utf-8").splitlines(),
    ]
    lines = [f"# {line}".rstrip() for line in header] + ["\t".join(COLUMNS)]
    lines += [f"{r.lemma}\t{r.pos}\t{r.synset}\t{r.span[0]}\t{r.span[1]}\t{r.text}"
              for r in rows]
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return rows


def read_reference(path: str | Path) -> list[ReferenceRow]:
    """The rows of a file written by `write_reference`."""
    lines = [line for line in Path(path).read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    if not lines or tuple(lines[0].split("\t")) != COLUMNS:
        raise ValueError(f"{path}: not a reference sample (no header line {' '.join(COLUMNS)})")
    rows = []
    for line in lines[1:]:
        lemma, pos, synset, start, end, text = line.split("\t", 5)
        rows.append(ReferenceRow(lemma, pos, synset, text, (int(start), int(end))))
    return rows


@lru_cache(maxsize=1)
def reference_rows() -> tuple[ReferenceRow, ...]:
    """The shipped sample, with each item's lemma, part of speech and synset."""
    return tuple(read_reference(REFERENCE_PATH))


def reference_contexts() -> list[Item]:
    """The shipped sample as Items (a fresh list each call): `item.word` is the target."""
    return [row.item() for row in reference_rows()]
