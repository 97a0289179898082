"""Bar charts with error bars and forest plots as inline SVG.

Accuracies (benchmark rungs) are bars from zero with their Wilson interval and the chance line, because the
question is "how far above chance"; effects (estimators, bias tests) are points with intervals around a zero
line, because the question is "which side of zero, and how sure". Values are printed next to every mark so the
chart can be read without hovering.
"""

from __future__ import annotations

import math

from causalbridge.report.model import Bar, BarChartSection
from causalbridge.report.svg import ACCENT, GRID, INK, MUTED, PRIMARY, esc, fmt, nice_ticks, pct, svg_open, text_width
from causalbridge.report.svg import tick_label as _tick_label

PLOT_HEIGHT = 210.0
FOREST_ROW = 28.0
FOREST_PLOT_WIDTH = 380.0
MAX_LABEL = 300.0


def _value(bar_value: float, percent: bool) -> str:
    return pct(bar_value) if percent else fmt(bar_value)


def _interval_text(bar: Bar, percent: bool) -> str:
    text = _value(bar.value, percent)
    if bar.low is not None and bar.high is not None:
        text += f" [{_value(bar.low, percent)}, {_value(bar.high, percent)}]"
    return text


def _extent(section: BarChartSection, include_zero: bool) -> tuple[float, float]:
    if section.domain is not None:
        return section.domain
    values = [v for b in section.bars for v in (b.value, b.low, b.high) if v is not None and math.isfinite(v)]
    if section.reference is not None:
        values.append(section.reference)
    if include_zero:
        values.append(0.0)
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if high == low:
        low, high = low - 1.0, high + 1.0
    pad = (high - low) * 0.06
    return (low if include_zero and low == 0 else low - pad, high + pad)


def _truncate(label: str, size: float, limit: float) -> str:
    if text_width(label, size) <= limit:
        return label
    while label and text_width(label + "…", size) > limit:
        label = label[:-1]
    return label + "…"


def bar_chart_svg(section: BarChartSection) -> str:
    return _forest(section) if section.style == "forest" else _bars(section)


