"""The plugin manager: made by a factory (never a module-level global), loading plugins
through the `wic_harness` entry-point group exactly as for a third-party package, and the
commands declared in `wic_harness.commands` (harness/plugins/declared.py: read, not imported);
the groups' old names (`LEGACY_GROUPS`) are read too, for one release, with a DeprecationWarning.
The built-in commands and reports are plugins too (`BUILTIN_PLUGINS`), registered first by every
host, whatever the variables below say. What the plugins register is merged, kind by kind, into
one `Catalog` each (harness/plugins/catalog.py).

Environment variables:
  HARNESS_DISABLE_PLUGIN_AUTOLOAD=1   load no entry points of either group (tests register what
                                      they need)
  HARNESS_STRICT_PLUGINS=1            a plugin that fails to load is fatal, not a warning
  HARNESS_BLOCK_PLUGINS=a,b           skip these entry points (by entry-point or distribution name)
"""

from __future__ import annotations

import importlib
import logging
import os
import warnings
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeVar

import pluggy

from harness.errors import PluginError
from harness.plugins import (
    BUILTIN_SOURCE,
    COMMAND_GROUP,
    ENTRY_POINT_GROUP,
    ENV_BLOCK,
    LEGACY_GROUPS,
    PROJECT,
    spec,
)
from harness.plugins.catalog import Catalog, Named, Registrar
from harness.plugins.commands import CommandRegistration, PluginCommand
from harness.plugins.measures import MeasureRegistration, PluginMeasure, keys_of
from harness.plugins.registry import Registration, Registry, configured
from harness.plugins.reports import PluginReport, ReportRegistration

log = logging.getLogger("harness.plugins")
T = TypeVar("T", bound=Named)

_ENV_DISABLE_AUTOLOAD = "HARNESS_DISABLE_PLUGIN_AUTOLOAD"
_ENV_STRICT = "HARNESS_STRICT_PLUGINS"

# Modules registered by every host, before any entry point: the built-in commands, reports and
# measures (kinds of test).
BUILTIN_PLUGINS = ("harness.cli.builtin", "harness.reports.builtin", "harness.measures.builtin")


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in {"", "0", "false", "no", "off"}


