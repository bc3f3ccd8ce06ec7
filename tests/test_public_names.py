"""What may be touched is visible: `harness` is the one surface for users and
`harness.plugin_api` the one for plugin authors, each exporting exactly the names committed
here (adding or removing one is a deliberate change of this file); every name they export
resolves; neither hands out a public name it does not export; and every package of the core
says what it exports (`__all__`, empty where nothing is public), naming nothing internal.
(That the built-in backends, plugins and examples import nothing else: tests/test_plugin_api.py.)
"""

from __future__ import annotations

import importlib
import types

import pytest

import harness
import harness.plugin_api as plugin_api
from tests.helpers import ROOT

USERS = [
    "__version__",
    # running suites and studies
    "run", "sweep", "evaluate_wic", "geometry", "senses",
    # suites
    "Suite", "load_suite", "wordnet_suite", "wic_suite", "pairs_suite", "reference_contexts",
    # backends and vectors
    "get_backend", "get_backends", "default_backends", "embed", "similarities",
    # results
    "Results", "write_reports",
    # for plugin authors too (the same objects as harness.plugin_api's)
    "Backend", "TransformerBackend", "Embeddings", "Item", "Option", "Availability",
]

PLUGIN_AUTHORS = [
    # contract
    "AVAILABLE", "Availability", "Backend", "Embeddings", "Item", "NeedsResources",
    "SharesForward", "Sweepable", "ModelCard",
    # options and parsers
    "Option", "non_negative_int", "parse_bool", "parse_int_list", "positive_int",
    # transformer encoders
    "TRANSFORMER_OPTIONS", "LoadedModel", "TokenizerSpec", "TransformerBackend",
    # packaged data and digests
    "PackagedData", "installed_version", "installed_versions", "path_digest",
    # cache folder and files
    "atomic_write", "build_once", "cache_dir",
    # hooks
    "CommandRegistration", "Registration", "ReportRegistration", "Results", "hookimpl",
    "make_plugin_host",
    # kinds of test
    "Measure", "MeasureRegistration", "MeasureSummary", "TestVectors", "did_you_mean",
    "key_line",
    # errors
    "BackendUnavailable", "HarnessError", "OptionError", "PluginError",
    # locating words
    "locate_word",
]

SURFACES = {"harness": (harness, USERS), "harness.plugin_api": (plugin_api, PLUGIN_AUTHORS)}


def packages() -> list[str]:
    """Every package of the core: harness/ and each folder below it with an __init__.py."""
    found = sorted(path.parent.relative_to(ROOT).as_posix().replace("/", ".")
                   for path in (ROOT / "harness").rglob("__init__.py"))
    assert found[0] == "harness" and len(found) > 5
    return found


@pytest.mark.parametrize("surface", list(SURFACES))
def test_each_surface_exports_exactly_the_committed_names(surface):
    module, committed = SURFACES[surface]
    assert len(committed) == len(set(committed)) and len(module.__all__) == len(
        set(module.__all__))
    assert sorted(module.__all__) == sorted(committed), (
        f"{surface}.__all__ changed: added {sorted(set(module.__all__) - set(committed))}, "
        f"removed {sorted(set(committed) - set(module.__all__))}; if that is meant, change "
        "the list in this test (and say so in CHANGELOG.md)")


@pytest.mark.parametrize("surface", list(SURFACES))
def test_every_exported_name_resolves(surface):
    module, _ = SURFACES[surface]
    missing = []
    for name in module.__all__:
        try:
            getattr(module, name)
        except AttributeError:
            missing.append(name)
    assert missing == []


@pytest.mark.parametrize("surface", list(SURFACES))
def test_no_surface_hands_out_a_public_name_it_does_not_export(surface):
    module, _ = SURFACES[surface]
    leaked = [name for name, value in vars(module).items()
              if not name.startswith("_") and not isinstance(value, types.ModuleType)
              and name not in module.__all__]
    assert leaked == []
    with pytest.raises(AttributeError, match="no attribute 'run_suites'"):
        module.run_suites  # noqa: B018 - internal: not reachable through a surface


def test_the_top_level_lists_what_it_exports():
    assert set(dir(harness)) >= set(harness.__all__)


@pytest.mark.parametrize("package", packages())
def test_every_package_says_what_it_exports(package):
    module = importlib.import_module(package)
    exported = getattr(module, "__all__", None)
    assert isinstance(exported, list | tuple), f"{package} has no __all__ (an empty one if " \
                                               "nothing in it is public)"
    assert all(isinstance(name, str) for name in exported)
    assert [name for name in exported if name.startswith("_") and name != "__version__"] == []
    assert [name for name in exported if not hasattr(module, name)] == []
