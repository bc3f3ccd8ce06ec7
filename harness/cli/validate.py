"""`harness validate`: check suites without loading any model."""

from __future__ import annotations

import argparse

from harness.cli import common, config

NAME = "validate"
HELP = "check suites without loading any model"
DESCRIPTION = ""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("suites", nargs="*", metavar="SUITE",
                        help="suite YAML files (default: `suites` of the config)")
    config.add_selection_options(parser)
    config.add_options(parser, NAME)


def run(args: argparse.Namespace) -> int:
    from harness.errors import HarnessError, SuiteError
    from harness.suites.model import check_unique_names
    from harness.suites.named import load

    config.apply(args)
    config.need(args, "suites", "SUITE files", "suites")
    status, loaded = common.EXIT_OK, []
    for path in args.suites:
        try:
            suite = load(path)
        except SuiteError as exc:
            common.error(str(exc))
            status = common.EXIT_USAGE
            continue
        loaded.append(suite)
        n_contexts = len(set(suite.items()))
        graded = (f" ({suite.graded_tests} graded, {suite.n_pairs} pairs)"
                  if suite.graded_tests else "")
        tests = f"{len(suite.tests)} test{'s' * (len(suite.tests) != 1)}"
        print(f"ok {path}: suite {suite.name!r}, {tests}{graded}, "
              f"{suite.n_expectations} expectations, {n_contexts} contexts")
        if args.select or args.limit:
            status = max(status, _preview(suite, args))
    try:
        check_unique_names(loaded)  # as `harness run` will, with these suites together
    except HarnessError as exc:
        common.error(str(exc))
        status = common.EXIT_USAGE
    return status


def _preview(suite, args: argparse.Namespace) -> int:
    """What -k and --limit keep of the suite, as `harness run` would: an exit status."""
    from harness.errors import HarnessError

    try:
        [kept], _ = config.select([suite], args)
    except HarnessError as exc:
        common.error(str(exc))
        return common.EXIT_USAGE
    ids = [t.id for t in kept.tests]
    more = f", ... ({len(ids) - 20} more)" if len(ids) > 20 else ""
    print(f"  selected {len(ids)} of {len(suite.tests)}: {', '.join(ids[:20])}{more}")
    return common.EXIT_OK
