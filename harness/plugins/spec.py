"""Hook specifications: what a plugin may implement. Every hook is documented in
docs/writing-a-backend-plugin.md (a test checks it).

Hooks are called with keyword arguments; an implementation may take fewer arguments than its
spec. New arguments may be added to a hook; none will be removed or renamed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.plugins import hookspec

if TYPE_CHECKING:
    from harness.plugins.registry import BackendRegister


# -------------------------------------------------------------------------------------------
# Backends
# -------------------------------------------------------------------------------------------


@hookspec
def harness_register_backends(register: BackendRegister) -> None:
    """Register backend plugins and named instances of them.

    :param register: call ``register.add_plugin(BackendClass)`` for each ``Backend`` subclass
        the plugin provides (its ``plugin`` attribute is the name used in ``-b NAME:key=value``),
        and ``register.add_instance(name, plugin=..., options={...}, description=...)`` for each
        ready-made configuration (``-b name``). A name registered twice, by this plugin or by
        another, is an error that names both.

    Keep the module that implements this hook light: import torch, tensorflow and the like
    inside the backend's methods, on first use, never at module level.
    """
