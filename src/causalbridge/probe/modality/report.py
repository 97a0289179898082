"""Writing a modality-reliance result out: JSON, a Markdown summary and a bar figure of the answer shifts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from causalbridge.probe.figures import Bar, save_bar_chart
from causalbridge.probe.modality.reliance import RelianceResult

_VERDICT = {
    "image": "the answers follow the **picture** (swapping pictures moves them more than swapping texts)",
    "text": "the answers follow the **text** (swapping texts moves them more than swapping pictures)",
    "undetermined": "**undetermined**: the two swaps' effects cannot be told apart with these items",
}


def reliance_to_dict(result: RelianceResult) -> dict[str, Any]:
    return {
        "probe": "modality",
        "backend": result.backend,
        "verdict": result.verdict,
        "swap_difference": result.swap_difference.to_dict() if result.swap_difference else None,
        "follows_image": result.follows_image,
        "follows_text": result.follows_text,
        "noise_sigma": result.noise_sigma,
        "seed": result.seed,
        "effects": [
            {
                "modality": e.modality,
                "intervention": e.intervention,
                "shift": e.shift.to_dict(),
                "drop": e.drop.to_dict(),
                "flip_rate": e.flip_rate,
            }
            for e in result.effects
        ],
        "items": [
            {
                "id": r.id,
                "options": list(r.options),
                "clean": list(r.clean),
                "clean_answer": r.clean_answer,
                "intervened": {k: list(p) for k, p in r.intervened},
            }
            for r in result.items
        ],
        "usage": result.usage.to_dict(),
        "wall_seconds": round(result.wall_seconds, 3),
    }


def reliance_markdown(result: RelianceResult) -> str:
    lines = [
        "# Modality reliance",
        "",
        f"Model: `{result.backend}` · {len(result.items)} items · noise sigma {result.noise_sigma:g} · "
        f"seed {result.seed}",
        "",
        f"Verdict: {_VERDICT[result.verdict]}.",
    ]
    if result.swap_difference is not None:
        d = result.swap_difference
        lines.append(
            f"Image-swap shift minus text-swap shift: {d.estimate:+.3f} [{d.low:+.3f}, {d.high:+.3f}] ({d.method})."
        )
    if result.follows_image is not None or result.follows_text is not None:
        parts = []
        if result.follows_image is not None:
            parts.append(f"P(answer the picture supports) = {result.follows_image:.3f}")
        if result.follows_text is not None:
            parts.append(f"P(answer the text supports) = {result.follows_text:.3f}")
        lines += ["", "Clean answers, mean over items: " + "; ".join(parts) + "."]
    lines += [
        "",
        "Shift = total-variation distance between the clean and the intervened answer distributions; drop = "
        "probability the clean answer loses; flips = share of items whose top answer changes.",
        "",
        "| intervention | shift | interval | drop | interval | flips |",
        "|---|---:|---|---:|---|---:|",
    ]
    for e in result.effects:
        s, d = e.shift, e.drop
        lines.append(
            f"| {e.key} | {s.estimate:.3f} | [{s.low:.3f}, {s.high:.3f}] | {d.estimate:+.3f} | "
            f"[{d.low:+.3f}, {d.high:+.3f}] | {e.flip_rate:.2f} |"
        )
    lines += ["", f"Usage: {result.usage.summary()} · wall time {result.wall_seconds:.1f} s", ""]
    return "\n".join(lines)


def write_reliance(result: RelianceResult, out_dir: str | Path) -> dict[str, Path]:
    """Write ``modality.json``, ``modality.md`` and ``modality_shifts.png/.svg`` into ``out_dir``."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"json": folder / "modality.json", "markdown": folder / "modality.md"}
    paths["json"].write_text(json.dumps(reliance_to_dict(result), indent=2, ensure_ascii=False) + "\n", "utf-8")
    paths["markdown"].write_text(reliance_markdown(result), encoding="utf-8")
    bars = [Bar(e.key, e.shift.estimate, e.shift.low, e.shift.high, e.modality == "image") for e in result.effects]
    paths["png"], paths["svg"] = save_bar_chart(
        bars,
        folder / "modality_shifts",
        title=f"How far each intervention moves the answers ({result.backend})",
        xlabel="answer shift (total-variation distance from the clean answer)",
        flagged_label="intervention on the picture",
        other_label="intervention on the text",
    )
    return paths
