"""`harness validate`: check suites without loading any model."""

from __future__ import annotations

import argparse

from harness.cli import common

NAME = "validate"


def add_parser(sub) -> None:
    val = sub.add_parser(NAME, help="check suites without loading any model")
    val.add_argument("suites", nargs="+", metavar="SUITE")
    val.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from harness.errors import HarnessError, SuiteError
    from harness.suites.model import check_unique_names
    from harness.suites.validate import load_suite

    status, loaded = common.EXIT_OK, []
    for path in args.suites:
        try:
            suite = load_suite(path)
        except SuiteError as exc:
            common.error(str(exc))
            status = common.EXIT_USAGE
            continue
        loaded.append(suite)
        n_contexts = len({ctx.item for t in suite.tests for ctx in t.contexts.values()})
        print(f"ok {path}: suite {suite.name!r}, {len(suite.tests)} tests, "
              f"{suite.n_expectations} expectations, {n_contexts} contexts")
    try:
        check_unique_names(loaded)  # as `harness run` will, with these suites together
    except HarnessError as exc:
        common.error(str(exc))
        status = common.EXIT_USAGE
    return status
