"""Writing an attribution out: JSON with every cell and reply, a Markdown summary and a bar figure."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from causalbridge.probe.attribution.run import AttributionResult, PartEffect
from causalbridge.probe.figures import Bar, save_bar_chart

_REPLY_CHARS = 500


def _effect_dict(effect: PartEffect) -> dict[str, Any]:
    return {"kind": effect.kind, "parts": list(effect.parts), **effect.interval.to_dict(), "flagged": effect.flagged}


def attribution_to_dict(result: AttributionResult) -> dict[str, Any]:
    return {
        "probe": "attribution",
        "backend": result.backend,
        "is_simulation": result.is_simulation,
        "outcome": result.outcome,
        "design": result.design,
        "estimand": result.estimand,
        "samples_per_cell": result.samples,
        "seed": result.seed,
        "parts": [
            {"name": p.name, "role": p.role, "fixed": p.fixed, "intervention": p.describe(), "text": p.text}
            for p in result.parts.parts
        ],
        "main_effects": [_effect_dict(e) for e in result.main_effects],
        "interactions": [_effect_dict(e) for e in result.interactions],
        "cells": [
            {
                "intervened": list(c.intervened),
                "mean": c.mean,
                "values": list(c.values),
                "messages": [{"role": m.role, "content": m.content} for m in c.messages],
                "replies": [r[:_REPLY_CHARS] for r in c.replies],
            }
            for c in result.cells
        ],
        "usage": result.usage.to_dict(),
        "wall_seconds": round(result.wall_seconds, 3),
    }


def _row(effect: PartEffect) -> str:
    i = effect.interval
    estimate = f"{i.estimate:+.3f}"
    return f"| {effect.label} | {f'**{estimate}**' if effect.flagged else estimate} | [{i.low:+.3f}, {i.high:+.3f}] |"


def attribution_markdown(result: AttributionResult) -> str:
    simulated = " (a SIMULATED expert, not a language model)" if result.is_simulation else ""
    outcome = result.outcome.get("outcome", "outcome")
    full = result.cell()
    lines = [
        "# Prompt-intervention attribution",
        "",
        f"Model: `{result.backend}`{simulated} · outcome: **{outcome}** · design: {result.design} "
        f"({len(result.cells)} cells × {result.samples} sample{'s' if result.samples != 1 else ''})",
        "",
        f"Effects are presence effects (part present minus intervened on), {result.estimand}; interactions are "
        "differences in differences. Intervals: bootstrap over samples within each cell; **bold** = interval "
        "excludes 0."
        + (" The outcome is deterministic here, so intervals have zero width." if result.samples == 1 else ""),
        "",
        f"Outcome with every part present: {full.mean:.3f}",
        "",
        "| part | intervention |",
        "|---|---|",
        *[f"| {p.name} | {p.describe()} |" for p in result.parts.parts],
        "",
        "## Main effects",
        "",
        "| part | effect | interval |",
        "|---|---:|---|",
        *[_row(e) for e in result.main_effects],
    ]
    if result.interactions:
        lines += ["", "## Pairwise interactions", "", "| parts | interaction | interval |", "|---|---:|---|"]
        lines += [_row(e) for e in result.interactions]
    lines += ["", f"Usage: {result.usage.summary()} · wall time {result.wall_seconds:.1f} s", ""]
    return "\n".join(lines)


def write_attribution(result: AttributionResult, out_dir: str | Path) -> dict[str, Path]:
    """Write ``attribution.json``, ``attribution.md`` and ``attribution_effects.png/.svg`` into ``out_dir``."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"json": folder / "attribution.json", "markdown": folder / "attribution.md"}
    paths["json"].write_text(json.dumps(attribution_to_dict(result), indent=2, ensure_ascii=False) + "\n", "utf-8")
    paths["markdown"].write_text(attribution_markdown(result), encoding="utf-8")
    effects = [*result.main_effects, *result.interactions]
    bars = [Bar(e.label, e.interval.estimate, e.interval.low, e.interval.high, e.flagged) for e in effects]
    paths["png"], paths["svg"] = save_bar_chart(
        bars,
        folder / "attribution_effects",
        title=f"Effect of each prompt part on {result.outcome.get('outcome', 'the outcome')} ({result.backend})",
        xlabel="presence effect (part present − intervened on)",
        flagged_label="interval excludes 0",
        other_label="interval includes 0",
    )
    return paths
