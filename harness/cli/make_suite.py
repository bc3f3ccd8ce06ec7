"""`harness make-suite wordnet|wic|pairs|wsd`: build a suite from real data."""

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
    _configure_wsd(make_sub)
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


WORDNET_ONLY = {"pos": "n,v,a,r", "min_examples": 2, "min_words": 1, "test_share": 0.5,
                "seed": 0, "limit": None}


def _configure_wsd(make_sub) -> None:
    wsd = make_sub.add_parser(
        "wsd", help="a word-sense disambiguation suite (schema 4): WordNet or Raganato's files",
        description="From WordNet 3.0's gloss examples (the default): every lemma with at least "
        "two senses that each have --min-examples example sentences holding the lemma or an "
        "inflection, each sense's examples split into training and test contexts by --seed; "
        "candidates: all the lemma's WordNet senses in WordNet's order. With --format "
        "raganato: TEST.data.xml TEST.gold.key.txt of Raganato et al.'s framework, and --train "
        "XML GOLD (SemCor) in the same format; sense keys become WordNet synset names.")
    wsd.add_argument("files", nargs="*", metavar="FILE",
                     help="--format raganato: TEST.data.xml TEST.gold.key.txt")
    wsd.add_argument("--format", choices=["wordnet", "raganato"], default="wordnet")
    wsd.add_argument("--train", nargs=2, metavar=("XML", "GOLD"),
                     help="--format raganato: the training corpus and its gold keys")
    wsd.add_argument("-o", "--output", required=True, metavar="SUITE.yaml")
    wsd.add_argument("--pos", default="n,v,a,r", help="WordNet: parts of speech (default all)")
    wsd.add_argument("--min-examples", type=int, default=2,
                     help="WordNet: examples each sense needs (default 2)")
    wsd.add_argument("--min-words", type=int, default=1,
                     help="WordNet: shortest example, in words (default 1)")
    wsd.add_argument("--test-share", type=float, default=0.5,
                     help="WordNet: share of each sense's examples held out for testing, "
                     "rounded down, at least one of each (default 0.5)")
    wsd.add_argument("--seed", type=int, default=0, help="WordNet: the split and --limit")
    wsd.add_argument("--limit", type=int, help="WordNet: at most this many lemmas")
    wsd.add_argument("--name", help="the suite's name (default wordnet-wsd, or the XML's)")
    wsd.add_argument("--wordnet-dir", metavar="DIR", help="where data.noun is")


def run(args: argparse.Namespace) -> int:
    inputs = [getattr(args, name, None) for name in ("file", "data", "gold", "contexts")]
    inputs += list(getattr(args, "files", None) or []) + list(getattr(args, "train", None) or [])
    output = Path(args.output)
    for given in filter(None, inputs):
        if output.exists() and Path(given).exists() and output.samefile(given):
            common.error(f"-o {args.output} is the input file {given}: writing the suite "
                         "there would destroy the data; give another path")
            return common.EXIT_USAGE
    return {"wordnet": run_wordnet, "wic": run_wic, "pairs": run_pairs,
            "wsd": run_wsd}[args.source](args)


def run_wsd(args: argparse.Namespace) -> int:
    if args.format == "raganato":
        if len(args.files) != 2:
            common.error("--format raganato takes two files: TEST.data.xml TEST.gold.key.txt")
            return common.EXIT_USAGE
        from harness.suites.raganato import raganato_suite

        ignored = [f"--{name.replace('_', '-')}" for name, default in WORDNET_ONLY.items()
                   if getattr(args, name) != default]
        if ignored:
            common.warn(f"{', '.join(ignored)}: for suites from WordNet's examples; "
                        "--format raganato does not use them")
        built = raganato_suite(*args.files, train=args.train, name=args.name,
                               wordnet_dir=args.wordnet_dir, output=args.output)
    else:
        if args.files or args.train:
            common.error("make-suite wsd reads WordNet unless --format raganato is given: "
                         "files and --train are for --format raganato")
            return common.EXIT_USAGE
        from harness.suites.wsd_builder import wordnet_wsd_suite

        built = wordnet_wsd_suite(pos=args.pos, min_examples=args.min_examples,
                                  min_words=args.min_words, seed=args.seed,
                                  test_share=args.test_share, limit=args.limit,
                                  name=args.name or "wordnet-wsd",
                                  wordnet_dir=args.wordnet_dir, output=args.output)
    path = built.write(args.output)
    print(f"wrote {path}: {built.tests} WSD tests (of {built.possible} lemmas) from "
          f"{built.source}")
    return common.EXIT_OK


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
