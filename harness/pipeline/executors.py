"""Where the embedding work runs: in this process (the default), or on a Ray cluster
(`harness.pipeline.ray_executor`).

An executor embeds one group of backends (one model, one forward pass per text) over the run's
unique contexts and returns, per backend, what `harness.pipeline.embedding.embed_group` returns
in this process. Scoring always happens in the driver, the same way for every executor.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from harness.backend import Backend, Embeddings, Item
from harness.errors import HarnessError
from harness.pipeline.embedding import Progress, embed_group
from harness.pipeline.embedding_cache import EmbeddingCache


class Executor(Protocol):
    """Embeds one group of backends over items: see `harness.pipeline.embedding.embed_group`."""

    name: str

    def embed(self, group: Sequence[Backend], items: Sequence[Item], *,
              cache: EmbeddingCache | None = None,
              progress: Progress | None = None) -> list[Embeddings | Exception]: ...


class LocalExecutor:
    """Everything in this process."""

    name = "local"

    def embed(self, group: Sequence[Backend], items: Sequence[Item], *,
              cache: EmbeddingCache | None = None,
              progress: Progress | None = None) -> list[Embeddings | Exception]:
        return embed_group(group, items, cache=cache, progress=progress)


def make_executor(name: str, **options: Any) -> Executor:
    """`local` or `ray` (with RayExecutor's options; its cluster's address checked now)."""
    if name == "local":
        return LocalExecutor()
    if name == "ray":
        from harness.pipeline.ray_executor import RayExecutor

        executor = RayExecutor(**options)
        executor.check()
        return executor
    raise HarnessError(f"unknown executor {name!r}: use local or ray")
