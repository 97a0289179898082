"""Benchmark: activation-patching sweeps on the embedded SmolLM2-135M-Instruct.

Writes the patching section of docs/benchmarks/probes.md (between its BEGIN/END markers, leaving the other
sections alone), a heatmap (PNG + SVG) and the sweep's JSON next to it. Measures:

* the sweep time for a 12-token factual-recall prompt over all 30 layers x 12 positions x 3 site kinds;
* the time per batch size on a fixed subset of sites (why the sweep batches);
* how the sweep time grows with prompt length (8, 12, 24, 48 tokens). Lengths above ``--full-up-to`` are
  timed on the first layers only and extrapolated by the number of forward passes (every batch of a sweep has
  the same shape, so each costs the same); the table says which rows are extrapolated.

Run: ``HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/patching.py`` (about half an hour on 2 busy cores).
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from causalbridge.llm.engines import embedded_model_path
from causalbridge.probe.patching import (
    ALL_KINDS,
    PatchingResult,
    SiteKind,
    SubjectNoise,
    answer_probability,
    logit_difference,
    patch_sweep,
    subject_positions,
)

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks" / "probes.md"
BEGIN, END = "<!-- BEGIN patching (benchmarks/patching.py) -->", "<!-- END patching -->"

CLEAN = "The famous Eiffel Tower is located in the beautiful city of"
CORRUPTED = "The famous Colosseum is located in the beautiful city of"
SUBJECT = "Eiffel Tower"
SHORT = ("Eiffel Tower is in the city of", "Colosseum is in the city of")  # 8 tokens
FILLER = (
    "Here is a short quiz about famous places around the world, with one answer for each question. "
    "Read every sentence carefully, think about what you know, and complete it with the name of a city. "
    "There are no trick questions, the answers are all well known, and each one is a single word. "
    "Take your time, and when you are ready, answer the next question below in the same way. "
)


def load() -> tuple[Any, Any, float]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    started = time.perf_counter()
    path = embedded_model_path()
    tokenizer = AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
    model = AutoModelForCausalLM.from_pretrained(path.parent, gguf_file=path.name, dtype=torch.float32)
    return model.eval(), tokenizer, time.perf_counter() - started


def n_tokens(tokenizer: Any, text: str) -> int:
    return len(tokenizer(text)["input_ids"])


def top1(model: Any, tokenizer: Any, prompt: str) -> tuple[str, float]:
    with torch.no_grad():
        logits = model(**tokenizer(prompt, return_tensors="pt")).logits[0, -1]
    probability, index = torch.softmax(logits.double(), -1).max(-1)
    return str(tokenizer.decode([int(index)])), float(probability)


def padded_pair(tokenizer: Any, length: int) -> tuple[str, str]:
    """The 12-token pair (or the 8-token one) behind a prefix of filler words, ``length`` tokens in all."""
    if length == 8:
        return SHORT
    words = FILLER.split()
    # a run of the filler's words right before the pair; ending at the filler's end reads best, but any
    # contiguous run will do when no ending run gives the exact token count
    windows = [(len(words) - count, len(words)) for count in range(len(words) + 1)]
    inner = [(i, j) for j in range(len(words) - 1, 0, -1) for i in range(j)]
    windows += sorted(inner, key=lambda w: not words[w[1] - 1].endswith("."))  # whole sentences first
    for i, j in windows:
        prefix = " ".join(words[i:j])
        clean, corrupted = f"{prefix} {CLEAN}".strip(), f"{prefix} {CORRUPTED}".strip()
        if n_tokens(tokenizer, clean) == length == n_tokens(tokenizer, corrupted):
            return clean, corrupted
    raise SystemExit(f"no filler prefix gives a {length}-token pair")


Timing = tuple[float, float]  # (wall seconds, CPU seconds of this process, all threads)


def sweep(model: Any, tokenizer: Any, clean: str, corrupted: Any, batch: int, **kwargs: Any) -> tuple[Any, Timing]:
    """One sweep with the logit-difference metric (unless given another), timed in wall and CPU seconds."""
    metric = kwargs.pop("metric", None) or logit_difference(tokenizer, " Paris", " Rome")
    wall, cpu = time.perf_counter(), time.process_time()
    result = patch_sweep(model, tokenizer, clean, corrupted, metric, batch_size=batch, **kwargs)
    return result, (time.perf_counter() - wall, time.process_time() - cpu)


def forward_timing(model: Any, tokenizer: Any, threads: int, batch: int) -> Timing:
    """Mean time of one patched-run-sized forward pass (``batch`` x the 12-token prompt) at ``threads``."""
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    ids = tokenizer(CLEAN, return_tensors="pt")["input_ids"].expand(batch, -1)
    try:
        with torch.no_grad():
            model(input_ids=ids, use_cache=False, logits_to_keep=1)
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(3):
                model(input_ids=ids, use_cache=False, logits_to_keep=1)
            return (time.perf_counter() - wall) / 3, (time.process_time() - cpu) / 3
    finally:
        torch.set_num_threads(previous)


def resid_summary(result: PatchingResult, subject_positions: list[int]) -> list[str]:
    """Plain statements about where the effect is carried, computed from the grid (no hand-written claims)."""
    resid = result.normalized[result.kinds.index(SiteKind.RESID)]
    final = result.positions.index(len(result.tokens) - 1)
    subject_columns = [result.positions.index(p) for p in subject_positions]
    subject_best = resid[:, subject_columns].max(axis=1)
    lines = []
    subject_layers = [layer for layer, value in zip(result.layers, subject_best, strict=True) if value >= 0.5]
    final_layers = [layer for layer, value in zip(result.layers, resid[:, final], strict=True) if value >= 0.5]
    if subject_layers:
        lines.append(
            f"restoring the residual stream at a subject token recovers at least half of the total effect in "
            f"layers {_ranges(subject_layers)}"
        )
    if final_layers:
        token = result.tokens[-1].strip()
        lines.append(f"restoring it at the final token ({token!r}) does so in layers {_ranges(final_layers)}")
    other = [c for c in range(len(result.positions)) if c not in subject_columns and c != final]
    if other:
        largest = float(np.nanmax(np.abs(resid[:, other])))
        lines.append(f"no other position ever exceeds {largest:.2f} of the total effect in absolute value")
    if SiteKind.ATTN in result.kinds:
        attention = result.normalized[result.kinds.index(SiteKind.ATTN)][:, final]
        peak = int(np.nanargmax(attention))
        line = (
            f"the attention output at the final token matters most at layer {result.layers[peak]} "
            f"({attention[peak]:.2f} of the total effect)"
        )
        if final_layers and final_layers[0] == result.layers[peak]:
            line += ", the layer from which the final token's residual stream carries the effect, consistent "
            line += "with this attention layer moving the subject's information to the last position"
        lines.append(line)
    if SiteKind.MLP in result.kinds:
        mlp = result.normalized[result.kinds.index(SiteKind.MLP)]
        at_subject = mlp[:, subject_columns].max(axis=1)
        strong = [layer for layer, value in zip(result.layers, at_subject, strict=True) if value >= 0.25]
        elsewhere = float(np.nanmax(np.abs(np.delete(mlp, subject_columns, axis=1))))
        if strong:
            lines.append(
                f"MLP outputs at subject tokens reach a quarter of the total effect or more in layers "
                f"{_ranges(strong)}; at any other position no MLP output exceeds {elsewhere:.2f}"
            )
    return lines


def _ranges(values: list[int]) -> str:
    runs: list[list[int]] = []
    for value in values:
        if runs and value == runs[-1][-1] + 1:
            runs[-1].append(value)
        else:
            runs.append([value])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def top_table(result: PatchingResult, n: int = 4) -> list[str]:
    rows = ["| site kind | top sites (layer, token: normalised indirect effect) |", "|---|---|"]
    for k, kind in enumerate(result.kinds):
        grid = result.normalized[k]
        order = np.argsort(-grid.ravel(), kind="stable")[:n]
        cells = []
        for index in order:
            layer, column = divmod(int(index), grid.shape[1])
            position = result.positions[column]
            token = "all" if position is None else result.tokens[position]
            cells.append(f"L{result.layers[layer]} {token.strip()!r}: {grid.ravel()[index]:.2f}")
        rows.append(f"| {kind.value} | {'; '.join(cells)} |")
    return rows


def write_section(lines: list[str]) -> None:
    section = "\n".join([BEGIN, *lines, END])
    if DOC.exists():
        text = DOC.read_text(encoding="utf-8")
        if BEGIN in text and END in text:
            head, rest = text.split(BEGIN, 1)
            text = head + section + rest.split(END, 1)[1]
        else:
            text = text.rstrip("\n") + "\n\n" + section + "\n"
    else:
        text = (
            "# Probe benchmarks\n\nCausal probes of the embedded model (`local:smollm2`). Each section is written "
            "by its own script under `benchmarks/`.\n\n"
            + section
            + "\n\n## Counterfactual bias audit\n\n_Not yet run: this section will be written by the bias-audit "
            "benchmark._\n"
        )
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[8, 12, 24, 48])
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 8, 32, 72])
    parser.add_argument("--full-up-to", type=int, default=12, help="longer prompts are timed on a few layers")
    parser.add_argument("--batch", type=int, default=0, help="batch size of the sweeps (0: the fastest measured)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1: see the thread table)")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    load_before = os.getloadavg()[0]
    model, tokenizer, load_seconds = load()
    n_layers = model.config.num_hidden_layers
    thread_rows = [(n, *forward_timing(model, tokenizer, n, 32)) for n in sorted({1, 2, args.threads})]
    torch.set_num_threads(args.threads)
    print(f"loaded in {load_seconds:.1f} s; threads {thread_rows}")
    clean_top, corrupted_top = top1(model, tokenizer, CLEAN), top1(model, tokenizer, CORRUPTED)
    print("top-1:", clean_top, corrupted_top)
    length = n_tokens(tokenizer, CLEAN)
    assert length == n_tokens(tokenizer, CORRUPTED), "the benchmark pair must have equal token lengths"

    # batch sizes, on the residual stream of the first layers (the same ~64 patched runs for every batch size)
    subset = list(range(math.ceil(64 / length)))
    batch_rows = []
    for batch in args.batch_sizes:
        _, (wall, cpu) = sweep(
            model, tokenizer, CLEAN, CORRUPTED, batch, kinds=[SiteKind.RESID], layers=subset, progress=False
        )
        batch_rows.append((batch, len(subset) * length, wall, cpu))
        print(f"batch {batch}: {len(subset) * length} sites in {wall:.1f} s (CPU {cpu:.1f} s)")
    chosen = args.batch or min(batch_rows, key=lambda row: row[3])[0]

    # the full sweep, kept for the heatmap and the JSON
    result, (full_wall, full_cpu) = sweep(model, tokenizer, CLEAN, CORRUPTED, chosen, progress=True)
    print(f"full sweep: {len(result.sites)} sites in {full_wall:.1f} s (CPU {full_cpu:.1f} s)")
    figures = ROOT / "docs" / "benchmarks"
    png, _ = result.heatmap(figures / "patching_heatmap")
    result.to_json(figures / "patching_sweep.json")
    paris = answer_probability(tokenizer, " Paris")
    noise, (noise_wall, _) = sweep(
        model,
        tokenizer,
        CLEAN,
        SubjectNoise(SUBJECT, seed=0),
        chosen,
        metric=paris,
        kinds=[SiteKind.RESID],
        progress=True,
    )
    subject = list(subject_positions(tokenizer, CLEAN, SUBJECT))

    # scaling with prompt length
    scale_rows = []
    for target in args.lengths:
        clean, corrupted = padded_pair(tokenizer, target)
        sites = n_layers * target * len(ALL_KINDS)
        batches = math.ceil(sites / chosen)
        if target == length:  # the full sweep above is this measurement
            (wall, cpu), note = (full_wall, full_cpu), "measured (the full sweep above)"
        elif target <= args.full_up_to:
            (wall, cpu), note = sweep(model, tokenizer, clean, corrupted, chosen, progress=False)[1], "measured"
        else:
            few = max(1, math.ceil(4 * chosen / (target * len(ALL_KINDS))))  # at least ~4 batches
            done = math.ceil(few * target * len(ALL_KINDS) / chosen)
            _, (wall, cpu) = sweep(model, tokenizer, clean, corrupted, chosen, layers=list(range(few)), progress=False)
            wall, cpu, note = wall * batches / done, cpu * batches / done, f"extrapolated from {few} layers"
        top = top1(model, tokenizer, clean)[0]
        scale_rows.append((target, sites, batches, wall, cpu, note, top))
        print(f"{target} tokens: {sites} sites, {batches} batches, {wall:.1f} s (CPU {cpu:.1f} s) ({note})")
    load_after = os.getloadavg()[0]

    lines = [
        "## Activation patching",
        "",
        f"Model: SmolLM2-135M-Instruct (GGUF Q4_1 dequantised to float32 by transformers, {n_layers} layers), "
        f"CPU, torch {torch.__version__}, Python {platform.python_version()}, {args.threads} torch thread(s). "
        f"Load average {load_before:.1f} before and {load_after:.1f} after the run on this 2-core machine: other "
        "jobs were sharing the cores throughout, so wall times are inflated and noisy; the CPU time of the "
        f"process is the steadier number. Model load: {load_seconds:.0f} s. Produced by `benchmarks/patching.py`.",
        "",
        f"Clean prompt: `{CLEAN}` (top-1 next token {clean_top[0]!r}, p = {clean_top[1]:.2f}); counterfactual: "
        f"`{CORRUPTED}` (top-1 {corrupted_top[0]!r}, p = {corrupted_top[1]:.2f}). Both are {length} tokens. "
        "Metric: logit(' Paris') - logit(' Rome') at the final position: "
        f"clean {result.clean_metric:.2f}, corrupted {result.corrupted_metric:.2f}, total effect "
        f"{result.total_effect:.2f}.",
        "",
        f"**Full sweep** ({n_layers} layers x {length} positions x 3 site kinds = {len(result.sites)} patched runs, "
        f"batch size {chosen}, i.e. {math.ceil(len(result.sites) / chosen)} forward passes plus one clean and one "
        f"corrupted run): **{full_wall:.1f} s wall, {full_cpu:.1f} s CPU**.",
        "",
        f"![patching heatmap]({png.name}) ([SVG]({png.with_suffix('.svg').name}), "
        "[JSON](patching_sweep.json)) — normalised indirect effect = (patched - corrupted) / (clean - corrupted).",
        "",
        "What the sweep shows:",
        "",
        *[f"* {line}." for line in resid_summary(result, subject)],
        "",
        *top_table(result),
        "",
        f"Causal tracing of the same prompt ({noise.corruption}; metric P(' Paris'): clean "
        f"{noise.clean_metric:.3f}, corrupted {noise.corrupted_metric:.3f}), residual stream only, "
        f"{len(noise.sites)} sites in {noise_wall:.1f} s wall:",
        "",
        *[f"* {line}." for line in resid_summary(noise, subject)],
        "",
        *top_table(noise),
        "",
        f"**Batch size** (residual stream of layers 0-{subset[-1]}, the same {batch_rows[0][1]} patched runs each):",
        "",
        "| batch size | wall s | CPU s | runs / CPU s |",
        "|---:|---:|---:|---:|",
        *[f"| {b} | {w:.1f} | {c:.1f} | {n / c:.1f} |" for b, n, w, c in batch_rows],
        "",
        "**Threads** (one forward pass of 32 x 12 tokens, mean of 3): on cores shared with other jobs, two OpenMP "
        "threads spin-wait for each other and are slower than one, which is why this run used "
        f"{args.threads}:",
        "",
        "| torch threads | wall s | CPU s |",
        "|---:|---:|---:|",
        *[f"| {n} | {w:.2f} | {c:.2f} |" for n, w, c in thread_rows],
        "",
        f"**Prompt length** (all layers x positions x 3 kinds, batch size {chosen}; the patched runs grow "
        "linearly with the length and so does each forward pass, so the sweep grows about quadratically). The "
        "longer prompts put a neutral instruction before the 12-token pair:",
        "",
        "| tokens | patched runs | forward passes | wall s | CPU s | how | model's top-1 |",
        "|---:|---:|---:|---:|---:|---|---|",
        *[f"| {t} | {s} | {b} | {w:.0f} | {c:.0f} | {note} | {top!r} |" for t, s, b, w, c, note, top in scale_rows],
        "",
    ]
    write_section(lines)
    print(f"wrote {DOC}")


if __name__ == "__main__":
    main()
