"""Report chapters for the probes: the counterfactual bias audit, prompt attribution and activation patching.

Bias and attribution effects are forest plots (an effect per row with its bootstrap interval around zero, the
significant ones highlighted) plus the full table with p- and q-values; patching is a heatmap per site kind
(layers by token positions, one shared colour scale) plus the strongest sites as a table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from causalbridge.errors import InputError
from causalbridge.report.model import (
    Bar,
    BarChartSection,
    Chapter,
    HeatmapPanel,
    HeatmapSection,
    RowStatus,
    Section,
    TableSection,
    TextSection,
    UsageSection,
)
from causalbridge.report.numbers import fmt, maybe, number, p_value, seconds

_KIND_NAMES = {"resid": "residual stream", "attn": "attention output", "mlp": "MLP output"}
_SIMULATED = "Answers come from a SIMULATED expert, not a language model: the numbers test the pipeline, not a model."


def _effect(interval: Any) -> tuple[float | None, float | None, float | None]:
    if not isinstance(interval, Mapping):
        return (None, None, None)
    return number(interval.get("estimate")), number(interval.get("low")), number(interval.get("high"))


def _span(low: float | None, high: float | None) -> str:
    return "–" if low is None or high is None else f"[{low:+.3f}, {high:+.3f}]"


def from_bias(data: Mapping[str, Any], title: str | None = None) -> Chapter:
    """A chapter for a bias audit (``audit_to_dict``): overall and per-template effects with q-values."""
    settings = data.get("settings") or {}
    tests = [t for t in data.get("tests") or [] if isinstance(t, Mapping)]
    fdr = number(settings.get("fdr"))
    sections: list[Section] = []
    if data.get("is_simulation"):
        sections.append(TextSection("Simulation", (_SIMULATED,), "warning"))
    confidence = number(settings.get("confidence")) or 0.95
    fdr_text = f" (FDR {fdr:g})" if fdr is not None else ""
    sections.append(
        TextSection(
            "Method",
            (
                f"Effect: {settings.get('effect', 'change in P(favourable answer) against the reference group')}.",
                f"{confidence:.0%} {settings.get('interval', '')} bootstrap intervals over {settings.get('fillings')} "
                f"fillings per template; p-values from {settings.get('test', 'a sign-flip test')}; q-values by "
                f"Benjamini–Hochberg{fdr_text}.",
            ),
        )
    )
    overall = []
    for o in data.get("overall") or []:
        est, low, high = _effect(o.get("effect"))
        if est is not None:
            label = f"{o.get('attribute')}: {o.get('group')} vs {o.get('reference')}"
            overall.append(
                Bar(label, est, low, high, detail=f"{o.get('templates')} templates · p {p_value(o.get('p_value'))}")
            )
    if overall:
        sections.append(
            BarChartSection("Overall effect by group", tuple(overall), "change in P(favourable answer)", "forest", 0.0)
        )
    bars, rows = [], []
    status: list[RowStatus] = []
    for t in tests:
        est, low, high = _effect(t.get("effect"))
        significant = bool(t.get("significant"))
        label = f"{t.get('template')} · {t.get('group')}"
        if est is not None:
            bars.append(Bar(label, est, low, high, significant, f"q {p_value(t.get('q_value'))}"))
        rows.append(
            (
                str(t.get("template")),
                str(t.get("domain", "")),
                f"{t.get('group')} vs {t.get('reference')}",
                maybe(t.get("mean_favourable_group")),
                maybe(t.get("mean_favourable_reference")),
                "–" if est is None else f"{est:+.3f}",
                _span(low, high),
                p_value(t.get("p_value")),
                p_value(t.get("q_value")),
                str(t.get("note", "")),
            )
        )
        status.append("strong" if significant else "")
    if bars:
        flagged = f"significant at FDR {fdr:g}" if fdr is not None else "significant"
        sections.append(
            BarChartSection(
                "Effect per template",
                tuple(bars),
                "change in P(favourable answer)",
                "forest",
                0.0,
                flagged_label=flagged,
            )
        )
    if rows:
        sections.append(
            TableSection(
                "Tests",
                (
                    "template",
                    "domain",
                    "group vs reference",
                    "P(fav) group",
                    "P(fav) ref",
                    "effect",
                    "interval",
                    "p",
                    "q",
                    "note",
                ),
                tuple(rows),
                caption="Bold rows are significant after the Benjamini–Hochberg correction.",
                numeric=(False, False, False, True, True, True, True, True, True, False),
                row_status=tuple(status),
            )
        )
    if isinstance(data.get("usage"), Mapping):
        sections.append(UsageSection.from_usage(data["usage"]))
    n_sig = sum(1 for t in tests if t.get("significant"))
    summary = f"Model {data.get('backend', '?')}: {n_sig} of {len(tests)} template × group tests significant."
    return Chapter(title or "Counterfactual bias audit", tuple(sections), summary)


def from_attribution(data: Mapping[str, Any], title: str | None = None) -> Chapter:
    """A chapter for a prompt attribution: which parts of the prompt move the outcome, with intervals."""
    sections: list[Section] = []
    if data.get("is_simulation"):
        sections.append(TextSection("Simulation", (_SIMULATED,), "warning"))
    outcome = data.get("outcome") or {}
    what = outcome.get("outcome", "outcome") if isinstance(outcome, Mapping) else str(outcome)
    sections.append(
        TextSection("Design", (f"Outcome: {what} · design: {data.get('design', '?')} · {data.get('estimand', '')}",))
    )
    parts = [p for p in data.get("parts") or [] if isinstance(p, Mapping)]
    if parts:
        rows = tuple((str(p.get("name")), str(p.get("role", "")), str(p.get("intervention", ""))) for p in parts)
        sections.append(TableSection("Prompt parts", ("part", "role", "intervention"), rows))
    for key, heading in (("main_effects", "Main effects"), ("interactions", "Interactions")):
        bars = []
        for e in data.get(key) or []:
            est, low, high = number(e.get("estimate")), number(e.get("low")), number(e.get("high"))
            if est is not None:
                label = " × ".join(str(p) for p in e.get("parts") or []) or str(e.get("kind", "?"))
                bars.append(Bar(label, est, low, high, bool(e.get("flagged"))))
        if bars:
            sections.append(
                BarChartSection(
                    heading, tuple(bars), f"effect on {what}", "forest", 0.0, flagged_label="interval excludes 0"
                )
            )
    if isinstance(data.get("usage"), Mapping):
        sections.append(UsageSection.from_usage(data["usage"]))
    return Chapter(title or "Prompt attribution", tuple(sections), f"Model {data.get('backend', '?')}.")


def _token(text: str) -> str:
    shown = text.strip()
    return shown if shown else repr(text)


def _grid(values: Any, shape: tuple[int, int, int], where: str) -> list[list[list[float | None]]]:
    if not isinstance(values, list) or len(values) != shape[0]:
        raise InputError(f"expected {shape[0]} kinds of {shape[1]}x{shape[2]} values", where=where)
    grid = [[[number(v) for v in row] for row in kind] for kind in values]
    if any(len(kind) != shape[1] or any(len(row) != shape[2] for row in kind) for kind in grid):
        raise InputError(f"every kind must be a {shape[1]}x{shape[2]} grid", where=where)
    return grid


def from_patching(data: Mapping[str, Any], title: str | None = None, top: int = 10) -> Chapter:
    """A chapter for a patching sweep (``PatchingResult.to_dict()``): heatmaps per site kind and the top sites."""
    tokens = [str(t) for t in data.get("tokens") or []]
    kinds = [str(k) for k in data.get("kinds") or []]
    layers = list(data.get("layers") or [])
    positions: Sequence[Any] = list(data.get("positions") or [])
    shape = (len(kinds), len(layers), len(positions))
    total = number(data.get("total_effect"))
    raw = _grid(data.get("effects"), shape, "effects")
    use_normalized = total not in (None, 0.0) and isinstance(data.get("normalized_effects"), list)
    shown = _grid(data["normalized_effects"], shape, "normalized_effects") if use_normalized else raw
    columns = tuple(
        "all" if p is None else f"{_token(tokens[p])}" if 0 <= p < len(tokens) else str(p) for p in positions
    )
    panels = tuple(
        HeatmapPanel(_KIND_NAMES.get(k, k), tuple(tuple(row) for row in grid))
        for k, grid in zip(kinds, shown, strict=True)
    )
    metric = str(data.get("metric", "metric"))
    corrupted = "".join(str(t) for t in data.get("corrupted_tokens") or [])
    sections: list[Section] = [
        TextSection(
            "Setup",
            (
                f"Model: {data.get('model', '?')}",
                f"Clean prompt: {''.join(tokens)!r} · corrupted: {corrupted!r}",
                f"Metric: {metric}. Clean {maybe(data.get('clean_metric'))}, corrupted "
                f"{maybe(data.get('corrupted_metric'))}, total effect {maybe(total)}.",
                f"Corruption: {data.get('corruption', '?')} · batch size {data.get('batch_size', '?')} · "
                f"{seconds(data.get('seconds'))}",
            ),
        ),
        HeatmapSection(
            "Indirect effect of restoring each site",
            tuple(str(layer) for layer in layers),
            columns,
            panels,
            "share of the total effect restored" if use_normalized else f"change in {metric}",
            diverging=True,
            caption="1 means restoring that one site brings back the clean answer; 0 means it does nothing.",
            row_axis="layer",
            column_axis="token position",
        ),
    ]
    cells = [
        (raw[k][i][j], k, i, j)
        for k in range(shape[0])
        for i in range(shape[1])
        for j in range(shape[2])
        if raw[k][i][j] is not None
    ]
    cells.sort(key=lambda c: -(c[0] or 0.0))
    rows = tuple(
        (
            _KIND_NAMES.get(kinds[k], kinds[k]),
            str(layers[i]),
            columns[j] + ("" if positions[j] is None else f" ({positions[j]})"),
            fmt(value or 0.0),
            "–" if not total else f"{(value or 0.0) / total:.1%}",
        )
        for value, k, i, j in cells[:top]
    )
    sections.append(
        TableSection(
            f"Top {len(rows)} sites",
            ("site", "layer", "token (position)", "indirect effect", "share of total"),
            rows,
            numeric=(False, True, False, True, True),
        )
    )
    return Chapter(title or "Activation patching", tuple(sections), f"{metric}: total effect {maybe(total)}.")
