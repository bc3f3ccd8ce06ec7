"""PNG plots of the commands that write picture files (`harness sweep`, and later ones), with
matplotlib, imported on first use, no display. report.html draws its pictures as SVG
(harness.figures.svg) and needs no plotting library."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np


def _figure(width: float, height: float, rows: int = 1, columns: int = 1):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["text.parse_math"] = False  # a "$" in a label is text, not maths
    return plt, plt.subplots(rows, columns, figsize=(width, height), dpi=100)


def _png(plt, fig) -> bytes:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def sweep_plot(lines: Mapping[str, tuple[Sequence[int], Sequence[float]]]) -> bytes:
    """Accuracy against layer: for each swept backend, its (layers, accuracies)."""
    plt, (fig, ax) = _figure(6.0, 3.8)
    for backend, (layers, accuracies) in lines.items():
        ax.plot(list(layers), list(accuracies), marker="o", label=backend)
    ax.set_xlabel("layer (0: embeddings)")
    ax.set_ylabel("accuracy")
    ax.set_title("Accuracy of each single layer")
    ax.grid(alpha=0.3)
    if lines:
        ax.legend(fontsize=8)
    return _png(plt, fig)


_GEOMETRY_PANELS = (
    ("anisotropy", "anisotropy (baseline cosine)"),
    ("self_similarity_adjusted", "self-similarity, adjusted"),
    ("intra_sentence_similarity_adjusted", "intra-sentence similarity, adjusted"),
    ("mev_adjusted", "max. explainable variance, adjusted"),
)


def geometry_plot(rows: Sequence[Mapping[str, Any]]) -> bytes:
    """Each geometry measure against layer, one line per backend; rows are mappings of
    `backend`, `layer` (None: a backend without layers, a dashed horizontal line) and the
    measures of _GEOMETRY_PANELS."""
    backends = list(dict.fromkeys(r["backend"] for r in rows))
    layers = [r["layer"] for r in rows if r["layer"] is not None]
    span = (min(layers), max(layers)) if layers else (0, 1)
    plt, (fig, axes) = _figure(9.0, 6.0, 2, 2)
    for ax, (metric, title) in zip(axes.flat, _GEOMETRY_PANELS):
        for n, backend in enumerate(backends):
            mine = [r for r in rows if r["backend"] == backend]
            colour = f"C{n % 10}"
            if mine[0]["layer"] is None:
                ax.hlines(mine[0][metric], *span, colors=colour, linestyles="dashed",
                          label=backend)
            else:
                ax.plot([r["layer"] for r in mine], [r[metric] for r in mine],
                        marker="o", color=colour, label=backend)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("layer (0: embeddings)")
        ax.grid(alpha=0.3)
    axes.flat[0].legend(fontsize=8)
    return _png(plt, fig)


def sense_plot(points: np.ndarray, groups: Sequence[int], names: Sequence[str],
               title: str, axes: Sequence[str] = ()) -> bytes:
    """A map of points in 2-D, one colour and marker per group (`groups[i]` indexes `names`,
    the legend); `axes` label the horizontal and vertical axes."""
    from harness.figures.svg import style

    plt, (fig, ax) = _figure(8.0, 5.0 + 0.16 * len(names))
    for n, name in enumerate(names):
        mine = [i for i, g in enumerate(groups) if g == n]
        if mine:
            colour, shape = style(n)
            ax.scatter(points[mine, 0], points[mine, 1], s=40, alpha=0.85, color=colour,
                       marker=shape, edgecolors="#333", linewidths=0.5, label=name)
    ax.set_title(title)
    ax.set_aspect("equal", adjustable="datalim")  # distances read alike across and down
    ax.set_xticks([])
    ax.set_yticks([])
    if any(axes):
        ax.set_xlabel(axes[0])
        ax.set_ylabel(axes[1])
    below = -0.09 if any(axes) else -0.02  # under the horizontal axis's label
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, below), ncol=1,
              frameon=False)
    return _png(plt, fig)
