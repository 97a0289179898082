"""``causalbridge probe``: causal analyses of a model -- bias audit, prompt attribution, modality reliance and
activation patching.

Each command reads its input (a file, or for patching the prompts on the command line), builds the backend from
its spec (strings end here), runs the probe and writes JSON, a Markdown summary and a PNG/SVG figure into
``--out``. Bad input raises the :mod:`causalbridge.errors` classes, which the root command prints as one line
naming file:line (exit code 2). Long loops draw a progress bar on stderr (not with ``-q`` or off a terminal).
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, cast

import typer
from rich.markup import escape
from rich.table import Table

from causalbridge.cli.console import chatter, finish, out, stage_progress
from causalbridge.cli.options import AsJson, CacheDir, Llm, NoCache, llm_help
from causalbridge.errors import InputError
from causalbridge.probe.stats import IntervalMethod

if TYPE_CHECKING:
    from causalbridge.llm.spec import ModelSpec

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

    with stage_progress("bias audit · templates") as update:

        def progress(template: BiasTemplate, done: int, total: int) -> None:
            update(template.id, done, total)

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
    with stage_progress("attribution") as progress:
        result = attribute(
            backend,
            spec.parts,
            spec.outcome(judge_backend),
            samples=samples if samples is not None else spec.samples,
            seed=seed if seed is not None else spec.seed,
            design=chosen_design,
            n_resamples=resamples,
            interval=_interval(interval),
            progress=progress,
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
    with stage_progress("modality") as progress:
        result = modality_reliance(
            backend,
            items,
            noise_sigma=noise_sigma,
            seed=seed,
            n_resamples=resamples,
            interval=_interval(interval),
            progress=progress,
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


PATCHABLE_KINDS = ("local", "hf")  # specs whose backend runs a transformers model here, with activations to patch
METRICS = ("auto", "prob", "logprob", "logit-diff")
SITE_KINDS = ("resid", "attn", "mlp")


def _site_kinds(text: str) -> list[str]:
    kinds = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [kind for kind in kinds if kind not in SITE_KINDS]
    if unknown or not kinds:
        shown = ", ".join(repr(kind) for kind in unknown) or "nothing"
        raise InputError(f"unknown site kind {shown}; expected a comma-separated list of resid, attn, mlp", "--sites")
    return list(dict.fromkeys(kinds))


def _indices(text: str, where: str, *, allow_all: bool = False) -> list[int | None]:
    """``0,5,-1`` or ``0-9,20``: integers (negative ones count from the end) and inclusive ranges; ``all`` is
    the column that restores every position at once (positions only)."""
    values: list[int | None] = []
    for part in (piece.strip() for piece in text.split(",")):
        if not part:
            continue
        if allow_all and part.lower() == "all":
            values.append(None)
            continue
        low, dash, high = part.partition("-") if not part.startswith("-") else (part, "", "")
        try:
            if dash:
                first, last = int(low), int(high)
                if first > last:
                    raise InputError(f"the range {part!r} runs backwards", where=where)
                values.extend(range(first, last + 1))
            else:
                values.append(int(part))
        except ValueError:
            extra = ", or all (every position at once)" if allow_all else ""
            raise InputError(
                f"expected integers (negative ones count from the end) or ranges like 0-9{extra}, got {part!r}",
                where=where,
            ) from None
    if not values:
        raise InputError("give at least one index", where=where)
    return list(dict.fromkeys(values))


def _metric_kind(metric: str, wrong: str | None) -> str:
    if metric not in METRICS:
        raise InputError(f"expected one of {', '.join(METRICS)}, got {metric!r}", where="--metric")
    if metric == "auto":
        return "logit-diff" if wrong is not None else "prob"
    if metric == "logit-diff" and wrong is None:
        raise InputError("the logit difference needs the wrong answer: give --wrong", where="--metric")
    if metric != "logit-diff" and wrong is not None:
        raise InputError(f"--wrong is only used by --metric logit-diff (or auto), not {metric}", where="--wrong")
    return metric


def _patchable_spec(spec_text: str) -> ModelSpec:
    """The parsed spec, if its kind runs a transformers model on this machine (checked before anything loads)."""
    from causalbridge.llm import parse_spec

    spec = parse_spec(spec_text)
    if spec.kind not in PATCHABLE_KINDS:
        raise InputError(
            "activation patching reads and overwrites a model's activations, so it needs a transformers model on "
            f"this machine: local:smollm2 or hf:<folder, .gguf file or cached id>, not {spec.kind}:",
            where=f"--model {spec_text!r}",
        )
    return spec


def _patchable_model(spec: ModelSpec) -> tuple[str, Any, Any]:
    """The spec's backend through the ordinary registry, and the transformers model and tokenizer inside it."""
    from causalbridge.llm import make_backend

    backend = make_backend(spec, no_cache=True)
    engine = getattr(backend, "engine", None)
    model, tokenizer = getattr(engine, "model", None), getattr(engine, "tokenizer", None)
    if model is None or tokenizer is None:
        raise InputError("this backend exposes no transformers model and tokenizer", where=f"--model {spec}")
    return backend.name, model, tokenizer


