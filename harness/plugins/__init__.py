"""The plugin system: pluggy markers here, hook specs in `spec`, the manager in `manager`.

A backend plugin is a module (or object) with functions marked `@hookimpl`, named by an entry
point in the group `harness.backends`::

    [project.entry-points."harness.backends"]
    my-backend = "my_package.harness_plugin"

A command may instead be declared in the group `harness.commands` (see `declared`), so that
`harness --help` lists it without importing the plugin::

    [project.entry-points."harness.commands"]
    my-export = "my_package.commands:MY_EXPORT"

The built-in commands and report formats register through the same hooks, from the modules in
`manager.BUILTIN_PLUGINS`, which every plugin host registers first (entry points or not).
"""

import pluggy

from harness._version import __version__

PROJECT = "harness"
ENTRY_POINT_GROUP = "harness.backends"
COMMAND_GROUP = "harness.commands"  # commands declared, imported only when run
# where the built-in commands and reports say they come from (they register through the hooks)
BUILTIN_SOURCE = f"wic-harness {__version__} (built in)"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

__all__ = [
    "BUILTIN_SOURCE", "COMMAND_GROUP", "ENTRY_POINT_GROUP", "PROJECT", "hookimpl", "hookspec",
]
