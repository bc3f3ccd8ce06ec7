"""The pictures of the HTML pages as inline SVG, drawn from plain numbers and names: accuracy per
backend with 95% Wilson intervals, the distribution of margins, similarity heatmaps and
scatter maps. No plotting library is imported, so a report costs milliseconds (matplotlib draws
the PNG files of `harness sweep`, `geometry` and `senses`: harness.figures.plots). Every text is
escaped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

import numpy as np

from harness.figures.labels import (
    LEGEND_ROW,
    PALETTE,
    colours,
    label,
    legend,
    legend_width,
    text_width,
)
from harness.measures.stats import quantile, wilson_interval

_FONT = 'font-family="system-ui,sans-serif"'
_BAR = "#4c78a8"
# viridis at 0, 1/4, 1/2, 3/4 and 1, as matplotlib has it
_VIRIDIS = np.array([[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]])


def _svg(width: float, height: float, body: list[str], label: str) -> str:
    return (f'<svg role="img" aria-label="{escape(label)}" '
            f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'{_FONT} font-size="11">' + "".join(body) + "</svg>")


def _text(x: float, y: float, text: str, anchor: str = "middle", size: int = 11,
          extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
            f'{extra}>{escape(text)}</text>')


def _axis(left: float, top: float, height: float, width: float, low: float, high: float,
          ticks: Sequence[float], label: str) -> list[str]:
    """A y axis from `low` to `high` with grid lines at `ticks`."""
    out = [f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + height}" stroke="#333"/>']
    for tick in ticks:
        y = top + height * (high - tick) / (high - low)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + width}" y2="{y:.1f}" '
                   'stroke="#ddd"/>')
        out.append(_text(left - 4, y + 4, f"{tick:g}", "end", 10))
    out.append(_text(12, top + height / 2, label, extra=f'transform="rotate(-90 12 '
                                                        f'{top + height / 2:.1f})"'))
    return out


def accuracy_chart(rows: Sequence[tuple[str, str, int, int]],
                   colour_of: Mapping[str, str] | None = None) -> str:
    """Accuracy per (backend, suite, passed, total) with a total, with 95% Wilson intervals:
    one group of bars per suite, one bar per backend in its colour (`colour_of`, default: by
    order), and a legend. Names too long for their place are shortened, in full on hover."""
    rows = [r for r in rows if r[3]]
    backends = list(dict.fromkeys(r[0] for r in rows))
    suites = list(dict.fromkeys(r[1] for r in rows))
    colour_of = dict(colour_of or colours(backends))
    left, top, height, bar, gap, pad = 56, 28, 200, 22, 4, 12
    bars = max(1, len(backends)) * (bar + gap) - gap
    group = {s: max(bars + 2 * pad, min(text_width(s, 10) + 8, 180)) for s in suites}
    start, x = {}, float(left + 8)
    for suite in suites:
        start[suite] = x
        x += group[suite]
    legend_top = top + height + 34
    width = max(x + 8, left + legend_width(backends) + 8, 230.0, text_width(
        "Expectations passed", 13) + 16)
    body = [_text(width / 2, 16, "Expectations passed", size=13)]
    body += _axis(left, top, height, width - left - 8, 0, 1, [0, 0.25, 0.5, 0.75, 1],
                  "accuracy (95% Wilson interval)")

    def y(value: float) -> float:
        return top + height * (1 - value)

    for backend, suite, passed, total in rows:
        x = start[suite] + (group[suite] - bars) / 2 + backends.index(backend) * (bar + gap)
        accuracy = passed / total
        low, high = wilson_interval(passed, total)
        body.append(f'<rect x="{x:.1f}" y="{y(accuracy):.1f}" width="{bar}" '
                    f'height="{height * accuracy:.1f}" fill="{colour_of[backend]}" '
                    f'data-backend="{escape(backend)}">'
                    f"<title>{escape(backend)} / {escape(suite)}: {accuracy:.3f} "
                    f"[{low:.3f}, {high:.3f}]</title></rect>")
        mid = x + bar / 2
        body.append(f'<path d="M{mid:.1f} {y(low):.1f}V{y(high):.1f}M{mid - 5:.1f} {y(low):.1f}'
                    f'h10M{mid - 5:.1f} {y(high):.1f}h10" stroke="#222" fill="none"/>')
    for suite in suites:
        body.append(label(start[suite] + group[suite] / 2, top + height + 16, suite,
                          group[suite] - 4, size=10, extra='fill="#555"'))
    body += legend(backends, colour_of, left, legend_top, width - left - 8)
    return _svg(width, legend_top + len(backends) * LEGEND_ROW, body, "accuracy per backend")


def _box(values: np.ndarray) -> tuple[float, float, float, float, float, np.ndarray]:
    """Quartiles, whiskers (the farthest values within 1.5 IQR) and the values beyond."""
    ordered = np.sort(values)
    q1, median, q3 = (quantile(ordered, q) for q in (0.25, 0.5, 0.75))
    reach = 1.5 * (q3 - q1)
    inside = values[(values >= q1 - reach) & (values <= q3 + reach)]
    return (float(inside.min()), float(q1), float(median), float(q3), float(inside.max()),
            values[(values < q1 - reach) | (values > q3 + reach)])


_MAX_OUTLIERS = 100  # dots per backend: a large suite would give thousands


def margin_chart(margins_of: dict[str, Sequence[float]],
                 colour_of: Mapping[str, str] | None = None) -> str:
    """The distribution of margins (sim closer - sim farther) per backend, as box plots in
    each backend's colour (`colour_of`, default: by order), with a legend."""
    margins = {b: np.asarray(m, dtype=np.float64) for b, m in margins_of.items() if len(m)}
    colour_of = dict(colour_of or colours(margins))
    left, top, height, step = 56, 28, 200, 100
    legend_top = top + height + 34
    width = max(left + max(3, len(margins)) * step + 16, left + legend_width(margins) + 8)
    every = np.concatenate(list(margins.values()) or [np.zeros(1)])
    low, high = min(float(every.min()), 0.0), max(float(every.max()), 0.0)
    pad = (high - low) * 0.05 or 0.1
    low, high = low - pad, high + pad

    def y(value: float) -> float:
        return top + height * (high - value) / (high - low)

    title = "Margins (above 0: the ordering holds)"
    width = max(width, text_width(title, 13) + 16)
    body = [_text(width / 2, 16, title, size=13)]
    body += _axis(left, top, height, width - left - 8, low, high,
                  [float(t) for t in np.linspace(low, high, 5).round(3)],
                  "margin: sim(closer) - sim(farther)")
    body.append(f'<line x1="{left}" y1="{y(0):.1f}" x2="{width - 8}" y2="{y(0):.1f}" '
                'stroke="#999"/>')
    for i, (backend, values) in enumerate(margins.items()):
        x, w = left + 20 + i * step, step - 40
        lo, q1, median, q3, hi, beyond = _box(values)
        mid = x + w / 2
        body.append(f'<path d="M{mid:.1f} {y(lo):.1f}V{y(q1):.1f}M{mid:.1f} {y(q3):.1f}'
                    f'V{y(hi):.1f}" stroke="#222"/>')
        body.append(f'<rect x="{x}" y="{y(q3):.1f}" width="{w}" '
                    f'height="{max(y(q1) - y(q3), 1):.1f}" fill="{colour_of[backend]}" '
                    f'fill-opacity="0.45" stroke="#222" data-backend="{escape(backend)}">'
                    f"<title>{escape(backend)}: median {median:+.4f}, quartiles {q1:+.4f} to "
                    f"{q3:+.4f}, {len(values)} margins</title></rect>")
        body.append(f'<line x1="{x}" y1="{y(median):.1f}" x2="{x + w}" y2="{y(median):.1f}" '
                    'stroke="#222" stroke-width="2"/>')
        for value in beyond[:_MAX_OUTLIERS]:
            body.append(f'<circle cx="{mid:.1f}" cy="{y(value):.1f}" r="2" fill="none" '
                        f'stroke="{colour_of[backend]}"/>')
        body.append(label(mid, top + height + 16, backend, step - 6, size=10))
    body += legend(margins, colour_of, left, legend_top, width - left - 8)
    return _svg(width, legend_top + len(margins) * LEGEND_ROW, body,
                "margin distribution per backend")


