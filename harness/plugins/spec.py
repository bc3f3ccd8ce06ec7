"""Hook specifications: what a plugin may implement. Every hook is documented, with its signature,
in docs/writing-a-backend-plugin.md (a test checks both).

Hooks are called with keyword arguments; an implementation may take fewer arguments than its
spec. New arguments may be added to a hook; none will be removed or renamed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.plugins import hookspec

if TYPE_CHECKING:
    from harness.plugins.commands import CommandRegistration
    from harness.plugins.registry import Registration
    from harness.plugins.reports import ReportRegistration


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

    The built-in commands (``run``, ``list``, ...) register through this hook too, from
    ``harness.cli.builtin``, before any plugin. The CLI loads installed plugins for it only
    for a command that is neither built in nor declared, so it costs the built-in commands
    nothing, and ``harness --help`` does not list a command registered here: declare it in the
    entry-point group ``wic_harness.commands`` to be listed there without being imported
    (harness/plugins/declared.py).
    """


# -------------------------------------------------------------------------------------------
# Reports
# -------------------------------------------------------------------------------------------


@hookspec
def harness_register_reports(register: ReportRegistration) -> None:
    """Add report files to the output folder of ``harness run`` and ``harness sweep``.

    :param register: call ``register.add_report(name, render, description=...)``: ``name`` is
        the file name written into the output folder (``"report.txt"``: no ``/`` or ``\\``,
        not starting with ``.``), and ``render(results)`` takes the run's
        ``harness.pipeline.results.Results`` and returns the file's text (``str``) or
        ``bytes``, or None to write nothing for this run. A name that a built-in report or
        another plugin already uses is an error that names both.

    The built-in reports (results.json first, then similarities.parquet, results.csv,
    report.md, junit.xml and report.html) register through this hook too, from
    ``harness.reports.builtin``, before any plugin. A ``render`` that raises loses only its own
    file: the others are written and a warning names the report and its plugin.
    """
