"""Pooling hidden states into one vector per item: which layers (resolved against the model),
how they combine (sum, mean, concat), and how a target's word pieces combine (mean, first, last,
sum). numpy only."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from harness.errors import OptionError

LAYER_POOLS = ("sum", "mean", "concat")
SUBWORD_POOLS = ("mean", "first", "last", "sum")


def resolve_layers(layers: Sequence[int], n_states: int) -> list[int]:
    """Layer indices made non-negative; an index outside the model is an OptionError."""
    out = []
    for layer in layers:
        index = layer + n_states if layer < 0 else layer
        if not 0 <= index < n_states:
            raise OptionError(
                f"layers={layer}: the model has {n_states} hidden states (0 is the embedding "
                f"layer, {n_states - 1} the top; -1 to -{n_states} count from the top)"
            )
        out.append(index)
    return out


def pool_layers(states: Sequence[np.ndarray], mode: str) -> np.ndarray:
    """Combine k arrays of shape (B, S, H) into (B, S, H), or (B, S, k*H) for concat."""
    if mode == "concat":
        return np.concatenate(states, axis=-1)
    stacked = np.stack(states)
    return stacked.sum(axis=0) if mode == "sum" else stacked.mean(axis=0)


def position_weights(start: np.ndarray, stop: np.ndarray, width: int, mode: str) -> np.ndarray:
    """(m, width) weights over positions: the pooled vector of row i is weights[i] @ states."""
    pos = np.arange(width)[None, :]
    lo, hi = start[:, None], stop[:, None]
    if mode == "first":
        w = pos == lo
    elif mode == "last":
        w = pos == hi - 1
    else:
        w = (pos >= lo) & (pos < hi)
    w = w.astype(np.float32)
    if mode == "mean":
        w /= (hi - lo).astype(np.float32)
    return w


