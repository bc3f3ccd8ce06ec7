"""What the SVG pictures need to place text without cutting or overlapping it, and to colour each
backend alike in every picture: an estimate of a text's width, a name shortened visibly to a
width (the full name kept for a <title> tooltip), and one colour per backend by its order in
the run."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

# matplotlib's tab10, so that the PNG plots and the HTML pictures colour alike
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf")
# the average advance of a character of system-ui at font-size 1, a little generous (wide
# letters and capitals are ~0.7, narrow ones ~0.3): what the layout reserves per character
CHAR_WIDTH = 0.62
ELLIPSIS = "…"


def text_width(text: str, size: float = 11) -> float:
    """The estimated width in pixels of `text` at font-size `size`."""
    return len(text) * size * CHAR_WIDTH


def shorten(text: str, width: float, size: float = 11) -> str:
    """`text` if it fits in `width` pixels, else its start and its end around an ellipsis
    (the end of a path or a spec names the model: `hf:model=/lo…all-mpnet-base-v2`)."""
    fits = int(width // (size * CHAR_WIDTH))
    if len(text) <= fits:
        return text
    if fits <= 1:
        return ELLIPSIS
    tail = (fits - 1) * 2 // 3
    head = fits - 1 - tail
    return text[:head] + ELLIPSIS + (text[-tail:] if tail else "")


def label(x: float, y: float, text: str, width: float, anchor: str = "middle",
          size: int = 11, extra: str = "") -> str:
    """A <text> of at most `width` pixels: `text` shortened to fit, with the full text in a
    <title> (the tooltip) when it was shortened."""
    shown = shorten(text, width, size)
    tip = f"<title>{escape(text)}</title>" if shown != text else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
            f"{extra}>{tip}{escape(shown)}</text>")


def colours(names: Iterable[str]) -> dict[str, str]:
    """One colour per backend, by its order in the run (the same in every picture); past ten
    backends the colours repeat."""
    return {name: PALETTE[n % len(PALETTE)] for n, name in enumerate(dict.fromkeys(names))}


LEGEND_ROW = 16  # pixels per legend line


def legend(names: Iterable[str], colour_of: dict[str, str], left: float, top: float,
           width: float) -> list[str]:
    """One line per backend from `top` down: its colour's swatch and its name, shortened to
    `width` (the full name in a tooltip)."""
    out = []
    for n, name in enumerate(names):
        y = top + n * LEGEND_ROW
        out.append(f'<g class="legend-entry" data-backend="{escape(name)}">'
                   f'<rect x="{left:.1f}" y="{y - 9:.1f}" width="10" height="10" '
                   f'fill="{colour_of[name]}"/>'
                   + label(left + 15, y, name, width - 15, "start", 10) + "</g>")
    return out


def legend_width(names: Iterable[str], cap: float = 520) -> float:
    """The width a legend of `names` takes: its longest name (at font-size 10) and the
    swatch, at most `cap` (longer names are shortened)."""
    return min(cap, 15 + max((text_width(n, 10) for n in names), default=0) + 4)
