"""Prompt-intervention attribution: run every cell of the design, then estimate each part's effect.

Each cell (a set of parts intervened on) is rendered and measured ``samples`` times; the effects are linear
contrasts of the cell means (see :mod:`causalbridge.probe.attribution.design`), with stratified bootstrap
intervals that resample the samples within each cell. An effect is *flagged* when its interval excludes zero.
For a deterministic outcome (``choose`` with log-probabilities, or greedy decoding) each cell has one exact
value and the intervals have zero width: the numbers are the model's exact behaviour, not estimates.
"""

from __future__ import annotations

import time
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


def _effects(
    design: Design, cells: list[CellResult], confidence: float, n_resamples: int, method: IntervalMethod, seed: int
) -> list[PartEffect]:
    effects = []
    for contrast in design.contrasts:
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
) -> AttributionResult:
    """The async form of :func:`attribute`."""
    if samples < 1:
        raise InputError(f"samples must be >= 1, got {samples}", where="samples")
    draws = samples if outcome.sampled else 1  # a deterministic outcome gives the same value every time
    chosen = build_design(parts.factors, choose_design(len(parts.factors), design))
    start = time.perf_counter()
    prompts = [parts.render(cell) for cell in chosen.cells]
    values, replies, usage = await outcome.measure(backend, prompts, draws, seed)
    if len(values) != len(prompts):
        raise RuntimeError(f"the outcome measured {len(values)} of {len(prompts)} prompts")
    cells = [
        CellResult(tuple(p for p in parts.factors if p in cell), prompt, tuple(v), tuple(r))
        for cell, prompt, v, r in zip(chosen.cells, prompts, values, replies, strict=True)
    ]
    effects = _effects(chosen, cells, confidence, n_resamples, interval, seed)
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
) -> AttributionResult:
    """Intervene on each part of ``parts`` as the design says and estimate its effect on ``outcome``."""
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
        )
    )
