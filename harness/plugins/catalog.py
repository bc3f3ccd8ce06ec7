"""One generic registry for whatever plugins register by name: backend plugins and instances,
report formats, commands (and any kind to come). A `Catalog` holds the things of one kind, in
the order they were added, keyed by name; a name added twice is a `PluginError` naming both
sources, and `lookup` of an unknown name says which known one it most likely misspells.

Each registration object handed to a hook (`register`) fills catalogs of its own, one plugin's
worth; the plugin host merges them, plugin by plugin, into one catalog per kind. A kind of
registration with a single catalog subclasses `Registrar`::

    class ThingRegistration(Registrar[PluginThing]):
        noun = "thing"

        def add_thing(self, name, ...):
            ...  # check what is special to a thing (its name's form, say)
            self.registered.add(PluginThing(name, ..., source=self.source))

and the host merges every plugin's with `PluginHost.collect("harness_register_things",
ThingRegistration)`. A thing that owns other names too (a kind of test, the YAML keys it reads)
is filed under each of them in a catalog of its own, `add(thing, name=key)`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import ClassVar, Generic, Protocol, TypeVar

from harness.errors import PluginError, closest
from harness.plugins import BUILTIN_SOURCE, ENV_BLOCK


class Named(Protocol):
    """What a catalog holds: a thing with a name, that knows which plugin registered it."""

    @property
    def name(self) -> str: ...

    @property
    def source(self) -> str: ...


T = TypeVar("T", bound=Named)


class Catalog(Mapping[str, T]):
    """The registered things of one kind, by name, in the order they were added. `noun` names
    the kind in messages ("report", "command", "backend plugin")."""

    def __init__(self, noun: str, things: Iterable[T] = ()):
        self.noun = noun
        self._things: dict[str, T] = {}
        self.merge(things)

    def add(self, thing: T, name: str | None = None) -> None:
        """Add `thing` under its name, or under `name` (another name it owns, such as a YAML
        key); a PluginError if that name is taken, naming the plugin (or both)."""
        name = thing.name if name is None else name
        taken = self._things.get(name)
        if taken is not None:
            raise PluginError(_twice(self.noun, name, taken.source, thing.source))
        self._things[name] = thing

    def merge(self, things: Iterable[T]) -> None:
        """Add each of `things` in turn."""
        for thing in things:
            self.add(thing)

    def remove(self, name: str) -> T:
        """Take the thing called `name` out (a KeyError if there is none)."""
        return self._things.pop(name)

    def lookup(self, name: str) -> T:
        """The thing called `name`; a PluginError saying which known name is the closest."""
        if name in self._things:
            return self._things[name]
        match = closest(name, self._things)
        hint = f" Did you mean {match!r}?" if match else ""
        known = ", ".join(self._things) or "none"
        raise PluginError(f"unknown {self.noun} {name!r}.{hint} Known: {known}.")

    def __getitem__(self, name: str) -> T:
        return self._things[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._things)

    def __len__(self) -> int:
        return len(self._things)

    def __repr__(self) -> str:
        return f"Catalog({self.noun!r}, {list(self._things)!r})"


class Registrar(Generic[T]):
    """Base of the objects handed to a registration hook that collects one kind of thing:
    `registered` holds what one plugin (`source`) registered. A subclass sets `noun` and adds
    the `add_...` method plugin authors call."""

    noun: ClassVar[str]

    def __init__(self, source: str = "<unknown>"):
        self.source = source
        self.registered: Catalog[T] = Catalog(self.noun)


def _twice(noun: str, name: str, first: str, second: str) -> str:
    """The error for `name` registered a second time, by `second` (by `first` before)."""
    if first == second:
        return f"{second}: {noun} {name!r} is registered twice"
    if first == BUILTIN_SOURCE:
        return (f"{second} adds a {noun} {name!r}, which is built in ({first}); the plugin must "
                f"name its {noun} otherwise (until it does, block it with {ENV_BLOCK}=NAME)")
    return (f"{noun} {name!r} is registered twice: by {first} and by {second}. Uninstall one "
            f"of them, or block one with {ENV_BLOCK}=NAME.")
