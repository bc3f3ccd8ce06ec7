"""`harness sweep`: accuracy per layer and pooling option (one forward pass per text)."""

from __future__ import annotations

import argparse

from harness.cli import common

NAME = "sweep"


def add_parser(sub) -> None:
    swp = sub.add_parser(
        NAME, help="accuracy per layer and pooling option (one forward pass per text)",
        description="For each contextual backend: accuracy of every single layer, every "
        "sub-word pooling and every layer pooling, all from one forward pass per text. Writes "
        "sweep.csv, sweep.md, sweep.png (accuracy against layer) and the usual reports.")
    swp.add_argument("suites", nargs="+", metavar="SUITE")
    swp.add_argument("-b", "--backend", action="append", required=True, metavar="BACKEND")
    common.add_output_options(swp, "sweep")
    common.add_executor_options(swp)
    swp.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from harness.api import get_backends
    from harness.reports import write_reports
    from harness.studies.layer_sweep import sweep, sweep_text, write_sweep

    suites = common.load_suites(args.suites)
    backends = get_backends(list(dict.fromkeys(s.strip() for s in args.backend)),
                            common.registry(args))
    out_dir = common.output_dir(args, "sweep")
    done = sweep(suites, backends, cache=common.cache(args),
                 progress=common.progress_factory(True), executor=common.executor(args))
    write_reports(done.results, out_dir)
    write_sweep(done.rows, out_dir)
    print(sweep_text(done.rows))
    print(f"\nreports: {out_dir}/ (sweep.csv, sweep.md, sweep.png, results.json, ...)")
    return common.EXIT_USAGE if common.report_failed_backends(done.results) else common.EXIT_OK
