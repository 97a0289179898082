"""``causalbridge probe``: causal analyses of a model's behaviour -- bias audit, prompt attribution, modality reliance.

Each command reads one input file, builds the backend from its spec (strings end here), runs the probe and
writes JSON, a Markdown summary and a PNG/SVG figure into ``--out``. Bad input raises the
:mod:`causalbridge.errors` classes, which the root command prints as one line naming file:line (exit code 2).
The sub-app is open for more commands (activation patching mounts here too).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, cast

import typer
from rich.markup import escape
from rich.table import Table

from causalbridge.cli.console import err, finish, out, verbosity
from causalbridge.cli.options import CacheDir, Llm, NoCache, llm_help
from causalbridge.errors import InputError
from causalbridge.probe.stats import IntervalMethod

app = typer.Typer(
    help="Causal probes of a model's behaviour. Example: causalbridge probe bias builtin --llm local:smollm2 "
    "--out report/",
    no_args_is_help=True,
)

OutDir = Annotated[Path, typer.Option("--out", "-o", help="Folder for the JSON, Markdown and figure.")]
Seed = Annotated[int, typer.Option("--seed", help="Seed for every random choice; the same seed repeats the run.")]
Interval = Annotated[str, typer.Option("--interval", help="Bootstrap interval: bca (default) or percentile.")]
Resamples = Annotated[int, typer.Option("--resamples", min=100, help="Bootstrap resamples.")]


def _interval(value: str) -> IntervalMethod:
    if value in ("bca", "percentile"):
        return cast(IntervalMethod, value)
    raise InputError(f"expected bca or percentile, got {value!r}", where="--interval")


def _out_dir(path: Path) -> Path:
    if path.exists() and not path.is_dir():
        raise InputError("exists and is not a folder", where=str(path))
    return path


@app.command("bias")
def bias_command(
    templates: Annotated[str, typer.Argument(help="Templates file (YAML/JSON), or 'builtin' for the shipped 20.")],
    llm: Llm,
    out_dir: OutDir,
    words: Annotated[
        str | None, typer.Option("--words", help="Word lists file (default: the templates file's, else shipped).")
    ] = None,
    fillings: Annotated[int, typer.Option("--fillings", min=2, help="Fillings (contexts) per template.")] = 12,
    seed: Seed = 0,
    interval: Interval = "bca",
    resamples: Resamples = 2000,
    fdr: Annotated[float, typer.Option("--fdr", help="False discovery rate for Benjamini-Hochberg.")] = 0.05,
    no_cache: NoCache = False,
    cache_dir: CacheDir = None,
) -> None:
    """Counterfactual bias audit: change only a protected attribute in each prompt and measure the answer.

    Example: causalbridge probe bias builtin --llm local:smollm2 --fillings 12 --seed 0 --out bias-report/
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from causalbridge.llm import make_backend, parse_spec
    from causalbridge.probe.bias import AuditSettings, BiasTemplate, audit_bias, load_templates, write_audit

    folder = _out_dir(out_dir)
    settings = AuditSettings(
        fillings=fillings,
        seed=seed,
        n_resamples=resamples,
        interval=_interval(interval),
        fdr=fdr,
    )
    template_set = load_templates(templates, words)  # a bad file fails before any model loads
    parse_spec(llm)
    backend = make_backend(llm, cache_dir=cache_dir, no_cache=no_cache)

    bar = Progress(
        TextColumn("bias audit"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("templates · {task.fields[template]}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=verbosity.level < 0 or not err.is_terminal,
    )
    task = bar.add_task("templates", total=len(template_set.templates), template="")

    def progress(template: BiasTemplate, done: int, total: int) -> None:
        bar.update(task, completed=done, total=total, template=escape(template.id))

    with bar:
        audit = audit_bias(backend, template_set, settings, progress=progress)
    paths = write_audit(audit, folder)
    table = Table("attribute", "group vs reference", "templates", "effect", "interval")
    for o in audit.overall:
        i = o.interval
        table.add_row(
            o.attribute,
            f"{o.group} vs {o.reference}",
            str(o.templates),
            f"{i.estimate:+.3f}",
            f"[{i.low:+.3f}, {i.high:+.3f}]",
        )
    out.print(table)
    significant = ", ".join(f"{t.template}:{t.group} ({t.effect:+.3f})" for t in audit.significant) or "none"
    out.print(f"significant at FDR {fdr:g}: {escape(significant)}", soft_wrap=True)
    finish(audit.usage, paths.values(), model=backend.name)


@app.command("attribution")
def attribution_command(
    parts_file: Annotated[Path, typer.Argument(help="Attribution file: parts, outcome, samples (YAML/JSON).")],
    llm: Annotated[str, typer.Option("--llm", help=llm_help("It is also the refusal judge unless --judge is given."))],
    out_dir: OutDir,
    judge: Annotated[
        str | None, typer.Option("--judge", help="Model spec for the refusal judge (default: the --llm model).")
    ] = None,
    samples: Annotated[
        int | None, typer.Option("--samples", min=1, help="Samples per cell (overrides the file).")
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Sampling and bootstrap seed (overrides the file).")
    ] = None,
    design: Annotated[
        str | None, typer.Option("--design", help="auto, full, local or one-at-a-time (overrides the file).")
    ] = None,
    interval: Interval = "bca",
    resamples: Resamples = 2000,
    no_cache: NoCache = False,
    cache_dir: CacheDir = None,
) -> None:
    """Prompt-intervention attribution: which part of a prompt causes the refusal, the claim or the answer.

    Example: causalbridge probe attribution parts.yaml --llm local:smollm2 --design full --seed 0 --out attribution/
    """
    from causalbridge.llm import make_backend, parse_spec
    from causalbridge.probe.attribution import DESIGNS, DesignKind, attribute, load_attribution, write_attribution

    folder = _out_dir(out_dir)
    spec = load_attribution(parts_file)
    chosen_design: DesignKind | Literal["auto"] = spec.design
    if design is not None:
        if design != "auto" and design not in DESIGNS:
            raise InputError(f"expected auto or one of {', '.join(DESIGNS)}, got {design!r}", where="--design")
        chosen_design = cast(DesignKind, design)
    parse_spec(llm)
    if judge is not None:
        parse_spec(judge)
    backend = make_backend(llm, cache_dir=cache_dir, no_cache=no_cache)
    judge_backend = make_backend(judge, cache_dir=cache_dir, no_cache=no_cache) if judge else None
    result = attribute(
        backend,
        spec.parts,
        spec.outcome(judge_backend),
        samples=samples if samples is not None else spec.samples,
        seed=seed if seed is not None else spec.seed,
        design=chosen_design,
        n_resamples=resamples,
        interval=_interval(interval),
    )
    paths = write_attribution(result, folder)
    table = Table("effect of", "estimate", "interval")
    for effect in (*result.main_effects, *result.interactions):
        i = effect.interval
        mark = "[bold]" if effect.flagged else ""
        table.add_row(escape(effect.label), f"{mark}{i.estimate:+.3f}", f"[{i.low:+.3f}, {i.high:+.3f}]")
    out.print(f"design: {result.design} ({len(result.cells)} cells × {result.samples} samples)")
    out.print(table)
    models = backend.name if judge_backend is None else f"{backend.name}, judge {judge_backend.name}"
    finish(result.usage, paths.values(), model=models)


@app.command("modality")
def modality_command(
    items_file: Annotated[Path, typer.Argument(help="Items file: pictures, questions, options (YAML/JSON).")],
    llm: Annotated[
        str,
        typer.Option("--llm", help="Vision model spec: openai:<model> or openai-compatible:<base_url>#<model>."),
    ],
    out_dir: OutDir,
    noise_sigma: Annotated[float, typer.Option("--noise-sigma", min=0.0, help="Image noise, in 0..255 units.")] = 64.0,
    seed: Seed = 0,
    interval: Interval = "bca",
    resamples: Resamples = 2000,
    no_cache: NoCache = False,
    cache_dir: CacheDir = None,
) -> None:
    """Modality reliance: blank, noise and swap the pictures, remove and swap the text, and compare.

    Example: causalbridge probe modality items.yaml --llm openai:gpt-4o-mini --noise-sigma 64 --seed 0 --out modality/
    """
    from causalbridge.probe.modality import load_items, make_vision_backend, modality_reliance, write_reliance

    folder = _out_dir(out_dir)
    items = load_items(items_file)
    backend = make_vision_backend(llm, cache_dir=str(cache_dir) if cache_dir else None, no_cache=no_cache)
    result = modality_reliance(
        backend,
        items,
        noise_sigma=noise_sigma,
        seed=seed,
        n_resamples=resamples,
        interval=_interval(interval),
    )
    paths = write_reliance(result, folder)
    table = Table("intervention", "answer shift", "interval", "flips")
    for e in result.effects:
        table.add_row(
            e.key, f"{e.shift.estimate:.3f}", f"[{e.shift.low:.3f}, {e.shift.high:.3f}]", f"{e.flip_rate:.2f}"
        )
    out.print(table)
    out.print(
        f"verdict: the answers follow {'the ' + result.verdict if result.verdict != 'undetermined' else '?'}"
        + (" (undetermined)" if result.verdict == "undetermined" else "")
    )
    finish(result.usage, paths.values(), model=llm)
