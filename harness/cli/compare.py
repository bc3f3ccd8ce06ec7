"""`harness compare`: backends compared on the expectations they share, with statistics."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.cli import common
from harness.errors import HarnessError

NAME = "compare"
HELP = "compare backends on the expectations and graded tests they share, with statistics"
DESCRIPTION = ("Compare every pair of backends in any number of results.json files, suite by "
               "suite, on the expectations both ran: accuracy with a 95% Wilson interval, how "
               "many each passes alone, and an exact McNemar p-value; and on the graded tests "
               "both scored: each Spearman's rho and their difference with a 95% interval and "
               "a p-value from a seeded paired bootstrap over the pairs both scored (2,000 "
               "resamples). A backend name found in several files is told apart by its file "
               "(name@file) and its runs are compared first. Then a verdict per comparison "
               "(\"A better than B on wordnet, p = ...\"), with Holm's correction over the "
               "comparisons when there are several.")
JSON_KEYS = {"orderings": "pairs", "graded": "graded"}  # the built-in kinds' keys in --json


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("results", nargs="+", metavar="RESULTS.json",
                        help="one or more results.json files")
    parser.add_argument("--markdown", metavar="FILE", help="also write the table as markdown")
    common.add_json_option(parser, "every comparison, with every number")


def run(args: argparse.Namespace) -> int:
    from harness.files import atomic_write
    from harness.measures.verdicts import verdicts
    from harness.reports.comparison import comparison_markdown, comparison_text
    from harness.results.compare import compare_by_suite

    sections = compare_by_suite(args.results)
    if not any(s.rows for s in sections):
        raise HarnessError("no two backends share an expectation or a graded test in "
                           + " and ".join(args.results))
    found = verdicts(sections)
    if getattr(args, "as_json", False):
        by_kind: dict[str, list] = {}
        for s in sections:
            by_kind.setdefault(s.measure.kind, []).extend(r.to_dict() for r in s.rows)
        plugins = {k: rows for k, rows in by_kind.items() if k not in JSON_KEYS and rows}
        common.print_json({"files": list(args.results),
                           **{JSON_KEYS[k]: rows for k, rows in by_kind.items()
                              if k in JSON_KEYS},
                           **({"measures": plugins} if plugins else {}),
                           "correction": "holm" if len(found) > 1 else None,
                           "verdicts": [v.to_dict() for v in found]})
    else:
        print(comparison_text(sections, found))
    if args.markdown:
        atomic_write(Path(args.markdown), comparison_markdown(sections, found))
    return common.EXIT_OK
