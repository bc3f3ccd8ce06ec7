"""Deprecated: import from `harness.plugin_api` (`TransformerBackend`, `LoadedModel`,
`TRANSFORMER_OPTIONS`). This alias of the module's old path goes in the next release."""

import warnings

from harness.backend.transformer import (
    DEVICES,
    POOLING_OPTIONS,
    TRANSFORMER_OPTIONS,
    LoadedModel,
    TransformerBackend,
    pad_batch,
    parse_device,
    token_budget_batches,
)

warnings.warn("harness.transformer is deprecated and goes in the next release: import "
              "TransformerBackend, LoadedModel and TRANSFORMER_OPTIONS from harness.plugin_api",
              DeprecationWarning, stacklevel=2)

__all__ = ["DEVICES", "POOLING_OPTIONS", "TRANSFORMER_OPTIONS", "LoadedModel",
           "TransformerBackend", "pad_batch", "parse_device", "token_budget_batches"]
