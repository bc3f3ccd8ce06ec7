"""Deprecated: the transformer base class moved into the core as `harness.backend.transformer`
(`harness.TransformerBackend`), with public method names (`load_model`, `forward`). This module
keeps the old names for one release; a subclass of `ContextualBackend` that implements `_load`
and `_forward` still works."""

from __future__ import annotations

import warnings

from harness.backend.alignment import TokenizerSpec, make_plan, target_tokens
from harness.backend.pooling import (
    LAYER_POOLS,
    SUBWORD_POOLS,
    pool_layers,
    position_weights,
    resolve_layers,
)
from harness.backend.transformer import (
    POOLING_OPTIONS,
    LoadedModel,
    TransformerBackend,
    pad_batch,
    token_budget_batches,
)
from harness.backend.transformer import TRANSFORMER_OPTIONS as CONTEXTUAL_OPTIONS

warnings.warn("harness_backends.contextual is deprecated: subclass harness.TransformerBackend "
              "(from harness.backend.transformer) and implement load_model and forward",
              DeprecationWarning, stacklevel=2)

__all__ = ["CONTEXTUAL_OPTIONS", "LAYER_POOLS", "POOLING_OPTIONS", "SUBWORD_POOLS",
           "ContextualBackend", "TokenizerSpec", "make_plan", "pad_batch", "pool_layers",
           "position_weights", "resolve_layers", "target_tokens", "token_budget_batches"]


class ContextualBackend(TransformerBackend):
    """The pre-0.2 base class: subclasses implement `_load` (returning the tokenizer spec, the
    number of hidden states and the length limit) and `_forward`."""

    def load_model(self) -> LoadedModel:
        spec, hidden_states, max_length = self._load()  # type: ignore[attr-defined]
        return LoadedModel(spec, hidden_states, max_length)

    def forward(self, input_ids, attention_mask):
        return self._forward(input_ids, attention_mask)  # type: ignore[attr-defined]
