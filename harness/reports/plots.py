"""PNG plots of the commands that write picture files (`harness sweep`, and later ones), with
matplotlib, imported on first use, no display. report.html draws its pictures as SVG
(harness.reports.svg) and needs no plotting library."""

from __future__ import annotations

import io


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


GEOMETRY_PANELS = (
    ("anisotropy", "anisotropy (baseline cosine)"),
    ("self_similarity_adjusted", "self-similarity, adjusted"),
    ("intra_sentence_similarity_adjusted", "intra-sentence similarity, adjusted"),
    ("mev_adjusted", "max. explainable variance, adjusted"),
)


def geometry_plot(rows) -> bytes:
    """Each geometry measure against layer, one line per backend; a backend without layers is
    a dashed horizontal line."""
    backends = list(dict.fromkeys(r.backend for r in rows))
    layers = [r.layer for r in rows if r.layer is not None]
    span = (min(layers), max(layers)) if layers else (0, 1)
    plt, (fig, axes) = _figure(9.0, 6.0, 2, 2)
    for ax, (metric, title) in zip(axes.flat, GEOMETRY_PANELS):
        for n, backend in enumerate(backends):
            mine = [r for r in rows if r.backend == backend]
            colour = f"C{n % 10}"
            if mine[0].layer is None:
                ax.hlines(getattr(mine[0], metric), *span, colors=colour, linestyles="dashed",
                          label=backend)
            else:
                ax.plot([r.layer for r in mine], [getattr(r, metric) for r in mine],
                        marker="o", color=colour, label=backend)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("layer (0: embeddings)")
        ax.grid(alpha=0.3)
    axes.flat[0].legend(fontsize=8)
    return _png(plt, fig)


def sense_plot(found) -> bytes:
    """A sense map (harness.sense_maps.SenseMap): one colour per sense, its gloss in the legend."""
    from harness.reports.svg import style
    from harness.sense_maps import legend

    plt, (fig, ax) = _figure(8.0, 5.0 + 0.16 * len(found.senses))
    for n, sense in enumerate(found.senses):
        mine = [i for i, s in enumerate(found.sense_of) if s == n]
        if mine:
            colour, shape = style(n)
            ax.scatter(found.points[mine, 0], found.points[mine, 1], s=40, alpha=0.85,
                       color=colour, marker=shape, edgecolors="#333", linewidths=0.5,
                       label=legend(sense, 50))
    ax.set_title(f"{found.word}: senses in {found.backend} ({found.method.upper()})")
    ax.set_aspect("equal", adjustable="datalim")  # distances read alike across and down
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=1,
              frameon=False)
    return _png(plt, fig)
