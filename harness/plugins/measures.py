"""Kinds of test: what `harness_register_measures` hands a plugin to register its measures
(`harness.measures.base.Measure` instances). The built-in ones (orderings, graded pairs)
register through the same hook from harness/measures/builtin.py, before any plugin's."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from harness.errors import PluginError

if TYPE_CHECKING:
    from harness.measures.base import Measure

_KIND = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class PluginMeasure:
    measure: Measure
    source: str

    @property
    def name(self) -> str:
        return self.measure.kind


@dataclass
class MeasureRegistration:
    """Handed to `harness_register_measures`; collects one plugin's measures."""

    source: str = "<unknown>"
    measures: dict[str, PluginMeasure] = field(default_factory=dict)

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
        if kind in self.measures:
            raise PluginError(f"{self.source}: measure {kind!r} is registered twice")
        self.measures[kind] = PluginMeasure(measure, self.source)
