"""The `harness` command: a thin layer over the Python API, one module per command (each with
`add_parser` and a function that runs it), plus the commands plugins add.

Exit codes: 0 done (and every gate held); 1 a gate failed; 2 bad input or usage (a malformed
suite, an unknown backend or option, a backend that is unavailable or raised); 130 interrupted.
Heavy modules are imported inside the commands so that `harness --help` stays fast; plugins are
loaded at start-up only when their commands are needed (`harness --help`, or a command that is
not built in).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from harness._version import __version__
from harness.cli import (
    cache,
    common,
    compare,
    list_plugins,
    make_suite,
    run,
    sweep,
    validate,
    wic,
)
from harness.errors import HarnessError

EXIT_OK, EXIT_GATE, EXIT_USAGE, EXIT_INTERRUPTED = (
    common.EXIT_OK, common.EXIT_GATE, common.EXIT_USAGE, common.EXIT_INTERRUPTED)
COMMANDS = (run, sweep, wic, compare, validate, list_plugins, cache, make_suite)
BUILT_IN = {module.NAME for module in COMMANDS}
log = logging.getLogger("harness")


def build_parser(plugin_commands: Sequence = ()) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="harness",
        description="Does this embedding model tell word senses apart in context? Scores "
        "backends on YAML suites of expected cosine orderings.",
        epilog="Exit codes: 0 done, 1 a gate failed, 2 bad input or usage, 130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"wic-harness {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="more detail on stderr (-vv for debug)")
    parser.add_argument("--strict-plugins", action="store_true",
                        help="a plugin that fails to load is an error, not a warning "
                        "(also HARNESS_STRICT_PLUGINS=1)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMANDS:
        module.add_parser(sub)
    for command in plugin_commands:
        if command.name in BUILT_IN:
            raise HarnessError(f"{command.source} adds a command {command.name!r}, which is "
                               "built in; the plugin must name its command otherwise")
        plugin_parser = sub.add_parser(command.name, help=command.help,
                                       description=command.description or command.help)
        command.configure(plugin_parser)
        plugin_parser.set_defaults(func=command.run)
    return parser


def _command_of(argv: Sequence[str]) -> str | None:
    """The command named in argv (its first word that is not an option), if any."""
    return next((a for a in argv if not a.startswith("-")), None)


def _plugin_commands(argv: Sequence[str]) -> list:
    """The commands plugins add, when argv needs them: top-level help, or a command that is
    not built in. Built-in commands never wait for plugins to load."""
    command = _command_of(argv)
    if command in BUILT_IN:
        return []
    from harness.plugins.manager import make_plugin_host

    strict = True if "--strict-plugins" in argv else None
    return list(make_plugin_host(strict=strict).commands().values())


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser(_plugin_commands(argv))
    except HarnessError as exc:
        common.error(str(exc))
        return exc.exit_code
    args = parser.parse_args(argv)
    common.setup_logging(args.verbose)
    try:
        return args.func(args)
    except HarnessError as exc:
        common.error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        print("harness: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug or a broken input we did not foresee: no traceback
        log.debug("traceback", exc_info=True)
        common.error(f"{type(exc).__name__}: {exc} (run with -vv for the traceback)")
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
