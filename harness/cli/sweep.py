"""`harness sweep`: accuracy per layer and pooling option (one forward pass per text)."""

from __future__ import annotations

import argparse

from harness.cli import common, config

NAME = "sweep"
HELP = "accuracy per layer and pooling option (one forward pass per text)"
DESCRIPTION = (
    "For each contextual backend: accuracy of every single layer, every sub-word pooling and "
    "every layer pooling, all from one forward pass per text. Writes sweep.csv, sweep.md, "
    "sweep.png (accuracy against layer) and the usual reports.")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("suites", nargs="*", metavar="SUITE",
                        help="suite YAML files (default: `suites` of the config)")
    config.add_selection_options(parser)
    parser.add_argument("-b", "--backend", action="append", default=[], metavar="BACKEND",
                        help="a contextual backend to sweep; repeat for several (default: "
                        "`backends` of the config)")
    parser.add_argument("--dims", type=_dims, default=(), metavar="N,N,...",
                        help="widths to sweep too, like 64,128,256,full: each backend's "
                        "vectors cut to their first N components (truncate_dim), from the "
                        "same forward pass")
    common.add_shared_options(parser, NAME, "the rows, the exit code and the files written")


def _dims(text: str) -> tuple[int | str, ...]:
    from harness.backend.options import parse_dim

    try:
        return tuple(parse_dim(part) for part in text.split(",") if part.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: {exc}") from None


def run(args: argparse.Namespace) -> int:
    from harness.api import get_backends
    from harness.reports import write_reports
    from harness.reports.studies.sweep import sweep_json, sweep_text, write_sweep
    from harness.reports.tables import selection_note
    from harness.studies.layer_sweep import sweep

    config.apply(args)
    config.need(args, "suites", "SUITE files", "suites")
    config.need(args, "backend", "-b BACKEND", "backends")
    suites, selection = config.select(common.load_suites(args.suites), args)
    host = common.plugin_host(args)
    reports = host.reports()  # now: a clash of report names must not wait for the sweep to end
    backends = get_backends(list(dict.fromkeys(s.strip() for s in args.backend)),
                            host.registry())
    with common.output_folder(args, "sweep") as claim:  # before the embedding work
        out_dir = claim.path
        widths = {"dims": args.dims} if args.dims else {}
        done = sweep(suites, backends, common.run_context(args, host.registry(), out_dir),
                     **widths)
        done.results.selection = selection
        files = write_reports(done.results, out_dir, reports)
        crashed = common.reports_crashed(files)
        files = [*write_sweep(done.rows, out_dir), *files]
    print(sweep_text(done.rows))
    if selection:
        print(selection_note(selection))
    print(f"\nreports: {out_dir}/ (sweep.csv, sweep.md, sweep.png, results.json, ...)")
    fell_back = common.fell_back(claim)
    if done.results.interrupted:  # Ctrl-C or SIGTERM: what finished is written
        code = common.interrupted_exit()
    else:
        failed = common.report_failed_backends(done.results)
        code = common.EXIT_USAGE if fell_back or crashed or failed else common.EXIT_OK
    return common.study_json(args, code, out_dir, files, rows=sweep_json(done.rows))
