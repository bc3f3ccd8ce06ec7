"""PNG plots of the commands that write picture files (`harness sweep`, and later ones), with
matplotlib, imported on first use, no display. report.html draws its pictures as SVG
(harness.reports.svg) and needs no plotting library."""

from __future__ import annotations

import io


def _figure(width: float, height: float):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["text.parse_math"] = False  # a "$" in a label is text, not maths
    return plt, plt.subplots(figsize=(width, height), dpi=100)


def _png(plt, fig) -> bytes:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


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
