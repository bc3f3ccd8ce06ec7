"""Pooling hidden states into one vector per item: which layers (resolved against the model),
how they combine (sum, mean, concat), and how a target's word pieces combine (mean, first, last,
sum). numpy only."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from harness.errors import OptionError

LAYER_POOLS = ("sum", "mean", "concat")
SUBWORD_POOLS = ("mean", "first", "last", "sum")


def parse_layers(text: str) -> str | tuple[int, ...]:
    """`auto`, or layer indices like -4,-3,-2,-1."""
    from harness.backend.options import parse_int_list

    return "auto" if text.strip().lower() == "auto" else parse_int_list(text)


def resolve_layers(layers: str | Sequence[int], n_states: int) -> list[int]:
    """Layer indices made non-negative (`auto`: `default_layers`); an index outside the model
    is an OptionError."""
    if layers == "auto":
        return default_layers(n_states)
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


def position_weights(positions: Sequence[np.ndarray], width: int, mode: str) -> np.ndarray:
    """(m, width) weights over positions: the pooled vector of row i is weights[i] @ states,
    from the target's token positions of each row (mean, sum, first or last of them)."""
    w = np.zeros((len(positions), width), dtype=np.float32)
    for row, where in enumerate(positions):
        if mode == "first":
            w[row, where[0]] = 1
        elif mode == "last":
            w[row, where[-1]] = 1
        else:
            w[row, where] = 1
    if mode == "mean":
        w /= np.array([len(p) for p in positions], dtype=np.float32)[:, None]
    return w


def default_layers(n_states: int) -> list[int]:
    """The last four hidden states, or every transformer layer (1 to n, never the embedding
    layer) when the model has fewer than four; `n_states` counts the embedding layer."""
    n_layers = n_states - 1
    return list(range(max(1, n_layers - 3), n_layers + 1)) if n_layers >= 1 else [0]
