"""`harness wic`: WiC accuracy, same sense or not by a threshold on the cosine."""

from __future__ import annotations

import argparse

from harness.cli import common, config, recording

NAME = "wic"
HELP = "WiC accuracy: same sense or not, by a threshold on the cosine"
DESCRIPTION = (
    "Score backends on Word-in-Context files (WiC: lemma, POS, i-j, sentence 1, sentence 2, "
    "tab-separated, indices counting whitespace tokens from 0; gold: T or F per line; or "
    "another variant by --format). A pair is judged 'same sense' when its cosine exceeds a "
    "threshold tuned on --dev (or, without it, on the scored data itself: an optimistic, "
    "oracle threshold). Writes wic.json, wic.md and wic-pairs.csv (every pair's cosine and "
    "prediction), with 95% intervals (Wilson on accuracy, Hanley-McNeil on ROC-AUC).")


def add_format_options(parser: argparse.ArgumentParser) -> None:
    """--format and --lenient, shared with `make-suite wic`."""
    from harness.suites.wic_readers import FORMATS

    parser.add_argument("--format", default="wic", choices=list(FORMATS),
                        help="the files' layout: " + "; ".join(
                            f"{f.name}: {f.description}" for f in FORMATS.values())
                        + " (default wic; see docs/wic.md)")
    parser.add_argument("--lenient", action="store_true",
                        help="WiC format: a target token that is not the lemma or an "
                        "inflection of it is a warning, not an error")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data", metavar="DATA")
    parser.add_argument("gold", metavar="GOLD", nargs="?",
                        help="the gold labels (optional where the data file holds them: "
                        "xl-wic, am2ico)")
    parser.add_argument("--dev", nargs="+", metavar=("DEV_DATA", "DEV_GOLD"),
                        help="a dev split (its data file and, where needed, its gold file) "
                        "to tune the threshold on")
    add_format_options(parser)
    parser.add_argument("-b", "--backend", action="append", default=[], metavar="BACKEND")
    common.add_shared_options(parser, NAME, "the scores, the failures, the exit code and the "
                              "files written")
    recording.add_store_options(parser)


def run(args: argparse.Namespace) -> int:
    from harness.api import default_backends, get_backends
    from harness.studies.wic import evaluate_wic

    config.apply(args)
    recording.check(args)
    if args.dev and len(args.dev) > 2:
        common.error("--dev takes DEV_DATA and at most one DEV_GOLD")
        return common.EXIT_USAGE
    registry = common.registry(args)
    backends = (get_backends([s.strip() for s in args.backend], registry) if args.backend
                else [b for b in default_backends(registry) if b.availability().ok])
    with common.output_folder(args, "wic") as claim:  # before the embedding work
        done = evaluate_wic(args.data, args.gold, backends,
                            dev=(args.dev[0], args.dev[1] if len(args.dev) > 1 else None)
                            if args.dev else None,
                            context=common.run_context(args, registry, claim.path),
                            format=args.format, lenient=args.lenient, warn=common.warn)
        written = done.write(claim.path)
    for name, why in done.failures.items():
        common.error(f"backend {name}: {why}")
    print(done.text())
    print(f"\nreports: {claim.path}/ (wic.json, wic.md, wic-pairs.csv)")
    code = common.EXIT_USAGE if common.fell_back(claim) or done.failures else common.EXIT_OK
    if done.scores:  # after wic.json and wic.md: never lost
        code = record(args, done, backends) or code
    return common.study_json(args, code, claim.path, written, **done.to_dict(),
                             failures=done.failures)


def record(args: argparse.Namespace, done, backends) -> int:
    """Record the evaluation in the results store (harness/results/wic_run.py says how)."""
    from harness.pipeline.prepare import record_of
    from harness.results.wic_run import wic_results

    records = []
    for backend in backends:
        rec = record_of(backend)
        try:
            rec.fingerprint, rec.versions = backend.fingerprint(), backend.versions()
        except Exception:  # noqa: BLE001 - identity unknown: kept without it
            pass
        records.append(rec)
    wic = done.to_dict()
    return recording.record(args, wic_results(wic, records, done.failures), ("wic", wic))
