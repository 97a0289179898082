"""Heatmaps as inline SVG grids: small multiples that share labels and one colour scale.

Patching results are read by comparing panels (residual stream vs attention vs MLP at the same layer and
token), so every panel uses the same scale and the scale is drawn once, with its ticks. The colour bar is made
of plain rectangles rather than a gradient so the page needs no element ids that could clash when several
reports are shown in one notebook.
"""

from __future__ import annotations

import math

from causalbridge.report.model import HeatmapSection
from causalbridge.report.svg import DIVERGING, INK, MUTED, SEQUENTIAL, esc, fmt, mix, nice_ticks, svg_open, text_width
from causalbridge.report.svg import tick_label as _tick_label

EMPTY = "#eef0f3"


def colour_limits(section: HeatmapSection) -> tuple[float, float]:
    """The colour scale: as given, else symmetric around 0 (diverging) or the data's range."""
    if section.limits is not None:
        return section.limits
    values = [v for p in section.panels for row in p.values for v in row if v is not None and math.isfinite(v)]
    if not values:
        return (-1.0, 1.0) if section.diverging else (0.0, 1.0)
    if section.diverging:
        bound = max(abs(v) for v in values) or 1.0
        return (-bound, bound)
    low, high = min(values), max(values)
    return (low, high if high > low else low + 1.0)


def cell_colour(value: float | None, limits: tuple[float, float], diverging: bool) -> str:
    if value is None or not math.isfinite(value):
        return EMPTY
    low, high = limits
    return mix(DIVERGING if diverging else SEQUENTIAL, (value - low) / (high - low))


def heatmap_svg(section: HeatmapSection) -> str:
    rows, cols = len(section.row_labels), len(section.column_labels)
    # about 900 px of cells in all, so that the drawing fits a page without being scaled down (and its text with it)
    cw = min(34.0, max(12.0, 900.0 / max(cols * len(section.panels), 1)))
    ch = min(24.0, max(10.0, 380.0 / max(rows, 1)))
    row_label_width = max([24.0] + [text_width(r, 11) + 10 for r in section.row_labels])
    col_label_height = min(110.0, max([20.0] + [text_width(c, 11) * 0.77 + 14 for c in section.column_labels]))
    axis = 18.0 if section.row_axis else 0.0
    left = 8 + axis + row_label_width
    top = 26.0
    panel_width = cw * cols
    gap = 26.0
    grid_right = left + len(section.panels) * panel_width + (len(section.panels) - 1) * gap
    scale_x = grid_right + 28
    width = scale_x + 68
    grid_height = ch * rows
    height = top + grid_height + col_label_height + (20 if section.column_axis else 6)
    limits = colour_limits(section)
    out = [svg_open(width, max(height, top + 160), section.title or "heatmap", "cb-chart cb-heatmap")]
    if section.row_axis:
        mid = top + grid_height / 2
        out.append(
            f'<text x="14" y="{mid:.1f}" transform="rotate(-90 14 {mid:.1f})" text-anchor="middle" font-size="11" '
            f'fill="{MUTED}">{esc(section.row_axis)}</text>'
        )
    every = max(1, math.ceil(11 / ch))  # label every k-th row when rows are thinner than the text
    for r, label in enumerate(section.row_labels):
        if r % every == 0 or r == rows - 1:
            out.append(
                f'<text x="{left - 6:.1f}" y="{top + ch * (r + 0.5) + 4:.1f}" text-anchor="end" font-size="11" '
                f'fill="{MUTED}">{esc(label)}</text>'
            )
    for k, panel in enumerate(section.panels):
        x0 = left + k * (panel_width + gap)
        out.append(
            f'<text x="{x0 + panel_width / 2:.1f}" y="{top - 9:.1f}" text-anchor="middle" font-size="12" '
            f'font-weight="600" fill="{INK}">{esc(panel.title)}</text>'
        )
        out.append(f'<g class="cb-heatmap-panel" data-panel="{esc(panel.title)}">')
        for r, row in enumerate(panel.values):
            for c, value in enumerate(row):
                shown = "no value" if value is None or not math.isfinite(value) else fmt(value)
                tip = f"{panel.title} · {section.row_labels[r]} · {section.column_labels[c]}: {shown}"
                out.append(
                    f'<rect class="cb-cell" x="{x0 + c * cw:.1f}" y="{top + r * ch:.1f}" width="{cw:.1f}" '
                    f'height="{ch:.1f}" fill="{cell_colour(value, limits, section.diverging)}">'
                    f"<title>{esc(tip)}</title></rect>"
                )
        out.append(
            f'<rect x="{x0:.1f}" y="{top}" width="{panel_width:.1f}" height="{grid_height:.1f}" fill="none" '
            f'stroke="#cbd5e1"/>'
        )
        out.append("</g>")
        for c, label in enumerate(section.column_labels):
            cx, cy = x0 + cw * (c + 0.5), top + grid_height + 8
            out.append(
                f'<text x="{cx:.1f}" y="{cy:.1f}" transform="rotate(-50 {cx:.1f} {cy:.1f})" text-anchor="end" '
                f'dominant-baseline="middle" font-size="11" fill="{INK}">{esc(label)}</text>'
            )
    if section.column_axis:
        out.append(
            f'<text x="{(left + grid_right) / 2:.1f}" y="{height - 6:.1f}" text-anchor="middle" font-size="11" '
            f'fill="{MUTED}">{esc(section.column_axis)}</text>'
        )
    out.append(_scale(section, limits, scale_x, top, max(grid_height, 140.0)))
    out.append("</svg>")
    return "".join(out)


def _scale(section: HeatmapSection, limits: tuple[float, float], x: float, top: float, height: float) -> str:
    low, high = limits
    steps = 48
    out = ['<g class="cb-colour-scale">']
    for i in range(steps):
        t = 1 - (i + 0.5) / steps
        colour = mix(DIVERGING if section.diverging else SEQUENTIAL, t)
        out.append(
            f'<rect x="{x:.1f}" y="{top + height * i / steps:.2f}" width="12" height="{height / steps + 0.6:.2f}" '
            f'fill="{colour}"/>'
        )
    out.append(f'<rect x="{x:.1f}" y="{top}" width="12" height="{height:.1f}" fill="none" stroke="#cbd5e1"/>')
    ticks = [t for t in nice_ticks(low, high, 5) if low - 1e-9 <= t <= high + 1e-9]
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    for t in ticks:
        ty = top + height * (1 - (t - low) / (high - low))
        out.append(f'<line x1="{x + 12:.1f}" x2="{x + 16:.1f}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="{INK}"/>')
        out.append(
            f'<text x="{x + 19:.1f}" y="{ty + 4:.1f}" font-size="10" fill="{MUTED}">{_tick_label(t, step)}</text>'
        )
    if section.value_label:
        lx, ly = x + 56, top + height / 2
        out.append(
            f'<text x="{lx:.1f}" y="{ly:.1f}" transform="rotate(-90 {lx:.1f} {ly:.1f})" text-anchor="middle" '
            f'font-size="11" fill="{MUTED}">{esc(section.value_label)}</text>'
        )
    out.append("</g>")
    return "".join(out)
