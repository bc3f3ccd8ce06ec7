"""The one word-in-context embedding interface every backend implements.

A backend turns a batch of `Item`s (a text plus the character span of the target word in it, or no
span for a whole-sentence context) into an (n, dim) float array. Construction is cheap and never
loads weights; the first `embed` call does. A row of NaN means the backend has no vector for that
item (an out-of-vocabulary word, say); `missing_reason` says why, and the harness reports it per
expectation instead of scoring it.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple

import numpy as np

from harness.errors import OptionError
from harness.suggest import did_you_mean


class Item(NamedTuple):
    """A context: `text`, and the [start, end) character span of the target (None: sentence)."""

    text: str
    span: tuple[int, int] | None = None

    @property
    def word(self) -> str | None:
        return None if self.span is None else self.text[self.span[0] : self.span[1]]


@dataclass(frozen=True)
class Availability:
    """Whether a backend can run here; if not, why and the command that fixes it."""

    ok: bool
    reason: str = ""
    install: str = ""

    def explain(self) -> str:
        if self.ok:
            return "available"
        return self.reason + (f" Fix: {self.install}" if self.install else "")


AVAILABLE = Availability(True)


def parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"expected true or false, got {text!r}")


def parse_int_list(text: str) -> tuple[int, ...]:
    parts = [p for p in text.replace(" ", ",").split(",") if p]
    if not parts:
        raise ValueError("expected one or more integers, like -4,-3,-2,-1")
    return tuple(int(p) for p in parts)


@dataclass(frozen=True)
class Option:
    """A backend option: its default, help text, how to read it from a CLI string, and whether
    it changes the vectors (then it is part of the fingerprint; batch_size and device are not)."""

    default: Any
    help: str
    parse: Callable[[str], Any] = str
    choices: tuple[Any, ...] | None = None
    affects_vectors: bool = True

    def coerce(self, name: str, value: Any) -> Any:
        if isinstance(value, str) and self.parse is not str:
            try:
                value = self.parse(value)
            except ValueError as exc:
                raise OptionError(f"option {name}={value!r}: {exc}") from None
        if isinstance(value, list):
            value = tuple(value)
        if self.choices is not None and value not in self.choices:
            allowed = ", ".join(map(str, self.choices))
            raise OptionError(f"option {name}={value!r}: must be one of {allowed}")
        return value


class Backend(ABC):
    """Base class of backends. Subclasses set `plugin` and `OPTIONS`, implement `_embed`, and
    usually `availability`, `_weights_id` and `versions`."""

    plugin: ClassVar[str] = ""
    description: ClassVar[str] = ""
    # A context-free (type-level) model gives a word one vector wherever it occurs; reports
    # use such a backend as a control: what it passes needs no context.
    context_free: ClassVar[bool] = False
    OPTIONS: ClassVar[Mapping[str, Option]] = {
        "batch_size": Option(32, "items per forward pass", int, affects_vectors=False),
    }

    def __init__(self, name: str, options: Mapping[str, Any] | None = None):
        self.name = name
        given = dict(options or {})
        unknown = [k for k in given if k not in self.OPTIONS]
        if unknown:
            key = unknown[0]
            hint = did_you_mean(key, self.OPTIONS)
            known = ", ".join(sorted(self.OPTIONS))
            raise OptionError(
                f"backend {name!r}: unknown option {key!r}{hint}; plugin {self.plugin!r} takes: "
                f"{known}"
            )
        self.options: dict[str, Any] = {
            key: spec.coerce(key, given[key]) if key in given else spec.default
            for key, spec in self.OPTIONS.items()
        }

    # -- what a backend declares ------------------------------------------------------------
    def availability(self) -> Availability:
        """Whether this backend can run here. Must be cheap: no weights loaded."""
        return AVAILABLE

    def versions(self) -> dict[str, str]:
        """Versions of the packages and weights that produce the vectors (for reports)."""
        return {}

    def _weights_id(self) -> str:
        """What identifies the weights (a package version, a file digest). Override it; it is
        computed once per backend (see `weights_id`)."""
        return ""

    def weights_id(self) -> str:
        """`_weights_id()`, computed on first use only (digests of large files take time)."""
        if getattr(self, "_weights_memo", None) is None:
            self._weights_memo = self._weights_id()
        return self._weights_memo

    def fingerprint(self) -> str:
        """A stable digest of the plugin, the weights and every option that changes vectors."""
        payload = {
            "plugin": self.plugin,
            "weights": self.weights_id(),
            "options": {
                k: v for k, v in sorted(self.options.items()) if self.OPTIONS[k].affects_vectors
            },
        }
        blob = json.dumps(payload, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def missing_reason(self, item: Item) -> str:
        """Why `embed` returned a NaN row for `item`."""
        return f"{self.name} has no vector for this context"

    def resources(self) -> dict[str, float]:
        """What one worker of this backend needs on a cluster (Ray's num_cpus, num_gpus)."""
        return {"num_cpus": 1, "num_gpus": 0}

    def sweep_settings(self) -> list[dict[str, str]]:
        """Option settings worth sweeping (each a dict of options to override), all of which
        can share this backend's forward pass; [] when there is nothing to sweep."""
        return []

    def forward_key(self) -> str | None:
        """Backends that return the same key (not None) can be embedded together by
        `embed_group`, sharing the model's work: variants of one model that differ only in
        pooling, say. None: this backend runs alone."""
        return None

    def embed_group(self, items: Sequence[Item],
                    group: Sequence[Backend]) -> list[np.ndarray | Exception]:
        """Vectors of `items` for each backend of `group` (this one first, all with this
        forward_key); an Exception in place of the vectors of a backend that alone failed.
        Backends that share work override it."""
        return [backend.embed(items) for backend in group]

    # -- embedding ----------------------------------------------------------------------------
    @abstractmethod
    def _embed(self, items: Sequence[Item]) -> np.ndarray:
        """Embed a batch of at most `batch_size` items: an (n, dim) float array."""

    def embed(self, items: Sequence[Item]) -> np.ndarray:
        """Embed any number of items, `batch_size` at a time; checks every batch's shape."""
        items = list(items)
        size = max(1, int(self.options.get("batch_size") or len(items) or 1))
        parts = []
        for start in range(0, len(items), size):
            batch = items[start : start + size]
            parts.append(self._checked(self._embed(batch), len(batch)))
        if not parts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.concatenate(parts, axis=0)

    def _checked(self, out: np.ndarray, n: int) -> np.ndarray:
        """`out` as an (n, dim) float array, or a ValueError naming the backend."""
        out = np.asarray(out)
        if out.ndim != 2 or out.shape[0] != n:
            raise ValueError(
                f"backend {self.name!r} returned shape {out.shape} for {n} items; "
                "expected (n, dim)"
            )
        if not np.issubdtype(out.dtype, np.floating):
            raise ValueError(f"backend {self.name!r} returned dtype {out.dtype}, not float")
        return out

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} plugin={self.plugin!r}>"


class BrokenInstance(Backend):
    """Stands in for a registered instance that could not be built (bad options from its
    plugin), so that a run reports it as an error and goes on with the others."""

    def __init__(self, name: str, plugin: str, error: Exception):
        super().__init__(name)
        self.plugin = plugin  # type: ignore[misc]
        self.error = error

    def availability(self) -> Availability:
        raise self.error

    def _embed(self, items: Sequence[Item]) -> np.ndarray:
        raise self.error
