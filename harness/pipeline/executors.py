"""Where the embedding work runs: in this process (the default), or on a Ray cluster.

An executor embeds one group of backends (one model, one forward pass per text) over the run's
unique contexts and returns, per backend, what `harness.pipeline.embedding.embed_group` returns
in this process. Scoring always happens in the driver, the same way for every executor. Ray is
imported only by RayExecutor.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Protocol

from harness.backend import Backend, Embeddings, Item
from harness.backend.capabilities import resources_of
from harness.errors import HarnessError
from harness.pipeline.embedding import Progress, assemble, embed_group, shard_positions
from harness.pipeline.embedding_cache import EmbeddingCache

log = logging.getLogger("harness.executors")


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


class EmbedWorker:
    """Holds a group's backends (so a model loads once per worker) and embeds shards. Wrapped
    by `ray.remote` at run time; a plain class, so this module never needs Ray."""

    def __init__(self, specs: list[tuple[type, str, dict]], cache_path: str | None):
        self.group = [cls(name, options) for cls, name, options in specs]
        self.cache = EmbeddingCache(cache_path) if cache_path else None

    def embed(self, items: list[Item]) -> list[Embeddings | Exception]:
        return embed_group(self.group, items, cache=self.cache)


class RayExecutor:
    """Shards of the unique contexts as Ray tasks on workers (actors) that hold each group's
    backends, with the resources the backends ask for. A shard whose task fails is retried
    (`retries` times, on a fresh worker); a group that fails on every try is reported as
    failed, and the other groups' results are kept."""

    name = "ray"

    def __init__(self, address: str | None = None, workers: int = 1, shard_size: int = 1024,
                 retries: int = 1, **init_options: Any):
        self.address = address
        self.workers = max(1, workers)
        self.shard_size = max(1, shard_size)
        self.retries = max(0, retries)
        self.init_options = init_options

    def _ray(self):
        try:
            import ray
        except ImportError:
            raise HarnessError("--executor ray needs Ray: pip install 'wic-harness[ray]'") from None
        if not ray.is_initialized():
            quiet = not logging.getLogger("harness").isEnabledFor(logging.INFO)
            options = {"include_dashboard": False, "log_to_driver": not quiet,
                       "logging_level": logging.ERROR if quiet else logging.INFO,
                       **self.init_options}
            ray.init(address=self.address, **options)
        return ray

    def embed(self, group: Sequence[Backend], items: Sequence[Item], *,
              cache: EmbeddingCache | None = None,
              progress: Progress | None = None) -> list[Embeddings | Exception]:
        ray = self._ray()
        worker_class = ray.remote(EmbedWorker).options(**resources_of(group[0]))
        specs = [(type(b), b.name, dict(b.options)) for b in group]
        cache_path = str(cache.path) if cache is not None else None
        actors = [worker_class.remote(specs, cache_path) for _ in range(self.workers)]
        positions = shard_positions(items, self.shard_size)
        shards = [[items[i] for i in where] for where in positions]
        done: dict[int, list[Embeddings | Exception]] = {}
        pending = {}
        for n, shard in enumerate(shards):
            actor = actors[n % len(actors)]
            pending[actor.embed.remote(shard)] = (n, 0, n % len(actors), actor)
        try:
            while pending:
                [ready], _ = ray.wait(list(pending), num_returns=1)
                shard, attempt, slot, actor = pending.pop(ready)
                try:
                    done[shard] = ray.get(ready)
                except Exception as exc:  # the task raised, or its worker died
                    if attempt >= self.retries:
                        raise RuntimeError(f"shard {shard} of {len(shards)} failed "
                                           f"{attempt + 1} times: {exc}") from None
                    log.warning("ray: shard %d failed (%s); retrying", shard, exc)
                    if isinstance(exc, ray.exceptions.RayActorError) and actors[slot] is actor:
                        actors[slot] = worker_class.remote(specs, cache_path)  # a fresh one
                    retry = actors[slot]
                    pending[retry.embed.remote(shards[shard])] = (shard, attempt + 1, slot,
                                                                  retry)
                    continue
                if progress is not None:
                    progress.update(len(shards[shard]))
        finally:
            for actor in actors:
                ray.kill(actor)
        out: list[Embeddings | Exception] = []
        for b, backend in enumerate(group):
            parts = [done[n][b] for n in range(len(shards))]
            failed = next((p for p in parts if isinstance(p, Exception)), None)
            out.append(failed or assemble(backend, len(items), list(zip(positions, parts))))
        return out


def make_executor(name: str, **options: Any) -> Executor:
    """`local` or `ray` (with RayExecutor's options)."""
    if name == "local":
        return LocalExecutor()
    if name == "ray":
        return RayExecutor(**options)
    raise HarnessError(f"unknown executor {name!r}: use local or ray")
