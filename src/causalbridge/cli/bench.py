"""``causalbridge bench``: generate questions with exact answers, run a model on a benchmark, report a run.

Strings end here: the dataset spec goes to :func:`causalbridge.bench.load_benchmark`, the model spec to
:func:`causalbridge.llm.make_backend` and the strategy name to :func:`causalbridge.bench.solvers.make_solver`.
Bad input raises :mod:`causalbridge.errors` classes, which the root command prints as one line (exit code 2).
Ctrl-C during ``run`` keeps every finished item and says how to resume.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from causalbridge.bench.items import BenchDataset
from causalbridge.bench.load import load_benchmark
from causalbridge.bench.report import write_report
from causalbridge.bench.runlog import RESULTS_FILE, ResultLog
from causalbridge.bench.runner import run_task
from causalbridge.bench.scorers import BenchScorer, Scores
from causalbridge.bench.solvers import STRATEGIES, make_solver
from causalbridge.bench.task import Task
from causalbridge.cli.console import err, out
from causalbridge.errors import InputError

app = typer.Typer(
    help="Causal-reasoning benchmarks for LLMs. Example: causalbridge bench generate ladder --n 100 --out q.jsonl; "
    "causalbridge bench run q.jsonl --llm local:smollm2 --out runs/x; causalbridge bench report runs/x",
    no_args_is_help=True,
)
generate_app = typer.Typer(help="Generate questions whose answers are computed exactly.", no_args_is_help=True)
app.add_typer(generate_app, name="generate")

OutFile = Annotated[Path, typer.Option("--out", "-o", help="Where to write the items (JSONL).")]
Seed = Annotated[int, typer.Option("--seed", help="Random seed; the same seed gives the same items.")]
Count = Annotated[int, typer.Option("--n", "-n", help="How many questions.")]


def _write(dataset: BenchDataset, path: Path, seconds: float) -> None:
    if path.exists() and path.is_dir():
        raise InputError("is a directory; give a file name ending in .jsonl", where=str(path))
    dataset.to_jsonl(path)
    answers = dataset.answer_counts()
    split = ", ".join(f"{k} {v}" for k, v in sorted(answers.items()))
    out.print(f"wrote {len(dataset)} items to {path} ({split}) in {seconds:.1f} s", soft_wrap=True)


@generate_app.command("ladder")
def generate_ladder_command(
    out_path: OutFile,
    n: Count = 1000,
    naming: Annotated[
        str, typer.Option(help="story, commonsense, anticommonsense, nonsense or symbolic variable names.")
    ] = "story",
    seed: Seed = 0,
    template: Annotated[
        list[str] | None, typer.Option("--template", help="Graph template(s) to use (repeatable); default all.")
    ] = None,
    rung: Annotated[list[int] | None, typer.Option("--rung", help="Rung(s) 1, 2, 3 (repeatable); default all.")] = None,
) -> None:
    """CLadder-style yes/no questions on the three rungs, answered exactly by our inference engine."""
    from causalbridge.bench.generate.ladder import TEMPLATES, generate_ladder

    started = time.perf_counter()
    dataset = generate_ladder(
        n, seed=seed, naming=naming, templates=tuple(template or TEMPLATES), rungs=tuple(rung or (1, 2, 3))
    )
    _write(dataset, out_path, time.perf_counter() - started)


@generate_app.command("corr2cause")
def generate_corr2cause_command(
    out_path: OutFile,
    n: Count = 1000,
    seed: Seed = 0,
    min_vars: Annotated[int, typer.Option(help="Fewest variables per graph.")] = 3,
    max_vars: Annotated[int, typer.Option(help="Most variables per graph.")] = 6,
    balanced: Annotated[bool, typer.Option(help="Make 'yes' and 'no' equally frequent.")] = False,
) -> None:
    """Corr2Cause-style items: does a causal hypothesis follow from a list of (in)dependences?"""
    from causalbridge.bench.generate import generate_corr2cause

    if min_vars > max_vars:
        raise InputError(f"--min-vars {min_vars} is larger than --max-vars {max_vars}", where="--min-vars")
    started = time.perf_counter()
    dataset = generate_corr2cause(n, seed=seed, n_vars=(min_vars, max_vars), balanced=balanced)
    _write(dataset, out_path, time.perf_counter() - started)


def default_run_dir(dataset: str, strategy: str, model: str) -> Path:
    """``runs/<dataset>-<strategy>-<model>`` with anything odd in the names replaced by ``-``."""

    def slug(text: str) -> str:
        return re.sub(r"[^A-Za-z0-9._]+", "-", text).strip("-") or "x"

    return Path("runs") / f"{slug(dataset)}-{slug(strategy)}-{slug(model)[:60]}"


def print_scores(scores: Scores) -> None:
    """A short table: overall accuracy, by rung when there are rungs, and the main side metrics."""
    table = Table(show_header=True, header_style="bold")
    table.add_column("slice")
    table.add_column("n", justify="right")
    table.add_column("accuracy [95% CI]")
    rows = [("all", scores.accuracy)]
    rung = scores.breakdown("rung")
    if rung is not None:
        rows += [(f"rung {v}", a) for v, a in rung.rows]
    for label, acc in rows:
        if acc is not None:
            table.add_row(label, str(acc.n), f"{acc.accuracy:.1%} [{acc.low:.1%}, {acc.high:.1%}]")
    out.print(table)
    extras = [f"abstained {scores.abstention_rate:.1%}"]
    if scores.consistency is not None:
        extras.append(f"order-swap consistency {scores.consistency.accuracy:.1%}")
    if scores.ece is not None:
        extras.append(f"ECE {scores.ece:.3f}")
    extras += [f"F1(yes) {name} {prf.f1:.3f}" for name, prf in scores.f1_yes]
    out.print(" · ".join(extras), soft_wrap=True)
    out.print(f"usage: {scores.usage.summary()}", soft_wrap=True)


@app.command("run")
def run_command(
    dataset: Annotated[str, typer.Argument(help="A .jsonl file of items, or BENCHMARK:PATH (cladder:, copa:, ...).")],
    llm: Annotated[str, typer.Option("--llm", help="Model spec, e.g. local:smollm2 or openai:gpt-4o-mini.")],
    strategy: Annotated[str, typer.Option(help=f"Prompt strategy: {', '.join(STRATEGIES)}.")] = "direct",
    out_dir: Annotated[
        Path | None, typer.Option("--out", "-o", help="Run directory (default runs/<dataset>-<strategy>-<model>).")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="Run a seeded sample of this many items.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the --limit sample.")] = 0,
    batch_size: Annotated[int, typer.Option(help="Items per model call.")] = 16,
    concurrency: Annotated[int, typer.Option(help="Batches in flight at once.")] = 2,
    swap: Annotated[bool, typer.Option(help="Also ask with the options reversed (order-swap consistency).")] = True,
    cache_dir: Annotated[Path | None, typer.Option(help="Where the LLM answer cache lives.")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the LLM answer cache.")] = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Ask a model every item (resuming a run directory that has some done), then write the report."""
    from causalbridge.llm import make_backend

    solver = make_solver(strategy)
    data = load_benchmark(dataset)
    if len(data) == 0:
        raise InputError("the benchmark has no items", where=dataset)
    backend = make_backend(llm, cache_dir=cache_dir, no_cache=no_cache)
    run_dir = out_dir if out_dir is not None else default_run_dir(data.name, solver.name, backend.name)
    task = Task(data, solver, BenchScorer())
    try:
        summary = run_task(
            task,
            backend,
            run_dir,
            batch_size=batch_size,
            concurrency=concurrency,
            order_swap=swap,
            limit=limit,
            seed=seed,
            progress=progress,
            dataset_spec=dataset,
        )
    except KeyboardInterrupt:
        saved = len(ResultLog(run_dir / RESULTS_FILE).read(repair=False))
        err.print(
            f"[yellow]interrupted[/]: {saved} finished items are saved in {run_dir / RESULTS_FILE}; "
            "run the same command again to resume.",
            soft_wrap=True,
        )
        raise typer.Exit(130) from None
    files = write_report(run_dir)
    if summary.resumed:
        out.print(
            f"resumed {run_dir}: {summary.resumed} items were already done, {summary.new} answered now", soft_wrap=True
        )
    print_scores(files.scores)
    shown = ", ".join(str(p) for p in (files.markdown, files.json, *files.charts))
    out.print(f"{summary.new} items in {summary.wall_s:.1f} s · report: {shown}", soft_wrap=True)


@app.command("report")
def report_command(
    run_dir: Annotated[Path, typer.Argument(help="A run directory written by 'causalbridge bench run'.")],
) -> None:
    """(Re)write report.md, report.json and the chart of a run directory, and print the summary."""
    files = write_report(run_dir)
    print_scores(files.scores)
    out.print(f"report: {', '.join(str(p) for p in (files.markdown, files.json, *files.charts))}", soft_wrap=True)
