"""Commands of the `harness` CLI, registered through `harness_register_commands` (the built-in
ones by harness/cli/builtin.py, and plugins' ones), or declared in the entry-point group
`wic_harness.commands` (harness/plugins/declared.py; the `tf` plugin's export-tf-checkpoint).

Each is a name, a help line, a function that adds its arguments to an argparse parser, and a
function that runs it and returns an exit code."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

from harness.errors import PluginError
from harness.plugins.catalog import Registrar


@dataclass(frozen=True)
class PluginCommand:
    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    source: str
    description: str = ""
    declared: bool = False  # configure and run imported on first use: parse its arguments late


class CommandRegistration(Registrar[PluginCommand]):
    """Handed to `harness_register_commands`; collects one plugin's commands."""

    noun = "command"

    def add_command(self, name: str, *, help: str,
                    configure: Callable[[argparse.ArgumentParser], None],
                    run: Callable[[argparse.Namespace], int], description: str = "") -> None:
        """Add `harness NAME`: `configure(parser)` adds its arguments, `run(args)` runs it and
        returns the exit code (raise harness.errors.HarnessError for bad input)."""
        if not name or not name.replace("-", "").isalnum():
            raise PluginError(f"{self.source}: bad command name {name!r} (letters, digits, -)")
        self.registered.add(PluginCommand(name, help, configure, run, self.source,
                                          description))
