"""`harness make-suite wordnet|wic|pairs`: build a suite from real data."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.cli import common

NAME = "make-suite"
HELP = "build a suite from real data (WordNet, WiC, rating data sets)"
DESCRIPTION = ""


def configure(parser: argparse.ArgumentParser) -> None:
    make_sub = parser.add_subparsers(dest="source", metavar="SOURCE", required=True)
    wn = make_sub.add_parser(
        "wordnet", help="sense tests from WordNet 3.0's example sentences",
        description="For each lemma with two senses that have example sentences (in WordNet "
        "3.0's glosses) containing the lemma or an inflection of it: a test 'a1: a2 > b1' "
        "(two examples of one sense closer than an example of the other). Deterministic for a "
        "seed. Needs WordNet's database files: apt-get install wordnet-base.")
    wn.add_argument("-o", "--output", required=True, metavar="SUITE.yaml")
    wn.add_argument("--pos", default="n,v,a,r",
                    help="parts of speech, comma-separated: n, v, a, r (default: all)")
    wn.add_argument("--tests", type=int, default=1000, help="at most this many (default 1000)")
    wn.add_argument("--seed", type=int, default=0, help="which tests, in which order")
    wn.add_argument("--min-words", type=int, default=4,
                    help="shortest example sentence, in words (default 4)")
    wn.add_argument("--allow-repeats", action="store_true",
                    help="also use examples where the word occurs more than once (the first "
                    "is the target)")
    wn.add_argument("--name", default="wordnet", help="the suite's name")
    wn.add_argument("--wordnet-dir", metavar="DIR", help="where data.noun is")
    wic = make_sub.add_parser(
        "wic", help="a suite from Word-in-Context files (schema 2)",
        description="For each lemma with pairs of both labels: every same-sense (T) pair more "
        "similar than every different-sense (F) pair, as schema-2 expectations "
        "'t1a ~ t1b > f1a ~ f1b'.")
    wic.add_argument("data", metavar="DATA")
    wic.add_argument("gold", metavar="GOLD", nargs="?",
                     help="the gold labels (optional where the data file holds them)")
    from harness.cli.wic import add_format_options

    add_format_options(wic)
    wic.add_argument("-o", "--output", required=True, metavar="SUITE.yaml")
    wic.add_argument("--name", default="wic", help="the suite's name")
    wic.add_argument("--max-per-lemma", type=int, default=20,
                     help="at most this many expectations per lemma (default 20)")
    from harness.suites.pair_formats import FORMATS  # light: no numpy

    pairs = make_sub.add_parser(
        "pairs", help="a graded suite from a rating data set (schema 3)",
        description="One graded test of every pair of a rating file with its human score: "
        "how well each backend's cosines track them (Spearman). Formats: "
        + "; ".join(f"{f.name}: {f.description}" for f in FORMATS.values()) + ".")
    pairs.add_argument("file", metavar="FILE")
    pairs.add_argument("--format", required=True, choices=list(FORMATS))
    pairs.add_argument("-o", "--output", required=True, metavar="SUITE.yaml")
    pairs.add_argument("--name", help="the suite's and its test's name (default: the format)")
    pairs.add_argument("--contexts", metavar="FILE",
                       help="sentences, one per line: each word alone becomes its type vector "
                       "(the mean of its vectors) over those that contain it")
    pairs.add_argument("--per-word", type=int, metavar="N",
                       help="with --contexts: at most N sentences per word, the first in the "
                       "file (default 10)")


def run(args: argparse.Namespace) -> int:
    inputs = [getattr(args, name, None) for name in ("file", "data", "gold", "contexts")]
    output = Path(args.output)
    for given in filter(None, inputs):
        if output.exists() and Path(given).exists() and output.samefile(given):
            common.error(f"-o {args.output} is the input file {given}: writing the suite "
                         "there would destroy the data; give another path")
            return common.EXIT_USAGE
    return {"wordnet": run_wordnet, "wic": run_wic, "pairs": run_pairs}[args.source](args)


def run_wordnet(args: argparse.Namespace) -> int:
    from harness.suites.builders import wordnet_suite

    built = wordnet_suite(pos=args.pos, tests=args.tests, seed=args.seed,
                          min_words=args.min_words, allow_repeats=args.allow_repeats,
                          name=args.name, wordnet_dir=args.wordnet_dir, output=args.output)
    return _write(built, args.output)


def run_wic(args: argparse.Namespace) -> int:
    from harness.suites.builders import wic_suite

    built = wic_suite(args.data, args.gold, name=args.name, max_per_lemma=args.max_per_lemma,
                      output=args.output, format=args.format, lenient=args.lenient,
                      warn=common.warn)
    return _write(built, args.output)


def run_pairs(args: argparse.Namespace) -> int:
    from harness.suites.builders import pairs_suite

    if args.per_word is not None and args.contexts is None:
        common.warn(f"--per-word {args.per_word} has no effect without --contexts")
    built = pairs_suite(args.file, args.format, name=args.name, contexts=args.contexts,
                        per_word=10 if args.per_word is None else args.per_word,
                        output=args.output)
    path = built.write(args.output)
    print(f"wrote {path}: a graded test of {built.source}")
    return common.EXIT_OK


def _write(built, output: str) -> int:
    path = built.write(output)
    print(f"wrote {path}: {built.tests} tests ({built.possible} possible) from {built.source}")
    return common.EXIT_OK
