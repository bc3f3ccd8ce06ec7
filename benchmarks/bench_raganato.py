"""Memory and time of `make-suite wsd --format raganato` on a synthetic corpus of SemCor's size
(226,000 tagged instances in 37,000 sentences of 30 tokens, real WordNet 3.0 sense keys of
5,000 noun lemmas), as docs/wsd-data.md reports them.

    python benchmarks/bench_raganato.py [--instances 226000] [--folder /tmp/raganato-bench]

Prints: the peak Python memory of streaming the instances alone (tracemalloc), and the peak
resident size and time of building and writing a whole suite whose test file holds one
instance of each lemma (so every training instance is kept)."""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc
from pathlib import Path


def noun_keys(count: int) -> list[tuple[str, str]]:
    """(lemma, sense key of its first sense) of `count` single-word WordNet nouns."""
    from harness.suites.sense_keys import SenseInventory
    from harness.suites.wordnet import find_wordnet_dir

    inventory = SenseInventory(find_wordnet_dir(), ("n",))
    out = []
    for (lemma, _), offsets in sorted(inventory.order.items()):
        if lemma.isalpha():
            key = next(k for k in inventory.sense_keys("n", offsets[0])
                       if k.split("%")[0] == lemma)
            out.append((lemma, key))
            if len(out) == count:
                break
    return out


def write_corpus(xml: Path, gold: Path, lemmas: list[tuple[str, str]], instances: int,
                 per_sentence: int = 6, tokens: int = 30) -> None:
    n = 0
    with open(xml, "w", encoding="utf-8") as out, open(gold, "w", encoding="utf-8") as keys:
        out.write('<?xml version="1.0" encoding="UTF-8" ?>\n<corpus lang="en" source="x">\n')
        s = 0
        while n < instances:
            if s % 100 == 0:
                out.write(("</text>\n" if s else "") + f'<text id="d{s // 100:05d}">\n')
            out.write(f'<sentence id="d{s // 100:05d}.s{s:06d}">\n')
            for t in range(tokens):
                if t % (tokens // per_sentence) == 0 and n < instances:
                    lemma, key = lemmas[n % len(lemmas)]
                    ident = f"d{s // 100:05d}.s{s:06d}.t{t:03d}"
                    out.write(f'<instance id="{ident}" lemma="{lemma}" pos="NOUN">{lemma}'
                              "</instance>\n")
                    keys.write(f"{ident} {key}\n")
                    n += 1
                else:
                    out.write(f'<wf lemma="the" pos="DET">the{t}</wf>\n')
            out.write("</sentence>\n")
            s += 1
        out.write("</text>\n</corpus>\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instances", type=int, default=226_000)
    parser.add_argument("--folder", default="/tmp/raganato-bench")
    args = parser.parse_args()
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    lemmas = noun_keys(5000)
    train, train_gold = folder / "semcor.data.xml", folder / "semcor.gold.key.txt"
    test, test_gold = folder / "test.data.xml", folder / "test.gold.key.txt"
    write_corpus(train, train_gold, lemmas, args.instances)
    write_corpus(test, test_gold, lemmas, len(lemmas))
    print(f"training file: {train.stat().st_size / 1e6:.1f} MB, {args.instances} instances")

    from harness.suites.raganato import raganato_suite, read_instances

    tracemalloc.start()
    started = time.perf_counter()
    count = sum(1 for _ in read_instances(train))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"streaming {count} instances: peak {peak / 1e6:.2f} MB (tracemalloc), "
          f"{time.perf_counter() - started:.1f} s")

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    built = raganato_suite(test, test_gold, train=(str(train), str(train_gold)),
                           output=str(folder / "suite.yaml"))
    path = built.write(folder / "suite.yaml")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"whole suite ({built.tests} lemmas, {path.stat().st_size / 1e6:.1f} MB of YAML): "
          f"{time.perf_counter() - started:.1f} s, peak resident {rss / 1e3:.0f} MB "
          f"(before: {before / 1e3:.0f} MB)")


if __name__ == "__main__":
    main()
