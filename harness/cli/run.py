"""`harness run`: score backends on suites, gate, and write every report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.cli import common, config, recording
from harness.cli.folders import Claim, reason, temporary_folder
from harness.errors import HarnessError
from harness.pipeline.gates import SPEARMAN_TOLERANCE

NAME = "run"
HELP = "score backends on suites and write reports"
# The built-in reports, for --help without importing them (tests/test_cli_json.py checks this
# list against harness/reports/builtin.py).
REPORTS = (("results.json", "everything the run found (schema 1)"),
           ("similarities.parquet", "the similarity matrices of a run too large to inline"),
           ("results.csv", "one row per backend and expectation"),
           ("correlations.csv", "one row per backend and graded test (graded runs only)"),
           ("pairs.csv", "one row per backend and graded pair (graded runs only)"),
           ("measures.csv", "one row per backend and row of a plugin's kind of test"),
           ("report.md", "the tables, short enough for a pull-request comment"),
           ("junit.xml", "one testcase per backend and expectation, for CI"),
           ("report.html", "one self-contained page with plots and heatmaps"))
DESCRIPTION = ("Score backends on suites, check the gates, write the reports into the output "
               "folder and print a summary. The reports: "
               + "; ".join(f"{name} ({what})" for name, what in REPORTS)
               + "; and those report plugins add (`harness list` shows them).")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("suites", nargs="*", metavar="SUITE",
                        help="suite YAML files (default: `suites` of the config)")
    config.add_selection_options(parser)
    parser.add_argument("-b", "--backend", action="append", default=[], metavar="BACKEND",
                        help="an instance name (see `harness list`) or PLUGIN:key=value,..., "
                        "either one named NAME=SPEC; repeat for several. Default: every "
                        "default instance available here")
    common.add_shared_options(parser, NAME, "the summary, the correlations, the gates, the "
                              "files written and the exit code",
                              {"spearman_tolerance": SPEARMAN_TOLERANCE})
    parser.add_argument("--baseline", metavar="RESULTS.json",
                        help="gate: exit 1 if an expectation that passed there (same backend) "
                        "fails now; store:latest (or store:KEY=VALUE): the latest stored run "
                        "of each backend and suite (with that label)")
    parser.add_argument("--min-accuracy", type=float, metavar="X",
                        help="gate: exit 1 if a backend's accuracy on a suite is below X (0-1)")
    parser.add_argument("--no-reference", action="store_true",
                        help="leave out the reference sample: no baseline cosine, no margin_sd, "
                        "no weak passes (a postprocess option still fits on it)")
    parser.add_argument("--weak-below", type=float, default=0.5, metavar="SD",
                        help="a pass with a margin below this many standard deviations of the "
                        "baseline is flagged weak (default 0.5)")
    parser.add_argument("--max-unscored", type=float, metavar="FRACTION",
                        help="gate: exit 1 if more than FRACTION (0-1) of a backend's "
                        "expectations and graded pairs on a suite could not be scored (a "
                        "context without a vector)")
    parser.add_argument("--min-spearman", type=float, metavar="X",
                        help="gate: exit 1 if a backend's Spearman's rho on a graded test is "
                        "below X (-1 to 1), or it has none")
    parser.add_argument("--spearman-tolerance", type=float, default=SPEARMAN_TOLERANCE,
                        metavar="T", help="with --baseline: a graded test whose rho dropped by "
                        f"more than T is a regression (default {SPEARMAN_TOLERANCE:g})")
    parser.add_argument("--min-f1", type=float, metavar="X",
                        help="gate: exit 1 if a backend's F1 on a suite's word-sense "
                        "disambiguation (wsd) tests is below X (0-1); the same as "
                        "--min-score wsd=X")
    parser.add_argument("--min-score", action="append", default=[], metavar="KIND=X",
                        help="gate: exit 1 if a backend's main score on the tests of KIND (a "
                        "kind of test a plugin measures) is below X (repeatable)")
    recording.add_store_options(parser)


def run(args: argparse.Namespace) -> int:
    from harness.api import run as score
    from harness.pipeline.gates import check_gates
    from harness.reports import summary_text
    from harness.reports.tables import selection_note
    from harness.results.store_baseline import load_baseline

    config.apply(args)
    config.need(args, "suites", "SUITE files", "suites")
    for flag, value, low in (("--min-accuracy", args.min_accuracy, 0),
                             ("--max-unscored", args.max_unscored, 0),
                             ("--min-spearman", args.min_spearman, -1),
                             ("--spearman-tolerance", args.spearman_tolerance, 0)):
        if value is not None and not low <= value <= 1:
            raise HarnessError(f"{flag} {value}: give a number from {low} to 1")
    recording.check(args)
    baseline = (load_baseline(args.baseline, recording.store_location(args)) if args.baseline
                else None)
    if baseline is None and args.spearman_tolerance != SPEARMAN_TOLERANCE:
        common.warn(f"--spearman-tolerance {args.spearman_tolerance:g} has no effect without "
                    "--baseline")
    suites, selection = config.select(common.load_suites(args.suites), args)
    specs = common.backend_specs(args)
    host = common.plugin_host(args)
    reports = host.reports()  # now: a clash of report names must not wait for the run to end
    with common.output_folder(args, "run") as claim:  # now: before the embedding work
        context = common.run_context(args, host.registry())
        results = score(suites, specs or None, registry=context.registry,
                        progress=context.progress or False, cache=context.cache,
                        executor=context.executor,
                        reference=not args.no_reference,
                        weak_below=args.weak_below)
        results.selection = selection
        gates = check_gates(results, baseline, args.min_accuracy, args.max_unscored,
                            args.min_spearman, args.spearman_tolerance,
                            min_scores(getattr(args, "min_score", []),
                                       getattr(args, "min_f1", None)))
        results.gates = gates.report()
        out_dir, written, files = write_or_fall_back(results, claim, reports)
        written = not common.reports_crashed(files) and written
    print(summary_text(results))
    if selection:
        print(selection_note(selection))
    if results.gates:
        print("\n" + "\n".join(results.gates.lines))
        if common.quiet(args):  # stdout is quiet: a CI log still says why, and warns
            shown = (results.gates.lines if not results.gates.held else
                     [line for line in results.gates.lines if line.startswith("warning: ")])
            if shown:
                print("\n".join(shown), file=sys.stderr)
    print(f"\nreports: {out_dir}/ ({', '.join(p.name for p in files)})")
    code = exit_code(results, written, gates.failed)
    if not results.interrupted and any(r.status == "ok" for r in results.backends.values()):
        code = recording.record(args, results) or code  # after the reports: never lost
    if getattr(args, "as_json", False):
        common.print_json({**run_json(results, out_dir, files, code),
                           "stored": getattr(args, "stored", None)})  # recording.record
    return code


def min_scores(values: list[str], min_f1: float | None = None) -> dict[str, float]:
    """--min-score KIND=X, each as {KIND: X} (--min-f1 X: wsd=X); a HarnessError for one that
    does not read."""
    out = {} if min_f1 is None else {"wsd": min_f1}
    for value in values:
        kind, _, number = value.partition("=")
        if kind.strip() in ("orderings", "graded"):
            raise HarnessError(f"--min-score {value}: the built-in kinds have gates of their "
                               "own: --min-accuracy X (orderings), --min-spearman X (graded)")
        try:
            out[kind.strip()] = float(number)
        except ValueError:
            raise HarnessError(f"--min-score {value}: write KIND=X, like odd_one_out=0.8") from None
    return out


def exit_code(results, written: bool, gates_failed: bool) -> int:
    """The run's exit code; what makes it 2 (or says a backend was skipped) said on stderr."""
    for rec in results.backends.values():
        if rec.status == "skipped":
            print(f"harness: skipped {rec.name}: {rec.error}", file=sys.stderr)
    if results.interrupted:
        return common.interrupted_exit()
    if all(rec.status == "skipped" for rec in results.backends.values()):
        common.error("no backend could run here. Install the default backends with pip "
                     "install 'wic-harness[default]', or name one with -b (see `harness list`).")
        return common.EXIT_USAGE
    failed = common.report_failed_backends(results)  # named even when a report crashed
    if not written or failed:
        return common.EXIT_USAGE
    return common.EXIT_GATE if gates_failed else common.EXIT_OK