@app.command("patching")
def patching_command(
    clean: Annotated[str, typer.Option("--clean", help="The clean prompt; the next token after it is scored.")],
    answer: Annotated[
        str, typer.Option("--answer", help="The clean answer: exactly one token, mind the leading space (' Paris').")
    ],
    out_dir: OutDir,
    model: Annotated[
        str,
        typer.Option(
            "--model",
            help="A transformers model on this machine: local:smollm2 (the embedded one) or hf:<folder, .gguf file "
            "or cached id>; add ?device=cuda to run it on a GPU.",
        ),
    ] = "local:smollm2",
    corrupt: Annotated[
        str | None,
        typer.Option("--corrupt", help="Counterfactual prompt with as many tokens as --clean (e.g. another subject)."),
    ] = None,
    wrong: Annotated[
        str | None,
        typer.Option("--wrong", help="The counterfactual's answer (one token): scores logit(answer) - logit(wrong)."),
    ] = None,
    noise_subject: Annotated[
        str | None,
        typer.Option(
            "--noise-subject",
            help="Instead of --corrupt: Gaussian noise on the embeddings of this part of --clean (causal tracing).",
        ),
    ] = None,
    noise_scale: Annotated[
        float | None,
        typer.Option("--noise-scale", help="Standard deviation of the noise (default: see --noise-multiplier)."),
    ] = None,
    noise_multiplier: Annotated[
        float,
        typer.Option("--noise-multiplier", help="Without --noise-scale, the noise's sd is this times sd(embeddings)."),
    ] = 3.0,
    seed: Seed = 0,
    metric: Annotated[
        str,
        typer.Option(
            "--metric",
            help="prob, logprob (of --answer) or logit-diff (needs --wrong); auto: logit-diff with --wrong, else prob.",
        ),
    ] = "auto",
    sites: Annotated[str, typer.Option("--sites", help="Site kinds to sweep: resid, attn, mlp (comma-separated).")] = (
        "resid,attn,mlp"
    ),
    layers: Annotated[
        str | None, typer.Option("--layers", help="Layers, e.g. 0-5,-1 (negative: from the end); default: all.")
    ] = None,
    positions: Annotated[
        str | None,
        typer.Option(
            "--positions",
            help="Token positions, e.g. 0-3,-1; 'all' adds a column restoring every position; default: each token.",
        ),
    ] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Patched runs per forward pass.")] = 32,
    top: Annotated[int, typer.Option("--top", min=1, help="Sites to list, by indirect effect.")] = 5,
    as_json: AsJson = False,
) -> None:
    """Activation patching: restore one clean activation at a time in a corrupted run; see what comes back.

    The corrupted run is a counterfactual prompt with as many tokens (--corrupt; with --wrong the metric is the
    logit difference) or Gaussian noise on the subject's token embeddings (--noise-subject). Each site (the
    residual stream, attention or MLP output of one layer at one token) gets its indirect effect: the metric
    with that activation restored minus the corrupted metric. Writes patching.json, patching.md and
    patching_heatmap.png/.svg; no API is called.

    Example: causalbridge probe patching --clean "Eiffel Tower is in" --answer " Paris" --noise-subject Eiffel -o out/
    """
    started = time.perf_counter()
    folder = _out_dir(out_dir)
    kinds = _site_kinds(sites)
    layer_list = _indices(layers, "--layers") if layers is not None else None
    position_list = _indices(positions, "--positions", allow_all=True) if positions is not None else None
    metric_kind = _metric_kind(metric, wrong)
    if (corrupt is None) == (noise_subject is None):
        raise InputError(
            "give exactly one corruption: --corrupt PROMPT (a counterfactual prompt) or --noise-subject TEXT "
            "(noise on the embeddings of that part of --clean)",
            where="--corrupt / --noise-subject",
        )
    if noise_subject is None and (noise_scale is not None or noise_multiplier != 3.0):
        raise InputError("--noise-scale and --noise-multiplier need --noise-subject", where="--noise-scale")
    if noise_subject is not None and noise_subject not in clean:
        raise InputError(f"does not occur in the clean prompt {clean!r}", where=f"--noise-subject {noise_subject!r}")
    corruption: Any = corrupt
    if noise_subject is not None:
        from causalbridge.probe.patching import SubjectNoise  # checks the scale and multiplier

        corruption = SubjectNoise(noise_subject, seed=seed, scale=noise_scale, multiplier=noise_multiplier)

    spec = _patchable_spec(model)
    chatter(f"loading {escape(model)} ...", to_stderr=as_json)
    name, net, tokenizer = _patchable_model(spec)
    loaded = time.perf_counter()

    from causalbridge.probe.patching import (
        SiteKind,
        answer_log_prob,
        answer_probability,
        logit_difference,
        patch_sweep,
        write_patching,
    )
    from causalbridge.probe.patching.report import site_token

    if metric_kind == "logit-diff":
        assert wrong is not None  # _metric_kind guarantees it
        scorer: Any = logit_difference(tokenizer, answer, wrong)
    else:
        scorer = (answer_probability if metric_kind == "prob" else answer_log_prob)(tokenizer, answer)
    with stage_progress("patching") as progress:
        result = patch_sweep(
            net,
            tokenizer,
            clean,
            corruption,
            scorer,
            kinds=[SiteKind(kind) for kind in kinds],
            layers=cast("list[int] | None", layer_list),
            positions=position_list,
            batch_size=batch_size,
            progress=lambda done, total: progress("sites", done, total),
        )
    result = replace(result, model=f"{name} ({type(net).__name__})")
    paths = write_patching(result, folder, top=max(top, 10))
    if as_json:
        out.print_json(json.dumps({**result.to_dict(), "files": [str(p) for p in paths.values()]}))
    else:
        out.print(
            f"{escape(result.metric)}: clean {result.clean_metric:.4g}, corrupted {result.corrupted_metric:.4g}, "
            f"total effect {result.total_effect:+.4g}",
            soft_wrap=True,
        )
        table = Table("site", "layer", "position", "token", "indirect effect", "fraction of total")
        total = result.total_effect
        for site, effect in result.top(top):
            table.add_row(
                site.kind.value,
                str(site.layer),
                "all" if site.position is None else str(site.position),
                escape(site_token(result, site)),
                f"{effect:+.4g}",
                f"{effect / total:+.2f}" if total else "n/a",
            )
        out.print(table)
    chatter(
        f"{escape(result.model)}: {len(result.sites)} patched runs in {result.seconds:.1f} s "
        f"(model load {loaded - started:.1f} s, wall time {time.perf_counter() - started:.1f} s)",
        to_stderr=as_json,
    )
    finish(None, paths.values(), to_stderr=as_json)
