"""Write docs/cli.md, the CLI reference, from the `harness` command's own parsers.

Every command wic-harness ships (the built-in ones and those its built-in backends declare) with
its description and every option, rendered from argparse's actions rather than its help
formatter, so that the page is the same on every Python version. tests/test_docs.py checks that
the committed page is what this script writes: after changing a command's options, run

    python docs/cli_reference.py
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

PAGE = Path(__file__).resolve().parent / "cli.md"
SHIPPED = "wic-harness "  # the start of the `source` of a command this distribution adds

INTRO = """# CLI reference

Every command of `harness`, with every option, as `harness COMMAND --help` gives them. This page
is generated from the command's own parsers by `python docs/cli_reference.py` (a test checks it
is current). Plugins may add commands of their own: `harness list` shows them all, and
`harness completion` completes them.

The options before the command apply to every command; `-v` and `-q` may also follow it
(`harness run SUITE -vv`). Exit codes are on their own page: [Exit codes](exit-codes.md).
"""


def shipped_commands() -> list:
    """The commands of the built-in plugins and of the built-in backends' declarations, in the
    order `harness --help` lists them; a third-party plugin's commands are left out."""
    from harness.plugins.manager import make_plugin_host

    commands = make_plugin_host().commands().values()
    return [c for c in commands if c.source.startswith(SHIPPED)]


def command_parsers() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The top-level parser and each shipped command's parser, with its arguments added."""
    from harness.cli import build_parser

    top = build_parser(shipped_commands())
    [sub] = [a for a in top._actions if isinstance(a, argparse._SubParsersAction)]
    for parser in sub.choices.values():
        parser.ready()
    return top, dict(sub.choices)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _help(action: argparse.Action, prog: str) -> str:
    if not action.help:
        return ""
    params = {**vars(action), "prog": prog}
    if isinstance(action.choices, dict) or action.choices is None:
        params["choices"] = ", ".join(action.choices or ())
    else:
        params["choices"] = ", ".join(map(str, action.choices))
    return _cell(action.help % params)


def _argument(action: argparse.Action) -> str:
    if action.nargs == 0:
        return ""
    if action.choices is not None and action.metavar is None:
        return "{" + ",".join(map(str, action.choices)) + "}"
    metavar = action.metavar or action.dest.upper()
    if isinstance(metavar, tuple):
        metavar = " ".join(metavar)
    return metavar


def _usage_word(action: argparse.Action) -> str:
    word = action.metavar or action.dest.upper()
    if isinstance(word, tuple):
        word = " ".join(word)
    return {"?": f"[{word}]", "*": f"[{word}...]", "+": f"{word}..."}.get(action.nargs, word)


def options_table(parser: argparse.ArgumentParser) -> list[str]:
    """Markdown rows for the parser's arguments: positionals, then options."""
    rows = []
    for action in parser._actions:
        if action.help == argparse.SUPPRESS or isinstance(action, argparse._SubParsersAction):
            continue
        if isinstance(action, argparse._HelpAction):
            continue
        name = (", ".join(f"`{s}`" for s in action.option_strings) if action.option_strings
                else f"`{_usage_word(action)}`")
        argument = _argument(action) if action.option_strings else ""
        rows.append(f"| {name} | {f'`{_cell(argument)}`' if argument else ''} | "
                    f"{_help(action, parser.prog)} |")
    if not rows:
        return []
    return ["| argument | value | meaning |", "| --- | --- | --- |", *rows, ""]


def section(parser: argparse.ArgumentParser, level: int) -> list[str]:
    """A command's heading, usage, description, arguments, and its sub-commands below."""
    positionals = [_usage_word(a) for a in parser._actions
                   if not a.option_strings and not isinstance(a, argparse._SubParsersAction)]
    nested = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    words = [parser.prog, *(["[options]"] if any(a.option_strings for a in parser._actions)
                            else [])]
    words += [(a.metavar or a.dest.upper()) for a in nested] + positionals
    lines = [f"{'#' * level} {parser.prog}", "", f"```text\n{' '.join(words)}\n```", ""]
    if parser.description:
        lines += [" ".join(parser.description.split()), ""]
    lines += options_table(parser)
    for action in nested:
        helps = {a.dest: a.help for a in action._choices_actions}
        for name, child in action.choices.items():
            if not child.description and helps.get(name):
                child.description = helps[name]
            lines += section(child, level + 1)
    return lines


def render() -> str:
    """The page's markdown."""
    top, commands = command_parsers()
    [sub] = [a for a in top._actions if isinstance(a, argparse._SubParsersAction)]
    lines = [INTRO, "## Commands", "", "| command | what it does |", "| --- | --- |"]
    lines += [f"| [`harness {a.dest}`](#harness-{a.dest}) | {_cell(a.help or '')} |"
              for a in sub._choices_actions]
    lines += ["", "## Options of every command", "", "```text\nharness [options] COMMAND ...\n```",
              "", " ".join((top.description or "").split()), "", *options_table(top)]
    if top.epilog:
        lines += [" ".join(top.epilog.split()), ""]
    for parser in commands.values():
        lines += section(parser, 2)
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    PAGE.write_text(render(), encoding="utf-8")
    print(f"wrote {PAGE}", file=sys.stderr)


if __name__ == "__main__":
    main()
