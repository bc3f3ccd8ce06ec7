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
JSON_KEYS = {"orderings": "pairs", "graded": "graded"}  # the built-in kinds' keys in --json


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("results", nargs="+", metavar="RESULTS.json", help="one or two files")
    parser.add_argument("--markdown", metavar="FILE", help="also write the table as markdown")
    common.add_json_option(parser, "every comparison, with every number")


def run(args: argparse.Namespace) -> int:
    from harness.files import atomic_write
    from harness.reports.comparison import comparison_markdown, comparison_text
    from harness.results.compare import compare_runs

    if len(args.results) > 2:
        raise HarnessError("compare takes one or two results.json files")
    sections = compare_runs(args.results)
    if not any(rows for _, rows in sections):
        raise HarnessError("no two backends share an expectation or a graded test in "
                           + " and ".join(args.results))
    print(comparison_text(sections))
    if args.markdown:
        atomic_write(Path(args.markdown), comparison_markdown(sections))
    if getattr(args, "as_json", False):
        plugins = {m.kind: [r.to_dict() for r in rows] for m, rows in sections
                   if m.kind not in JSON_KEYS and rows}
        common.print_json({"files": list(args.results),
                           **{JSON_KEYS[m.kind]: [r.to_dict() for r in rows]
                              for m, rows in sections if m.kind in JSON_KEYS},
                           **({"measures": plugins} if plugins else {})})
    return common.EXIT_OK
