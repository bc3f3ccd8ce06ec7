"""Large suites for scale benchmarks, from WordNet 3.0's gloss examples (Debian: apt-get install
wordnet-base), the same for the same size and seed.

Each test takes three example sentences and, in each, a word that occurs there once:
"a1: a2 > b1". The words are any words of the examples, not senses of one lemma: the point is
the size of the file and the number of distinct contexts (about three per test), as a real
suite of that size would have.

    python benchmarks/scale_suites.py 100000 -o /tmp/scale-100k.yaml
"""

from __future__ import annotations

import argparse
import random
import re
from collections import Counter
from pathlib import Path

from harness.suites.builders import dump_suite
from harness.suites.wordnet import find_wordnet_dir, read_synsets

WORD = re.compile(r"[A-Za-z]{3,}")


def example_words(wordnet_dir: str | Path | None = None) -> list[tuple[str, str]]:
    """(sentence, word) for every word of 3+ letters that occurs once in a WordNet example."""
    folder = find_wordnet_dir(wordnet_dir)
    pairs = []
    for pos in ("n", "v", "a", "r"):
        for synset in read_synsets(folder, pos):
            for example in synset.examples:
                counts = Counter(w.lower() for w in re.findall(r"\w+", example))
                pairs += [(example, w) for w in dict.fromkeys(WORD.findall(example))
                          if counts[w.lower()] == 1]
    return sorted(set(pairs))


def scale_suite(n_tests: int, seed: int = 0, wordnet_dir: str | Path | None = None) -> str:
    """The YAML text of a suite of `n_tests` tests."""
    pool = example_words(wordnet_dir)
    rng = random.Random(seed)
    tests = []
    for i in range(n_tests):
        chosen = rng.sample(pool, 3)
        tests.append({"id": f"t{i}", "contexts": {
            label: {"text": text, "word": word} for label, (text, word) in
            zip(("a1", "a2", "b1"), chosen)}, "expect": ["a1: a2 > b1"]})
    return dump_suite(f"scale-{n_tests}", f"{n_tests} tests from WordNet 3.0's gloss examples "
                      f"(seed {seed}), for scale benchmarks", tests)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tests", type=int)
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    Path(args.output).write_text(scale_suite(args.tests, args.seed), encoding="utf-8")


if __name__ == "__main__":
    main()