def run_json(results, out_dir: Path, files: list[Path], code: int) -> dict:
    """What `harness run --json` prints: the summary, the correlations, the gates, where the
    reports went, and the exit code."""
    from dataclasses import asdict

    from harness.cli.terminal import VERDICTS

    return {
        "exit_code": code,
        "verdict": VERDICTS.get(code, "failed"),
        "interrupted": results.interrupted,
        "output": str(out_dir),
        "files": [str(path) for path in files],
        "suites": list(results.suites),
        "selection": getattr(results, "selection", None),
        "backends": {name: {"status": rec.status, "error": rec.error}
                     for name, rec in results.backends.items()},
        "summary": [asdict(row) for row in results.summary_rows],
        "correlations": [asdict(row) for row in results.correlation_rows],
        "gates": results.gates.to_dict() if results.gates else None,
        **({"measures": {kind: [asdict(s) for s in summaries] for kind, summaries in
                         results.measure_summaries.items()}}
           if results.measure_summaries else {}),
    }


def write_or_fall_back(results, claim: Claim, reports=None) -> tuple[Path, bool, list[Path]]:
    """Write the reports (`reports`, else every registered one) into the claimed folder; if it
    cannot be written, keep the finished work in a temporary folder instead and say where and
    why. Returns where, whether it was the folder asked for, and the files written."""
    from harness.reports import write_reports

    if not claim.why:
        try:
            return claim.path, True, write_reports(results, claim.path, reports)
        except OSError as exc:
            claim = Claim(claim.asked, temporary_folder(), reason(exc, claim.asked))
    files = write_reports(results, claim.path, reports)
    common.fell_back(claim)
    return claim.path, False, files
