"""The plugin system: pluggy markers here, hook specs in `spec`, the manager in `manager`.

A backend plugin is a module (or object) with functions marked `@hookimpl`, named by an entry
point in the group `harness.backends`::

    [project.entry-points."harness.backends"]
    my-backend = "my_package.harness_plugin"
"""

import pluggy

PROJECT = "harness"
ENTRY_POINT_GROUP = "harness.backends"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

__all__ = ["ENTRY_POINT_GROUP", "PROJECT", "hookimpl", "hookspec"]
