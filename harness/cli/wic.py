"""`harness wic`: WiC accuracy, same sense or not by a threshold on the cosine."""

from __future__ import annotations

import argparse

from harness.cli import common, config, recording

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
    recording.add_store_options(parser)


def run(args: argparse.Namespace) -> int:
    from harness.api import default_backends, get_backends
    from harness.studies.wic import evaluate_wic

    config.apply(args)
    recording.check(args)
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
