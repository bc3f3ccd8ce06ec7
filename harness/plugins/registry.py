"""What plugins register: backend plugin classes and named instances, and how a `-b` spec
(`NAME` or `NAME:key=value,...`) becomes a configured Backend."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from harness.backend import Backend
from harness.errors import BackendNotFound, OptionError, PluginError, closest
from harness.plugins.catalog import Catalog


@dataclass(frozen=True)
class PluginInfo:
    name: str
    cls: type[Backend]
    source: str


@dataclass(frozen=True)
class InstanceInfo:
    name: str
    plugin: str
    options: Mapping[str, Any]
    description: str
    source: str
    default: bool = True


class Registration:
    """Handed to `harness_register_backends`; collects one plugin's registrations."""

    def __init__(self, source: str = "<unknown>"):
        self.source = source
        self.plugins: Catalog[PluginInfo] = Catalog("plugin")
        self.instances: Catalog[InstanceInfo] = Catalog("instance")

    def add_plugin(self, cls: type[Backend]) -> None:
        """Register a Backend subclass under its `plugin` name."""
        if not (isinstance(cls, type) and issubclass(cls, Backend)):
            raise PluginError(f"{self.source}: add_plugin() takes a Backend subclass, got {cls!r}")
        if not cls.plugin:
            raise PluginError(f"{self.source}: {cls.__name__} has no `plugin` name")
        self.plugins.add(PluginInfo(cls.plugin, cls, self.source))

    def add_instance(
        self,
        name: str,
        plugin: str,
        options: Mapping[str, Any] | None = None,
        description: str = "",
        default: bool = True,
    ) -> None:
        """Register a named configuration of a plugin. `default` instances run when no -b is
        given (if available)."""
        if not name or ":" in name or "," in name:
            raise PluginError(f"{self.source}: bad instance name {name!r} (no ':' or ',')")
        self.instances.add(InstanceInfo(
            name, plugin, dict(options or {}), description, self.source, default
        ))


class Registry:
    """Every registered plugin and instance, merged; duplicates across plugins are errors, and
    so is a name that is a plugin's in one package and an instance's in another."""

    def __init__(self) -> None:
        self.plugins: Catalog[PluginInfo] = Catalog("backend plugin")
        self.instances: Catalog[InstanceInfo] = Catalog("backend instance")

    def merge(self, part: Registration) -> None:
        """Add one plugin's registrations."""
        for kind, mine, other, theirs in (
                ("plugin", self.plugins, self.instances, part.plugins),
                ("instance", self.instances, self.plugins, part.instances)):
            for info in theirs.values():
                mine.add(info)
                # an instance may share its name with its own plugin, from the same package
                clash = other.get(info.name)
                if clash is not None and not (clash.source == info.source and (
                        getattr(info, "plugin", None) == info.name
                        or getattr(clash, "plugin", None) == info.name)):
                    raise PluginError(
                        f"{info.source} registers {kind} {info.name!r}, but {clash.source} "
                        "has a plugin or instance of that name; -b NAME would be ambiguous"
                    )

    def unresolved_instances(self) -> list[InstanceInfo]:
        return [i for i in self.instances.values() if i.plugin not in self.plugins]

    def default_names(self) -> list[str]:
        return sorted(i.name for i in self.instances.values() if i.default)

    def create(self, spec: str) -> Backend:
        """A Backend from `NAME`, `PLUGIN`, or either followed by `:key=value,...`."""
        base, _, rest = spec.partition(":")
        base = base.strip()
        overrides = parse_options(rest, spec) if rest else {}
        if base in self.instances:
            inst = self.instances[base]
            if inst.plugin not in self.plugins:
                raise BackendNotFound(
                    f"backend {base!r} needs plugin {inst.plugin!r}, which is not installed"
                )
            cls, options = self.plugins[inst.plugin].cls, {**inst.options, **overrides}
        elif base in self.plugins:
            cls, options = self.plugins[base].cls, overrides
        else:
            names = sorted(self.instances) + sorted(self.plugins)
            match = closest(base, names)
            hint = f" Did you mean {match!r}?" if match else ""
            known = ", ".join(names) or "none (is a backend package installed?)"
            raise BackendNotFound(
                f"unknown backend {base!r}.{hint} Known instances and plugins: {known}. "
                "`harness list` shows them all."
            )
        try:
            return cls(spec.strip(), options)
        except OptionError as exc:
            if base in self.instances and not str(exc).startswith("backend "):
                source = self.instances[base].source
                raise OptionError(f"backend {base!r} (an instance registered by {source}): "
                                  f"{exc}") from None
            if not str(exc).startswith("backend "):
                raise OptionError(f"backend {spec.strip()!r}: {exc}") from None
            raise


def parse_options(text: str, spec: str = "") -> dict[str, str]:
    """Parse `key=value,key=value`. A part without '=' continues the previous value, so
    `layers=-4,-3,-2,-1` reads as one option."""
    options: dict[str, str] = {}
    last: str | None = None
    for part in text.split(","):
        if "=" in part:
            key, value = part.split("=", 1)
            key = key.strip()
            if not key:
                raise OptionError(f"backend spec {spec!r}: empty option name in {part!r}")
            if key in options:
                raise OptionError(f"backend spec {spec!r}: option {key!r} given twice")
            options[key] = value.strip()
            last = key
        elif part.strip():
            if last is None:
                raise OptionError(
                    f"backend spec {spec!r}: expected key=value after ':', got {part!r}"
                )
            options[last] += "," + part.strip()
    return options
