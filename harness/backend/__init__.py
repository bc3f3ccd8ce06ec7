"""The backend contract and what backends are built from: `Backend`, `Item`, `Embeddings`
(base), options, capabilities, the transformer base class with its alignment and pooling, and
helpers for packaged models and digests. numpy only; no framework is imported here.

Internal: plugin authors import from `harness.plugin_api`, the one public surface; the modules
here may move. The names below are re-exported so that code written for wic-harness 0.2
(`from harness.backend import Backend`) keeps working.
"""

from harness.backend.base import (
    AVAILABLE,
    CORE_OPTIONS,
    Availability,
    Backend,
    BrokenInstance,
    Embeddings,
    Item,
)
from harness.backend.options import Option, parse_bool, parse_int_list

__all__ = ["AVAILABLE", "CORE_OPTIONS", "Availability", "Backend", "BrokenInstance",
           "Embeddings", "Item", "Option", "parse_bool", "parse_int_list"]
