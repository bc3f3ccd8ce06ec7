"""The built-in commands, registered through `harness_register_commands` as a plugin's are
(every plugin host registers this module first). Each module in `COMMANDS` has the shape of a
plugin's command: NAME, HELP, DESCRIPTION, configure(parser) and run(args) -> exit code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.cli import (
    cache,
    compare,
    completion,
    geometry,
    history,
    leaderboard,
    list_plugins,
    make_reference,
    make_suite,
    run,
    runs,
    senses,
    sweep,
    validate,
    wic,
)
from harness.plugins import hookimpl

if TYPE_CHECKING:
    from harness.plugins.commands import CommandRegistration

# in `harness --help` order
COMMANDS = (run, sweep, geometry, senses, wic, compare, runs, leaderboard, history, validate,
            list_plugins, cache, make_suite, make_reference, completion)
# for the CLI to tell, from argv alone, that it needs no installed plugin
NAMES = frozenset(module.NAME for module in COMMANDS)


@hookimpl
def harness_register_commands(register: CommandRegistration) -> None:
    for module in COMMANDS:
        register.add_command(module.NAME, help=module.HELP, description=module.DESCRIPTION,
                             configure=module.configure, run=module.run)
