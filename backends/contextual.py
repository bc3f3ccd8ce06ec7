"""Deprecated: the transformer base class moved into the core as `TransformerBackend` (import it
from `harness.plugin_api`), with public method names (`load_model`, `forward`). This module
keeps the old class for one more release; a subclass of `ContextualBackend` that implements
`_load` and `_forward` still works.

The pipeline's helper functions this module used to re-export (`make_plan`, `pad_batch`,
`pool_layers`, ...) are internal to `TransformerBackend` and are no longer offered here."""

from __future__ import annotations

import warnings

from harness.plugin_api import TRANSFORMER_OPTIONS, LoadedModel, TokenizerSpec, TransformerBackend

CONTEXTUAL_OPTIONS = TRANSFORMER_OPTIONS
POOLING_OPTIONS = ("layers", "layer_pool", "subword_pool")
LAYER_POOLS = TRANSFORMER_OPTIONS["layer_pool"].choices
SUBWORD_POOLS = TRANSFORMER_OPTIONS["subword_pool"].choices
_REMOVED = frozenset({"make_plan", "pad_batch", "pool_layers", "position_weights",
                      "resolve_layers", "target_tokens", "token_budget_batches"})

warnings.warn("harness_backends.contextual is deprecated: subclass harness.TransformerBackend "
              "(from harness.plugin_api import TransformerBackend) and implement load_model "
              "and forward",
              DeprecationWarning, stacklevel=2)

__all__ = ["CONTEXTUAL_OPTIONS", "LAYER_POOLS", "POOLING_OPTIONS", "SUBWORD_POOLS",
           "ContextualBackend", "LoadedModel", "TokenizerSpec"]


def __getattr__(name: str):
    if name in _REMOVED:
        raise AttributeError(
            f"harness_backends.contextual.{name} is gone: it is internal to TransformerBackend; "
            "subclass harness.plugin_api.TransformerBackend, which aligns, batches and pools")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class ContextualBackend(TransformerBackend):
    """The pre-0.2 base class: subclasses implement `_load` (returning the tokenizer spec, the
    number of hidden states and the length limit) and `_forward`."""

    def load_model(self) -> LoadedModel:
        spec, hidden_states, max_length = self._load()  # type: ignore[attr-defined]
        return LoadedModel(spec, hidden_states, max_length)

    def forward(self, input_ids, attention_mask):
        return self._forward(input_ids, attention_mask)  # type: ignore[attr-defined]
