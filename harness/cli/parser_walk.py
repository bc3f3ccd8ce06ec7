"""An argparse parser walked into a tree of nodes: each command's sub-commands, options and their
choices, and whether it takes a file (what `harness completion` makes its scripts from)."""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass, field

WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]*")  # a command or choice the scripts complete


@dataclass
class Option:
    flags: list[str]
    help: str
    value: bool = False  # takes a value
    choices: list[str] = field(default_factory=list)
    backend: bool = False  # its value is a backend instance


@dataclass
class Node:
    """A command (the path of its words from `harness`), what follows it: sub-commands (name:
    help), options, and whether a file may."""

    path: str
    commands: dict[str, str] = field(default_factory=dict)
    options: list[Option] = field(default_factory=list)
    files: bool = False


def walk(parser: argparse.ArgumentParser, path: str = "harness") -> list[Node]:
    """Every command's node, depth first, this one first."""
    ready = getattr(parser, "ready", None)
    if callable(ready):
        try:
            ready()  # a command's arguments are added when first needed
        except Exception:  # noqa: BLE001 - a plugin's broken configure: its options unknown
            return [Node(path)]
    node, below = Node(path), []
    for action in parser._actions:
        if action.help == argparse.SUPPRESS:
            continue
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: _short(a.help or "") for a in action._choices_actions}
            for name, sub in action.choices.items():
                if not WORD.fullmatch(name):
                    continue  # a name no shell pattern can hold as it is
                node.commands[name] = helps.get(name, "")
                below += walk(sub, f"{path}/{name}")
        elif action.option_strings:
            node.options.append(Option(
                list(action.option_strings), _short(_help(action, parser)), action.nargs != 0,
                [str(c) for c in action.choices or () if WORD.fullmatch(str(c))],
                action.dest == "backend"))
        elif action.choices:
            node.commands.update({str(c): "" for c in action.choices if WORD.fullmatch(str(c))})
        else:
            node.files = True
    return [node, *below]


def _help(action: argparse.Action, parser: argparse.ArgumentParser) -> str:
    """The option's help as argparse shows it (%(default)s and the like filled in)."""
    try:
        return (action.help or "") % {**vars(action), "prog": parser.prog}
    except (KeyError, TypeError, ValueError):
        return action.help or ""


def _short(text: str) -> str:
    """The first clause of a help text, on one line, at most 70 characters."""
    text = " ".join(text.split())
    text = re.split(r"(?<=[a-z)])[.;] ", text, maxsplit=1)[0]
    return text if len(text) <= 70 else text[:67].rstrip() + "..."