def color(value: float, low: float) -> str:
    """Viridis, from `low` (dark) to 1 (yellow)."""
    t = 0.0 if low >= 1 else min(max((value - low) / (1 - low), 0.0), 1.0)
    where = t * (len(_VIRIDIS) - 1)
    i = min(int(where), len(_VIRIDIS) - 2)
    r, g, b = _VIRIDIS[i] + (_VIRIDIS[i + 1] - _VIRIDIS[i]) * (where - i)
    return f"#{int(r):02x}{int(g):02x}{int(b):02x}"


_MAX_CELL_LABELS = 10  # above this many contexts, cells get no printed value


def heatmap(labels: Sequence[str], matrix: Sequence[Sequence[float | None]],
            title: str) -> str:
    """Cosine similarities between a test's contexts (grey: a context without a vector)."""
    n = len(labels)
    cell = 30 if n <= _MAX_CELL_LABELS else 14
    margin = 8 + max((text_width(name, 10) for name in labels), default=6)
    left, top = margin, 24 + margin * 0.75
    values = [v for row in matrix for v in row if v is not None]
    low = min(values) if values else 0.0
    body = [_text(8, 14, title, "start", 11)]
    for i, name in enumerate(labels):
        body.append(_text(left - 4, top + i * cell + cell / 2 + 4, name, "end", 10))
        x = left + i * cell + cell / 2
        body.append(_text(x, top - 4, name, "start", 10,
                          f'transform="rotate(-45 {x:.1f} {top - 4:.1f})"'))
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            fill = "#ccc" if value is None else color(value, low)
            tip = "no vector" if value is None else f"{value:.4f}"
            body.append(f'<rect x="{left + j * cell}" y="{top + i * cell:.1f}" width="{cell}" '
                        f'height="{cell}" fill="{fill}"><title>{escape(labels[i])} ~ '
                        f"{escape(labels[j])}: {tip}</title></rect>")
            if value is not None and n <= _MAX_CELL_LABELS:
                ink = "white" if (value - low) / ((1 - low) or 1) < 0.6 else "black"
                body.append(_text(left + j * cell + cell / 2, top + i * cell + cell / 2 + 3,
                                  f"{value:.2f}", size=8, extra=f'fill="{ink}"'))
    width = max(left + n * cell + margin * 0.75, text_width(title) + 16)
    return _svg(width, top + n * cell + 8, body, f"similarities: {title}")


