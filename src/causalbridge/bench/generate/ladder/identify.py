"""Identification: which observed numbers answer a causal question on a template, and the formula that does.

Each estimand is ordinary arithmetic over a :data:`Source` of observational probabilities, so the same function
gives the expanded formula, the numbers plugged in and the value (see :mod:`.algebra`). The strategy is chosen
from the graph with :mod:`causalbridge.graph`'s criteria: backdoor adjustment with the smallest observed set,
else the frontdoor formula through the template's mediator, else the Wald ratio of its instrument (valid for
the average effect only because instrument templates draw an outcome additive in its causes).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from causalbridge.bench.generate.ladder.algebra import Expr, total
from causalbridge.bench.generate.ladder.templates import GraphTemplate
from causalbridge.graph import CausalGraph, is_backdoor_set, is_instrument, satisfies_frontdoor

#: ``P(event, given)``: an observational probability as an :class:`Expr` (a leaf of an estimand).
Source = Callable[[Mapping[str, int], Mapping[str, int]], Expr]


@dataclass(frozen=True, slots=True)
class Strategy:
    """How an effect is identified: ``kind`` is backdoor, frontdoor, iv or mediation; ``nodes`` the adjustment
    set, the mediator or the instrument."""

    kind: str
    nodes: tuple[str, ...] = ()


@functools.lru_cache(maxsize=256)
def backdoor_set(t: GraphTemplate) -> tuple[str, ...] | None:
    """The smallest set of observed non-descendants of X satisfying the backdoor criterion (first in node order)."""
    g, x, y = t.graph, t.treatment, t.outcome
    pool = [v for v in t.observed if v not in (x, y) and v not in g.descendants(x)]
    for k in range(len(pool) + 1):
        for candidate in itertools.combinations(pool, k):
            if is_backdoor_set(g, x, y, candidate):
                return candidate
    return None


def has_effect_path(t: GraphTemplate) -> bool:
    return t.outcome in t.graph.descendants(t.treatment)


@functools.lru_cache(maxsize=256)
def effect_strategy(t: GraphTemplate) -> Strategy | None:
    """How ATE and ETT are identified on ``t`` (``None``: not identified, or Y is not an effect of X)."""
    if not has_effect_path(t):
        return None
    adjust = backdoor_set(t)
    if adjust is not None:
        return Strategy("backdoor", adjust)
    m = t.mediator
    if m is not None and satisfies_frontdoor(t.graph, t.treatment, t.outcome, [m]):
        return Strategy("frontdoor", (m,))
    z = t.instrument
    if z is not None and t.additive and is_instrument(t.graph, z, t.treatment, t.outcome):
        return Strategy("iv", (z,))
    return None


@functools.lru_cache(maxsize=256)
def mediation_formula_holds(t: GraphTemplate) -> bool:
    """Pearl's mediation formula (no covariates) applies to X -> M -> Y: no confounding of X-M, X-Y or M-Y."""
    g, x, y, m = t.graph, t.treatment, t.outcome, t.mediator
    if m is None or m not in g.descendants(x) or y not in g.descendants(m):
        return False
    return is_backdoor_set(g, x, m, ()) and is_backdoor_set(g, x, y, ()) and is_backdoor_set(g, m, y, (x,))


def direct_path_exists(t: GraphTemplate) -> bool:
    """Whether some directed path from X to Y avoids the mediator (otherwise the direct effect is zero)."""
    g, m = t.graph, t.mediator
    rest = g.subgraph([v for v in g.nodes if v != m])
    return t.outcome in rest.descendants(t.treatment)


@functools.lru_cache(maxsize=256)
def nde_strategy(t: GraphTemplate) -> Strategy | None:
    if t.mediator and mediation_formula_holds(t) and direct_path_exists(t):
        return Strategy("mediation", (t.mediator,))
    return None


@functools.lru_cache(maxsize=256)
def nie_strategy(t: GraphTemplate) -> Strategy | None:
    """Mediation formula when it holds; when M intercepts every path (frontdoor) the NIE is the ATE."""
    if t.mediator is None:
        return None
    if mediation_formula_holds(t):
        return Strategy("mediation", (t.mediator,))
    effect = effect_strategy(t)
    if effect is not None and effect.kind == "frontdoor" and effect.nodes == (t.mediator,):
        return effect
    return None


# ---------------------------------------------------------------------- estimands
def _configs(nodes: tuple[str, ...]) -> list[dict[str, int]]:
    return [dict(zip(nodes, states, strict=True)) for states in itertools.product((0, 1), repeat=len(nodes))]


def ate_estimand(P: Source, t: GraphTemplate, s: Strategy, treated_given: bool = False) -> Expr:
    """ATE (or, with ``treated_given``, ETT) under strategy ``s``, as arithmetic over observed probabilities."""
    x, y = t.treatment, t.outcome
    if s.kind == "backdoor":
        if not s.nodes:
            return P({y: 1}, {x: 1}) - P({y: 1}, {x: 0})
        weight_given = {x: 1} if treated_given else {}
        return total(P(z, weight_given) * (P({y: 1}, {x: 1, **z}) - P({y: 1}, {x: 0, **z})) for z in _configs(s.nodes))
    if s.kind == "frontdoor":
        (m,) = s.nodes
        shift = P({m: 1}, {x: 1}) - P({m: 1}, {x: 0})
        if treated_given:
            return shift * (P({y: 1}, {x: 1, m: 1}) - P({y: 1}, {x: 1, m: 0}))
        return shift * total(P({x: v}, {}) * (P({y: 1}, {x: v, m: 1}) - P({y: 1}, {x: v, m: 0})) for v in (0, 1))
    if s.kind == "iv":
        (z,) = s.nodes
        return (P({y: 1}, {z: 1}) - P({y: 1}, {z: 0})) / (P({x: 1}, {z: 1}) - P({x: 1}, {z: 0}))
    raise ValueError(f"no effect estimand for strategy {s.kind!r}")


