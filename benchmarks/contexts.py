"""Benchmark contexts: real sentences from WordNet 3.0's gloss examples, each with one lemma of
its synset that occurs in it exactly once (Debian: apt-get install wordnet-base)."""

from __future__ import annotations

import random

from harness.backend import Item
from harness.suites.wordnet import find_wordnet_dir, read_synsets
from harness.suites.words import locate_word


def wordnet_items(n: int, seed: int = 0) -> list[Item]:
    """`n` distinct word-in-context items, the same for the same n and seed."""
    folder = find_wordnet_dir()
    pool = []
    for pos in ("n", "v", "a", "r"):
        for synset in read_synsets(folder, pos):
            for example in synset.examples:
                for lemma in synset.lemmas:
                    try:
                        pool.append(Item(example, locate_word(example, lemma)))
                        break
                    except ValueError:
                        continue
    pool = sorted(set(pool))
    random.Random(seed).shuffle(pool)
    if len(pool) < n:
        raise SystemExit(f"only {len(pool)} WordNet contexts found, {n} asked")
    return pool[:n]
