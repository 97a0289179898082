"""The patching heatmap: one panel per site kind, layers up the y axis, prompt tokens along the x axis.

A diverging colour map centred on zero, shared by all panels, keeps negative effects (sites whose clean
activation pushes the answer *away*) visible and makes the panels comparable with one another.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from causalbridge.errors import DependencyMissingError

if TYPE_CHECKING:
    from causalbridge.probe.patching.result import PatchingResult


def _label(token: str) -> str:
    shown = token.replace("\n", "\\n").strip()
    return shown if shown else repr(token)


def position_labels(result: PatchingResult) -> list[str]:
    """Token text for each position column ('all' for the all-positions column)."""
    return ["all" if p is None else f"{_label(result.tokens[p])}" for p in result.positions]


def save_heatmap(result: PatchingResult, path: Path, *, normalized: bool = True) -> tuple[Path, Path]:
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise DependencyMissingError("matplotlib", "patching heatmaps") from exc

    values = result.normalized if normalized else result.effects
    if normalized and np.isnan(values).all():  # total effect 0: a normalised map would be empty
        values, normalized = result.effects, False
    finite = values[np.isfinite(values)]
    limit = float(np.abs(finite).max()) if finite.size else 1.0
    limit = limit if limit > 0 else 1.0
    labels = position_labels(result)
    panels = len(result.kinds)
    width = min(14.0, max(3.5, 0.3 * len(labels) + 1.2)) * panels + 1.2  # capped: 48 tokens stay readable
    height = max(3.2, 0.17 * len(result.layers) + 1.8)
    figure = Figure(figsize=(width, height), layout="constrained")
    axes = figure.subplots(1, panels, squeeze=False)[0]
    image = None
    for axis, kind, grid in zip(axes, result.kinds, values, strict=True):
        image = axis.imshow(
            grid, cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto", origin="lower", interpolation="nearest"
        )
        axis.set_title(f"{kind.value} output")
        axis.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=8)
        step = max(1, len(result.layers) // 10)
        ticks = list(range(0, len(result.layers), step))
        axis.set_yticks(ticks, [str(result.layers[i]) for i in ticks], fontsize=8)
        axis.set_ylabel("layer")
    if image is not None:
        figure.colorbar(image, ax=list(axes), label="normalised indirect effect" if normalized else "indirect effect")
    figure.suptitle(
        f"{result.metric or 'metric'}: clean {result.clean_metric:.4g}, corrupted {result.corrupted_metric:.4g}"
        + (f"\n{result.corruption}" if result.corruption else ""),
        fontsize=9,
    )
    base = path.with_suffix("") if path.suffix.lower() in {".png", ".svg"} else path
    base.parent.mkdir(parents=True, exist_ok=True)
    png, svg = base.with_name(base.name + ".png"), base.with_name(base.name + ".svg")
    figure.savefig(png, dpi=130)
    figure.savefig(svg, metadata={"Date": None})
    return png, svg
