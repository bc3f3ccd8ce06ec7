"""Commands declared in the entry-point group `wic_harness.commands`, so that `harness --help`
lists them without importing their plugin. The entry point's name is the command's name; its
value names a plain dict in a light module (one that imports nothing heavy, or nothing at all)::

    [project.entry-points."wic_harness.commands"]
    my-export = "my_package.commands:MY_EXPORT"

    MY_EXPORT = {
        "help": "write MODEL in my format",           # the line of `harness --help`
        "description": "...",                          # optional: the command's own --help
        "configure": "my_package.export:arguments",    # optional: configure(parser)
        "run": "my_package.export:run",                # run(args) -> exit code
    }

`configure` and `run` are imported only when the command is parsed or run."""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from harness.errors import PluginError
from harness.plugins.commands import PluginCommand

_KEYS = ("help", "description", "configure", "run")
_REQUIRED = ("help", "run")
_DOTTED = r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*"
_REFERENCE = re.compile(rf"{_DOTTED}:{_DOTTED}")
_GUIDE = "docs/writing-a-backend-plugin.md, section 5"


@dataclass(frozen=True)
class _Deferred:
    """The function `reference` (`module:attr`) names, imported on its first call."""

    reference: str
    command: str
    source: str

    def __call__(self, *args: Any) -> Any:
        return self.load()(*args)

    def load(self) -> Any:
        """The function; a PluginError naming the command and its plugin if it cannot be had."""
        module, _, attr = self.reference.partition(":")
        try:
            found: Any = importlib.import_module(module)
            for part in attr.split("."):
                found = getattr(found, part)
        except (Exception, SystemExit) as exc:  # any import-time failure of a plugin
            raise PluginError(f"command {self.command!r} ({self.source}) cannot import "
                              f"{self.reference}: {type(exc).__name__}: {exc}") from exc
        if not callable(found):
            raise PluginError(f"command {self.command!r} ({self.source}): {self.reference} is "
                              "not a function")
        return found


def _no_arguments(parser: Any) -> None:
    """The configure of a command declared without one: it takes no arguments."""


def problems(name: str, declaration: Any) -> list[str]:
    """What is wrong with a declaration of command `name` (nothing: [])."""
    if not name or not name.replace("-", "").isalnum():
        return [f"bad command name {name!r} (letters, digits, -)"]
    if not isinstance(declaration, Mapping):
        return [f"the declaration is a {type(declaration).__name__}, not a dict of "
                f"{', '.join(_KEYS)}"]
    found = [f"unknown key {key!r}" for key in declaration if key not in _KEYS]
    found += [f"no {key!r}" for key in _REQUIRED if key not in declaration]
    for key in _KEYS:
        value = declaration.get(key)
        if key in declaration and not isinstance(value, str):
            found.append(f"{key!r} is not a string but {value!r}")
        elif key in ("configure", "run") and key in declaration and not _REFERENCE.fullmatch(
                value):
            found.append(f"{key!r} is {value!r}, not 'module:function'")
    return found


def declared_command(name: str, declaration: Any, source: str) -> PluginCommand:
    """The command a declaration describes, nothing imported; a PluginError saying what is
    wrong with a malformed one."""
    wrong = problems(name, declaration)
    if wrong:
        raise PluginError(f"{source} declares the command {name!r} wrongly: "
                          f"{'; '.join(wrong)} (see {_GUIDE})")
    configure = declaration.get("configure")
    return PluginCommand(
        name, declaration["help"],
        _Deferred(configure, name, source) if configure else _no_arguments,
        _Deferred(declaration["run"], name, source), source,
        declaration.get("description", ""), declared=True)
