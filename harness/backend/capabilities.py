"""What the runner can do with some backends beyond the `Backend` contract. Each is a protocol:
a backend has the capability when it has the methods (the transformer base class has all three);
the runner checks with isinstance and falls back to the plain contract otherwise."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from harness.backend import Backend, Embeddings, Item


@runtime_checkable
class SharesForward(Protocol):
    """Variants of one model that differ only in pooling can be embedded together, one
    forward pass per text."""

    def share_key(self) -> str:
        """Equal for backends that can share this one's forward pass."""

    def embed_shared(self, items: Sequence[Item],
                     group: Sequence[Backend]) -> list[Embeddings | Exception]:
        """Embeddings of `items` for each backend of `group` (this one first, all with this
        share_key); an Exception in place of those of a backend that alone failed."""


@runtime_checkable
class Sweepable(Protocol):
    """Settings worth sweeping (`harness sweep`), all able to share this backend's forward
    pass."""

    def sweep_settings(self) -> list[dict[str, str]]:
        """Each setting is a dict of options to override; [] when there is nothing to sweep."""


@runtime_checkable
class NeedsResources(Protocol):
    """What one worker of this backend needs on a cluster (Ray's num_cpus, num_gpus)."""

    def resources(self) -> dict[str, float]: ...


DEFAULT_RESOURCES = {"num_cpus": 1, "num_gpus": 0}


def resources_of(backend: Backend) -> dict[str, float]:
    return backend.resources() if isinstance(backend, NeedsResources) else dict(DEFAULT_RESOURCES)


def share_key_of(backend: Backend) -> str | None:
    """The backend's share_key, or None when it runs alone."""
    return backend.share_key() if isinstance(backend, SharesForward) else None
