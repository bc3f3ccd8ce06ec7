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
    from harness.plugins.measures import MeasureRegistration
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
        ``harness.results.model.Results`` and returns the file's text (``str``) or
        ``bytes``, or None to write nothing for this run. A name that a built-in report or
        another plugin already uses is an error that names both.

    The built-in reports (results.json first, then similarities.parquet, results.csv,
    correlations.csv, pairs.csv, measures.csv, report.md, junit.xml and report.html) register
    through this hook too, from ``harness.reports.builtin``, before any plugin. A ``render``
    that raises loses only its own file: the others are written and a warning names the report
    and its plugin.
    """


# -------------------------------------------------------------------------------------------
# Measures (kinds of test)
# -------------------------------------------------------------------------------------------


@hookspec
def harness_register_measures(register: MeasureRegistration) -> None:
    """Add a kind of test: a key a suite's test may hold, how it is checked, scored, reported
    and gated.

    :param register: call ``register.add_measure(measure)`` with an instance of a
        ``harness.plugin_api.Measure`` subclass: its ``kind`` names it (in results.json, in
        ``--min-score KIND=X``), its ``keys`` are the YAML keys it owns in a test, ``parse``
        checks that part through the suite reader's checker (each problem with the file, line,
        test and field), ``score`` turns a test and the backend's prepared vectors into rows,
        and ``cells``, ``outcome`` and ``main_score`` say how its rows are shown, pass and
        summarise. A kind or a key registered twice is an error that names both.

    The built-in kinds, orderings (``expect``) and graded pairs (``pairs``, ``scale``), register
    through this hook too, from ``harness.measures.builtin``, before any plugin. A test holds
    the keys of one kind; its contexts are embedded by the one preparation step (cache, Ray)
    with every other test's.
    """
