"""wic-harness: does this embedding model tell word senses apart in context?

The public API (`run`, `sweep`, `evaluate_wic`, `load_suite`, `wordnet_suite`, `wic_suite`,
`pairs_suite`, `get_backend`, `embed`, `similarities`, `geometry`, `senses`,
`reference_contexts`, `write_reports`; `Backend` and `TransformerBackend` for plugin authors)
is imported on first use, so that `import harness` and `harness --help` stay fast.

This package is the one public surface for users (`__all__`; tests/test_public_names.py keeps
it), and `harness.plugin_api` the one for plugin authors; the backend names here
(`harness.Backend`, ...) are the same objects, resolved through it. Everything else is internal.
"""

from harness._version import __version__

_API = {
    "run": "harness.api",
    "sweep": "harness.api",
    "evaluate_wic": "harness.api",
    "load_suite": "harness.api",
    "wordnet_suite": "harness.suites.builders",
    "wic_suite": "harness.suites.builders",
    "pairs_suite": "harness.suites.builders",
    "write_reports": "harness.reports",
    "get_backend": "harness.api",
    "get_backends": "harness.api",
    "default_backends": "harness.api",
    "embed": "harness.api",
    "similarities": "harness.api",
    "geometry": "harness.api",
    "senses": "harness.api",
    "reference_contexts": "harness.pipeline.reference",
    "Backend": "harness.plugin_api",
    "Embeddings": "harness.plugin_api",
    "Item": "harness.plugin_api",
    "Option": "harness.plugin_api",
    "Availability": "harness.plugin_api",
    "TransformerBackend": "harness.plugin_api",
    "Results": "harness.pipeline.results",
    "Suite": "harness.suites.model",
}


def __getattr__(name: str):
    if name in _API:
        import importlib

        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'harness' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_API])


__all__ = ["__version__", *_API]
