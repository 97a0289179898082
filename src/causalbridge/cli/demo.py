"""``causalbridge demo``: the main job end to end on the embedded defaults, with no network, writing a report.

The jobs themselves live in :mod:`causalbridge.cli.demo_steps`; this module prints their tables, writes
``index.html``, ``report.md``, ``summary.md`` and ``result.json`` and ends with a one-screen summary.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from causalbridge.cli.console import chatter, finish, out
from causalbridge.cli.options import CacheDir, NoCache, llm_help

if TYPE_CHECKING:
    from causalbridge.cli.demo_steps import Step

SMALL_MODEL_WARNING = (
    "The embedded model (SmolLM2-135M-Instruct) is small and answers causal questions at chance: the numbers below "
    "measure that, they do not hide it. Point --llm at a real model for real answers: openai:gpt-4o-mini "
    "(OPENAI_API_KEY), openai-compatible:http://localhost:8000/v1#<model> (vLLM), "
    "openai-compatible:http://localhost:11434/v1#llama3.1 (Ollama)."
)


def demo_command(
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Where to write the report.")] = Path("demo-report"),
    llm: Annotated[str, typer.Option("--llm", help=llm_help("Default: the embedded model."))] = "local:smollm2",
    samples: Annotated[int, typer.Option("--samples", help="Rows to sample from each network.")] = 2000,
    questions: Annotated[int, typer.Option("--questions", help="Ladder questions for the benchmark.")] = 40,
    seed: Annotated[int, typer.Option("--seed", help="Seed for sampling, the expert and the questions.")] = 0,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
) -> None:
    """Run the demo: hybrid discovery on sachs with the model (and a simulated expert for contrast), an effect
    estimate on asia with the model's variable roles, a short ladder benchmark of the model, exact causal answers,
    and an HTML report. Runs offline; the answers are cached, so a second run is fast.

    Example: causalbridge demo --out demo-report --samples 2000 --questions 40 --seed 0
    """
    from causalbridge.cli import demo_steps
    from causalbridge.errors import InputError
    from causalbridge.llm import make_backend
    from causalbridge.llm.types import Usage
    from causalbridge.report import Chapter, Report, TextSection, UsageSection, collect_meta, write_report

    if samples < 10:
        raise InputError(f"--samples must be at least 10, got {samples}", where="--samples")
    if questions < 1:
        raise InputError(f"--questions must be at least 1, got {questions}", where="--questions")
    started = time.perf_counter()
    chatter(f"[yellow]{escape(SMALL_MODEL_WARNING)}[/]" if llm == "local:smollm2" else f"model: {escape(llm)}")
    chatter(f"loading {escape(llm)} ...")
    model = make_backend(llm, cache_dir=cache_dir, no_cache=no_cache)
    out_dir.mkdir(parents=True, exist_ok=True)
    steps = []
    for label, job in (
        ("discovery", lambda: demo_steps.discovery_step(model, samples, seed)),
        ("effect", lambda: demo_steps.effect_step(model, samples, seed)),
        ("benchmark", lambda: demo_steps.bench_step(model, questions, seed, out_dir / "bench-run")),
        ("exact", demo_steps.exact_step),
    ):
        step = job()
        steps.append((label, step))
        _print_step(step)
    usage = Usage.total(step.usage for _, step in steps)
    note = TextSection(
        "About this demo",
        (
            SMALL_MODEL_WARNING,
            "Every answer of a simulated expert is labelled as such: it measures how an algorithm uses imperfect "
            "knowledge and never stands in for a language model.",
        ),
        "note",
    )
    intro = Chapter(
        "causalbridge demo",
        (note, UsageSection.from_usage(usage.to_dict(), title=f"LLM usage of {llm} (all steps)")),
        f"Model {llm} · {samples} samples · {questions} ladder questions · seed {seed}",
    )
    chapters = [intro, *(c for _, step in steps for c in step.chapters)]
    files = write_report(Report("causalbridge demo", tuple(chapters), meta=collect_meta()), out_dir)
    result: dict[str, Any] = {
        "model": llm,
        "seed": seed,
        "samples": samples,
        "questions": questions,
        "usage": usage.to_dict(),
        **{label: step.summary for label, step in steps},
    }
    (out_dir / "result.json").write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    lines = ["# causalbridge demo", "", f"Model `{llm}`, seed {seed}. {SMALL_MODEL_WARNING}", ""]
    for _, step in steps:
        lines += [f"## {step.title}", "", *step.markdown()]
    lines += [f"LLM usage (all steps): {usage.summary()}", ""]
    (out_dir / "summary.md").write_text("\n".join(lines), encoding="utf-8")
    chatter(f"demo finished in {time.perf_counter() - started:.0f} s; open {escape(str(files.html))} in a browser")
    finish(usage, (files.html, out_dir / "summary.md", out_dir / "result.json"), model=llm)


def _print_step(step: Step) -> None:
    """The step's table on the terminal, with its caption."""
    if step.caption:
        out.print(f"[dim]{escape(step.caption)}[/]", soft_wrap=True)
    table = Table(*step.columns, title=step.title, title_justify="left")
    for row in step.rows:
        table.add_row(*(escape(c) for c in row))
    out.print(table)
