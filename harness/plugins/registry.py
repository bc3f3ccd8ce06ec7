"""What plugins register: backend plugin classes and named instances, and how a `-b` spec
(`NAME` or `NAME:key=value,...`, either one given a short name as `SHORT=SPEC`) becomes a
configured Backend. harness.toml's `[backends.NAME]` tables are instances too, registered after
the plugins' (`Registry.add_configured`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from harness.backend import Backend
from harness.backend.card import ModelCard
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
    meta: ModelCard | None = None  # card fields over the backend's own (harness.toml's meta)


# a backend's short name (`-b mpnet=hf:model=PATH`, `[backends.mpnet]`): a plain identifier
NAME = re.compile(r"[A-Za-z0-9._-]+")
NAME_RULE = "letters, digits, '.', '_' and '-' only"


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
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        """Register a named configuration of a plugin. `default` instances run when no -b is
        given (if available); `meta`: model-card fields over what the backend's `card()` says
        (a `ModelCard`'s fields: licence, datasets, ...)."""
        if not name or ":" in name or "," in name or "=" in name:
            raise PluginError(f"{self.source}: bad instance name {name!r} (no ':', ',' or '=')")
        card = None
        if meta:
            try:
                card = ModelCard.from_dict(meta, f"{self.source}: meta of instance {name!r}")
            except ValueError as exc:
                raise PluginError(str(exc)) from None
        self.instances.add(InstanceInfo(
            name, plugin, dict(options or {}), description, self.source, default, card
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

    def add_configured(self, part: Registration) -> None:
        """Add the instances a configuration file defines (`part.source` names its table): each
        needs an installed plugin, and its name may not be a registered instance's or plugin's
        (an error naming both)."""
        for info in part.instances.values():
            taken = self.instances.get(info.name) or self.plugins.get(info.name)
            if taken is not None:
                kind = "instance" if info.name in self.instances else "plugin"
                raise PluginError(
                    f"{info.source}: the backend name {info.name!r} is taken by the {kind} "
                    f"{info.name!r} that {taken.source} registers; give the table another "
                    f"name ([backends.my-{info.name}])")
            if info.plugin not in self.plugins:
                match = closest(info.plugin, list(self.plugins))
                hint = f" Did you mean {match!r}?" if match else ""
                raise PluginError(
                    f"{info.source}: plugin {info.plugin!r} is not installed.{hint} Installed "
                    f"plugins: {', '.join(sorted(self.plugins)) or 'none'}")
            self.instances.add(info)

    def unresolved_instances(self) -> list[InstanceInfo]:
        return [i for i in self.instances.values() if i.plugin not in self.plugins]

    def default_names(self) -> list[str]:
        return sorted(i.name for i in self.instances.values() if i.default)

    def create(self, spec: str) -> Backend:
        """A Backend from `NAME`, `PLUGIN`, or either followed by `:key=value,...`; any of
        them after `SHORT=` gives the backend the name SHORT (`mpnet=hf:model=PATH`)."""
        head = spec.partition(":")[0]
        if "=" not in head:
            return self._create(spec, spec.strip())
        short, _, inner = spec.partition("=")
        short, inner = short.strip(), inner.strip()
        if not NAME.fullmatch(short):
            raise OptionError(f"backend spec {spec!r}: the name {short!r} is not a plain name "
                              f"({NAME_RULE}); write -b NAME=SPEC, e.g. mpnet=hf:model=PATH")
        if not inner or "=" in inner.partition(":")[0]:
            raise OptionError(f"backend spec {spec!r}: after {short}= give what it names, an "
                              "instance or PLUGIN:key=value,... (one name per backend)")
        taken = self.instances.get(short)
        if taken is not None:
            raise OptionError(f"backend spec {spec!r}: the name {short!r} is taken by the "
                              f"instance {short!r} that {taken.source} registers; choose "
                              f"another (e.g. my-{short}={inner})")
        return self._create(inner, short)

    def _create(self, spec: str, name: str) -> Backend:
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
            backend = cls(name, options)
        except OptionError as exc:
            if base in self.instances and not str(exc).startswith("backend "):
                source = self.instances[base].source
                raise OptionError(f"backend {base!r} (an instance registered by {source}): "
                                  f"{exc}") from None
            if not str(exc).startswith("backend "):
                raise OptionError(f"backend {name!r}: {exc}") from None
            raise
        if base in self.instances and self.instances[base].meta:
            backend.meta = self.instances[base].meta
        return backend


def configured(instances: Mapping[str, Mapping[str, Any]]) -> list[Registration]:
    """The instances of a configuration file (harness.config's `Config.instances`), one
    registration each, its source the table (`harness.toml [backends.mpnet]`)."""
    parts = []
    for name, inst in instances.items():
        part = Registration(inst["where"])
        part.add_instance(name, inst["plugin"], inst["options"], inst["description"],
                          inst["default"], inst["meta"])
        parts.append(part)
    return parts


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
