"""The `harness` command: a thin layer over the Python API. Commands are registered through
the `harness_register_commands` hook: the built-in ones by `harness.cli.builtin` (one module
per command: NAME, HELP, DESCRIPTION, configure(parser), run(args)), others by plugins; or
declared in the entry-point group `wic_harness.commands` (harness/plugins/declared.py), so that
their names and help are known without importing their plugin.

Exit codes: 0 done (and every gate held); 1 a gate failed; 2 bad input or usage (a malformed
suite, an unknown backend or option, a backend that is unavailable or raised); 130 interrupted
(Ctrl-C); 143 terminated (SIGTERM). Interrupted or terminated, the finished backends are written.
Printing never changes the exit code: whatever any command prints goes through
harness/cli/terminal.py (control characters escaped, a closed or full stdout survived and said on
stderr with the verdict). -q/--quiet, for every command, leaves nothing on stdout but what
--json asks for. Heavy modules are imported inside the commands so that `harness --help` stays
fast: a built-in command reads no entry point; `harness --help` (or no command) reads the
declared commands, importing no plugin; only a command neither built in nor declared loads
the installed plugins.
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
from harness.errors import HarnessError, PluginError

if TYPE_CHECKING:
    from harness.plugins.commands import PluginCommand

EXIT_OK, EXIT_GATE, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_TERMINATED = (
    common.EXIT_OK, common.EXIT_GATE, common.EXIT_USAGE, common.EXIT_INTERRUPTED,
    common.EXIT_TERMINATED)
log = logging.getLogger("harness")

__all__ = ["main"]  # the `harness` command (the rest is internal)


def build_parser(commands: Iterable[PluginCommand]) -> argparse.ArgumentParser:
    """The `harness` parser with these commands (`PluginHost.commands()`), in their order."""
    parser = argparse.ArgumentParser(
        prog="harness",
        description="Does this embedding model tell word senses apart in context? Scores "
        "backends on YAML suites of expected cosine orderings.",
        epilog="Exit codes: 0 done, 1 a gate failed, 2 bad input or usage, 130 interrupted "
        "(Ctrl-C), 143 terminated (SIGTERM). Plugins may add commands of their own: `harness "
        "list` shows them all.",
    )
    parser.add_argument("--version", action="version", version=f"wic-harness {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="more detail on stderr (-vv for debug)")
    parser.add_argument("-q", "--quiet", action="store_true", help=QUIET_HELP)
    parser.add_argument("--strict-plugins", action="store_true",
                        help="a plugin that fails to load is an error, not a warning "
                        "(also HARNESS_STRICT_PLUGINS=1)")
    # what `harness --help` shows, for a command that describes the CLI (completion)
    parser.set_defaults(help_parser=lambda: build_parser(_commands([])))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True,
                                parser_class=_CommandParser)
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
        command_parser.set_defaults(func=command.run)
        command_parser.pending = command.configure  # called if this command is parsed
    return parser


QUIET_HELP = "nothing on stdout but what --json asks for (errors and warnings stay on stderr)"


class _CommandParser(argparse.ArgumentParser):
    """A command's parser. Its arguments (`pending`: the command's configure) are added when
    argparse first needs them (the command parsed, or its help shown): `harness --help`
    configures no command, and a declared command's plugin is imported only when it runs."""

    pending = None

    def ready(self) -> None:
        """Add the pending arguments, if any (a configure that fails is the plugin's error)."""
        pending, self.pending = self.pending, None
        if pending is None:
            return
        try:
            pending(self)
        except HarnessError:
            raise
        except Exception as exc:  # a plugin's configure with a bug: name it
            raise PluginError(f"`{self.prog}`: the command's configure raised "
                              f"{type(exc).__name__}: {exc}") from exc
        _add_command_options(self)

    def parse_known_args(self, args=None, namespace=None):
        self.ready()
        return super().parse_known_args(args, namespace)

    def format_help(self) -> str:
        self.ready()
        return super().format_help()

    def format_usage(self) -> str:
        self.ready()
        return super().format_usage()


def _add_command_options(sub) -> None:
    """-v/-vv and -q after a command too (`harness run SUITE -vv`), for every command."""
    parsers = sub.choices.values() if hasattr(sub, "choices") else [sub]
    for parser in parsers:
        nested = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        for action in nested:
            _add_command_options(action)
        if not nested:
            _add_free(parser, ("-v", "--verbose"), dest="more_verbose", action="count",
                      default=0, help="more detail on stderr (-vv for debug)")
            _add_free(parser, ("-q", "--quiet"), dest="command_quiet", action="store_true",
                      help=QUIET_HELP)


def _add_free(parser: argparse.ArgumentParser, flags: tuple[str, ...], **kwargs) -> None:
    """Add the option under those of `flags` the command does not use itself (a plugin's
    command may have its own -q)."""
    free = [flag for flag in flags if flag not in parser._option_string_actions]
    if free:
        parser.add_argument(*free, **kwargs)


def _command_of(argv: Sequence[str]) -> str | None:
    """The command named in argv (its first word that is not an option), if any."""
    return next((a for a in argv if not a.startswith("-")), None)


def _commands(argv: Sequence[str]) -> list[PluginCommand]:
    """The commands the parser needs for argv. A built-in command: the built-in ones alone (no
    entry point read). Top-level help, no command, or a declared command: the built-in and
    declared ones (declarations read, no plugin imported). Any other command: every command,
    the installed plugins loaded (unless HARNESS_DISABLE_PLUGIN_AUTOLOAD=1)."""
    from harness.cli.builtin import NAMES
    from harness.plugins import manager

    name, strict = _command_of(argv), True if "--strict-plugins" in argv else None
    host = manager.make_plugin_host(autoload=False, strict=strict)
    if name in NAMES:
        return list(host.commands().values())
    if manager.autoload_enabled():
        host.load_declared_commands(wanted=name)  # a broken declaration of `name`: an error
    commands = host.commands()
    if name is not None and name not in commands:
        commands = manager.make_plugin_host(strict=strict).commands()
    return list(commands.values())


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
    common.setup_logging(0)  # a plugin's warning while the commands are read, as any other
    try:
        args = build_parser(_commands(argv)).parse_args(argv)
    except HarnessError as exc:
        common.error(str(exc))
        return exc.exit_code
    args.argv = argv  # the command line, as the results store records it
    common.setup_logging(args.verbose + getattr(args, "more_verbose", 0))
    if common.quiet(args):
        terminal.quiet_stdout()  # what --json asks for goes through terminal.write_data
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