def nde_estimand(P: Source, t: GraphTemplate, s: Strategy) -> Expr:
    x, y, (m,) = t.treatment, t.outcome, s.nodes
    return total(P({m: v}, {x: 0}) * (P({y: 1}, {x: 1, m: v}) - P({y: 1}, {x: 0, m: v})) for v in (0, 1))


def nie_estimand(P: Source, t: GraphTemplate, s: Strategy) -> Expr:
    if s.kind != "mediation":
        return ate_estimand(P, t, s)
    x, y, (m,) = t.treatment, t.outcome, s.nodes
    return (P({m: 1}, {x: 1}) - P({m: 1}, {x: 0})) * (P({y: 1}, {x: 0, m: 1}) - P({y: 1}, {x: 0, m: 0}))


def _set_text(nodes: tuple[str, ...]) -> str:
    return ", ".join(nodes)


def formula(kind: str, t: GraphTemplate, s: Strategy) -> str:
    """The general identification formula, for the derivation (``kind``: ate, ett, nde or nie)."""
    x, y = t.treatment, t.outcome
    if kind in ("ate", "ett") and s.kind == "backdoor":
        if not s.nodes:
            return f"P({y}=1 | {x}=1) - P({y}=1 | {x}=0)"
        zs = _set_text(s.nodes)
        weight = f"P({zs}=z | {x}=1)" if kind == "ett" else f"P({zs}=z)"
        return f"sum_z {weight} [P({y}=1 | {x}=1, {zs}=z) - P({y}=1 | {x}=0, {zs}=z)]"
    if kind in ("ate", "ett", "nie") and s.kind == "frontdoor":
        (m,) = s.nodes
        shift = f"[P({m}=1 | {x}=1) - P({m}=1 | {x}=0)]"
        if kind == "ett":
            return f"{shift} [P({y}=1 | {x}=1, {m}=1) - P({y}=1 | {x}=1, {m}=0)]"
        return f"{shift} sum_x P({x}=x) [P({y}=1 | {x}=x, {m}=1) - P({y}=1 | {x}=x, {m}=0)]"
    if kind in ("ate", "ett") and s.kind == "iv":
        (z,) = s.nodes
        return f"[P({y}=1 | {z}=1) - P({y}=1 | {z}=0)] / [P({x}=1 | {z}=1) - P({x}=1 | {z}=0)]"
    if kind == "nde" and s.kind == "mediation":
        (m,) = s.nodes
        return f"sum_m P({m}=m | {x}=0) [P({y}=1 | {x}=1, {m}=m) - P({y}=1 | {x}=0, {m}=m)]"
    if kind == "nie" and s.kind == "mediation":
        (m,) = s.nodes
        return f"[P({m}=1 | {x}=1) - P({m}=1 | {x}=0)] [P({y}=1 | {x}=0, {m}=1) - P({y}=1 | {x}=0, {m}=0)]"
    raise ValueError(f"no formula for {kind} by {s.kind}")


# ---------------------------------------------------------------------- backdoor explanations
def _paths(g: CausalGraph, x: str, y: str) -> list[list[str]]:
    """Simple paths from x to y in the skeleton that start with an edge into x (backdoor paths)."""
    out: list[list[str]] = []

    def walk(path: list[str]) -> None:
        here = path[-1]
        if here == y:
            out.append(list(path))
            return
        for nxt in sorted(g.parents(here) | g.children(here)):
            if nxt not in path and (len(path) > 1 or nxt in g.parents(x)):
                walk([*path, nxt])

    walk([x])
    return out


def _is_open(g: CausalGraph, path: list[str], z: frozenset[str]) -> bool:
    for a, w, b in zip(path, path[1:], path[2:], strict=False):
        collider = a in g.parents(w) and b in g.parents(w)
        if collider and not (w in z or g.descendants(w) & z):
            return False
        if not collider and w in z:
            return False
    return True


def describe_path(g: CausalGraph, path: list[str]) -> str:
    parts = [path[0]]
    for a, b in itertools.pairwise(path):
        parts.append(f"-> {b}" if g.has_edge(a, b) else f"<- {b}")
    return " ".join(parts)


def why_invalid(t: GraphTemplate, z: tuple[str, ...]) -> str | None:
    """Why ``z`` is not a backdoor set for X -> Y (``None`` when it is one)."""
    g, x, y = t.graph, t.treatment, t.outcome
    bad = [v for v in z if v in g.descendants(x)]
    if bad:
        return f"{bad[0]} is a descendant of {x} (adjusting for it blocks or biases the effect itself)"
    for path in _paths(g, x, y):
        if _is_open(g, path, frozenset(z)):
            return f"the backdoor path {describe_path(g, path)} stays open"
    return None
