"""`harness wic`: WiC accuracy, same sense or not by a threshold on the cosine."""

from __future__ import annotations

import argparse

from harness.cli import common, config

NAME = "wic"
HELP = "WiC accuracy: same sense or not, by a threshold on the cosine"
DESCRIPTION = (
    "Score backends on Word-in-Context files (data: lemma, POS, i-j, sentence 1, sentence 2, "
    "tab-separated; gold: T or F per line). A pair is judged 'same sense' when its cosine "
    "exceeds a threshold tuned on --dev (or, without it, on the scored data itself: an "
    "optimistic, oracle threshold).")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data", metavar="DATA.txt")
    parser.add_argument("gold", metavar="GOLD.txt")
    parser.add_argument("--dev", nargs=2, metavar=("DEV_DATA.txt", "DEV_GOLD.txt"))
    parser.add_argument("-b", "--backend", action="append", default=[], metavar="BACKEND")
    common.add_shared_options(parser, NAME, "the scores, the failures, the exit code and the "
                              "files written")


def run(args: argparse.Namespace) -> int:
    from harness.api import default_backends, get_backends
    from harness.studies.wic import evaluate_wic

    config.apply(args)
    registry = common.registry(args)
    backends = (get_backends([s.strip() for s in args.backend], registry) if args.backend
                else [b for b in default_backends(registry) if b.availability().ok])
    with common.output_folder(args, "wic") as claim:  # before the embedding work
        done = evaluate_wic(args.data, args.gold, backends,
                            dev=tuple(args.dev) if args.dev else None,
                            context=common.run_context(args, registry, claim.path))
        written = done.write(claim.path)
    for name, why in done.failures.items():
        common.error(f"backend {name}: {why}")
    print(done.text())
    print(f"\nreports: {claim.path}/ (wic.json, wic.md)")
    code = common.EXIT_USAGE if common.fell_back(claim) or done.failures else common.EXIT_OK
    return common.study_json(args, code, claim.path, written, **done.to_dict(),
                             failures=done.failures)
