"""Bar charts with intervals for the probes' reports, saved as PNG and SVG side by side.

Horizontal bars because the labels (template ids, prompt parts, interventions) are long; a zero line because
every probe effect is a difference whose sign matters; highlighted bars for the effects a test flagged, so the
figure says the same thing as the table. matplotlib is imported lazily (it is not a core dependency) and drawn
on a bare :class:`~matplotlib.figure.Figure`, so no global pyplot state or display backend is involved. The SVG
carries no date, so the same data give byte-identical files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from causalbridge.errors import DependencyMissingError, InputError


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: an estimate with its interval; ``flagged`` bars are drawn in the highlight colour."""

    label: str
    estimate: float
    low: float
    high: float
    flagged: bool = False


def save_bar_chart(
    bars: Sequence[Bar],
    path: str | Path,
    *,
    title: str,
    xlabel: str,
    flagged_label: str = "significant",
    other_label: str = "not significant",
) -> tuple[Path, Path]:
    """Draw ``bars`` and write ``<path>.png`` and ``<path>.svg`` (a ``.png``/``.svg`` suffix is dropped)."""
    try:
        from matplotlib import rc_context
        from matplotlib.figure import Figure
        from matplotlib.patches import Patch
    except ImportError as exc:
        raise DependencyMissingError("matplotlib", "probe figures") from exc
    if not bars:
        raise InputError("nothing to draw: no bars", where="save_bar_chart")
    ordered = list(bars)[::-1]  # the first bar at the top
    height = max(2.4, 0.32 * len(ordered) + 1.4)
    figure = Figure(figsize=(8.0, height), layout="constrained")
    axis = figure.subplots()
    positions = list(range(len(ordered)))
    colours = ["#c0392b" if bar.flagged else "#7f8c8d" for bar in ordered]
    estimates = [bar.estimate for bar in ordered]
    below = [max(0.0, bar.estimate - bar.low) for bar in ordered]
    above = [max(0.0, bar.high - bar.estimate) for bar in ordered]
    axis.barh(positions, estimates, color=colours, height=0.6)
    axis.errorbar(estimates, positions, xerr=[below, above], fmt="none", ecolor="black", capsize=3, linewidth=1)
    axis.axvline(0.0, color="black", linewidth=0.8)
    axis.set_yticks(positions, [bar.label for bar in ordered], fontsize=8)
    axis.set_xlabel(xlabel)
    axis.set_title(title, fontsize=10)
    if any(bar.flagged for bar in ordered):
        handles = [Patch(color="#c0392b", label=flagged_label), Patch(color="#7f8c8d", label=other_label)]
        axis.legend(handles=handles, fontsize=8, loc="best")
    target = Path(path)
    base = target.with_suffix("") if target.suffix.lower() in {".png", ".svg"} else target
    base.parent.mkdir(parents=True, exist_ok=True)
    png, svg = base.with_name(base.name + ".png"), base.with_name(base.name + ".svg")
    with rc_context({"svg.hashsalt": "causalbridge"}):  # stable ids: same data, same SVG bytes
        figure.savefig(png, dpi=130)
        figure.savefig(svg, metadata={"Date": None})
    return png, svg
