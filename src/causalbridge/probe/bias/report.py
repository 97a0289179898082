"""Writing a bias audit out: JSON (everything), Markdown (the summary), a figure, and the augmentation set.

The JSON keeps every measurement, so any number in the summary can be recomputed from it; the Markdown is
what a person reads first and states the method next to the numbers (what the effect is, how the intervals
and q-values were made) so a table cannot be read out of context.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from causalbridge.probe.bias.audit import BiasAudit, EffectTest
from causalbridge.probe.bias.design import counterfactual_pairs
from causalbridge.probe.figures import Bar, save_bar_chart


def _test_dict(test: EffectTest) -> dict[str, Any]:
    return {
        "template": test.template,
        "domain": test.domain,
        "attribute": test.attribute,
        "group": test.group,
        "reference": test.reference,
        "fillings": test.fillings,
        "mean_favourable_group": test.mean_group,
        "mean_favourable_reference": test.mean_reference,
        "effect": test.interval.to_dict(),
        "p_value": test.p_value,
        "q_value": test.q_value,
        "significant": test.significant,
        "abstentions": test.abstentions,
        "note": test.note,
    }


def audit_to_dict(audit: BiasAudit) -> dict[str, Any]:
    """The whole audit as JSON-ready data."""
    settings = audit.settings
    return {
        "probe": "bias",
        "backend": audit.backend,
        "is_simulation": audit.is_simulation,
        "templates_file": audit.source,
        "settings": {
            "fillings": settings.fillings,
            "seed": settings.seed,
            "confidence": settings.confidence,
            "n_resamples": settings.n_resamples,
            "interval": settings.interval,
            "fdr": settings.fdr,
            "n_flips": settings.n_flips,
            "outcome": "P(favourable answer) from choose",
            "effect": "mean over fillings of P(fav | group) - P(fav | reference), same filling",
            "test": "two-sided sign-flip test of the paired differences (exact up to 16 units)",
            "unit": "word-list member (name pair) where groups have several members, else the filling",
            "multiplicity": "Benjamini-Hochberg over all template x group tests",
        },
        "tests": [_test_dict(t) for t in audit.tests],
        "significant": [f"{t.template}:{t.group}" for t in audit.significant],
        "overall": [
            {
                "attribute": o.attribute,
                "group": o.group,
                "reference": o.reference,
                "templates": o.templates,
                "effect": o.interval.to_dict(),
                "p_value": o.p_value,
            }
            for o in audit.overall
        ],
        "measurements": [
            {
                "template": m.template,
                "filling": m.filling,
                "group": m.group,
                "text": m.text,
                "p_favourable": m.favourable,
                "probs": dict(m.probs),
                "abstained": m.abstained,
            }
            for m in audit.measurements
        ],
        "usage": audit.usage.to_dict(),
        "wall_seconds": round(audit.wall_seconds, 3),
    }


def _fmt(value: float) -> str:
    return f"{value:+.3f}"


def _pvalue(value: float) -> str:
    return f"{value:.2g}" if value >= 0.001 else f"{value:.1e}"


def audit_markdown(audit: BiasAudit) -> str:
    """A Markdown summary: what was done, the overall effects, then every template x group test."""
    s = audit.settings
    simulated = " (a SIMULATED expert, not a language model)" if audit.is_simulation else ""
    lines = [
        "# Counterfactual bias audit",
        "",
        f"Model: `{audit.backend}`{simulated} · templates: `{audit.source}` · {len(audit.templates)} templates · "
        f"{s.fillings} fillings each · seed {s.seed}",
        "",
        "Effect = mean over fillings of P(favourable | group) − P(favourable | reference), where both prompts "
        "of a pair share every word but the protected attribute. "
        f"{round(s.confidence * 100)}% {s.interval} bootstrap intervals ({s.n_resamples} resamples) and sign-flip "
        "p-values, both over name pairs (the same pairs recur in every template of an attribute; fillings where a "
        "group has a single member); q-values by Benjamini–Hochberg over "
        f"all {len(audit.tests)} tests; **bold** = significant at FDR {s.fdr:g}.",
        "",
        "## Overall (mean of the per-template effects)",
        "",
        "| attribute | group vs reference | templates | effect | interval | p |",
        "|---|---|---:|---:|---|---:|",
    ]
    for o in audit.overall:
        lines.append(
            f"| {o.attribute} | {o.group} vs {o.reference} | {o.templates} | {_fmt(o.interval.estimate)} | "
            f"[{_fmt(o.interval.low)}, {_fmt(o.interval.high)}] | {_pvalue(o.p_value)} |"
        )
    lines += [
        "",
        f"## Per template ({len(audit.significant)} of {len(audit.tests)} significant)",
        "",
        "| template | domain | group vs reference | P(fav) group | P(fav) ref | effect | interval | p | q |",
        "|---|---|---|---:|---:|---:|---|---:|---:|",
    ]
    for t in audit.tests:
        effect = _fmt(t.effect)
        mark = f"**{effect}**" if t.significant else effect
        lines.append(
            f"| {t.template} | {t.domain} | {t.group} vs {t.reference} | {t.mean_group:.3f} | "
            f"{t.mean_reference:.3f} | {mark} | [{_fmt(t.interval.low)}, {_fmt(t.interval.high)}] | "
            f"{_pvalue(t.p_value)} | {_pvalue(t.q_value)} |"
        )
    notes = {t.template: t.note for t in audit.tests if t.note}
    if notes:
        lines += ["", "Notes:"] + [f"* {template}: {note}" for template, note in notes.items()]
    abstained = sum(m.abstained for m in audit.measurements)
    if abstained:
        lines += ["", f"{abstained} answers could not be read and count as uniform probabilities (abstentions)."]
    lines += ["", f"Usage: {audit.usage.summary()} · audit wall time {audit.wall_seconds:.1f} s", ""]
    return "\n".join(lines)


def augmentation_from_audit(audit: BiasAudit) -> Iterator[dict[str, Any]]:
    """The counterfactual-augmentation records of the audited prompts, with the model's answers attached."""
    answers = {(m.template, m.filling, m.group): m.favourable for m in audit.measurements}
    for template, fillings in zip(audit.templates, audit.fillings, strict=True):
        for record in counterfactual_pairs(fillings, template):
            key = (str(record["template"]), int(record["filling"]))
            record["p_favourable"] = answers.get((*key, str(record["group"])))
            record["p_favourable_counterfactual"] = answers.get((*key, str(record["counterfactual_group"])))
            yield record


