"""Hook specifications: what a plugin may implement. Every hook is documented in
docs/writing-a-backend-plugin.md (a test checks it).

Hooks are called with keyword arguments; an implementation may take fewer arguments than its
spec. New arguments may be added to a hook; none will be removed or renamed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.plugins import hookspec

if TYPE_CHECKING:
    from harness.plugins.commands import CommandRegistration
    from harness.plugins.registry import Registration


# -------------------------------------------------------------------------------------------
# Backends
# -------------------------------------------------------------------------------------------


@hookspec
def harness_register_backends(register: Registration) -> None:
    """Register backend plugins and named instances of them.

    :param register: call ``register.add_plugin(BackendClass)`` for each ``Backend`` subclass
        the plugin provides (its ``plugin`` attribute is the name used in ``-b NAME:key=value``),
        and ``register.add_instance(name, plugin=..., options={...}, description=...)`` for each
        ready-made configuration (``-b name``). A name registered twice, by this plugin or by
        another, is an error that names both.

    Keep the module that implements this hook light: import torch, tensorflow and the like
    inside the backend's methods, on first use, never at module level.
    """


# -------------------------------------------------------------------------------------------
# Commands
# -------------------------------------------------------------------------------------------


@hookspec
def harness_register_commands(register: CommandRegistration) -> None:
    """Add commands to the ``harness`` CLI.

    :param register: call ``register.add_command(name, help=..., configure=..., run=...)``:
        ``configure(parser)`` adds the command's arguments to its ``argparse`` parser, and
        ``run(args)`` runs it and returns the exit code (raise
        ``harness.errors.HarnessError`` for bad input: the CLI prints its message and exits 2).
        A name that a built-in command or another plugin already uses is an error.

    The CLI calls this hook only when it needs plugin commands (``harness --help``, or a
    command that is not built in), so it costs the built-in commands nothing.
    """
