"""Plots for report.html, as PNG bytes (matplotlib, imported on first use, no display)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from harness.results import Results
from harness.stats import wilson_interval


def _figure(width: float, height: float, rows: int = 1, columns: int = 1):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["text.parse_math"] = False  # a "$" in a test id is text, not maths

    return plt, plt.subplots(rows, columns, figsize=(width, height), dpi=100, squeeze=False
                             ) if rows * columns > 1 else plt.subplots(figsize=(width, height),
                                                                       dpi=100)


def _png(plt, fig) -> bytes:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def accuracy_plot(results: Results) -> bytes:
    """Accuracy per backend and suite, with 95% Wilson intervals."""
    rows = [s for s in results.summary_rows if s.status == "ok" and s.total]
    plt, (fig, ax) = _figure(max(4.0, 0.9 * len(rows) + 2), 3.6)
    labels, values, low, high = [], [], [], []
    for s in rows:
        lo, hi = wilson_interval(s.passed, s.total)
        labels.append(f"{s.backend}\n{s.suite}")
        values.append(s.passed / s.total)
        low.append(s.passed / s.total - lo)
        high.append(hi - s.passed / s.total)
    ax.bar(range(len(rows)), values, yerr=[low, high], capsize=4, color="#4c78a8")
    ax.set_xticks(range(len(rows)), labels, fontsize=8)
    ax.set_ylim(0, 1)
    ax.set_ylabel("accuracy (95% Wilson interval)")
    ax.set_title("Expectations passed")
    return _png(plt, fig)


def margin_plot(results: Results) -> bytes:
    """The distribution of margins (sim closer - sim farther) per backend."""
    backends = [b for b in results.backends if any(
        r.backend == b and r.margin is not None for r in results.rows)]
    plt, (fig, ax) = _figure(max(4.0, 1.1 * len(backends) + 2), 3.6)
    data = [[r.margin for r in results.rows if r.backend == b and r.margin is not None]
            for b in backends]
    if data:
        ax.boxplot(data, showfliers=True)
        ax.set_xticks(range(1, len(backends) + 1), backends, fontsize=8)
    ax.axhline(0, color="#999", linewidth=1)
    ax.set_ylabel("margin: sim(closer) - sim(farther)")
    ax.set_title("Margins (above 0: the ordering holds)")
    return _png(plt, fig)


def heatmap(labels: Sequence[str], matrix: Sequence[Sequence[float | None]], title: str) -> bytes:
    """Cosine similarities between a test's contexts."""
    return heatmaps([(title, labels, matrix)])


def heatmaps(tests: Sequence[tuple[str, Sequence[str], Sequence[Sequence[float | None]]]],
             columns: int = 4) -> bytes:
    """Several tests' similarity heatmaps in one image (one PNG encoding for all: fast)."""
    import math

    cols = min(columns, len(tests))
    rows = math.ceil(len(tests) / cols)
    size = max(len(labels) for _, labels, _ in tests)
    plt, (fig, axes) = _figure(cols * (1.2 + 0.6 * size), rows * (1.3 + 0.6 * size), rows,
                               cols)
    flat = list(getattr(axes, "flat", [axes]))
    for ax, (title, labels, matrix) in zip(flat, tests):
        _draw_heatmap(fig, ax, labels, matrix, title)
    for ax in flat[len(tests):]:
        ax.axis("off")
    return _png(plt, fig)


MAX_CELL_LABELS = 10  # above this many contexts, cells get no printed value


def _draw_heatmap(fig, ax, labels, matrix, title) -> None:
    import numpy as np

    values = np.array([[np.nan if v is None else v for v in row] for row in matrix], dtype=float)
    ax.imshow(values, cmap="viridis", vmin=np.nanmin(values) if np.isfinite(values).any()
              else 0, vmax=1)
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right", fontsize=7)
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    if len(labels) > MAX_CELL_LABELS:
        ax.set_title(title, fontsize=8)
        return
    for i in range(len(labels)):
        for j in range(len(labels)):
            if np.isfinite(values[i, j]):
                ax.text(j, i, f"{values[i, j]:.2f}", ha="center", va="center", fontsize=6,
                        color="white" if values[i, j] < 0.8 else "black")
    ax.set_title(title, fontsize=8)  # the values are written in the cells: no colour bar


def sweep_plot(rows) -> bytes:
    """Accuracy against layer, one line per swept backend."""
    backends = list(dict.fromkeys(r.backend for r in rows if r.option == "layers"))
    plt, (fig, ax) = _figure(6.0, 3.8)
    for backend in backends:
        mine = [r for r in rows if r.backend == backend and r.option == "layers"]
        ax.plot([int(r.value) for r in mine], [r.accuracy for r in mine], marker="o",
                label=backend)
    ax.set_xlabel("layer (0: embeddings)")
    ax.set_ylabel("accuracy")
    ax.set_title("Accuracy of each single layer")
    ax.grid(alpha=0.3)
    if backends:
        ax.legend(fontsize=8)
    return _png(plt, fig)
