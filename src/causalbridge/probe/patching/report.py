"""Writing a patching sweep out: the result JSON, the heatmap (PNG and SVG) and a Markdown summary."""

from __future__ import annotations

import math
from pathlib import Path

from causalbridge.probe.patching.result import PatchingResult
from causalbridge.probe.patching.sites import Site


def site_token(result: PatchingResult, site: Site) -> str:
    """The token a site's position points at, for tables ('all positions' for the all-positions column)."""
    return "all positions" if site.position is None else repr(result.tokens[site.position])


def _fraction(result: PatchingResult, effect: float) -> str:
    total = result.total_effect
    return f"{effect / total:+.2f}" if total != 0 and math.isfinite(total) else "n/a"


def top_sites_markdown(result: PatchingResult, n: int = 10) -> list[str]:
    """A Markdown table of the ``n`` sites with the largest indirect effects."""
    rows = [
        "| rank | site kind | layer | position | token | indirect effect | fraction of total |",
        "|---:|---|---:|---:|---|---:|---:|",
    ]
    for rank, (site, effect) in enumerate(result.top(n), start=1):
        position = "all" if site.position is None else str(site.position)
        token = site_token(result, site).replace("|", "\\|")
        rows.append(
            f"| {rank} | {site.kind.value} | {site.layer} | {position} | `{token}` | {effect:+.4g} | "
            f"{_fraction(result, effect)} |"
        )
    return rows


def patching_markdown(result: PatchingResult, *, heatmap: str | None = None, top: int = 10) -> str:
    """The summary: what was compared, the clean / corrupted / total effect, the heatmap and the top sites."""
    sites = len(result.kinds) * len(result.layers) * len(result.positions)
    layers = f"{len(result.layers)} of {result.n_layers}" if result.n_layers else str(len(result.layers))
    lines = [
        "# Activation patching",
        "",
        f"Model: `{result.model}` · metric: `{result.metric}` (at the final position)",
        "",
        f"Clean prompt: `{''.join(result.tokens)}` ({len(result.tokens)} tokens)",
        "",
        f"Corruption: {result.corruption}",
        "",
        "| | metric |",
        "|---|---:|",
        f"| clean run | {result.clean_metric:.4g} |",
        f"| corrupted run | {result.corrupted_metric:.4g} |",
        f"| total effect (clean − corrupted) | {result.total_effect:.4g} |",
        "",
        f"Sweep: site kinds {', '.join(k.value for k in result.kinds)} × {layers} layers × "
        f"{len(result.positions)} positions = {sites} patched runs (batch size {result.batch_size}) "
        f"in {result.seconds:.1f} s.",
        "",
        "The indirect effect of a site is the metric of the corrupted run with that one clean activation restored, "
        "minus the corrupted run's metric; divided by the total effect it is the fraction of the clean answer "
        "that the site alone brings back (1 = all of it).",
        "",
    ]
    if heatmap:
        lines += [f"![patching heatmap]({heatmap})", ""]
    lines += [f"## Top {min(top, sites)} sites by indirect effect", "", *top_sites_markdown(result, top), ""]
    return "\n".join(lines)


def write_patching(result: PatchingResult, out_dir: str | Path, *, top: int = 10) -> dict[str, Path]:
    """Write ``patching.json``, ``patching.md`` and ``patching_heatmap.png/.svg`` into ``out_dir``.

    The JSON is :meth:`PatchingResult.to_json`, so :meth:`PatchingResult.from_json` reads it back.
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"json": folder / "patching.json", "markdown": folder / "patching.md"}
    result.to_json(paths["json"])
    paths["png"], paths["svg"] = result.heatmap(folder / "patching_heatmap")
    paths["markdown"].write_text(patching_markdown(result, heatmap=paths["png"].name, top=top), encoding="utf-8")
    return paths
