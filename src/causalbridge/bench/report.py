"""The report of a benchmark run: ``report.json`` (every number), ``report.md`` (tables) and a bar chart by rung.

A report is built from a run directory alone (``config.json`` + ``results.jsonl``), so it can be regenerated at any
time, including for a run that is still going or was interrupted. Accuracies always come with their 95 % Wilson
interval and the chance level, because with a few hundred items a difference of five points is often noise.
The chart needs matplotlib; without it the report says so and the other files are still written.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from causalbridge.bench.runlog import RunConfig, read_config, read_results, write_json_atomic
from causalbridge.bench.scorers import BenchScorer, Breakdown, Scores
from causalbridge.bench.task import Scorer
from causalbridge.metrics import AccuracyInterval

REPORT_MD = "report.md"
REPORT_JSON = "report.json"
CHART_STEM = "by_rung"

_LABELS = {
    "dataset": "dataset",
    "rung": "rung",
    "query_type": "query type",
    "naming": "naming",
    "template": "template",
    "variant": "variant",
}
_RUNG_NAMES = {1: "1 association", 2: "2 intervention", 3: "3 counterfactual"}


@dataclass(frozen=True)
class ReportFiles:
    """The files :func:`write_report` wrote; ``charts`` is empty when matplotlib is missing."""

    markdown: Path
    json: Path
    charts: tuple[Path, ...]
    scores: Scores


def _pct(a: AccuracyInterval | None) -> str:
    if a is None:
        return "n/a"
    return f"{a.accuracy:.1%} [{a.low:.1%}, {a.high:.1%}]"


def _table(breakdown: Breakdown) -> list[str]:
    label = _LABELS.get(breakdown.key, breakdown.key)
    lines = [f"| {label} | n | accuracy [95% CI] |", "|---|---:|---|"]
    for value, acc in breakdown.rows:
        shown = _RUNG_NAMES.get(value, str(value)) if breakdown.key == "rung" and isinstance(value, int) else value
        lines.append(f"| {shown} | {acc.n} | {_pct(acc)} |")
    return lines


def render_markdown(config: RunConfig, scores: Scores, charts: Sequence[Path] = ()) -> str:
    """The human-readable report."""
    lines = [
        f"# Benchmark run: {config.dataset}",
        "",
        f"* model: `{config.model}`",
        f"* strategy: `{config.strategy}` (prompts {config.prompt_version})",
        f"* dataset: `{config.dataset_spec or config.dataset}` ({config.dataset_size} items, sha256 "
        f"`{config.dataset_hash[:12]}`)"
        + (f", sample of {config.limit} with seed {config.sample_seed}" if config.sample_seed is not None else ""),
        f"* items answered: {scores.n}",
        "",
    ]
    if scores.accuracy is None:
        return "\n".join([*lines, "No finished items yet.", ""])
    chance = f" (chance {scores.chance:.1%})" if scores.chance is not None else ""
    lines += [
        "## Summary",
        "",
        "| metric | value |",
        "|---|---|",
        f"| accuracy [95% CI] | {_pct(scores.accuracy)}{chance} |",
        f"| abstention rate | {scores.abstention_rate:.1%} ({scores.abstained} of {scores.n}) |",
    ]
    for name, prf in scores.f1_yes:
        lines.append(
            f"| F1 for 'yes' on {name} | {prf.f1:.3f} (precision {prf.precision:.3f}, recall {prf.recall:.3f}) |"
        )
    if scores.swap_asked:
        lines.append(f"| order-swap consistency | {_pct(scores.consistency)} of {scores.swap_asked} asked twice |")
        lines.append(f"| accuracy with options reversed | {_pct(scores.swap_accuracy)} |")
    if scores.first_option_rate is not None:
        lines.append(f"| answers that are the first option | {scores.first_option_rate:.1%} |")
    if scores.ece is not None:
        lines.append(
            f"| expected calibration error ({scores.ece_bins} bins) | {scores.ece:.3f} on {scores.ece_items} items |"
        )
    lines.append(f"| usage | {scores.usage.summary()} |")
    lines.append(f"| mean latency per item | {scores.mean_latency_s * 1000:.1f} ms |")
    lines.append("")
    for breakdown in scores.breakdowns:
        if breakdown.key != "rung" and len(breakdown.rows) < 2:  # one value: the summary already says it all
            continue
        lines += [f"## By {_LABELS.get(breakdown.key, breakdown.key)}", "", *_table(breakdown), ""]
    for chart in charts:
        if chart.suffix == ".png":
            lines += [f"![accuracy by rung]({chart.name})", ""]
    return "\n".join(lines)


def report_dict(config: RunConfig, scores: Scores) -> dict[str, Any]:
    return {"config": config.to_dict(), "scores": scores.to_dict()}


def plot_by_rung(scores: Scores, title: str, stem: Path) -> tuple[Path, ...]:
    """A bar chart of accuracy by rung with Wilson error bars and the chance line, as PNG and SVG.

    Items without a rung (COPA, Corr2Cause, ...) form one bar labelled "all". Returns () without matplotlib.
    """
    if importlib.util.find_spec("matplotlib") is None or scores.accuracy is None:
        return ()
    import matplotlib

    matplotlib.use("Agg")  # no display on servers and in CI
    import matplotlib.pyplot as plt

    breakdown = scores.breakdown("rung")
    rows: list[tuple[str, AccuracyInterval]] = (
        [(_RUNG_NAMES.get(v, str(v)) if isinstance(v, int) else str(v), a) for v, a in breakdown.rows]
        if breakdown is not None
        else []
    )
    covered = sum(a.n for _, a in rows)
    if covered < scores.n or not rows:
        rows.append(("all", scores.accuracy) if not rows else ("no rung", _rest(scores, covered)))
    fig, ax = plt.subplots(figsize=(1.6 + 1.4 * len(rows), 3.6))
    xs = range(len(rows))
    heights = [a.accuracy for _, a in rows]
    errors = [[a.accuracy - a.low for _, a in rows], [a.high - a.accuracy for _, a in rows]]
    ax.bar(xs, heights, yerr=errors, capsize=4, color="#4C72B0")
    if scores.chance is not None:
        ax.axhline(scores.chance, color="#C44E52", linestyle="--", linewidth=1, label=f"chance {scores.chance:.0%}")
        ax.legend(loc="upper right", fontsize=8)
    ax.set_xticks(list(xs), [f"{label}\n(n={a.n})" for label, a in rows], fontsize=8)
    ax.set_ylim(0, 1)
    ax.set_ylabel("accuracy (95% Wilson CI)")
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    paths = (stem.with_suffix(".png"), stem.with_suffix(".svg"))
    fig.savefig(paths[0], dpi=120, metadata={"Software": None})
    fig.savefig(paths[1], metadata={"Date": None})
    plt.close(fig)
    return paths


def _rest(scores: Scores, covered: int) -> AccuracyInterval:
    """Accuracy of the items without a rung, from the totals (overall minus the rung rows)."""
    from causalbridge.metrics import wilson_interval

    breakdown = scores.breakdown("rung")
    assert scores.accuracy is not None and breakdown is not None
    correct = scores.accuracy.correct - sum(a.correct for _, a in breakdown.rows)
    n = scores.n - covered
    low, high = wilson_interval(correct, n, scores.accuracy.confidence)
    return AccuracyInterval(correct / n, low, high, correct, n, scores.accuracy.confidence)


def write_report(run_dir: str | Path, scorer: Scorer | None = None) -> ReportFiles:
    """Score a run directory and write ``report.json``, ``report.md`` and ``by_rung.png``/``.svg`` into it."""
    out = Path(run_dir)
    config = read_config(out)
    scores = (scorer or BenchScorer()).score(read_results(out))
    title = f"{config.dataset} · {config.strategy} · {config.model}"
    charts = plot_by_rung(scores, title if len(title) <= 90 else title[:87] + "...", out / CHART_STEM)
    json_path, md_path = out / REPORT_JSON, out / REPORT_MD
    write_json_atomic(json_path, report_dict(config, scores))
    text = render_markdown(config, scores, charts)
    if not charts and scores.accuracy is not None:
        text += "\n(No chart: matplotlib is not installed; pip install matplotlib.)\n"
    md_path.write_text(text, encoding="utf-8")
    return ReportFiles(md_path, json_path, charts, scores)
