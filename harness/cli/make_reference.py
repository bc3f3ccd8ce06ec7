"""`harness make-reference`: rebuild the reference sample from WordNet 3.0's files."""

from __future__ import annotations

import argparse

from harness.cli import common

NAME = "make-reference"
HELP = "rebuild the reference sample (harness/data/reference-wordnet.tsv)"
DESCRIPTION = (
    "Build the reference sample of words in context that every run embeds for its baseline: one "
    "sentence with one target word per item, from the example sentences of WordNet 3.0's "
    "glosses; one lemma in ten in several sentences. Deterministic for its arguments; the "
    "defaults make the shipped file. Needs WordNet's database files: apt-get install "
    "wordnet-base.")


def configure(parser: argparse.ArgumentParser) -> None:
    from harness.pipeline.reference import REFERENCE_SIZE

    parser.add_argument("-o", "--output", required=True, metavar="FILE.tsv",
                        help="the TSV file to write")
    parser.add_argument("--wordnet-dir", metavar="DIR", help="where data.noun is")
    parser.add_argument("--size", type=int, default=REFERENCE_SIZE,
                        help=f"items (default {REFERENCE_SIZE})")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-word", type=int, default=8,
                        help="most sentences of a lemma seen in several (default 8)")
    parser.add_argument("--min-occurrences", type=int, default=5,
                        help="fewest sentences of a lemma seen in several (default 5)")


def run(args: argparse.Namespace) -> int:
    from harness.pipeline.reference import write_reference

    rows = write_reference(args.output, args.wordnet_dir, args.size, args.seed, args.per_word,
                           args.min_occurrences)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.lemma] = counts.get(row.lemma, 0) + 1
    several = sum(n >= args.min_occurrences for n in counts.values())
    print(f"wrote {args.output}: {len(rows)} items of {len(counts)} lemmas, {several} of them in "
          f"{args.min_occurrences} or more sentences")
    return common.EXIT_OK
