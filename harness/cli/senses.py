"""`harness senses`: a word's contexts, grouped by sense, as a 2-D map."""

from __future__ import annotations

import argparse

from harness.cli import common, config

NAME = "senses"
HELP = "a map of a word's contexts, one colour per sense (PCA or t-SNE)"
DESCRIPTION = (
    "Embeds a word's contexts grouped by sense with one backend and projects them to 2-D. The "
    "contexts come from WordNet 3.0 (--wordnet LEMMA: every gloss example of every sense that "
    "contains the lemma or an inflection; most words have few) or from a file (--file: a header "
    "naming the columns sense, text and word, and optionally occurrence and gloss; "
    "tab-separated, or comma-separated for .csv). Writes senses.png, senses.html and "
    "senses.csv.")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-b", "--backend", required=True, metavar="BACKEND")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--wordnet", metavar="LEMMA", help="the senses of a WordNet lemma")
    source.add_argument("--file", metavar="FILE", help="a file of (sense, text, word) rows")
    parser.add_argument("--wordnet-dir", metavar="DIR",
                        help="WordNet 3.0's database folder (default: /usr/share/wordnet)")
    parser.add_argument("--method", choices=("pca", "tsne"), default="pca",
                        help="the projection to 2-D (default: pca)")
    common.add_shared_options(parser, NAME, "the map's senses and points, the exit code and "
                              "the files written")


def run(args: argparse.Namespace) -> int:
    from harness.api import senses
    from harness.reports.studies.senses import senses_json

    config.apply(args)
    with common.output_folder(args, "senses") as claim:  # before the embedding work
        context = common.run_context(args, common.registry(args))
        try:
            found = senses(args.backend, wordnet=args.wordnet, file=args.file,
                           wordnet_dir=args.wordnet_dir, method=args.method,
                           registry=context.registry, cache=context.cache,
                           executor=context.executor, progress=context.progress)
        except (ValueError, FileNotFoundError) as exc:
            common.error(str(exc))
            return common.EXIT_USAGE
        written = found.write(claim.path)
    print(found.note)
    for n, sense in enumerate(found.senses):
        shown = sum(s == n for s in found.sense_of)
        print(f"  {sense.name}  {shown} context{'s' * (shown != 1)}  {sense.gloss[:70]}")
    print(f"\nwritten: {claim.path}/ ({', '.join(path.name for path in written)})")
    code = common.EXIT_USAGE if common.fell_back(claim) else common.EXIT_OK
    return common.study_json(args, code, claim.path, written, **senses_json(found))
