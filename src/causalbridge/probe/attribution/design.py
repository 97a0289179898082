"""Which combinations of interventions to run, and which contrasts of their means are the effects.

Parts are two-level factors: present (+1) or intervened on (-1). Effects are *presence* effects: a positive
main effect means the part's presence raises the outcome (a suffix that causes refusals has a positive effect
on refusal). An interaction of parts i and j is a difference in differences: (effect of j with i present) minus
(effect of j with i intervened on). A positive interaction means the two parts together do more than the sum
of their parts.

* ``"full"`` -- the 2^k factorial. Every combination is run, and each effect is averaged over all states of the
  other parts (the classical factorial estimand): main effect j = mean(cells with j present) - mean(cells with
  j intervened); interaction ij = sum over cells of s_i s_j mean / 2^(k-2). All effects are estimated from all
  cells, which is efficient, but the cost doubles with each part; used up to ``FULL_UP_TO`` parts.
* ``"local"`` -- the full prompt, every single intervention and every pair: 1 + k + k(k-1)/2 cells. Effects
  are measured *at the full prompt* (main effect j = Y(all) - Y(all but j); interaction ij = Y(all) - Y(-i)
  - Y(-j) + Y(-i,-j)), which answers "what does removing this part do to this prompt" and estimates every
  pairwise interaction without assuming higher-order ones away. A fractional factorial would cost less still
  but confounds pairwise interactions with each other or with higher-order ones in a way that is hard to read
  for prompts, so it is not offered.
* ``"one-at-a-time"`` -- the full prompt and every single intervention (k + 1 cells): main effects at the full
  prompt, no interactions. The cheapest; the automatic choice beyond ``LOCAL_UP_TO`` parts.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Literal

from causalbridge.errors import InputError

DesignKind = Literal["full", "local", "one-at-a-time"]
DESIGNS: tuple[DesignKind, ...] = ("full", "local", "one-at-a-time")
FULL_UP_TO = 5
LOCAL_UP_TO = 12


@dataclass(frozen=True, slots=True)
class Contrast:
    """An effect as weights on cells: ``estimate = sum(weight * mean(cell))``."""

    kind: Literal["main", "interaction"]
    parts: tuple[str, ...]
    weights: tuple[tuple[int, float], ...]  # (cell index, weight)


@dataclass(frozen=True, slots=True)
class Design:
    kind: DesignKind
    factors: tuple[str, ...]
    cells: tuple[frozenset[str], ...]  # each cell: the parts intervened on
    contrasts: tuple[Contrast, ...]

    @property
    def estimand(self) -> str:
        if self.kind == "full":
            return "effects averaged over every state of the other parts (2^k factorial)"
        return "effects at the full prompt (every other part present)"


def choose_design(factors: int, requested: DesignKind | Literal["auto"] = "auto") -> DesignKind:
    """The design to use for ``factors`` parts: the requested one, or by size when ``"auto"``."""
    if requested != "auto":
        if requested not in DESIGNS:
            raise InputError(f"design must be 'auto' or one of {DESIGNS}, got {requested!r}", where="design")
        if requested == "full" and factors > 10:
            raise InputError(f"a full factorial of {factors} parts needs {2**factors} cells; use local", where="design")
        return requested
    if factors <= FULL_UP_TO:
        return "full"
    return "local" if factors <= LOCAL_UP_TO else "one-at-a-time"


def build_design(factors: tuple[str, ...], kind: DesignKind) -> Design:
    if not factors:
        raise InputError("no parts to intervene on", where="design")
    if kind == "full":
        return _full(factors)
    return _local(factors, with_pairs=kind == "local")


def _full(factors: tuple[str, ...]) -> Design:
    k = len(factors)
    cells = tuple(
        frozenset(f for f, off in zip(factors, pattern, strict=True) if off)
        for pattern in itertools.product((False, True), repeat=k)
    )

    def sign(cell: frozenset[str], part: str) -> int:
        return -1 if part in cell else 1

    contrasts = [
        Contrast("main", (f,), tuple((c, sign(cell, f) / 2 ** (k - 1)) for c, cell in enumerate(cells)))
        for f in factors
    ]
    if k >= 2:
        for a, b in itertools.combinations(factors, 2):
            weights = tuple((c, sign(cell, a) * sign(cell, b) / 2 ** (k - 2)) for c, cell in enumerate(cells))
            contrasts.append(Contrast("interaction", (a, b), weights))
    return Design("full", factors, cells, tuple(contrasts))


def _local(factors: tuple[str, ...], with_pairs: bool) -> Design:
    cells: list[frozenset[str]] = [frozenset()]
    cells += [frozenset({f}) for f in factors]
    pairs = list(itertools.combinations(factors, 2)) if with_pairs else []
    cells += [frozenset(pair) for pair in pairs]
    index = {cell: i for i, cell in enumerate(cells)}
    base = index[frozenset()]
    contrasts = [Contrast("main", (f,), ((base, 1.0), (index[frozenset({f})], -1.0))) for f in factors]
    for a, b in pairs:
        weights = (
            (base, 1.0),
            (index[frozenset({a})], -1.0),
            (index[frozenset({b})], -1.0),
            (index[frozenset({a, b})], 1.0),
        )
        contrasts.append(Contrast("interaction", (a, b), weights))
    return Design("local" if with_pairs else "one-at-a-time", factors, tuple(cells), tuple(contrasts))
