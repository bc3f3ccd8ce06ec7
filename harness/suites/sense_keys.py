"""WordNet 3.0's sense inventory from its database files: each lemma's senses in WordNet's order
(the index files), synset names (`bank.n.01`: the synset's first word, its part of speech, `s`
for an adjective satellite, and that word's sense number) and sense keys
(`bank%1:14:00::`, as WordNet's sense index, index.sense, lists them), built from the data
files alone so that Debian's wordnet-sense-index is not needed.

A sense key is `lemma%ss_type:lex_filenum:lex_id:head_word:head_id` (WordNet's senseidx(5WN)):
ss_type 1 noun, 2 verb, 3 adjective, 4 adverb, 5 adjective satellite; lex_filenum and lex_id
two decimal digits; head_word and head_id only for a satellite: the first word of the head
synset its `&` (similar to) pointer names, and that word's lex_id."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness.suites.wordnet import DATA_FILES, INDEX_FILES

SS_TYPES = {"n": 1, "v": 2, "a": 3, "r": 4, "s": 5}
POS_OF_TYPE = {str(n): pos for pos, n in SS_TYPES.items()}


@dataclass(frozen=True)
class Entry:
    """One synset as the sense inventory needs it."""

    pos: str  # n, v, a, r (the data file)
    ss_type: str  # n, v, a, s, r
    lex_filenum: int
    words: tuple[tuple[str, int], ...]  # (word as in the data file, lex_id)
    similar_to: tuple[str, ...]  # offsets of `&` pointers into the same file


class SenseInventory:
    """WordNet's senses, read once from one folder's database files (data.* and index.*)."""

    def __init__(self, folder: str | Path, parts: tuple[str, ...] = tuple(DATA_FILES)):
        self.folder = Path(folder)
        self.entries: dict[tuple[str, str], Entry] = {}
        self.order: dict[tuple[str, str], list[str]] = {}  # (lemma, pos) -> offsets
        for pos in parts:
            if not (self.folder / DATA_FILES[pos]).is_file():
                continue  # a folder with some parts of speech only
            self._read_data(pos)
            self._read_index(pos)
        self._names: dict[tuple[str, str], str] | None = None
        self._keys: dict[str, tuple[str, str]] | None = None

    def _read_data(self, pos: str) -> None:
        with open(self.folder / DATA_FILES[pos], encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.startswith("  ") or " | " not in line:
                    continue
                fields = line.split(" | ", 1)[0].split()
                count = int(fields[3], 16)
                words = tuple((fields[4 + 2 * i], int(fields[5 + 2 * i], 16))
                              for i in range(count))
                at = 4 + 2 * count
                pointers = int(fields[at])
                similar = tuple(fields[at + 2 + 4 * i] for i in range(pointers)
                                if fields[at + 1 + 4 * i] == "&")
                self.entries[(pos, fields[0])] = Entry(pos, fields[2], int(fields[1]), words,
                                                       similar)

    def _read_index(self, pos: str) -> None:
        with open(self.folder / INDEX_FILES[pos], encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.startswith("  "):
                    continue
                fields = line.split()
                self.order[(fields[0], pos)] = fields[-int(fields[2]):]

    def senses(self, lemma: str, pos: str) -> list[str]:
        """The synset names of `lemma`'s senses (pos n, v, a, r; a includes satellites), in
        WordNet's order; [] for a lemma WordNet does not have."""
        key = (lemma.strip().lower().replace(" ", "_"), "a" if pos == "s" else pos)
        return [self.name(key[1], offset) for offset in self.order.get(key, [])]

    def name(self, pos: str, offset: str) -> str:
        """The synset's name, as NLTK gives it: `first_word.pos.NN`."""
        if self._names is None:
            self._names = {}
            for (lemma, part), offsets in self.order.items():
                for number, offset_ in enumerate(offsets, 1):
                    self._names.setdefault((part, offset_, lemma), f"{number:02d}")
        entry = self.entries[(pos, offset)]
        first = _bare(entry.words[0][0]).lower()
        number = self._names.get((pos, offset, first), "01")
        return f"{first}.{entry.ss_type}.{number}"

    def sense_keys(self, pos: str, offset: str) -> list[str]:
        """The sense keys of every word of one synset, in the data file's order."""
        entry = self.entries[(pos, offset)]
        head = ""
        if entry.ss_type == "s":
            heads = [self.entries.get((pos, o)) for o in entry.similar_to]
            found = next((h for h in heads if h is not None and h.ss_type == "a"), None)
            if found is not None:
                head = f"{_bare(found.words[0][0]).lower()}:{found.words[0][1]:02d}"
        kind = SS_TYPES[entry.ss_type]
        return [f"{_bare(word).lower()}%{kind}:{entry.lex_filenum:02d}:{lex_id:02d}:{head}"
                + ("" if head else ":") for word, lex_id in entry.words]

    def synset_of_key(self, key: str) -> str | None:
        """The synset name a sense key names, or None when WordNet has no such key."""
        if self._keys is None:
            self._keys = {}
            for (pos, offset) in self.entries:
                for sense_key in self.sense_keys(pos, offset):
                    self._keys.setdefault(sense_key, (pos, offset))
        found = self._keys.get(key.strip().lower())
        return None if found is None else self.name(*found)

    def all_keys(self) -> dict[str, str]:
        """Every sense key with its synset's offset (for checks against index.sense)."""
        self.synset_of_key("")
        assert self._keys is not None
        return {k: offset for k, (_, offset) in self._keys.items()}


def _bare(word: str) -> str:
    """A data file's word without an adjective position marker such as `(a)`."""
    return word.split("(", 1)[0] if word.endswith(")") else word
