"""`harness leaderboard`: models ranked honestly across suites, as a static site."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.cli import common
from harness.errors import HarnessError

NAME = "leaderboard"
HELP = "rank the models of stored or exported runs per suite, with significance, as a site"
DESCRIPTION = (
    "Build a static, self-contained leaderboard (index.html, leaderboard.md, .csv, .json) from "
    "the results store or from folders (exported runs, run folders holding results.json, or "
    "folders of run folders). One row per model (a backend name; its latest run on each "
    "suite), one column per suite and suite fingerprint: the main score, the shared rank (1 + "
    "the models significantly better on the items both scored: exact McNemar, or a seeded "
    "paired bootstrap of rho; Holm's correction per suite) and its 95% interval from a seeded "
    "bootstrap over items; an overall rank by a Borda count of the shared ranks. The same runs "
    "give byte-identical files.")


def add_source_options(parser: argparse.ArgumentParser) -> None:
    """FOLDER..., --store, --suite, --backend: shared with `harness history`."""
    parser.add_argument("folders", nargs="*", metavar="FOLDER",
                        help="exported runs (`harness runs export`), a run folder, a "
                             "results.json, or a folder of run folders")
    parser.add_argument("--store", metavar="PATH",
                        help="read the runs of this results store (with no FOLDER: the store "
                             "of $HARNESS_STORE, else the user's data folder)")
    parser.add_argument("--suite", action="append", default=[], metavar="NAME",
                        help="only this suite (repeatable)")
    parser.add_argument("--backend", action="append", default=[], metavar="NAME",
                        help="only this backend name (repeatable)")


def read(args: argparse.Namespace):
    from harness.results.sources import read_sources
    from harness.results.store import store_path

    store = args.store if args.folders else str(store_path(args.store))
    sources = read_sources(args.folders, store)
    if not sources.runs:
        raise HarnessError("no runs found in " + " ".join([*args.folders, store or ""]) +
                           ": run `harness run` first, or give folders of runs")
    return sources


def configure(parser: argparse.ArgumentParser) -> None:
    add_source_options(parser)
    parser.add_argument("-o", "--output", required=True, metavar="DIR",
                        help="the folder to write the site to")
    common.add_json_option(parser, "the leaderboard's data (leaderboard.json)")


def run(args: argparse.Namespace) -> int:
    from harness.reports.leaderboard.write import FILES, write_leaderboard

    sources = read(args)
    out = Path(args.output)
    board = write_leaderboard(sources, out, args.suite, args.backend)
    if getattr(args, "as_json", False):
        common.print_json(board)
    elif not common.quiet(args):
        print(f"{len(board['models'])} models, {len(board['columns'])} suites, "
              f"{board['runs']} runs: " + ", ".join(str(out / f) for f in FILES))
    return common.EXIT_OK
