"""`harness sweep`: accuracy per layer and per pooling option of contextual backends, every
setting of one model computed from one forward pass per text. Its files (sweep.csv, sweep.md,
sweep.png) are rendered by harness.reports.studies.sweep."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.backend import Backend
from harness.backend.capabilities import Sweepable
from harness.errors import HarnessError
from harness.pipeline.context import RunContext
from harness.pipeline.runner import run_suites
from harness.results.model import Results
from harness.suites.model import Suite


@dataclass(frozen=True)
class SweepRow:
    """The accuracy of one setting of a swept backend, over every suite (the expectations and
    the test contexts of wsd tests), and the F1 of its wsd tests."""

    backend: str  # the swept backend, as named with -b
    option: str  # layers, subword_pool, layer_pool or truncate_dim (a width)
    value: str
    variant: str  # the variant's backend name in results.json
    passed: int
    total: int
    f1: float | None = None  # Raganato's F1 on the suites' wsd tests (None: none)

    @property
    def accuracy(self) -> float:
        return self.passed / self.total if self.total else float("nan")


@dataclass(frozen=True)
class Sweep:
    """A sweep's run (every variant is a backend of it) and its accuracy per setting."""

    results: Results
    rows: list[SweepRow]

    def text(self) -> str:
        """The table `harness sweep` prints."""
        from harness.reports.studies.sweep import sweep_text

        return sweep_text(self.rows)

    def write(self, out_dir: str | Path) -> list[Path]:
        """sweep.csv, sweep.md and sweep.png in `out_dir` (the run's own reports: see
        `harness.reports.write_reports`); returns the paths written."""
        from harness.reports.studies.sweep import write_sweep

        return write_sweep(self.rows, out_dir)


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


def width_variants(backend: Backend, dims: Sequence[int | str]) -> list[tuple[str, str, Backend]]:
    """("truncate_dim", N, backend) for each width of `dims` (an int, or "full": the backend
    itself); a width variant differs only in a core option, so it shares the forward pass."""
    out = []
    for dim in dims:
        if str(dim) == "full":
            out.append(("truncate_dim", "full", backend))
            continue
        name = f"{backend.name}[truncate_dim={dim}]"
        out.append(("truncate_dim", str(dim), type(backend)(
            name, {**backend.options, "truncate_dim": dim})))
    return out


def sweep(suites: Sequence[Suite], backends: Sequence[Backend],
          context: RunContext | None = None, dims: Sequence[int | str] = ()) -> Sweep:
    """Accuracy of every setting each backend sweeps (every single layer, sub-word pooling
    and layer pooling of a transformer) and of each width of `dims` (the first N components,
    "full": all), all from one forward pass per text, embedded as `context` says (default:
    here, no cache, no progress bars). With `dims`, a backend without layers is swept by width
    alone."""
    context = context or RunContext()
    run, plan = [], []
    for base in backends:
        availability = base.availability()
        if not availability.ok:
            raise HarnessError(f"backend {base.name}: {availability.explain()}")
        run.append(base)  # first: it holds the loaded model the variants share
        settings = setting_variants(base) if dims else variants(base)
        for option, value, variant in [*settings, *width_variants(base, dims)]:
            if variant is not base:
                run.append(variant)
            plan.append((base.name, option, value, variant.name))
    results = run_suites(suites, run, **context.embedding())
    return Sweep(results, sweep_rows(results, plan))


def sweep_rows(results: Results, plan: list[tuple[str, str, str, str]]) -> list[SweepRow]:
    """plan: (swept backend, option, value, variant name)."""
    rows = []
    for backend, option, value, variant in plan:
        mine = [s for s in results.summary_rows if s.backend == variant and s.status == "ok"]
        # a wsd test context counts as an item: passed when answered correctly
        wsd = [r for r in results.measure_rows.get("wsd", []) if r.backend == variant]
        if mine:
            rows.append(SweepRow(backend, option, value, variant,
                                 sum(s.passed for s in mine) + sum(r.correct for r in wsd),
                                 sum(s.total for s in mine) + len(wsd),
                                 results.measures["wsd"].main_score(wsd) if wsd else None))
    return rows
