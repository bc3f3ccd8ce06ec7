"""Benchmark contexts: real sentences from WordNet 3.0's gloss examples, each with one lemma of
its synset that occurs in it exactly once (Debian: apt-get install wordnet-base)."""

from __future__ import annotations

import random

from harness.backend import Item
from harness.suite import locate_word
from harness.wordnet import find_wordnet_dir, read_synsets


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


def write_wordnet_suite(path, n_tests: int = 1000, seed: int = 0) -> int:
    """A suite of WordNet sense tests ("a1: a2 > b1", three contexts each) over every part of
    speech; returns the number of distinct contexts."""
    import yaml

    from harness.wordnet import sense_tests

    folder = find_wordnet_dir()
    tests = [t for pos in ("n", "v", "a", "r") for t in sense_tests(folder, pos, 10**6, seed)]
    random.Random(seed).shuffle(tests)
    tests = tests[:n_tests]
    suite = {
        "suite": "wordnet-bench",
        "description": f"{len(tests)} WordNet sense tests for benchmarks (seed {seed})",
        "tests": [
            {"id": f"{t.lemma}.{t.pos}.{t.sense_a}",
             "contexts": {"a1": {"text": t.a1, "word": t.lemma},
                          "a2": {"text": t.a2, "word": t.lemma},
                          "b1": {"text": t.b1, "word": t.lemma}},
             "expect": ["a1: a2 > b1"]}
            for t in tests
        ],
    }
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(suite, handle, allow_unicode=True, sort_keys=False, width=1000)
    return len({(t.a1, t.lemma) for t in tests} | {(t.a2, t.lemma) for t in tests}
               | {(t.b1, t.lemma) for t in tests})