class PluginHost:
    """Wraps pluggy's manager; every hook call goes through a typed method here."""

    def __init__(self, *, strict: bool | None = None):
        self.strict = _env_flag(_ENV_STRICT) if strict is None else strict
        self.pm = pluggy.PluginManager(PROJECT)
        self.pm.add_hookspecs(spec)
        self.sources: dict[str, str] = {}  # plugin name in pluggy -> where it came from
        self.problems: list[str] = []  # plugins skipped, with why
        self.declared: list[PluginCommand] = []  # commands of `wic_harness.commands`, in order
        # instances a configuration file defines (harness.toml's [backends.NAME]), added to
        # the registry after every plugin's
        self.configured: list[Registration] = []

    def _fail(self, message: str) -> None:
        if self.strict:
            raise PluginError(message)
        log.warning("%s; skipped (set %s=1 to make this fatal)", message, _ENV_STRICT)
        self.problems.append(message)

    def register(self, plugin: Any, name: str | None = None, source: str | None = None) -> None:
        """Register a plugin object or module; a hook name that matches no spec is refused."""
        name = self.pm.register(plugin, name=name)
        assert name is not None
        self.sources[name] = source or name
        unknown = [c.name for c in self.pm.get_hookcallers(plugin) or [] if not c.has_spec()]
        if unknown:
            self.pm.unregister(plugin)
            raise PluginError(
                f"plugin {self.sources.pop(name)} implements unknown hook(s) {', '.join(unknown)}"
                " (misspelled? see docs/writing-a-backend-plugin.md)"
            )

    def load_entry_points(self, group: str = ENTRY_POINT_GROUP) -> None:
        """Import and register every entry point of `group`; a failing one is warned and
        skipped (or fatal when strict)."""
        for ep, dist_name, source in _entry_points(group):
            try:
                plugin = ep.load()
            except (Exception, SystemExit) as exc:  # any import-time failure of a plugin
                self._fail(f"plugin {source} failed to load: {type(exc).__name__}: {exc}")
                continue
            try:
                self.register(plugin, name=f"{dist_name}:{ep.name}", source=source)
            except pluggy.PluginValidationError as exc:
                self._fail(f"plugin {source} is invalid: {exc} (see "
                           "docs/writing-a-backend-plugin.md)")
            except (PluginError, ValueError) as exc:
                self._fail(str(exc))

    def load_declared_commands(self, group: str = COMMAND_GROUP, wanted: str | None = None
                               ) -> None:
        """Read the commands declared in `group`: each entry point's light module only (their
        configure and run are imported when the command is run). A broken declaration is
        warned and skipped (or fatal when strict); that of the command `wanted` (the one asked
        for) is a PluginError."""
        from harness.plugins.declared import declared_command

        self.declared.clear()  # read again: not twice
        for ep, _, source in _entry_points(group):
            try:
                self.declared.append(declared_command(ep.name, ep.load(), source))
            except (Exception, SystemExit) as exc:  # any import-time failure of a plugin
                message = str(exc) if isinstance(exc, PluginError) else (
                    f"the command {ep.name!r} declared by {source} failed to load: "
                    f"{type(exc).__name__}: {exc}")
                if ep.name == wanted:
                    raise PluginError(message) from exc
                self._fail(message)

    def registry(self) -> Registry:
        """Call `harness_register_backends` on each plugin in turn. A plugin whose hook raises is
        skipped whole (or fatal when strict); duplicate names across plugins are always errors."""
        registry = Registry()
        for part in self._registrations("harness_register_backends", Registration):
            registry.merge(part)
        for inst in registry.unresolved_instances():
            self._fail(
                f"backend instance {inst.name!r} from {inst.source} needs plugin "
                f"{inst.plugin!r}, which no installed package provides"
            )
            registry.instances.remove(inst.name)
        for part in self.configured:
            registry.add_configured(part)
        return registry

    def commands(self) -> Catalog[PluginCommand]:
        """Every command of the CLI: the hook's in registration order (built-in ones first),
        then the declared ones; a name registered or declared twice is an error that names
        both."""
        return self.collect("harness_register_commands", CommandRegistration, self.declared)

    def reports(self) -> list[PluginReport]:
        """Every report format, built-in ones first (results.json leading), then the plugins'
        in the order they were loaded; a file name registered twice is an error that names
        both."""
        return list(self.collect("harness_register_reports", ReportRegistration).values())

    def collect(self, hook: str, kind: type[Registrar[T]], more: Iterable[T] = ()
                ) -> Catalog[T]:
        """What every plugin registers through `hook` (each handed a fresh `kind`), merged in
        registration order, then `more`: one catalog, in which a name taken twice is an error
        that names both."""
        merged: Catalog[T] = Catalog(kind.noun)
        for part in self._registrations(hook, kind):
            merged.merge(part.registered.values())
        merged.merge(more)
        return merged

    def measures(self) -> list[PluginMeasure]:
        """Every kind of test, built-in ones first (orderings, graded pairs), then the plugins'
        in the order they were loaded; a kind, or a YAML key, registered twice is an error that
        names both."""
        found = self.collect("harness_register_measures", MeasureRegistration)
        keys_of(found)
        return list(found.values())

    def _registrations(self, hook: str, kind: type) -> list[Any]:
        """Call `hook` on each plugin in registration order with a fresh `kind` object to fill;
        a plugin whose hook raises is skipped whole (or fatal when strict)."""
        parts = []
        for impl in getattr(self.pm.hook, hook).get_hookimpls():  # pluggy calls LIFO; not us
            part = kind(source=self.sources.get(impl.plugin_name, impl.plugin_name))
            kwargs = {"register": part}
            try:
                impl.function(**{arg: kwargs[arg] for arg in impl.argnames})
            except (Exception, SystemExit) as exc:
                self._fail(f"plugin {part.source} raised in {hook}: "
                           f"{type(exc).__name__}: {exc}")
                continue
            parts.append(part)
        return parts

    def register_builtins(self) -> None:
        """Register the modules of `BUILTIN_PLUGINS` (never blocked, never autoloaded)."""
        for module in BUILTIN_PLUGINS:
            self.register(importlib.import_module(module), name=module, source=BUILTIN_SOURCE)


