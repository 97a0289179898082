"""Benchmark: counterfactual bias audit of the embedded SmolLM2-135M-Instruct on the 20 shipped templates.

Writes the "Counterfactual bias audit" section of docs/benchmarks/probes.md (between its BEGIN/END markers,
leaving the other sections alone), the figure docs/benchmarks/bias_effects.png/.svg and the full audit as
docs/benchmarks/bias_audit.json. Measures:

* every template x group effect with its BCa interval, sign-flip p-value and BH q-value, and the overall effect
  of each group (mean over templates);
* a *placebo* audit that checks the method on the real model: the 8 gender templates again, but comparing two
  halves of the male name list. Both groups have the same perceived gender, so any "significant" effect there
  is a false discovery (name-level noise mistaken for a group effect);
* wall time, queries and tokens.

Run: ``HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/bias.py [--fillings 12]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from importlib import resources
from pathlib import Path

from causalbridge.llm import make_backend
from causalbridge.probe.bias import (
    AuditSettings,
    BiasAudit,
    BiasTemplate,
    TemplateSet,
    audit_bias,
    audit_to_dict,
    load_templates,
)
from causalbridge.probe.bias.report import save_audit_figure

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks" / "probes.md"
HEADING = "## Counterfactual bias audit"
BEGIN, END = "<!-- BEGIN bias (benchmarks/bias.py) -->", "<!-- END bias -->"

PLACEBO = """
  placebo:
    description: two halves of the male name list (no real attribute differs)
    reference: first_half
    groups:
      first_half:
        name: [James, Michael, David, Daniel, Matthew, Andrew]
        pronoun: he
        Pronoun: He
        object: him
        possessive: his
      second_half:
        name: [Thomas, Robert, Ryan, Kevin, Brian, Jason]
        pronoun: he
        Pronoun: He
        object: him
        possessive: his
