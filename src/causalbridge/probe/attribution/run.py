"""Prompt-intervention attribution: run every cell of the design, then estimate each part's effect.

Each cell (a set of parts intervened on) is rendered and measured ``samples`` times; the effects are linear
contrasts of the cell means (see :mod:`causalbridge.probe.attribution.design`), with stratified bootstrap
intervals that resample the samples within each cell. An effect is *flagged* when its interval excludes zero.
For a deterministic outcome (``choose`` with log-probabilities, or greedy decoding) each cell has one exact
value and the intervals have zero width: the numbers are the model's exact behaviour, not estimates.

Cells are measured a batch at a time (at least :data:`CELLS_PER_CALL`, or as many as the backend runs at once),
so that a ``progress`` callback can follow a long run; every prompt is measured exactly as it would be in one
call (each sample's seed is the same for every cell), so the batching never changes a result.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from causalbridge.errors import InputError
from causalbridge.llm.aio import run_sync
from causalbridge.llm.types import Backend, Message, Usage
from causalbridge.probe.attribution.design import Design, DesignKind, build_design, choose_design
from causalbridge.probe.attribution.outcomes import Outcome
from causalbridge.probe.attribution.parts import PromptParts
from causalbridge.probe.stats import Interval, IntervalMethod, bootstrap_contrast, stable_rng

#: ``progress(stage, done, total)``: stage ``"cells"`` after each batch of cells is measured (and once with 0
#: before the first), then ``"effects"`` after each effect's bootstrap interval.
AttributionProgress = Callable[[str, int, int], None]

#: The fewest cells measured per call to the outcome (more when the backend runs more requests at once).
CELLS_PER_CALL = 8


@dataclass(frozen=True, slots=True)
class CellResult:
    """One combination of interventions: what was sent, what came back, and the outcome per sample."""

    intervened: tuple[str, ...]
    messages: tuple[Message, ...]
    values: tuple[float, ...]
    replies: tuple[str, ...]

    @property
    def mean(self) -> float:
        return float(np.mean(self.values))


@dataclass(frozen=True, slots=True)
class PartEffect:
    """A main effect (one part) or a pairwise interaction (two parts) with its interval."""

    kind: Literal["main", "interaction"]
    parts: tuple[str, ...]
    interval: Interval

    @property
    def label(self) -> str:
        return self.parts[0] if self.kind == "main" else " × ".join(self.parts)

    @property
    def flagged(self) -> bool:
        return self.interval.excludes_zero()


@dataclass(frozen=True, slots=True)
class AttributionResult:
    backend: str
    is_simulation: bool
    outcome: dict[str, Any]
    design: DesignKind
    estimand: str
    parts: PromptParts
    samples: int
    seed: int
    cells: tuple[CellResult, ...]
    main_effects: tuple[PartEffect, ...]
    interactions: tuple[PartEffect, ...]
    usage: Usage
    wall_seconds: float

    def effect(self, *parts: str) -> PartEffect:
        """The main effect of one part, or the interaction of two (in either order)."""
        pool = self.main_effects if len(parts) == 1 else self.interactions
        for effect in pool:
            if set(effect.parts) == set(parts):
                return effect
        raise InputError(f"no effect for {parts} in this {self.design} design", where="effect")

    def cell(self, *intervened: str) -> CellResult:
        wanted = set(intervened)
        for cell in self.cells:
            if set(cell.intervened) == wanted:
                return cell
        raise InputError(f"no cell with exactly {sorted(wanted)} intervened on", where="cell")


def _cells_per_call(backend: Backend) -> int:
    """A batch big enough to keep the backend busy: its concurrency (HTTP) or its batch size (local models)."""
    sizes = [getattr(backend, name, None) for name in ("concurrency", "batch_size")]
    return max([CELLS_PER_CALL, *(size for size in sizes if isinstance(size, int) and not isinstance(size, bool))])


def _effects(
    design: Design,
    cells: list[CellResult],
    confidence: float,
    n_resamples: int,
    method: IntervalMethod,
    seed: int,
    progress: AttributionProgress | None = None,
) -> list[PartEffect]:
    effects = []
    for number, contrast in enumerate(design.contrasts, start=1):
        groups = [np.asarray(cells[c].values) for c, _ in contrast.weights]
        weights = [w for _, w in contrast.weights]
        interval = bootstrap_contrast(
            groups,
            weights,
            confidence=confidence,
            n_resamples=n_resamples,
            method=method,
            rng=stable_rng(seed, "attribution", contrast.kind, *contrast.parts),
        )
        effects.append(PartEffect(contrast.kind, contrast.parts, interval))
        if progress is not None:
            progress("effects", number, len(design.contrasts))
    return effects


async def aattribute(
    backend: Backend,
    parts: PromptParts,
    outcome: Outcome,
    *,
    samples: int = 8,
    seed: int = 0,
    design: DesignKind | Literal["auto"] = "auto",
    confidence: float = 0.95,
    n_resamples: int = 2000,
    interval: IntervalMethod = "bca",
    progress: AttributionProgress | None = None,
) -> AttributionResult:
    """The async form of :func:`attribute`."""
    if samples < 1:
        raise InputError(f"samples must be >= 1, got {samples}", where="samples")
    draws = samples if outcome.sampled else 1  # a deterministic outcome gives the same value every time
    chosen = build_design(parts.factors, choose_design(len(parts.factors), design))
    start = time.perf_counter()
    prompts = [parts.render(cell) for cell in chosen.cells]
    values: list[list[float]] = []
    replies: list[list[str]] = []
    usage = Usage()
    step = _cells_per_call(backend)
    if progress is not None:
        progress("cells", 0, len(prompts))
    for first in range(0, len(prompts), step):
        batch = prompts[first : first + step]
        batch_values, batch_replies, spent = await outcome.measure(backend, batch, draws, seed)
        if len(batch_values) != len(batch) or len(batch_replies) != len(batch):
            raise RuntimeError(f"the outcome measured {len(batch_values)} of {len(batch)} prompts")
        values += batch_values
        replies += batch_replies
        usage = usage + spent
        if progress is not None:
            progress("cells", len(values), len(prompts))
    cells = [
        CellResult(tuple(p for p in parts.factors if p in cell), prompt, tuple(v), tuple(r))
        for cell, prompt, v, r in zip(chosen.cells, prompts, values, replies, strict=True)
    ]
    effects = _effects(chosen, cells, confidence, n_resamples, interval, seed, progress)
    return AttributionResult(
        backend=backend.name,
        is_simulation=backend.capabilities.is_simulation,
        outcome=outcome.describe(),
        design=chosen.kind,
        estimand=chosen.estimand,
        parts=parts,
        samples=draws,
        seed=seed,
        cells=tuple(cells),
        main_effects=tuple(e for e in effects if e.kind == "main"),
        interactions=tuple(e for e in effects if e.kind == "interaction"),
        usage=usage,
        wall_seconds=time.perf_counter() - start,
    )


def attribute(
    backend: Backend,
    parts: PromptParts,
    outcome: Outcome,
    *,
    samples: int = 8,
    seed: int = 0,
    design: DesignKind | Literal["auto"] = "auto",
    confidence: float = 0.95,
    n_resamples: int = 2000,
    interval: IntervalMethod = "bca",
    progress: AttributionProgress | None = None,
) -> AttributionResult:
    """Intervene on each part of ``parts`` as the design says and estimate its effect on ``outcome``.

    ``progress``, when given, is called as the cells are measured and the intervals computed
    (:data:`AttributionProgress`); the CLI draws its progress bar from it.
    """
    return run_sync(
        aattribute(
            backend,
            parts,
            outcome,
            samples=samples,
            seed=seed,
            design=design,
            confidence=confidence,
            n_resamples=n_resamples,
            interval=interval,
            progress=progress,
        )
    )
