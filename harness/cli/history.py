"""`harness history`: each model's main scores over its runs, with significant changes."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.cli import common
from harness.cli.leaderboard import add_source_options, read
from harness.errors import HarnessError

NAME = "history"
HELP = "each model's main score per suite over its stored runs, marking significant changes"
DESCRIPTION = (
    "Show, for each model (backend name) and suite, its main score in every run of the store "
    "or of the folders, oldest first, with a 95% interval (Wilson for an accuracy, Fisher's z "
    "for rho), marking the changes that are significant against the model's previous run "
    "(exact McNemar, or a seeded paired bootstrap of rho, on the items both runs scored). "
    "With -o, also history.md, history.csv and one SVG per suite.")


def configure(parser: argparse.ArgumentParser) -> None:
    add_source_options(parser)
    parser.add_argument("-o", "--output", metavar="DIR",
                        help="also write history.md, history.csv and SVG pictures here")
    common.add_json_option(parser, "every point of every series")


def run(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from harness.files import atomic_write
    from harness.measures.history import history
    from harness.reports.history import (
        history_csv,
        history_markdown,
        history_pictures,
        history_text,
    )

    series = history(read(args).runs, args.suite, args.backend)
    if not series:
        raise HarnessError("no model has scored items on the suites asked for")
    if args.output:
        out = Path(args.output)
        atomic_write(out / "history.md", history_markdown(series))
        atomic_write(out / "history.csv", history_csv(series))
        for number, (_, svg) in enumerate(history_pictures(series, every=True), start=1):
            atomic_write(out / f"history-{number}.svg",  # a file of its own: its namespace
                         svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))
    if getattr(args, "as_json", False):
        common.print_json([{"column": s.column.label, "suite": s.column.suite,
                            "fingerprint": s.column.fingerprint, "kind": s.column.kind,
                            "model": s.model, "points": [asdict(p) for p in s.points]}
                           for s in series])
    else:
        print(history_text(series))
    return common.EXIT_OK
