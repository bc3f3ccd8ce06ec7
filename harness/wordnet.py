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