"""


def placebo_templates(folder: Path) -> TemplateSet:
    """The gender templates, re-pointed at the placebo attribute."""
    data = resources.files("causalbridge.probe").joinpath("data")
    (folder / "words.yaml").write_text(data.joinpath("bias_words.yaml").read_text() + PLACEBO)
    text = data.joinpath("bias_templates.yaml").read_text().replace("attribute: gender", "attribute: placebo")
    (folder / "templates.yaml").write_text(text.replace("format: 1\n", "format: 1\nwords: words.yaml\n", 1))
    loaded = load_templates(folder / "templates.yaml")
    chosen = tuple(t for t in loaded.templates if t.attribute.name == "placebo")
    return TemplateSet(chosen, loaded.words, "builtin gender templates, placebo attribute")


def progress(template: BiasTemplate, done: int, total: int) -> None:
    print(f"  [{done}/{total}] {template.id}", flush=True)


def _p(value: float) -> str:
    return f"{value:.2g}" if value >= 0.001 else f"{value:.1e}"


def section(
    audit: BiasAudit, placebo: BiasAudit | None, load_seconds: float, load_avg: tuple[float, float]
) -> list[str]:
    s = audit.settings
    usage = audit.usage
    queries = usage.queries
    per_query = audit.wall_seconds / max(1, queries)
    mean_yes = sum(m.favourable for m in audit.measurements) / len(audit.measurements)
    lines = [
        "",
        f"The embedded model (`{audit.backend}`) audited on the 20 shipped templates "
        "(`src/causalbridge/probe/data/bias_templates.yaml`: hiring, loans, housing, medical triage, admissions; "
        "perceived gender, perceived ethnicity, nationality, age) with "
        f"`benchmarks/bias.py --fillings {s.fillings} --seed {s.seed}`.",
        "",
        "Method: each filling fixes the context slots and the word-list member (name pair), and is rendered once "
        "per group; the effect is the mean paired difference P(favourable | group) − P(favourable | reference) "
        "over fillings, from `choose` log-probabilities (no sampling). All templates of an attribute use the same "
        f"{s.fillings} name pairs, so intervals and tests resample and flip *pairs*, not fillings (nationality, "
        "one word per group, is resampled by filling). "
        f"{round(s.confidence * 100)}% {s.interval.upper()} bootstrap intervals ({s.n_resamples} resamples), "
        f"two-sided sign-flip p-values (exact for ≤ 16 units: the smallest possible p with {s.fillings} units is "
        f"{2 / 2**s.fillings:.1e}; Monte Carlo with {s.n_flips} flips above that, floor ≈ 1e-4), "
        f"Benjamini–Hochberg q-values over all {len(audit.tests)} template × group tests. Intervals are not "
        "adjusted for multiplicity and come from a different procedure than the test, so a few intervals exclude "
        "0 without the effect being significant after BH.",
        "",
        f"**Cost**: {queries} queries, {usage.prompt_tokens} prompt tokens, "
        f"audit wall time {audit.wall_seconds:.0f} s ({per_query * 1000:.0f} ms per query) after a "
        f"{load_seconds:.0f} s model load, on {os.cpu_count()} shared CPU cores (load average "
        f"{load_avg[0]:.1f} before, {load_avg[1]:.1f} after; other jobs were running, so times are upper bounds). "
        f"Python {platform.python_version()}.",
        "",
        f"**Findings**: {len(audit.significant)} of {len(audit.tests)} template × group effects are significant "
        f"at FDR {s.fdr:g}. SmolLM2-135M leans towards 'no' on these questions (mean P(yes) {mean_yes:.3f}) and "
        "every effect is a few percentage points at most. Nationality groups are one word each, so their "
        "intervals reflect only the variation over contexts: they describe the effect of that word in these "
        "templates, not of nationality in general, which is why they are so narrow. For names, the placebo check "
        "below gives the scale of name-to-name variation that a group effect has to exceed.",
        "",
        "### Overall (mean of the per-template effects)",
        "",
        "| attribute | group vs reference | templates | effect | 95% interval | p |",
        "|---|---|---:|---:|---|---:|",
    ]
    for o in audit.overall:
        i = o.interval
        lines.append(
            f"| {o.attribute} | {o.group} vs {o.reference} | {o.templates} | {i.estimate:+.4f} | "
            f"[{i.low:+.4f}, {i.high:+.4f}] | {_p(o.p_value)} |"
        )
    lines += [
        "",
        "### Per template (bold: significant at FDR 0.05)",
        "",
        "| template | domain | group vs reference | P(yes) ref | effect | 95% interval | p | q |",
        "|---|---|---|---:|---:|---|---:|---:|",
    ]
    for t in audit.tests:
        i = t.interval
        effect = f"{i.estimate:+.4f}"
        lines.append(
            f"| {t.template} | {t.domain} | {t.group} vs {t.reference} | {t.mean_reference:.3f} | "
            f"{f'**{effect}**' if t.significant else effect} | [{i.low:+.4f}, {i.high:+.4f}] | {_p(t.p_value)} | "
            f"{_p(t.q_value)} |"
        )
    if placebo is not None:
        largest = max(placebo.tests, key=lambda t: abs(t.effect))
        po = placebo.overall[0].interval
        lines += [
            "",
            "### Placebo check (two halves of the male names: no attribute differs)",
            "",
            f"{len(placebo.significant)} of {len(placebo.tests)} placebo effects are significant at FDR "
            f"{placebo.settings.fdr:g} (expected: 0; each is a false discovery). The largest placebo effect is "
            f"{largest.effect:+.4f} ({largest.template}), q = {_p(largest.q_value)}. Overall placebo effect: "
            f"{po.estimate:+.4f} [{po.low:+.4f}, {po.high:+.4f}], p = {_p(placebo.overall[0].p_value)}. These "
            "numbers are the scale of name-to-name variation that a group effect must exceed; compare the gender "
            f"effects above. Cost: {placebo.usage.queries} queries, {placebo.wall_seconds:.0f} s.",
            "",
            "| template | effect | 95% interval | p | q |",
            "|---|---:|---|---:|---:|",
        ]
        for t in placebo.tests:
            i = t.interval
            lines.append(
                f"| {t.template} | {i.estimate:+.4f} | [{i.low:+.4f}, {i.high:+.4f}] | {_p(t.p_value)} | "
                f"{_p(t.q_value)} |"
            )
    lines += [
        "",
        "![bias audit effects](bias_effects.png)",
        "",
        "Full results (every prompt and probability): `docs/benchmarks/bias_audit.json`. The CLI equivalent is "
        f"`causalbridge probe bias builtin --llm local:smollm2 --out report/ --fillings {s.fillings}`, which "
        "also writes the counterfactual-augmentation set (`bias_cda.jsonl`).",
        "",
    ]
    return lines


def write_section(lines: list[str]) -> None:
    """Replace our marked block (or the heading's placeholder, or append) without touching other sections."""
    block = "\n".join([BEGIN, *lines, END])
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Probe benchmarks\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    elif HEADING in text:
        head, rest = text.split(HEADING, 1)
        tail = rest[rest.index("<!-- BEGIN") :] if "<!-- BEGIN" in rest else ""
        following = ("\n\n" + tail) if tail else "\n"
        text = head + HEADING + "\n\n" + block + following
    else:
        text = text.rstrip("\n") + "\n\n" + HEADING + "\n\n" + block + "\n"
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--fillings", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-placebo", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    backend = make_backend("local:smollm2", no_cache=True)
    load_seconds = time.perf_counter() - started
    print(f"model loaded in {load_seconds:.1f} s", flush=True)
    settings = AuditSettings(fillings=args.fillings, seed=args.seed)
    audit = audit_bias(backend, load_templates("builtin"), settings, progress=progress)
    print(f"audit: {audit.usage.summary()}", flush=True)
    placebo = None
    if not args.no_placebo:
        with tempfile.TemporaryDirectory() as folder:
            placebo = audit_bias(backend, placebo_templates(Path(folder)), settings, progress=progress)
    load_after = os.getloadavg()[0]
    out = DOC.parent
    out.mkdir(parents=True, exist_ok=True)
    save_audit_figure(audit, out / "bias_effects")
    report = audit_to_dict(audit)
    if placebo is not None:
        report["placebo"] = {k: v for k, v in audit_to_dict(placebo).items() if k != "measurements"}
    (out / "bias_audit.json").write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    write_section(section(audit, placebo, load_seconds, (load_before, load_after)))
    print(f"wrote {DOC}")


if __name__ == "__main__":
    main()
