"""Patching sweeps: restore one clean activation at a time and measure how much of the answer comes back.

The experiment has four independent parts, as in TransformerLens: the clean run, the corrupted run, the
metric and the sites. One clean run caches every activation the sweep needs; one corrupted run gives the
baseline; then each site is restored on its own. Sites are packed into batches (one site per batch row), so
a sweep over all layers, positions and kinds costs ``ceil(sites / batch_size)`` forward passes, not ``sites``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
from torch import nn

from causalbridge.errors import InputError
from causalbridge.probe.patching.corruption import Corruption, prepare_prompts
from causalbridge.probe.patching.metrics import Metric, metric_name, score
from causalbridge.probe.patching.result import PatchingResult
from causalbridge.probe.patching.runs import Runner, inference
from causalbridge.probe.patching.sites import Site, SiteKind, locate_layout

ALL_KINDS: tuple[SiteKind, ...] = (SiteKind.RESID, SiteKind.ATTN, SiteKind.MLP)

#: ``progress(done, total)``: called with 0 before the first batch of patched runs and after each batch.
SweepProgress = Callable[[int, int], None]


def _model_name(model: nn.Module) -> str:
    config = getattr(model, "config", None)
    name = getattr(config, "name_or_path", "") if config is not None else ""
    return f"{type(model).__name__}({name})" if name else type(model).__name__


def _checked_kinds(kinds: Iterable[SiteKind]) -> tuple[SiteKind, ...]:
    checked = tuple(dict.fromkeys(kinds))
    if not checked:
        raise InputError("at least one site kind is needed", where="kinds")
    for kind in checked:
        if not isinstance(kind, SiteKind):
            raise InputError(f"{kind!r} is not a SiteKind (use SiteKind.RESID, .ATTN or .MLP)", where="kinds")
    return checked


def _progress(enabled: bool, total: int) -> Any:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(
        TextColumn("patching"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("sites"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
        disable=not enabled or total == 0,
    )


def patch_sweep(
    model: nn.Module,
    tokenizer: Any,
    clean: str,
    corrupted: str | Corruption,
    metric: Metric,
    *,
    kinds: Sequence[SiteKind] = ALL_KINDS,
    layers: Sequence[int] | None = None,
    positions: Sequence[int | None] | None = None,
    batch_size: int = 32,
    progress: bool | SweepProgress = True,
) -> PatchingResult:
    """Indirect effect of restoring each clean activation in the corrupted run, for every requested site.

    ``corrupted`` is a counterfactual prompt of the same token length (a string or
    :class:`CounterfactualPrompt`) or :class:`SubjectNoise`. ``layers`` defaults to every decoder layer and
    ``positions`` to every token position (None in ``positions`` adds an all-positions column). The model is
    run in evaluation mode without gradients and left in the mode it was given in, with no hook left behind.
    ``progress`` is True for a progress bar on stderr, False for none, or a :data:`SweepProgress` callback
    (the CLI passes one to draw its own bar).
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise InputError(f"batch_size must be a positive int, not {batch_size!r}", where="batch_size")
    started = time.perf_counter()
    layout = locate_layout(model)
    prompts = prepare_prompts(model, tokenizer, clean, corrupted)
    chosen_kinds = _checked_kinds(kinds)
    layer_list = list(range(layout.n_layers)) if layers is None else list(layers)
    position_list: list[int | None] = list(range(prompts.n_tokens)) if positions is None else list(positions)
    if not layer_list or not position_list:
        raise InputError("the sweep needs at least one layer and one position", where="layers / positions")
    # Resolving through Site gives every bad index the same message as a hand-written Site would get.
    kind0 = chosen_kinds[0]
    layer_axis = tuple(Site(kind0, layer).resolve(layout.n_layers, prompts.n_tokens).layer for layer in layer_list)
    position_axis = tuple(
        Site(kind0, 0, position).resolve(layout.n_layers, prompts.n_tokens).position for position in position_list
    )
    sites = [Site(k, layer, p) for k in chosen_kinds for layer in layer_axis for p in position_axis]

    runner = Runner(model, layout, prompts)
    with inference(model):
        clean_logits, cache = runner.clean([(site.kind, site.layer) for site in sites])
        clean_value = float(score(metric, clean_logits)[0])
        corrupted_value = float(score(metric, runner.patched(cache, [()]))[0])
        patched = np.empty(len(sites), dtype=np.float64)
        callback = progress if callable(progress) else None
        with _progress(bool(progress) and callback is None, len(sites)) as bar:
            task = bar.add_task("patching", total=len(sites))
            if callback is not None:
                callback(0, len(sites))
            for start in range(0, len(sites), batch_size):
                chunk = sites[start : start + batch_size]
                logits = runner.patched(cache, [(site,) for site in chunk])
                patched[start : start + len(chunk)] = score(metric, logits).numpy()
                bar.advance(task, len(chunk))
                if callback is not None:
                    callback(start + len(chunk), len(sites))

    shape = (len(chosen_kinds), len(layer_axis), len(position_axis))
    return PatchingResult(
        tokens=prompts.tokens,
        kinds=chosen_kinds,
        layers=layer_axis,
        positions=position_axis,
        effects=(patched - corrupted_value).reshape(shape),
        clean_metric=clean_value,
        corrupted_metric=corrupted_value,
        metric=metric_name(metric),
        corruption=prompts.description,
        model=_model_name(model),
        batch_size=batch_size,
        seconds=time.perf_counter() - started,
        corrupted_tokens=prompts.corrupted_tokens,
        n_layers=layout.n_layers,
    )


def patched_metric(
    model: nn.Module,
    tokenizer: Any,
    clean: str,
    corrupted: str | Corruption,
    metric: Metric,
    sites: Sequence[Site] = (),
) -> float:
    """The metric of one corrupted run with all of ``sites`` restored together from the clean run.

    With no sites this is the corrupted baseline; restoring the residual stream of any layer at every
    position, or of the last layer at the final position, gives back the clean metric. Useful for checking a
    hypothesis about a *set* of sites, which a one-site-at-a-time sweep cannot.
    """
    layout = locate_layout(model)
    prompts = prepare_prompts(model, tokenizer, clean, corrupted)
    resolved = [site.resolve(layout.n_layers, prompts.n_tokens) for site in sites]
    runner = Runner(model, layout, prompts)
    with inference(model):
        _, cache = runner.clean([(site.kind, site.layer) for site in resolved])
        return float(score(metric, runner.patched(cache, [resolved]))[0])


def clean_metric(model: nn.Module, tokenizer: Any, prompt: str, metric: Metric) -> float:
    """The metric of an unpatched run of ``prompt`` (the clean value a sweep would report)."""
    layout = locate_layout(model)
    prompts = prepare_prompts(model, tokenizer, prompt, prompt)
    with inference(model):
        logits, _ = Runner(model, layout, prompts).clean([])
        return float(score(metric, logits)[0])
