"""The plugin system: pluggy markers here, hook specs in `spec`, the manager in `manager`, and
the one generic registry (`catalog.Catalog`) that backends, reports and commands are kept in.

A plugin is a module (or object) with functions marked `@hookimpl`, named by an entry point in
the group `wic_harness`, whatever it registers (backends, reports, commands)::

    [project.entry-points.wic_harness]
    my-backend = "my_package.harness_plugin"

A command may instead be declared in the group `wic_harness.commands` (see `declared`), so that
`harness --help` lists it without importing the plugin::

    [project.entry-points."wic_harness.commands"]
    my-export = "my_package.commands:MY_EXPORT"

The groups' names before 0.4, `harness.backends` and `harness.commands`, are still read for one
release, with a DeprecationWarning naming the distribution and the new group
(`LEGACY_GROUPS`).

The built-in commands and report formats register through the same hooks, from the modules in
`manager.BUILTIN_PLUGINS`, which every plugin host registers first (entry points or not).
"""

import pluggy

from harness._version import __version__

PROJECT = "harness"
ENTRY_POINT_GROUP = "wic_harness"
COMMAND_GROUP = "wic_harness.commands"  # commands declared, imported only when run
# The groups' old names, read for one release more (a DeprecationWarning for each use).
LEGACY_GROUPS = {ENTRY_POINT_GROUP: "harness.backends", COMMAND_GROUP: "harness.commands"}
# where the built-in commands and reports say they come from (they register through the hooks)
BUILTIN_SOURCE = f"wic-harness {__version__} (built in)"
ENV_BLOCK = "HARNESS_BLOCK_PLUGINS"  # entry points (or distributions) not to load

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

__all__ = [
    "BUILTIN_SOURCE", "COMMAND_GROUP", "ENTRY_POINT_GROUP", "ENV_BLOCK", "LEGACY_GROUPS",
    "PROJECT", "hookimpl", "hookspec",
]
