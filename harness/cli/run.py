"""`harness run`: score backends on suites, gate, and write every report."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from harness.cli import common
from harness.errors import HarnessError

NAME = "run"


def add_parser(sub) -> None:
    run = sub.add_parser(NAME, help="score backends on suites and write reports",
                         description="Score backends on suites; write results.json, "
                         "results.csv and report.md; print a summary.")
    run.add_argument("suites", nargs="+", metavar="SUITE", help="suite YAML files")
    run.add_argument("-b", "--backend", action="append", default=[], metavar="BACKEND",
                     help="an instance name (see `harness list`) or PLUGIN:key=value,...; "
                     "repeat for several. Default: every default instance available here")
    common.add_output_options(run, "run")
    run.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    common.add_executor_options(run)
    run.add_argument("--baseline", metavar="RESULTS.json",
                     help="gate: exit 1 if an expectation that passed there (same backend) "
                     "fails now")
    run.add_argument("--min-accuracy", type=float, metavar="X",
                     help="gate: exit 1 if a backend's accuracy on a suite is below X (0-1)")
    run.add_argument("--no-reference", action="store_true",
                     help="leave out the reference sample: no baseline cosine, no margin_sd, "
                     "no weak passes (a postprocess option still fits on it)")
    run.add_argument("--no-baseline", action="store_true", dest="no_baseline_deprecated",
                     help=argparse.SUPPRESS)  # the name of --no-reference before 0.3
    run.add_argument("--weak-below", type=float, default=0.5, metavar="SD",
                     help="a pass with a margin below this many standard deviations of the "
                     "baseline is flagged weak (default 0.5)")
    run.add_argument("--max-unscored", type=float, metavar="FRACTION",
                     help="gate: exit 1 if more than FRACTION (0-1) of a backend's "
                     "expectations on a suite could not be scored (a context without a vector)")
    run.set_defaults(func=run_command)


def run_command(args: argparse.Namespace) -> int:
    from harness.api import run
    from harness.pipeline.gates import check_gates, load_results
    from harness.reports import summary_text

    for flag, value in (("--min-accuracy", args.min_accuracy),
                        ("--max-unscored", args.max_unscored)):
        if value is not None and not 0 <= value <= 1:
            raise HarnessError(f"{flag} {value}: give a number from 0 to 1")
    baseline = load_results(args.baseline) if args.baseline else None
    suites = common.load_suites(args.suites)
    specs = common.backend_specs(args)
    if args.no_baseline_deprecated:
        common.warn("--no-baseline is now --no-reference (--baseline is the regression "
                    "gate); --no-baseline goes in the next release")
    results = run(suites, specs or None, registry=common.registry(args),
                  progress=common.progress_factory(not args.no_progress),
                  cache=not args.no_cache, executor=common.executor(args),
                  reference=not (args.no_reference or args.no_baseline_deprecated),
                  weak_below=args.weak_below)
    gates = check_gates(results, baseline, args.min_accuracy, args.max_unscored)
    results.gates = gates.report()
    out_dir, written, files = write_or_fall_back(results, common.output_dir(args, "run"))
    print(summary_text(results))
    if results.gates:
        print("\n" + "\n".join(results.gates.lines))
    print(f"\nreports: {out_dir}/ ({', '.join(p.name for p in files)})")
    for rec in results.backends.values():
        if rec.status == "skipped":
            print(f"harness: skipped {rec.name}: {rec.error}", file=sys.stderr)
    if results.interrupted:
        return common.interrupted_exit()
    if all(rec.status == "skipped" for rec in results.backends.values()):
        common.error("no backend could run here. Install the default backends with pip "
                     "install 'wic-harness[default]', or name one with -b (see `harness list`).")
        return common.EXIT_USAGE
    if not written or common.report_failed_backends(results):
        return common.EXIT_USAGE
    return common.EXIT_GATE if gates.failed else common.EXIT_OK


def write_or_fall_back(results, out_dir: Path) -> tuple[Path, bool, list[Path]]:
    """Write the reports; if the folder cannot be written, keep the finished work in a
    temporary folder instead. Returns where, whether it was the folder asked for, and the
    files written."""
    from harness.reports import write_reports

    try:
        return out_dir, True, write_reports(results, out_dir)
    except OSError as exc:
        fallback = Path(tempfile.mkdtemp(prefix="harness-reports-"))
        common.error(f"cannot write reports to {out_dir} ({exc}); writing them to {fallback} "
                     "instead")
        return fallback, False, write_reports(results, fallback)
