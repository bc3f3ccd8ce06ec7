"""The run context: what every command that embeds, and every function of the Python API that
does, shares about *how* it runs, as opposed to *what* it scores: where backends come from (a
registry), the embedding cache, the executor, the progress bars, the output folder, and
whether the reference sample is recorded. `harness.run`, `sweep`, `evaluate_wic`, `geometry`,
`senses`, `embed` and `similarities` build one from their keyword arguments; the studies and
the runner receive it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from harness.backend import Backend
from harness.measures.orderings import WEAK_BELOW
from harness.pipeline.embedding import ProgressFactory
from harness.pipeline.embedding_cache import EmbeddingCache
from harness.pipeline.executors import Executor, LocalExecutor


class BackendMaker(Protocol):
    """What makes a backend from its name or inline spec: a plugin registry
    (`harness.plugins.registry.Registry`)."""

    def create(self, spec: str) -> Backend: ...


@dataclass(frozen=True)
class RunContext:
    """How a run goes. `registry` makes the backends named by a string (None: the installed
    plugins', loaded when first needed); `cache` holds vectors and calibrations (None: none);
    `executor` computes the vectors (here, or on Ray); `progress` makes progress bars (None:
    none); `output` is the folder the reports go to (None: none written); `reference` and
    `weak_below` say whether each backend's baseline on the reference sample is recorded and
    when a pass is flagged weak (`harness.run`)."""

    registry: BackendMaker | None = None
    cache: EmbeddingCache | None = None
    executor: Executor = field(default_factory=LocalExecutor)
    progress: ProgressFactory | None = None
    output: Path | None = None
    reference: bool = True
    weak_below: float = WEAK_BELOW

    def embedding(self) -> dict[str, Any]:
        """The keyword arguments of `harness.pipeline.prepare.prepare` this context sets."""
        return {"cache": self.cache, "executor": self.executor, "progress": self.progress}


__all__ = ["BackendMaker", "RunContext"]
