"""`harness runs`: the results store's runs listed, shown, removed, imported and exported (the
store itself: harness/results/store.py)."""

from __future__ import annotations

import argparse

from harness.cli import common, config, recording
from harness.errors import HarnessError

NAME = "runs"
HELP = "list, show, remove, import and export the runs of the results store"
DESCRIPTION = (
    "The results store keeps every `harness run` and `harness wic` (unless --no-store). "
    "`runs list` lists them, newest first; `runs show ID` shows one (an id or a unique prefix "
    "of one); `runs rm ID...` removes runs; `runs import PATH...` adds exported runs, "
    "results.json files or report folders (0.3 and later) and other store files, skipping runs "
    "already stored; `runs export DIR [ID...]` writes one JSON file per run into DIR, a folder "
    "to commit to git that `harness leaderboard` reads directly.")


def configure(parser: argparse.ArgumentParser) -> None:
    recording.add_store_options(parser, recording=False)
    config.add_options(parser, NAME)
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help="the stored runs, newest first",
                             description="The stored runs, newest first, with their backends "
                             "and suites; filtered by --backend, --suite and --label.")
    listing.add_argument("--backend", metavar="NAME", help="only runs with this backend")
    listing.add_argument("--suite", metavar="NAME", help="only runs with this suite")
    listing.add_argument("--label", action="append", default=[], metavar="KEY=VALUE",
                         type=recording._label, help="only runs with this label (repeatable)")
    common.add_json_option(listing, "the runs")
    show = sub.add_parser("show", help="one run: its command, commit, labels and summary",
                          description="One stored run: what ran, and its summary.")
    show.add_argument("id", metavar="ID", help="a run id, or a unique prefix of one")
    common.add_json_option(show, "the run in its exported form")
    remove = sub.add_parser("rm", help="remove runs from the store",
                            description="Remove runs (ids or unique prefixes) from the store.")
    remove.add_argument("ids", nargs="+", metavar="ID")
    imp = sub.add_parser("import", help="add runs from files, folders or another store",
                         description="Add the runs of exported files or folders, results.json "
                         "files or report folders (0.3 and later), or another store file; "
                         "runs already stored (same id) are skipped.")
    imp.add_argument("paths", nargs="+", metavar="PATH")
    exp = sub.add_parser("export", help="write runs as one JSON file each into a folder",
                         description="Write each run (all, or those named) as one JSON file "
                         "<created>-<id>.json into DIR: a folder to commit to git, that "
                         "`runs import` and `harness leaderboard` read.")
    exp.add_argument("folder", metavar="DIR")
    exp.add_argument("ids", nargs="*", metavar="ID")


def run(args: argparse.Namespace) -> int:
    from harness.results.store import Store

    config.apply(args)
    path = recording.store_location(args)
    with Store(path) as store:
        return ACTIONS[args.action](args, store)


def _list(args: argparse.Namespace, store) -> int:
    from harness.results.runs_view import run_lines

    labels = recording.labels(args)
    infos = store.runs(backend=args.backend, suite=args.suite, labels=labels)
    if getattr(args, "as_json", False):
        common.print_json({"store": str(store.path),
                           "runs": [info.to_dict() for info in infos]})
        return common.EXIT_OK
    if not infos:
        print(f"no stored run{' matches' if args.backend or args.suite or labels else ''} "
              f"(store: {store.path})")
        return common.EXIT_OK
    print("\n".join(run_lines(store, infos)))
    return common.EXIT_OK


def _show(args: argparse.Namespace, store) -> int:
    from harness.results.runs_view import show_text

    stored = store.load(args.id)
    if getattr(args, "as_json", False):
        common.print_json(stored.to_dict())
        return common.EXIT_OK
    print(show_text(stored, store.study(stored.info.id)))
    return common.EXIT_OK


def _rm(args: argparse.Namespace, store) -> int:
    infos = [store.info(run_id) for run_id in args.ids]  # every id checked before any removal
    for info in infos:
        store.delete(info.id)
        print(f"removed run {info.id}")
    return common.EXIT_OK


def _import(args: argparse.Namespace, store) -> int:
    done = store.import_from(args.paths)
    print(f"{done.text()} (store: {store.path})")
    return common.EXIT_OK


def _export(args: argparse.Namespace, store) -> int:
    if not args.ids and not len(store):
        raise HarnessError(f"the results store {store.path} holds no run to export")
    files = store.export(args.folder, args.ids or None)
    print(f"exported {len(files)} run(s) into {args.folder}/")
    return common.EXIT_OK


ACTIONS = {"list": _list, "show": _show, "rm": _rm, "import": _import, "export": _export}