# matplotlib's tab10, so that senses.png and the HTML maps colour senses alike; past ten
# groups the colours repeat with another marker shape
_PALETTE = PALETTE
_SHAPES = ("o", "s", "D", "^")  # matplotlib's marker names


def style(group: int) -> tuple[str, str]:
    """A group's colour and marker shape."""
    return _PALETTE[group % len(_PALETTE)], _SHAPES[(group // len(_PALETTE)) % len(_SHAPES)]


def _marker(x: float, y: float, group: int, extra: str = "", tip: str = "") -> str:
    colour, shape = style(group)
    paint = f'fill="{colour}" stroke="#333" stroke-width="0.5" {extra}'
    title = f"<title>{escape(tip)}</title>" if tip else ""
    if shape == "o":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" {paint}>{title}</circle>'
    if shape == "s":
        return (f'<rect x="{x - 4.5:.1f}" y="{y - 4.5:.1f}" width="9" height="9" {paint}>'
                f"{title}</rect>")
    corners = ([(0, -6), (6, 0), (0, 6), (-6, 0)] if shape == "D"
               else [(0, -6), (5.5, 4), (-5.5, 4)])
    path = " ".join(f"{x + dx:.1f},{y + dy:.1f}" for dx, dy in corners)
    return f'<polygon points="{path}" {paint}>{title}</polygon>'


def scatter(points: np.ndarray, groups: Sequence[int], names: Sequence[str],
            tips: Sequence[str], title: str, size: float = 420, labels: Sequence[str] = (),
            axes: Sequence[str] = ()) -> str:
    """Points in 2-D, coloured by group (one legend line per name, under the plot); each point
    shows its tip on hover and, when given, its label beside it; `axes`, when given, label the
    horizontal and vertical axes."""
    pad, top = 16, 24
    left = pad + (18 if any(axes) else 0)  # room for the vertical axis's label
    xs, ys = points[:, 0], points[:, 1]
    low = np.array([xs.min(), ys.min()])
    reach = float(max(xs.max() - xs.min(), ys.max() - ys.min())) or 1.0
    body = [_text(8, 14, title, "start", 11),
            f'<rect x="{left}" y="{top}" width="{size}" height="{size}" fill="none" '
            'stroke="#ccc"/>']
    inner = size - 2 * pad

    def place(x: float, y: float) -> tuple[float, float]:
        return (left + pad + (x - low[0]) / reach * inner,
                top + size - pad - (y - low[1]) / reach * inner)

    for n, ((x, y), group, tip) in enumerate(zip(points, groups, tips)):
        cx, cy = place(x, y)
        body.append(_marker(cx, cy, group, 'fill-opacity="0.85"', tip))
        if labels:
            body.append(_text(cx + 7, cy + 4, labels[n], "start", 10))
    y = top + size + 18
    if any(axes):
        middle = top + size / 2
        body += [_text(left + size / 2, y - 4, axes[0], size=10, extra='fill="#333"'),
                 _text(pad + 4, middle, axes[1], size=10, extra=f'fill="#333" transform='
                       f'"rotate(-90 {pad + 4} {middle:.1f})"')]
        y += 16
    for group, name in enumerate(names):
        body.append(_marker(pad + 6, y - 4, group))
        body.append(_text(pad + 16, y, name, "start", 10))
        y += 16
    reach_of_labels = 8 + max((text_width(t, 10) for t in labels), default=0) if labels else 0
    width = max(left + size + pad + reach_of_labels, 16 + max((text_width(n, 10)
                                                               for n in names), default=0),
                text_width(title) + 16)
    return _svg(width, y, body, title)


_MAX_SCATTER_POINTS = 2000  # per picture: more would make the page slow to open


def rating_scatter(ratings: Sequence[float], cosines: Sequence[float], title: str,
                   tips: Sequence[str] = (), width: float = 320, height: float = 240,
                   colour: str = _BAR, subtitle: str = "") -> str:
    """Cosine against human rating, one dot per pair (its tip on hover) in the backend's
    `colour`, with axes labelled by their ranges; a title too long is shortened (in full on
    hover); `subtitle`, a second line under it (the rho)."""
    x = np.asarray(ratings, dtype=np.float64)[:_MAX_SCATTER_POINTS]
    y = np.asarray(cosines, dtype=np.float64)[:_MAX_SCATTER_POINTS]
    below = 14 if subtitle else 0
    left, top, inner_w, inner_h = 48, 24 + below, width - 60, height - 62 - below
    x_low, x_high = (float(x.min()), float(x.max())) if len(x) else (0.0, 1.0)
    y_low, y_high = (float(y.min()), float(y.max())) if len(y) else (0.0, 1.0)
    x_high, y_high = max(x_high, x_low + 1e-9), max(y_high, y_low + 1e-9)

    def place(a: float, b: float) -> tuple[float, float]:  # 6 pixels in from each edge
        return (left + 6 + (a - x_low) / (x_high - x_low) * (inner_w - 12),
                top + inner_h - 6 - (b - y_low) / (y_high - y_low) * (inner_h - 12))

    body = [label(8, 14, title, width - 16, "start", 11),
            *([label(8, 28, subtitle, width - 16, "start", 11)] if subtitle else []),
            f'<rect x="{left}" y="{top}" width="{inner_w}" height="{inner_h}" fill="none" '
            'stroke="#ccc"/>']
    for n, (a, b) in enumerate(zip(x, y)):
        cx, cy = place(a, b)
        tip = f"<title>{escape(tips[n])}</title>" if n < len(tips) else ""
        body.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="2.5" fill="{colour}" '
                    f'fill-opacity="0.6">{tip}</circle>')
    bottom = top + inner_h
    body += [_text(left, bottom + 14, f"{x_low:g}", "start", 10),
             _text(left + inner_w, bottom + 14, f"{x_high:g}", "end", 10),
             _text(left + inner_w / 2, bottom + 30, "human rating", size=10),
             _text(left - 4, bottom, f"{y_low:.2f}", "end", 10),
             _text(left - 4, top + 8, f"{y_high:.2f}", "end", 10),
             _text(12, top + inner_h / 2, "cosine", size=10,
                   extra=f'transform="rotate(-90 12 {top + inner_h / 2:.1f})"')]
    return _svg(width, height, body, title)
