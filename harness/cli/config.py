"""A project's defaults (`harness.config`: harness.toml or [tool.wic-harness]) applied to a
command's options (--config FILE, --no-config; command-line values win), and the selection
options (-k, --limit)."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from harness.config import FILE_NAME, KEYS, SECTION, Config, find
from harness.errors import HarnessError

log = logging.getLogger("harness.config")


def add_options(parser: argparse.ArgumentParser, command: str,
                fallbacks: dict[str, Any] | None = None) -> None:
    """--config FILE and --no-config. `fallbacks`: the defaults of options the config may set
    (dest: value), given when neither the command line nor the config does."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--config", metavar="FILE",
                       help=f"read defaults from FILE ({FILE_NAME}, or a pyproject.toml's "
                       f"[tool.{SECTION}]); default: the one in the current folder")
    group.add_argument("--no-config", action="store_true",
                       help=f"ignore {FILE_NAME} and [tool.{SECTION}]")
    fallbacks = dict(fallbacks or {})
    parser.set_defaults(config_command=command, config_fallbacks=fallbacks,
                        **dict.fromkeys(fallbacks))


def apply(args: argparse.Namespace) -> Config | None:
    """Fill the options the command line left unset from the config, then the fallbacks;
    returns the config read (None: none)."""
    found = find(args.config, args.no_config)
    args.config_instances = found.instances if found is not None else {}  # [backends.NAME]
    if found is not None:
        log.info("defaults from %s", found.path)
        for key, value in found.for_command(args.config_command).items():
            dest = KEYS[key].dest
            if getattr(args, dest, None) in (None, []):
                setattr(args, dest, value)
    for dest, value in args.config_fallbacks.items():
        if getattr(args, dest) is None:
            setattr(args, dest, value)
    return found


def need(args: argparse.Namespace, dest: str, option: str, key: str) -> None:
    """A HarnessError when neither the command line nor the config gives `dest`."""
    if not getattr(args, dest):
        raise HarnessError(f"harness {args.config_command}: give {option}, or {key} in "
                           f"{FILE_NAME} or pyproject.toml's [tool.{SECTION}]")


# -- selection: -k and --limit ------------------------------------------------------------------
def _pattern(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("give a pattern (a test id, or part of one)")
    return text


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number of at least 1")
    return value


def add_selection_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-k", dest="select", action="append", type=_pattern, metavar="PATTERN",
                        help="keep the tests whose ID or SUITE/ID matches PATTERN, ignoring "
                        "case: a part of it, or all of it with the wildcards * and ?; repeat "
                        "for several (any may match)")
    parser.add_argument("--limit", type=_positive, metavar="N",
                        help="keep the first N tests of each suite (after -k)")


def select(suites: list, args: argparse.Namespace) -> tuple[list, dict | None]:
    """The suites with the tests -k and --limit keep, and the record of it (None: all)."""
    from harness.suites.model import select_suites

    return select_suites(suites, args.select, args.limit)
