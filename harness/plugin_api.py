"""The public, stable surface for plugin authors (of backends, reports, commands): import
everything from here; `harness` (the top-level package) is the one for users.

Names here are kept across releases, or deprecated first (a release with a DeprecationWarning
before they go); everything else in `harness` is internal and may move between releases.

- contract: `Backend`, `Item`, `Embeddings`, `Availability`, `AVAILABLE`; the capability
  protocols `SharesForward`, `Sweepable`, `NeedsResources`; `ModelCard` (what
  `Backend.card()` gives)
- options and parsers: `Option`, `parse_bool`, `parse_int_list`, `positive_int`,
  `non_negative_int`
- transformer encoders: `TransformerBackend`, `LoadedModel`, `TRANSFORMER_OPTIONS`,
  `TokenizerSpec`
- packaged data and digests: `PackagedData`, `installed_versions`, `installed_version`,
  `path_digest`
- cache folder and files: `cache_dir`, `build_once`, `atomic_write`
- hooks: `hookimpl`; the objects the registration hooks hand you, `Registration`,
  `CommandRegistration`, `ReportRegistration`; `make_plugin_host` (a plugin host for your
  tests); `Results`, what a report's render function gets (imported on first use)
- kinds of test (`harness_register_measures`): `Measure`, `MeasureSummary`,
  `MeasureRegistration`, `TestVectors` (what `Measure.score` reads), `key_line` (the line of a
  key in a suite file) and `did_you_mean` (a hint for a misspelt name)
- errors: `HarnessError`, `OptionError`, `BackendUnavailable`, `PluginError`
- locating words: `locate_word`

Importing this module imports numpy (the transformer base class uses it at module level) and
pluggy, never torch, tensorflow or transformers.
"""

from harness.backend.alignment import TokenizerSpec
from harness.backend.base import AVAILABLE, Availability, Backend, Embeddings, Item
from harness.backend.capabilities import NeedsResources, SharesForward, Sweepable
from harness.backend.card import ModelCard
from harness.backend.digests import path_digest
from harness.backend.options import (
    Option,
    non_negative_int,
    parse_bool,
    parse_int_list,
    positive_int,
)
from harness.backend.packaged import PackagedData, installed_version, installed_versions
from harness.backend.transformer import TRANSFORMER_OPTIONS, LoadedModel, TransformerBackend
from harness.errors import (
    BackendUnavailable,
    HarnessError,
    OptionError,
    PluginError,
    did_you_mean,
)
from harness.files import atomic_write, build_once, cache_dir
from harness.measures.base import Measure, MeasureSummary
from harness.measures.vectors import TestVectors
from harness.plugins import hookimpl
from harness.plugins.commands import CommandRegistration
from harness.plugins.manager import make_plugin_host
from harness.plugins.measures import MeasureRegistration
from harness.plugins.registry import Registration
from harness.plugins.reports import ReportRegistration
from harness.suites.words import locate_word
from harness.suites.yaml import key_line

__all__ = [
    # contract
    "AVAILABLE",
    "Availability",
    "Backend",
    "Embeddings",
    "Item",
    "ModelCard",
    "NeedsResources",
    "SharesForward",
    "Sweepable",
    # options and parsers
    "Option",
    "non_negative_int",
    "parse_bool",
    "parse_int_list",
    "positive_int",
    # transformer encoders
    "TRANSFORMER_OPTIONS",
    "LoadedModel",
    "TokenizerSpec",
    "TransformerBackend",
    # packaged data and digests
    "PackagedData",
    "installed_version",
    "installed_versions",
    "path_digest",
    # cache folder and files
    "atomic_write",
    "build_once",
    "cache_dir",
    # hooks
    "CommandRegistration",
    "Registration",
    "ReportRegistration",
    "Results",  # noqa: F822 - imported on first use, by __getattr__
    "hookimpl",
    "make_plugin_host",
    # kinds of test
    "Measure",
    "MeasureRegistration",
    "MeasureSummary",
    "TestVectors",
    "did_you_mean",
    "key_line",
    # errors
    "BackendUnavailable",
    "HarnessError",
    "OptionError",
    "PluginError",
    # locating words
    "locate_word",
]


def __getattr__(name: str):
    if name == "Results":  # the run a report renders: imported when a report plugin asks
        from harness.results.model import Results

        return Results
    raise AttributeError(f"module 'harness.plugin_api' has no attribute {name!r}")
