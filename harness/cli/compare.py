"""`harness compare`: backends compared on the expectations they share, with statistics."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.cli import common
from harness.errors import HarnessError

NAME = "compare"


def add_parser(sub) -> None:
    cmp = sub.add_parser(
        NAME, help="compare backends on the expectations they share, with statistics",
        description="Compare every pair of backends in one or two results.json files on the "
        "expectations both ran: accuracy with a 95%% Wilson interval, how many each passes "
        "alone, and an exact McNemar p-value.")
    cmp.add_argument("results", nargs="+", metavar="RESULTS.json", help="one or two files")
    cmp.add_argument("--markdown", metavar="FILE", help="also write the table as markdown")
    cmp.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from harness.files import atomic_write
    from harness.studies.compare import compare, comparison_markdown, comparison_text

    if len(args.results) > 2:
        raise HarnessError("compare takes one or two results.json files")
    pairs = compare(args.results)
    if not pairs:
        raise HarnessError("no two backends share an expectation in "
                           + " and ".join(args.results))
    print(comparison_text(pairs))
    if args.markdown:
        atomic_write(Path(args.markdown), comparison_markdown(pairs))
    return common.EXIT_OK