def _bars(section: BarChartSection) -> str:
    bars = section.bars
    slot = max([96.0] + [text_width(b.label, 12) + 18 for b in bars] + [text_width(b.detail, 11) + 18 for b in bars])
    left, top, bottom = 62.0, 26.0, 52.0
    reference_text = ""
    if section.reference is not None:
        reference_text = section.reference_label or _value(section.reference, section.percent)
    plot_right = max(left + slot * max(len(bars), 1) + 8, 240.0)
    width = plot_right + (text_width(reference_text, 11) + 16 if reference_text else 12)
    height = top + PLOT_HEIGHT + bottom
    low, high = _extent(section, include_zero=True)
    ticks = [t for t in nice_ticks(low, high) if low - 1e-9 <= t <= high + 1e-9]
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0

    def y(v: float) -> float:
        return top + PLOT_HEIGHT * (1 - (v - low) / (high - low))

    out = [svg_open(width, height, section.title or "bar chart", "cb-chart cb-bar-chart")]
    for t in ticks:
        out.append(f'<line x1="{left}" x2="{plot_right:.1f}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="{GRID}"/>')
        out.append(
            f'<text x="{left - 8}" y="{y(t) + 4:.1f}" text-anchor="end" font-size="11" fill="{MUTED}">'
            f"{_tick_label(t, step, section.percent)}</text>"
        )
    if section.value_label:
        mid = top + PLOT_HEIGHT / 2
        out.append(
            f'<text x="14" y="{mid:.1f}" transform="rotate(-90 14 {mid:.1f})" text-anchor="middle" font-size="11" '
            f'fill="{MUTED}">{esc(section.value_label)}</text>'
        )
    bar_width = min(56.0, slot * 0.56)
    for i, bar in enumerate(bars):
        cx = left + slot * (i + 0.5)
        colour = ACCENT if bar.flagged else PRIMARY
        base, tip = y(max(low, 0.0)), y(bar.value)
        hover = f"{bar.label}: {_interval_text(bar, section.percent)}" + (f" · {bar.detail}" if bar.detail else "")
        out.append(f'<g class="cb-bar"><title>{esc(hover)}</title>')
        out.append(
            f'<rect x="{cx - bar_width / 2:.1f}" y="{min(base, tip):.1f}" width="{bar_width:.1f}" '
            f'height="{abs(base - tip):.1f}" rx="2" fill="{colour}" fill-opacity="0.85"/>'
        )
        if bar.low is not None and bar.high is not None:
            y_low, y_high = y(bar.low), y(bar.high)
            out.append(
                f'<path d="M{cx:.1f},{y_low:.1f} V{y_high:.1f} M{cx - 7:.1f},{y_low:.1f} h14 '
                f'M{cx - 7:.1f},{y_high:.1f} h14" stroke="{INK}" stroke-width="1.5" fill="none"/>'
            )
        out.append(
            f'<text x="{cx + bar_width / 2 + 4:.1f}" y="{max(tip + 4, 12):.1f}" font-size="11" font-weight="600" '
            f'fill="{INK}" stroke="#fff" stroke-width="3" paint-order="stroke">'
            f"{_value(bar.value, section.percent)}</text>"
        )
        out.append(
            f'<text x="{cx:.1f}" y="{top + PLOT_HEIGHT + 18:.1f}" text-anchor="middle" font-size="12" '
            f'fill="{INK}">{esc(bar.label)}</text>'
        )
        if bar.detail:
            out.append(
                f'<text x="{cx:.1f}" y="{top + PLOT_HEIGHT + 34:.1f}" text-anchor="middle" font-size="11" '
                f'fill="{MUTED}">{esc(bar.detail)}</text>'
            )
        out.append("</g>")
    out.append(
        f'<line x1="{left}" x2="{plot_right:.1f}" y1="{y(max(low, 0.0)):.1f}" y2="{y(max(low, 0.0)):.1f}" '
        f'stroke="{INK}"/>'
    )
    if section.reference is not None and low <= section.reference <= high:
        ry = y(section.reference)
        out.append(
            f'<line class="cb-reference" x1="{left}" x2="{plot_right:.1f}" y1="{ry:.1f}" y2="{ry:.1f}" '
            f'stroke="{ACCENT}" stroke-dasharray="5 4" stroke-width="1.4"/>'
        )
        out.append(
            f'<text x="{plot_right + 6:.1f}" y="{ry + 4:.1f}" font-size="11" fill="{ACCENT}">'
            f"{esc(reference_text)}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def _forest(section: BarChartSection) -> str:
    bars = section.bars
    label_width = min(MAX_LABEL, max([60.0] + [text_width(b.label, 12) + 12 for b in bars]))
    value_width = max([120.0] + [text_width(_interval_text(b, section.percent), 11) + 16 for b in bars])
    left = 12 + label_width
    plot_right = left + FOREST_PLOT_WIDTH
    legend = bool(section.flagged_label) and any(b.flagged for b in bars)
    top = 14.0
    rows_height = FOREST_ROW * max(len(bars), 1)
    height = top + rows_height + 40 + (20 if legend else 0)
    width = plot_right + value_width + 12
    low, high = _extent(section, include_zero=section.reference == 0.0)
    ticks = [t for t in nice_ticks(low, high) if low - 1e-9 <= t <= high + 1e-9]
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0

    def x(v: float) -> float:
        return left + FOREST_PLOT_WIDTH * (v - low) / (high - low)

    axis_y = top + rows_height
    out = [svg_open(width, height, section.title or "forest plot", "cb-chart cb-forest")]
    for i in range(0, len(bars), 2):
        out.append(
            f'<rect x="4" y="{top + i * FOREST_ROW:.1f}" width="{width - 8:.1f}" height="{FOREST_ROW}" fill="#f8fafc"/>'
        )
    for t in ticks:
        out.append(f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{top}" y2="{axis_y:.1f}" stroke="{GRID}"/>')
        out.append(
            f'<text x="{x(t):.1f}" y="{axis_y + 16:.1f}" text-anchor="middle" font-size="11" fill="{MUTED}">'
            f"{_tick_label(t, step, section.percent)}</text>"
        )
    out.append(f'<line x1="{left}" x2="{plot_right}" y1="{axis_y:.1f}" y2="{axis_y:.1f}" stroke="{INK}"/>')
    if section.value_label:
        out.append(
            f'<text x="{(left + plot_right) / 2:.1f}" y="{axis_y + 33:.1f}" text-anchor="middle" font-size="11" '
            f'fill="{MUTED}">{esc(section.value_label)}</text>'
        )
    if section.reference is not None and low <= section.reference <= high:
        rx = x(section.reference)
        out.append(
            f'<line class="cb-reference" x1="{rx:.1f}" x2="{rx:.1f}" y1="{top}" y2="{axis_y:.1f}" stroke="{INK}" '
            f'stroke-dasharray="4 3"/>'
        )
    for i, bar in enumerate(bars):
        cy = top + FOREST_ROW * (i + 0.5)
        colour = ACCENT if bar.flagged else PRIMARY
        shown = _truncate(bar.label, 12, label_width - 12)
        tip = f"{bar.label}: {_interval_text(bar, section.percent)}" + (f" · {bar.detail}" if bar.detail else "")
        out.append(f'<g class="cb-bar"><title>{esc(tip)}</title>')
        weight = ' font-weight="600"' if bar.flagged else ""
        out.append(
            f'<text x="{left - 10:.1f}" y="{cy + 4:.1f}" text-anchor="end" font-size="12" fill="{INK}"{weight}>'
            f"{esc(shown)}</text>"
        )
        if bar.low is not None and bar.high is not None and math.isfinite(bar.low) and math.isfinite(bar.high):
            x1, x2 = x(max(bar.low, low)), x(min(bar.high, high))
            out.append(
                f'<path d="M{x1:.1f},{cy:.1f} H{x2:.1f} M{x1:.1f},{cy - 5:.1f} v10 M{x2:.1f},{cy - 5:.1f} v10" '
                f'stroke="{colour}" stroke-width="2" fill="none"/>'
            )
        if math.isfinite(bar.value):
            out.append(f'<circle cx="{x(bar.value):.1f}" cy="{cy:.1f}" r="4.8" fill="{colour}"/>')
        out.append(
            f'<text x="{plot_right + 12:.1f}" y="{cy + 4:.1f}" font-size="11" fill="{INK}" '
            f'style="font-variant-numeric:tabular-nums">{esc(_interval_text(bar, section.percent))}</text>'
        )
        out.append("</g>")
    if legend:
        ly = height - 10
        out.append(f'<circle cx="{left + 6:.1f}" cy="{ly - 4:.1f}" r="4.8" fill="{ACCENT}"/>')
        out.append(
            f'<text x="{left + 16:.1f}" y="{ly:.1f}" font-size="11" fill="{INK}">{esc(section.flagged_label)}</text>'
        )
    out.append("</svg>")
    return "".join(out)
