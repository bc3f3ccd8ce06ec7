"""Commands of the `harness` CLI, registered through `harness_register_commands` (the built-in
ones by harness/cli/builtin.py, and plugins' ones), or declared in the entry-point group
`harness.commands` (harness/plugins/declared.py; the `tf` plugin's export-tf-checkpoint).

Each is a name, a help line, a function that adds its arguments to an argparse parser, and a
function that runs it and returns an exit code."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field

from harness.errors import PluginError


@dataclass(frozen=True)
class PluginCommand:
    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    source: str
    description: str = ""
    declared: bool = False  # configure and run imported on first use: parse its arguments late


@dataclass
class CommandRegistration:
    """Handed to `harness_register_commands`; collects one plugin's commands."""

    source: str = "<unknown>"
    commands: dict[str, PluginCommand] = field(default_factory=dict)

    def add_command(self, name: str, *, help: str,
                    configure: Callable[[argparse.ArgumentParser], None],
                    run: Callable[[argparse.Namespace], int], description: str = "") -> None:
        """Add `harness NAME`: `configure(parser)` adds its arguments, `run(args)` runs it and
        returns the exit code (raise harness.errors.HarnessError for bad input)."""
        if not name or not name.replace("-", "").isalnum():
            raise PluginError(f"{self.source}: bad command name {name!r} (letters, digits, -)")
        if name in self.commands:
            raise PluginError(f"{self.source}: command {name!r} is registered twice")
        self.commands[name] = PluginCommand(name, help, configure, run, self.source,
                                            description)
