"""`harness sweep`: accuracy per layer and per pooling option of contextual backends, every
setting of one model computed from one forward pass per text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.backend import Backend
from harness.backend.capabilities import Sweepable
from harness.errors import HarnessError
from harness.files import atomic_write
from harness.pipeline.embedding_cache import EmbeddingCache
from harness.pipeline.executors import Executor, LocalExecutor
from harness.pipeline.runner import ProgressFactory, run_suites
from harness.reports.text import csv_cell, markdown_table, text_table
from harness.results.model import Results
from harness.suites.model import Suite


@dataclass(frozen=True)
class SweepRow:
    backend: str  # the swept backend, as named with -b
    option: str  # layers, subword_pool or layer_pool
    value: str
    variant: str  # the variant's backend name in results.json
    passed: int
    total: int

    @property
    def accuracy(self) -> float:
        return self.passed / self.total if self.total else float("nan")


@dataclass(frozen=True)
class Sweep:
    """A sweep's run (every variant is a backend of it) and its accuracy per setting."""

    results: Results
    rows: list[SweepRow]


def setting_variants(backend: Backend) -> list[tuple[str, str, Backend]]:
    """(option, value, backend) for each setting the backend sweeps, sharing its forward pass;
    [] for a backend with nothing to sweep."""
    settings = backend.sweep_settings() if isinstance(backend, Sweepable) else []
    out = []
    for setting in settings:
        [(option, value)] = setting.items()
        name = f"{backend.name}[{option}={value}]"
        out.append((option, value, type(backend)(name, {**backend.options, **setting})))
    return out


def variants(backend: Backend) -> list[tuple[str, str, Backend]]:
    """The backend's setting_variants; an error when it has nothing to sweep."""
    out = setting_variants(backend)
    if not out:
        raise HarnessError(f"backend {backend.name!r} has nothing to sweep (plugin "
                           f"{backend.plugin!r} has no layers or pooling options)")
    return out


def sweep(suites: Sequence[Suite], backends: Sequence[Backend], *,
          cache: EmbeddingCache | None = None, progress: ProgressFactory | None = None,
          executor: Executor = LocalExecutor()) -> Sweep:  # noqa: B008 - stateless
    """Accuracy of every setting each backend sweeps (every single layer, sub-word pooling
    and layer pooling of a transformer), all from one forward pass per text."""
    run, plan = [], []
    for base in backends:
        availability = base.availability()
        if not availability.ok:
            raise HarnessError(f"backend {base.name}: {availability.explain()}")
        run.append(base)  # first: it holds the loaded model the variants share
        for option, value, variant in variants(base):
            run.append(variant)
            plan.append((base.name, option, value, variant.name))
    results = run_suites(suites, run, progress=progress, cache=cache, executor=executor)
    return Sweep(results, sweep_rows(results, plan))


def sweep_rows(results: Results, plan: list[tuple[str, str, str, str]]) -> list[SweepRow]:
    """plan: (swept backend, option, value, variant name)."""
    rows = []
    for backend, option, value, variant in plan:
        mine = [s for s in results.summary_rows if s.backend == variant and s.status == "ok"]
        if mine:
            rows.append(SweepRow(backend, option, value, variant, sum(s.passed for s in mine),
                                 sum(s.total for s in mine)))
    return rows


HEADERS = ["backend", "option", "value", "passed", "accuracy"]


def cells(row: SweepRow) -> list[str]:
    return [row.backend, row.option, row.value, f"{row.passed}/{row.total}",
            f"{row.accuracy:.3f}"]


def best_layers(rows: list[SweepRow]) -> dict[str, SweepRow]:
    best: dict[str, SweepRow] = {}
    for row in rows:
        if row.option == "layers" and (row.backend not in best
                                       or row.accuracy > best[row.backend].accuracy):
            best[row.backend] = row
    return best


def write_sweep(rows: list[SweepRow], out_dir: Path) -> list[Path]:
    """sweep.csv, sweep.md and sweep.png (accuracy against layer, one line per backend)."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["backend", "option", "value", "passed", "total", "accuracy"])
    for r in rows:
        writer.writerow([csv_cell(r.backend), r.option, r.value, r.passed, r.total,
                         f"{r.accuracy:.6f}"])
    atomic_write(out_dir / "sweep.csv", buffer.getvalue())
    best = best_layers(rows)
    md = ["# Sweep", "", markdown_table(HEADERS, [cells(r) for r in rows]), ""]
    md += [f"Best single layer of {b}: {r.value} ({r.accuracy:.3f})" for b, r in best.items()]
    atomic_write(out_dir / "sweep.md", "\n".join(md) + "\n")
    written = [out_dir / "sweep.csv", out_dir / "sweep.md"]
    try:
        picture = sweep_png(rows)
    except ImportError:  # pragma: no cover - matplotlib is in the default install
        return written
    (out_dir / "sweep.png").write_bytes(picture)
    return [*written, out_dir / "sweep.png"]


def sweep_png(rows: list[SweepRow]) -> bytes:
    """Accuracy against layer, one line per swept backend, as a PNG picture (matplotlib)."""
    from harness.figures.plots import sweep_plot

    lines = {}
    for backend in dict.fromkeys(r.backend for r in rows if r.option == "layers"):
        mine = [r for r in rows if r.backend == backend and r.option == "layers"]
        lines[backend] = ([int(r.value) for r in mine], [r.accuracy for r in mine])
    return sweep_plot(lines)


def sweep_text(rows: list[SweepRow]) -> str:
    best = best_layers(rows)
    lines = [text_table(HEADERS, [cells(r) for r in rows]), ""]
    lines += [f"best single layer of {b}: {r.value} ({r.accuracy:.3f})" for b, r in best.items()]
    return "\n".join(lines)
