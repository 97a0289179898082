"""``causalbridge bench``: generate questions with exact answers, run a model on a benchmark, report a run.

Strings end here: the dataset spec goes to :func:`causalbridge.bench.load_benchmark`, the model spec to
:func:`causalbridge.llm.make_backend` and the strategy name to :func:`causalbridge.bench.solvers.make_solver`.
Bad input raises :mod:`causalbridge.errors` classes, which the root command prints as one line (exit code 2).
Ctrl-C during ``run`` keeps every finished item and says how to resume.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from causalbridge.bench.items import BenchDataset
from causalbridge.bench.load import load_benchmark
from causalbridge.bench.report import ReportFiles, write_report
from causalbridge.bench.runlog import RESULTS_FILE, ResultLog
from causalbridge.bench.runner import run_task
from causalbridge.bench.scorers import BenchScorer, Scores
from causalbridge.bench.solvers import STRATEGIES, make_solver
from causalbridge.bench.task import Task
from causalbridge.cli.console import chatter, err, finish, out, verbosity
from causalbridge.cli.options import AsJson, CacheDir, Llm, NoCache
from causalbridge.errors import InputError
from causalbridge.metrics import AccuracyInterval

app = typer.Typer(
    help="Causal-reasoning benchmarks for LLMs. Example: causalbridge bench generate ladder --n 100 --out q.jsonl; "
    "causalbridge bench run q.jsonl --llm local:smollm2 --out runs/x; causalbridge bench report runs/x",
    no_args_is_help=True,
)
generate_app = typer.Typer(
    help="Generate questions whose answers are computed exactly. "
    "Example: causalbridge bench generate ladder --n 100 --seed 0 --out questions.jsonl",
    no_args_is_help=True,
)
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
    chatter(f"wrote {len(dataset)} items to {escape(str(path))} ({split}) in {seconds:.1f} s")


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
    """CLadder-style yes/no questions on the three rungs, answered exactly by our inference engine.

    Example: causalbridge bench generate ladder --n 100 --naming anticommonsense --rung 2 --seed 0 --out ladder.jsonl
    """
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
    """Corr2Cause-style items: does a causal hypothesis follow from a list of (in)dependences?

    Example: causalbridge bench generate corr2cause --n 200 --balanced --seed 0 --out c2c.jsonl
    """
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


def accuracy_slices(scores: Scores) -> list[tuple[str, AccuracyInterval]]:
    """("all", overall accuracy), then ("rung N", its accuracy) for each rung when the items have rungs."""
    rows = [("all", scores.accuracy)]
    rung = scores.breakdown("rung")
    if rung is not None:
        rows += [(f"rung {v}", a) for v, a in rung.rows]
    return [(label, acc) for label, acc in rows if acc is not None]


def print_scores(scores: Scores) -> None:
    """A short table: overall accuracy, by rung when there are rungs, and the main side metrics."""
    table = Table(show_header=True, header_style="bold")
    table.add_column("slice")
    table.add_column("n", justify="right")
    table.add_column("accuracy [95% CI]")
    for label, acc in accuracy_slices(scores):
        table.add_row(label, str(acc.n), f"{acc.accuracy:.1%} [{acc.low:.1%}, {acc.high:.1%}]")
    out.print(table)
    extras = [f"abstained {scores.abstention_rate:.1%}"]
    if scores.consistency is not None:
        extras.append(f"order-swap consistency {scores.consistency.accuracy:.1%}")
    if scores.ece is not None:
        extras.append(f"ECE {scores.ece:.3f}")
    extras += [f"F1(yes) {name} {prf.f1:.3f}" for name, prf in scores.f1_yes]
    out.print(" · ".join(extras), soft_wrap=True)


def _outputs(files: ReportFiles) -> list[Path]:
    return [files.markdown, files.json, *files.charts]


def _report_payload(files: ReportFiles) -> dict[str, object]:
    """What ``--json`` prints: report.json (config and scores) and the files written."""
    report: dict[str, object] = json.loads(files.json.read_text(encoding="utf-8"))
    return {**report, "files": [str(p) for p in _outputs(files)]}


@app.command("run")
def run_command(
    dataset: Annotated[str, typer.Argument(help="A .jsonl file of items, or BENCHMARK:PATH (cladder:, copa:, ...).")],
    llm: Llm,
    strategy: Annotated[str, typer.Option(help=f"Prompt strategy: {', '.join(STRATEGIES)}.")] = "direct",
    out_dir: Annotated[
        Path | None, typer.Option("--out", "-o", help="Run directory (default runs/<dataset>-<strategy>-<model>).")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="Run a seeded sample of this many items.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the --limit sample.")] = 0,
    batch_size: Annotated[int, typer.Option(help="Items per model call.")] = 16,
    concurrency: Annotated[int, typer.Option(help="Batches in flight at once.")] = 2,
    swap: Annotated[bool, typer.Option(help="Also ask with the options reversed (order-swap consistency).")] = True,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar (never with -q).")] = True,
    as_json: AsJson = False,
) -> None:
    """Ask a model every item (resuming a run directory that has some done), then write the report.

    Example: causalbridge bench run ladder.jsonl --llm local:smollm2 --strategy direct --limit 50 --out runs/smollm2
    """
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
            progress=progress and verbosity.level >= 0,
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
        chatter(
            f"resumed {escape(str(run_dir))}: {summary.resumed} items were already done, {summary.new} answered now",
            to_stderr=as_json,
        )
    if as_json:
        run = {"dir": str(run_dir), "selected": summary.selected, "resumed": summary.resumed, "new": summary.new}
        out.print_json(json.dumps({**_report_payload(files), "run": {**run, "wall_s": round(summary.wall_s, 3)}}))
    else:
        print_scores(files.scores)
    chatter(f"{summary.new} items in {summary.wall_s:.1f} s", to_stderr=as_json)
    finish(files.scores.usage, _outputs(files), model=backend.name, to_stderr=as_json)


@app.command("report")
def report_command(
    run_dir: Annotated[Path, typer.Argument(help="A run directory written by 'causalbridge bench run'.")],
    as_json: AsJson = False,
) -> None:
    """(Re)write report.md, report.json and the chart of a run directory, and print the summary.

    The usage shown is the whole run's, as recorded in its results (no model is asked again).

    Example: causalbridge bench report runs/smollm2 --json
    """
    files = write_report(run_dir)
    payload = _report_payload(files)
    if as_json:
        out.print_json(json.dumps(payload))
    else:
        print_scores(files.scores)
    config = payload.get("config")
    model = config.get("model") if isinstance(config, dict) else None
    finish(files.scores.usage, _outputs(files), model=str(model) if model else None, to_stderr=as_json)
