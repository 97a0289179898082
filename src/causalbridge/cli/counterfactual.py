"""``causalbridge counterfactual``: minimal label-flipping edits of labelled examples, filtered and logged.

Example: causalbridge counterfactual nli.jsonl --llm local:smollm2 --judge openai:gpt-4o-mini --out edits.jsonl

Strings end here: the model specs go to :func:`causalbridge.llm.make_backend`. The output file is resumable: run
the same command again after an interruption and finished examples are skipped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from causalbridge.cli.console import chatter, err, finish, out, verbosity
from causalbridge.cli.options import CacheDir, NoCache, llm_help
from causalbridge.errors import InputError


def counterfactual_command(
    examples: Annotated[
        Path, typer.Argument(help="JSONL of labelled examples: premise/hypothesis/label (NLI) or text/label.")
    ],
    llm: Annotated[str, typer.Option("--llm", help=llm_help("The model writes the edits."))],
    judge: Annotated[str, typer.Option("--judge", help="Model spec that labels the edited examples.")],
    out_path: Annotated[Path, typer.Option("--out", "-o", help="Output JSONL (appended to and resumed).")],
    target_label: Annotated[
        str | None,
        typer.Option("--target-label", help="Edit every example towards this label (default: every other label)."),
    ] = None,
    max_edit: Annotated[
        float, typer.Option("--max-edit", help="Largest token edit-distance ratio an edit may have.")
    ] = 0.3,
    min_judge: Annotated[
        float, typer.Option("--min-judge", help="Smallest judge probability of the intended label.")
    ] = 0.5,
    min_fluency: Annotated[
        float,
        typer.Option("--min-fluency", help="Smallest log-likelihood per token relative to the original (logprob)."),
    ] = -1.0,
    labels: Annotated[
        str | None, typer.Option("--labels", help="Comma-separated label set (default: from the data).")
    ] = None,
    field: Annotated[
        str | None, typer.Option("--field", help="Field to edit (default: hypothesis for NLI, text otherwise).")
    ] = None,
    candidates: Annotated[int, typer.Option("--candidates", help="Edits sampled per example; the best is kept.")] = 1,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the sampled candidates.")] = 0,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Examples per model call.")] = 8,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar (never with -q).")] = True,
) -> None:
    """Write minimal counterfactual edits that should change each example's label, with the filter scores.

    An edit is kept when its token edit distance is at most --max-edit, it is fluent (log-probabilities of a
    model that has them, else a heuristic) and the judge's most likely label is the intended one.

    Example: causalbridge counterfactual nli.jsonl --llm local:smollm2 --judge local:smollm2 --seed 0 --out edits.jsonl
    """
    from causalbridge.counterfactual import FilterSettings, read_examples, run_counterfactuals
    from causalbridge.llm import make_backend

    if out_path.resolve() == examples.resolve():
        raise InputError("the output file is the input file", where="--out")
    label_set = [x.strip() for x in labels.split(",") if x.strip()] if labels is not None else None
    settings = FilterSettings(max_edit=max_edit, min_fluency=min_fluency, min_judge=min_judge)
    data = read_examples(examples, label_set)
    generator = make_backend(llm, cache_dir=cache_dir, no_cache=no_cache)
    judge_backend = generator if judge == llm else make_backend(judge, cache_dir=cache_dir, no_cache=no_cache)
    try:
        summary = run_counterfactuals(
            data,
            generator,
            judge_backend,
            out_path,
            target_label=target_label,
            field=field,
            settings=settings,
            candidates=candidates,
            seed=seed,
            batch_size=batch_size,
            progress=progress and verbosity.level >= 0,
        )
    except KeyboardInterrupt:
        err.print(f"[yellow]interrupted[/]: finished examples are saved in {out_path}; run the same command to resume.")
        raise typer.Exit(130) from None
    if summary.resumed:
        chatter(f"resumed {escape(str(out_path))}: {summary.resumed} edits were already done, {summary.new} made now")
    scorer = "a heuristic (no model with log-probabilities)" if summary.fluency_method == "heuristic" else "logprob"
    out.print(
        f"{len(data)} examples ({data.kind.name}, labels {', '.join(data.labels)}) · {summary.selected} edits · "
        f"kept {summary.kept} of {summary.new} new · fluency: {scorer} · {summary.wall_s:.1f} s"
    )
    for backend in {generator.name: generator, judge_backend.name: judge_backend}.values():
        if backend.capabilities.is_simulation:
            out.print(f"[yellow]note:[/] {backend.name} is a SIMULATED expert: it cannot write or judge free text")
    models = generator.name if judge_backend is generator else f"{generator.name}, judge {judge_backend.name}"
    finish(summary.usage, [out_path], model=models)
