"""Kinds of test: what `harness_register_measures` hands a plugin to register its measures
(`harness.plugin_api.Measure` instances). The built-in ones (orderings, graded pairs) register
through the same hook from harness/measures/builtin.py, before any plugin's. A measure is filed
under its kind, and under each YAML key it owns (a catalog of keys: no two kinds read one)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from harness.errors import PluginError
from harness.plugins.catalog import Catalog, Registrar

if TYPE_CHECKING:
    from harness.measures.base import Measure

_KIND = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class PluginMeasure:
    """A registered measure and the plugin that registered it."""

    measure: Measure
    source: str

    @property
    def name(self) -> str:
        return self.measure.kind


class MeasureRegistration(Registrar[PluginMeasure]):
    """Handed to `harness_register_measures`; collects one plugin's measures."""

    noun = "measure"

    def add_measure(self, measure: Measure) -> None:
        """Add a kind of test: `measure` is an instance of a `harness.plugin_api.Measure`
        subclass, with its `kind` (lower-case letters, digits, '_') and the YAML `keys` it owns
        in a test."""
        kind = getattr(measure, "kind", None)
        if not isinstance(kind, str) or not _KIND.match(kind):
            raise PluginError(f"{self.source}: bad measure kind {kind!r} (lower-case letters, "
                              "digits and '_', starting with a letter)")
        keys = getattr(measure, "keys", ())
        if not keys or not all(isinstance(k, str) and k for k in keys):
            raise PluginError(f"{self.source}: measure {kind!r} owns no YAML key (set its keys "
                              "to the key or keys it reads in a test)")
        self.registered.add(PluginMeasure(measure, self.source))


def keys_of(measures: Catalog[PluginMeasure]) -> Catalog[PluginMeasure]:
    """Each measure filed under the YAML keys it owns; a key two measures own is a PluginError
    that names both."""
    keys: Catalog[PluginMeasure] = Catalog("test key")
    for entry in measures.values():
        for key in entry.measure.keys:
            keys.add(entry, name=key)
    return keys