def write_jsonl(records: Iterator[dict[str, Any]] | list[dict[str, Any]], path: Path) -> int:
    """Write one JSON object per line; returns the number of lines."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
    return count


def save_audit_figure(audit: BiasAudit, path: Path) -> tuple[Path, Path]:
    bars = [
        Bar(f"{t.template} · {t.group}", t.effect, t.interval.low, t.interval.high, t.significant) for t in audit.tests
    ]
    return save_bar_chart(
        bars,
        path,
        title=f"Counterfactual bias audit of {audit.backend}",
        xlabel="change in P(favourable answer) vs the reference group",
        flagged_label=f"significant (FDR {audit.settings.fdr:g})",
    )


def write_audit(audit: BiasAudit, out_dir: str | Path) -> dict[str, Path]:
    """Write ``bias.json``, ``bias.md``, ``bias_effects.png/.svg`` and ``bias_cda.jsonl`` into ``out_dir``."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"json": folder / "bias.json", "markdown": folder / "bias.md", "cda": folder / "bias_cda.jsonl"}
    paths["json"].write_text(json.dumps(audit_to_dict(audit), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    paths["markdown"].write_text(audit_markdown(audit), encoding="utf-8")
    write_jsonl(augmentation_from_audit(audit), paths["cda"])
    paths["png"], paths["svg"] = save_audit_figure(audit, folder / "bias_effects")
    return paths
