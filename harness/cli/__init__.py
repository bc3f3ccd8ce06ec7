"""The `harness` command: a thin layer over the Python API. Every command is registered through
the `harness_register_commands` hook: the built-in ones by `harness.cli.builtin` (one module
per command: NAME, HELP, DESCRIPTION, configure(parser), run(args)), the others by plugins.

Exit codes: 0 done (and every gate held); 1 a gate failed; 2 bad input or usage (a malformed
suite, an unknown backend or option, a backend that is unavailable or raised); 130 interrupted
(Ctrl-C); 143 terminated (SIGTERM). Interrupted or terminated, the finished backends are written.
Printing never changes the exit code: whatever any command prints goes through
harness/cli/terminal.py (control characters escaped, a closed or full stdout survived and said on
stderr with the verdict). Heavy modules are imported inside the commands so that `harness --help`
stays fast; installed plugins are loaded at start-up only when their commands are needed
(`harness --help`, or a command that is not built in).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from harness._version import __version__
from harness.cli import common, terminal
from harness.errors import HarnessError

if TYPE_CHECKING:
    from harness.plugins.commands import PluginCommand

EXIT_OK, EXIT_GATE, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_TERMINATED = (
    common.EXIT_OK, common.EXIT_GATE, common.EXIT_USAGE, common.EXIT_INTERRUPTED,
    common.EXIT_TERMINATED)
log = logging.getLogger("harness")


def build_parser(commands: Iterable[PluginCommand]) -> argparse.ArgumentParser:
    """The `harness` parser with these commands (`PluginHost.commands()`), in their order."""
    parser = argparse.ArgumentParser(
        prog="harness",
        description="Does this embedding model tell word senses apart in context? Scores "
        "backends on YAML suites of expected cosine orderings.",
        epilog="Exit codes: 0 done, 1 a gate failed, 2 bad input or usage, 130 interrupted "
        "(Ctrl-C), 143 terminated (SIGTERM).",
    )
    parser.add_argument("--version", action="version", version=f"wic-harness {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="more detail on stderr (-vv for debug)")
    parser.add_argument("--strict-plugins", action="store_true",
                        help="a plugin that fails to load is an error, not a warning "
                        "(also HARNESS_STRICT_PLUGINS=1)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    sources: dict[str, str] = {}
    for command in commands:
        if command.name in sources:
            raise HarnessError(f"{command.source} adds a command {command.name!r}, which "
                               f"{sources[command.name]} adds already; the plugin must name its "
                               "command otherwise")
        sources[command.name] = command.source
        # help is %-formatted by argparse, description is not: both are plain text here
        command_parser = sub.add_parser(command.name, help=command.help.replace("%", "%%"),
                                        description=command.description or command.help)
        command.configure(command_parser)
        command_parser.set_defaults(func=command.run)
        _add_verbosity(command_parser)
    return parser


def _add_verbosity(sub) -> None:
    """-v/-vv after a command too (`harness run SUITE -vv`), for every command."""
    parsers = sub.choices.values() if hasattr(sub, "choices") else [sub]
    for parser in parsers:
        nested = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        for action in nested:
            _add_verbosity(action)
        if not nested:
            parser.add_argument("-v", "--verbose", dest="more_verbose", action="count",
                                default=0, help="more detail on stderr (-vv for debug)")


def _command_of(argv: Sequence[str]) -> str | None:
    """The command named in argv (its first word that is not an option), if any."""
    return next((a for a in argv if not a.startswith("-")), None)


def _commands(argv: Sequence[str]) -> list[PluginCommand]:
    """Every command, through the hook. When argv names a built-in command, installed plugins
    are not loaded (built-in commands never wait for them); for top-level help, no command or
    another command, they are (unless HARNESS_DISABLE_PLUGIN_AUTOLOAD=1)."""
    from harness.cli.builtin import NAMES
    from harness.plugins import manager

    autoload = False if _command_of(argv) in NAMES else None
    strict = True if "--strict-plugins" in argv else None
    return list(manager.make_plugin_host(autoload=autoload, strict=strict).commands().values())


def main(argv: Sequence[str] | None = None) -> int:
    """Run `harness ARGV`; returns the exit code (argparse's --help, --version and usage
    errors raise SystemExit, as usual). Whatever happens to stdout, the code is the command's."""
    with terminal.guarded_output() as finish:
        try:
            code = _main(argv)
        except SystemExit as exc:
            finish(_status(exc.code))
            raise
        finish(code)
        return code


def _status(code) -> int:
    """The exit status a SystemExit(code) gives."""
    return 0 if code is None else code if isinstance(code, int) else 1


def _main(argv: Sequence[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser(_commands(argv))
    except HarnessError as exc:
        common.error(str(exc))
        return exc.exit_code
    args = parser.parse_args(argv)
    common.setup_logging(args.verbose + getattr(args, "more_verbose", 0))
    previous = _on_sigterm()
    try:
        return args.func(args)
    except HarnessError as exc:
        common.error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt as exc:
        print("harness: interrupted", file=sys.stderr)
        return common.interrupted_exit(exc)
    except Exception as exc:  # a bug or a broken input we did not foresee: no traceback
        log.debug("traceback", exc_info=True)
        common.error(f"{type(exc).__name__}: {exc} (run with -vv for the traceback)")
        return EXIT_USAGE
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _on_sigterm():
    """SIGTERM (a CI system cancelling the job) stops the work as Ctrl-C does: the backends
    that finished are kept and written. Returns the handler it replaced (None: not installed,
    outside the main thread)."""
    from harness.errors import Terminated

    def handler(signum, frame):
        common.TERMINATED = True
        raise Terminated()

    common.TERMINATED = False
    try:
        return signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        return None


if __name__ == "__main__":
    sys.exit(main())
