"""Report chapters for benchmark runs (``bench/report.json``: ``{"config": ..., "scores": ...}``).

Accuracy by rung of the causal ladder is the headline (a bar per rung, its Wilson interval and the chance line):
it shows at a glance whether a model does better on association than on intervention and counterfactual
questions, and whether any of it is distinguishable from guessing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from causalbridge.report.model import Bar, BarChartSection, Chapter, Section, TableSection, TextSection, UsageSection
from causalbridge.report.numbers import maybe, maybe_pct, number, pct

RUNG_NAMES = {1: "association", 2: "intervention", 3: "counterfactual"}
_LABELS = {"query_type": "query type", "naming": "naming", "template": "template", "variant": "variant"}


def _interval(a: Any) -> str:
    if not isinstance(a, Mapping) or number(a.get("accuracy")) is None:
        return "–"
    return f"{maybe_pct(a.get('accuracy'))} [{maybe_pct(a.get('low'))}, {maybe_pct(a.get('high'))}]"


def _bar(label: str, a: Mapping[str, Any], detail: str = "") -> Bar | None:
    value = number(a.get("accuracy"))
    if value is None:
        return None
    n = a.get("n")
    return Bar(label, value, number(a.get("low")), number(a.get("high")), detail=detail or f"n = {n}")


def rung_chart(scores: Mapping[str, Any], title: str = "Accuracy by rung") -> BarChartSection | None:
    """Bars by rung with Wilson intervals and the chance line; one "all items" bar when items have no rung."""
    by = scores.get("by") or {}
    bars: list[Bar] = []
    for row in by.get("rung") or []:
        value = row.get("value")
        name = RUNG_NAMES.get(value, str(value)) if isinstance(value, int) else str(value)
        bar = _bar(f"rung {value}" if isinstance(value, int) else name, row, f"{name} · n = {row.get('n')}")
        if bar is not None:
            bars.append(bar)
    overall = scores.get("accuracy")
    if not bars and isinstance(overall, Mapping):
        bar = _bar("all items", overall)
        if bar is not None:
            bars.append(bar)
    if not bars:
        return None
    chance = number(scores.get("chance"))
    return BarChartSection(
        title,
        tuple(bars),
        "accuracy (95% Wilson interval)",
        style="bar",
        reference=chance,
        reference_label=f"chance {pct(chance, 0)}" if chance is not None else "",
        percent=True,
        domain=(0.0, 1.0),
    )


def _summary_table(scores: Mapping[str, Any]) -> TableSection:
    rows = [("accuracy [95% CI]", _interval(scores.get("accuracy")))]
    if number(scores.get("chance")) is not None:
        rows.append(("chance level", maybe_pct(scores.get("chance"))))
    rows.append(("items answered", str(scores.get("n", "–"))))
    rows.append(("abstention rate", f"{maybe_pct(scores.get('abstention_rate'))} ({scores.get('abstained', 0)})"))
    for name, prf in (scores.get("f1_yes") or {}).items():
        if isinstance(prf, Mapping):
            precision, recall = maybe(prf.get("precision")), maybe(prf.get("recall"))
            rows.append((f"F1 for 'yes' on {name}", f"{maybe(prf.get('f1'))} (precision {precision}, recall {recall})"))
    swap = scores.get("order_swap") or {}
    if swap.get("asked"):
        rows.append((f"order-swap consistency ({swap['asked']} asked twice)", _interval(swap.get("consistency"))))
        rows.append(("accuracy with the options reversed", _interval(swap.get("accuracy_swapped"))))
    if number(scores.get("first_option_rate")) is not None:
        rows.append(("answers that are the first option", maybe_pct(scores.get("first_option_rate"))))
    calibration = scores.get("calibration") or {}
    if number(calibration.get("ece")) is not None:
        ece = f"{maybe(calibration['ece'])} on {calibration.get('items', '?')} items"
        rows.append((f"expected calibration error ({calibration.get('bins', 10)} bins)", ece))
    if number(scores.get("mean_latency_s")) is not None:
        rows.append(("mean latency per item", f"{scores['mean_latency_s'] * 1000:.1f} ms"))
    return TableSection("Scores", ("metric", "value"), tuple(rows), numeric=(False, True))


def _breakdown(key: str, rows: list[Any]) -> TableSection:
    label = _LABELS.get(key, key.replace("_", " "))
    body = tuple((str(r.get("value")), str(r.get("n", "–")), _interval(r)) for r in rows if isinstance(r, Mapping))
    return TableSection(f"Accuracy by {label}", (label, "n", "accuracy [95% CI]"), body, numeric=(False, True, True))


def from_bench(data: Mapping[str, Any], title: str | None = None) -> Chapter:
    """A chapter for one benchmark run: headline, the rung chart, scores, breakdowns and usage."""
    config = data.get("config") or {}
    scores = data.get("scores") or {}
    model, dataset = str(config.get("model", "?")), str(config.get("dataset", "?"))
    heading = title or f"Benchmark: {model} on {dataset}"
    strategy = f"{config.get('strategy', '?')} (prompts {config.get('prompt_version', '?')})"
    sample = ""
    if config.get("sample_seed") is not None:
        sample = f", a sample of {config.get('limit')} with seed {config.get('sample_seed')}"
    setup = (
        f"Model {model} · strategy {strategy} · dataset {config.get('dataset_spec') or dataset} "
        f"({config.get('dataset_size', '?')} items{sample}; sha256 {str(config.get('dataset_hash', ''))[:12]})"
    )
    sections: list[Section] = [TextSection("Setup", (setup,))]
    if not isinstance(scores.get("accuracy"), Mapping):
        sections.append(TextSection("Scores", ("No finished items yet.",), "note"))
        return Chapter(heading, tuple(sections), "No finished items yet.")
    chart = rung_chart(scores)
    if chart is not None:
        sections.append(chart)
    sections.append(_summary_table(scores))
    for key, rows in (scores.get("by") or {}).items():
        if key == "rung" or not isinstance(rows, list) or (key == "dataset" and len(rows) < 2):
            continue
        sections.append(_breakdown(key, rows))
    if isinstance(scores.get("usage"), Mapping):
        sections.append(UsageSection.from_usage(scores["usage"]))
    chance = number(scores.get("chance"))
    summary = f"Accuracy {_interval(scores.get('accuracy'))} on {scores.get('n', '?')} items"
    summary += f" (chance {pct(chance)})." if chance is not None else "."
    return Chapter(heading, tuple(sections), summary)
