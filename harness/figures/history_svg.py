"""`harness history`'s picture as inline SVG: a suite's main score over the runs of each model
(one line per model, the runs in time order along x), each point's 95% interval as a bar, and
a ring around a point that changed significantly from the model's previous run. Drawn from
plain numbers and names; every text escaped."""

from __future__ import annotations

from collections.abc import Sequence

from harness.figures.svg import _axis, _svg, _text

# Okabe and Ito's palette, told apart with colour-blindness
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442",
           "#000000")

Point = tuple[str, float | None, float | None, float | None, bool]  # x label, score, low, high,
# significant change


def history_chart(title: str, score_name: str, lines: Sequence[tuple[str, Sequence[Point]]],
                  steps: Sequence[str]) -> str:
    """One line per (model, points); `steps`: every x label in order (runs' times or
    commits), the points' x labels among them."""
    values = [v for _, points in lines for p in points for v in p[1:4] if v is not None]
    low = min([0.0, *values]) if values else 0.0
    high = max([1.0, *values]) if values else 1.0
    left, top, height, step = 56, 30, 180, 70
    width = left + max(4, len(steps)) * step + 150
    at = {s: left + 30 + i * step for i, s in enumerate(steps)}

    def y(value: float) -> float:
        return top + height * (high - value) / (high - low)

    ticks = [low + (high - low) * k / 4 for k in range(5)]
    body = [_text((width - 150) / 2, 16, title, size=13)]
    body += _axis(left, top, height, width - left - 160, low, high,
                  [round(t, 2) for t in ticks], score_name)
    for i, s in enumerate(steps):
        body.append(_text(at[s], top + height + 14 + 12 * (i % 2), s[:19], size=9))
    for number, (model, points) in enumerate(lines):
        colour = PALETTE[number % len(PALETTE)]
        drawn = [(at[x], score, lo, hi, sig) for x, score, lo, hi, sig in points
                 if score is not None and x in at]
        if len(drawn) > 1:
            path = " ".join(f"{px:.1f},{y(score):.1f}" for px, score, *_ in drawn)
            body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                        'stroke-width="1.5"/>')
        for px, score, lo, hi, sig in drawn:
            if lo is not None and hi is not None:
                body.append(f'<line x1="{px:.1f}" y1="{y(lo):.1f}" x2="{px:.1f}" '
                            f'y2="{y(hi):.1f}" stroke="{colour}" stroke-opacity="0.6"/>')
            body.append(f'<circle cx="{px:.1f}" cy="{y(score):.1f}" r="3" fill="{colour}"/>')
            if sig:
                body.append(f'<circle cx="{px:.1f}" cy="{y(score):.1f}" r="7" fill="none" '
                            f'stroke="{colour}" stroke-width="1.5" class="significant"/>')
        legend_y = top + 12 + 16 * number
        body.append(f'<line x1="{width - 140}" y1="{legend_y - 4}" x2="{width - 124}" '
                    f'y2="{legend_y - 4}" stroke="{colour}" stroke-width="2"/>')
        body.append(_text(width - 120, legend_y, model[:22], "start", 11))
    return _svg(width, top + height + 44, body, f"{title}: {score_name} over runs")
