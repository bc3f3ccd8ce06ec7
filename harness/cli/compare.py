"""`harness compare`: backends compared on the expectations they share, with statistics."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.cli import common
from harness.errors import HarnessError

NAME = "compare"
HELP = "compare backends on the expectations and graded tests they share, with statistics"
DESCRIPTION = ("Compare every pair of backends in one or two results.json files on the "
               "expectations both ran: accuracy with a 95% Wilson interval, how many each "
               "passes alone, and an exact McNemar p-value; and on the graded tests both "
               "scored: each Spearman's rho and their difference with a 95% interval from a "
               "seeded paired bootstrap over the pairs both scored (2,000 resamples).")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("results", nargs="+", metavar="RESULTS.json", help="one or two files")
    parser.add_argument("--markdown", metavar="FILE", help="also write the table as markdown")
    common.add_json_option(parser, "every comparison, with every number")


def run(args: argparse.Namespace) -> int:
    from harness.files import atomic_write
    from harness.studies.compare import (
        compare,
        compare_graded,
        comparison_markdown,
        comparison_text,
        graded_markdown,
        graded_text,
    )

    if len(args.results) > 2:
        raise HarnessError("compare takes one or two results.json files")
    pairs = compare(args.results)
    graded = compare_graded(args.results)
    if not pairs and not graded:
        raise HarnessError("no two backends share an expectation or a graded test in "
                           + " and ".join(args.results))
    print("\n\n".join(part for part in (comparison_text(pairs) if pairs else "",
                                         graded_text(graded) if graded else "") if part))
    if args.markdown:
        atomic_write(Path(args.markdown), "\n".join(
            part for part in (comparison_markdown(pairs) if pairs else "",
                              graded_markdown(graded) if graded else "") if part))
    if getattr(args, "as_json", False):
        common.print_json({"files": list(args.results),
                           "pairs": [pair.to_dict() for pair in pairs],
                           "graded": [row.to_dict() for row in graded]})
    return common.EXIT_OK
