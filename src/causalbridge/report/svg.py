"""Small pieces shared by the SVG drawings: escaping, number formats, axis ticks, text widths and colours.

The drawings are written by hand rather than with matplotlib so that a report is a few kilobytes of crisp,
searchable, selectable SVG that needs no fonts or files and looks the same in every browser and notebook.
"""

from __future__ import annotations

import math
from html import escape

from causalbridge.report.numbers import fmt, pct

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
INK = "#1f2937"
MUTED = "#6b7280"
GRID = "#e5e7eb"
ACCENT = "#c2410c"
PRIMARY = "#2563eb"

__all__ = ["esc", "fmt", "mix", "nice_ticks", "pct", "readable_on", "svg_open", "text_width", "tick_label"]

# Okabe-Ito colours, chosen to stay distinguishable for colour-blind readers.
PROVENANCE_COLOURS: dict[str, str] = {
    "data": "#0072B2",
    "llm": "#D55E00",
    "data+llm": "#009E73",
    "user": "#CC79A7",
    "meek": "#E69F00",
}
PROVENANCE_LABELS: dict[str, str] = {
    "data": "data",
    "llm": "LLM",
    "data+llm": "data + LLM",
    "user": "user",
    "meek": "Meek's rules",
}
UNKNOWN_COLOUR = "#64748b"
MISSING_COLOUR = "#9ca3af"

# Average advance widths of a sans-serif face, in ems: narrow, normal and wide glyphs.
_NARROW = set("iljtfrI.,:;'|!() []")
_WIDE = set("mwMW@%")


def esc(text: object) -> str:
    """Text for an SVG text node or attribute value."""
    return escape(str(text), quote=True)


def text_width(text: str, size: float) -> float:
    """An estimate of the rendered width of ``text`` at ``size`` px (no font metrics are available here)."""
    ems = 0.0
    for ch in text:
        if ch in _NARROW:
            ems += 0.32
        elif ch in _WIDE:
            ems += 0.86
        elif ch.isupper() or ch.isdigit():
            ems += 0.64
        else:
            ems += 0.55
    return ems * size


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (1, 2, 2.5 or 5 times a power of ten apart)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0]
    if high <= low:
        high = low + 1.0
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    # 5% slack: a range a hair wider than 2 should still get steps of 0.5, not 1
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw * 0.95)
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    return [round(k * step, 12) + 0.0 for k in range(first, last + 1)]  # + 0.0 turns -0.0 into 0.0


def tick_label(value: float, step: float, percent: bool = False) -> str:
    if percent:
        return f"{value * 100:.0f}%" if step * 100 >= 1 else f"{value * 100:.1f}%"
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step > 0 else 0
    if step * 10**decimals % 1 > 1e-6:  # a step such as 2.5 needs one more decimal
        decimals += 1
    return f"{value:.{decimals}f}"


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def mix(stops: list[str], t: float) -> str:
    """The colour at ``t`` in [0, 1] along evenly spaced ``stops``, interpolated in RGB."""
    t = min(1.0, max(0.0, t))
    scaled = t * (len(stops) - 1)
    i = min(int(scaled), len(stops) - 2)
    frac = scaled - i
    a, b = _rgb(stops[i]), _rgb(stops[i + 1])
    r, g, bl = (round(x + (y - x) * frac) for x, y in zip(a, b, strict=True))
    return f"#{r:02x}{g:02x}{bl:02x}"


# ColorBrewer RdBu (reversed so that positive is red) and a single-hue purple ramp.
DIVERGING = ["#2166ac", "#67a9cf", "#d1e5f0", "#f7f7f7", "#fddbc7", "#ef8a62", "#b2182b"]
SEQUENTIAL = ["#f7f4f9", "#d4b9da", "#c994c7", "#df65b0", "#980043"]


def readable_on(background: str) -> str:
    """Black or white text, whichever reads better on ``background``."""
    r, g, b = _rgb(background)
    return "#111827" if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "#ffffff"


def svg_open(width: float, height: float, label: str, css_class: str, scale: float = 1.0) -> str:
    """The opening tag of a responsive drawing: it scales down to its container but never up past its size.

    No ``xmlns``: the drawings are inlined in HTML, whose parser puts ``<svg>`` in the SVG namespace itself.
    ``scale`` draws the picture larger than its coordinates (small graphs would look lost on a wide page).
    """
    return (
        f'<svg class="{css_class}" role="img" aria-label="{esc(label)}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width * scale:.0f}" height="{height * scale:.0f}" '
        f'style="max-width:100%;height:auto" font-family="{esc(FONT)}">'
    )