def _entry_points(group: str) -> Iterator[tuple[Any, str, str]]:
    """Each entry point of `group`, then each of its old name (`LEGACY_GROUPS`) from a
    distribution that declares none in `group` (one that declares both is read once, through
    `group`), with a DeprecationWarning per distribution; with its distribution's name and where
    it comes from in words. Those that HARNESS_BLOCK_PLUGINS blocks (by their name or their
    distribution's) are left out."""
    import importlib.metadata  # here: a host for a built-in command never needs it

    blocked = {b.strip() for b in os.environ.get(ENV_BLOCK, "").split(",") if b.strip()}
    labels: dict[int, tuple[str, str]] = {}  # a distribution's name and version, read once

    def label(ep: Any) -> tuple[str, str]:
        dist = getattr(ep, "dist", None)
        if id(dist) not in labels:
            meta = dist.metadata if dist is not None else {}
            labels[id(dist)] = (meta.get("Name") or "?", meta.get("Version") or "?")
        return labels[id(dist)]

    current = list(importlib.metadata.entry_points(group=group))
    old = LEGACY_GROUPS.get(group)
    moved = {label(ep)[0] for ep in current}
    legacy = [ep for ep in (importlib.metadata.entry_points(group=old) if old else ())
              if label(ep)[0] not in moved]
    warned: set[str] = set()
    for ep in current + legacy:
        dist_name, dist_version = label(ep)
        if ep.name in blocked or dist_name in blocked:
            log.info("plugin %s blocked by %s", ep.name, ENV_BLOCK)
            continue
        if ep.group != group and dist_name not in warned:
            warned.add(dist_name)
            warnings.warn(
                f"{dist_name} {dist_version} names its entry points in the group {old!r}, which "
                f"goes in the next release of wic-harness: name them in the group {group!r} "
                "(see docs/writing-a-backend-plugin.md, section 6)",
                DeprecationWarning, stacklevel=2)
        yield ep, dist_name, f"{dist_name} {dist_version} (entry point {ep.name} = {ep.value})"


def autoload_enabled() -> bool:
    """Whether entry points load by default (HARNESS_DISABLE_PLUGIN_AUTOLOAD is not set)."""
    return not _env_flag(_ENV_DISABLE_AUTOLOAD)


def make_plugin_host(
    *, autoload: bool | None = None, strict: bool | None = None, plugins: tuple[Any, ...] = (),
    instances: Mapping[str, Mapping[str, Any]] | None = None,
) -> PluginHost:
    """A new plugin host: the built-in plugins (always), then entry points unless autoload is
    off (argument or HARNESS_DISABLE_PLUGIN_AUTOLOAD=1): the plugins of `wic_harness` and the
    commands declared in `wic_harness.commands` (and in the groups' old names); then `plugins`
    registered explicitly; `instances`: the named backend instances of a configuration file
    (harness.config's `Config.instances`), added to the registry after every plugin's."""
    host = PluginHost(strict=strict)
    host.configured = configured(instances or {})
    host.register_builtins()
    if autoload is None:
        autoload = autoload_enabled()
    if autoload:
        host.load_entry_points()
        host.load_declared_commands()
    for plugin in plugins:
        host.register(plugin)
    return host


def load_registry(**kwargs: Any) -> Registry:
    """Shortcut: make a plugin host (same arguments as `make_plugin_host`) and its registry."""
    return make_plugin_host(**kwargs).registry()
