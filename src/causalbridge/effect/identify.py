"""Identification: can the effect of a treatment on an outcome be computed from data, given a graph — and how?

:func:`identify` tries, in order, backdoor adjustment (a valid, a minimal and the optimal adjustment set), the
frontdoor criterion and instrumental variables, and otherwise says *why not* by naming the path that no set
can block. It also lists *bad controls* (variables whose adjustment biases the estimate: mediators, colliders,
consequences of the outcome), and :func:`check_adjustment` explains why a user's own set fails.

Graph nodes missing from the data are latent: they are projected out first (see
:func:`causalbridge.effect.paths.latent_projection`) so every set named here is observable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from itertools import combinations
from typing import Any

from causalbridge.effect.paths import Path, directed_path, join_paths, latent_projection, open_path
from causalbridge.errors import UnknownVariableError
from causalbridge.graph import (
    CausalGraph,
    Edge,
    causal_nodes,
    forbidden_set,
    is_adjustment_set,
    is_instrument,
    minimal_adjustment_set,
    optimal_adjustment_set,
    satisfies_frontdoor,
)

#: Frontdoor search tries subsets of at most this many candidate mediators (2^12 checks at worst).
MAX_FRONTDOOR_CANDIDATES = 12


class EstimandKind(StrEnum):
    """How the effect is identified (``ZERO``: the graph has no directed path, so the effect is zero)."""

    BACKDOOR = "backdoor"
    FRONTDOOR = "frontdoor"
    IV = "iv"
    ZERO = "zero"
    NOT_IDENTIFIABLE = "not identifiable"


@dataclass(frozen=True, slots=True)
class BadControl:
    """A variable that must not be adjusted for (``kind``: mediator, collider, descendant of ...) and why."""

    variable: str
    kind: str
    reason: str


@dataclass(frozen=True, slots=True)
class Instrument:
    """``variable`` is an instrument for the effect once ``given`` is adjusted for (empty: unconditionally)."""

    variable: str
    given: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AdjustmentCheck:
    """Whether a chosen set is a valid adjustment set and, when it is not, every reason in words."""

    treatment: str
    outcome: str
    adjustment_set: tuple[str, ...]
    valid: bool
    problems: tuple[str, ...] = ()
    open_path: str | None = None

    def explain(self) -> str:
        names = "{" + ", ".join(self.adjustment_set) + "}"
        if self.valid:
            return f"{names} is a valid adjustment set for the effect of {self.treatment} on {self.outcome}"
        return f"{names} is not a valid adjustment set: " + "; ".join(self.problems)


@dataclass(frozen=True)
class Identification:
    """The identification answer for one treatment and outcome (sets are tuples in graph order)."""

    treatment: str
    outcome: str
    kind: EstimandKind
    estimand: str
    reason: str
    valid_set: tuple[str, ...] | None = None
    minimal_set: tuple[str, ...] | None = None
    optimal_set: tuple[str, ...] | None = None
    frontdoor_set: tuple[str, ...] | None = None
    instruments: tuple[Instrument, ...] = ()
    bad_controls: tuple[BadControl, ...] = ()
    latent: tuple[str, ...] = field(default=())

    @property
    def identified(self) -> bool:
        return self.kind is not EstimandKind.NOT_IDENTIFIABLE

    @property
    def adjustment_set(self) -> tuple[str, ...] | None:
        """The set to adjust for by default: the optimal one when it exists, else the valid one."""
        return self.optimal_set if self.optimal_set is not None else self.valid_set

    def to_dict(self) -> dict[str, Any]:
        def _list(s: tuple[str, ...] | None) -> list[str] | None:
            return None if s is None else list(s)

        return {
            "treatment": self.treatment,
            "outcome": self.outcome,
            "kind": self.kind.value,
            "estimand": self.estimand,
            "reason": self.reason,
            "valid_set": _list(self.valid_set),
            "minimal_set": _list(self.minimal_set),
            "optimal_set": _list(self.optimal_set),
            "frontdoor_set": _list(self.frontdoor_set),
            "instruments": [{"variable": i.variable, "given": list(i.given)} for i in self.instruments],
            "bad_controls": [{"variable": b.variable, "kind": b.kind, "reason": b.reason} for b in self.bad_controls],
            "latent": list(self.latent),
        }


# ---------------------------------------------------------------------- public functions
def identify(graph: CausalGraph, treatment: str, outcome: str, observed: Iterable[str] | None = None) -> Identification:
    """Identify the effect of ``treatment`` on ``outcome`` in ``graph`` (nodes not in ``observed`` are latent).

    >>> g = CausalGraph.dag([("c", "t"), ("c", "y"), ("t", "y")])
    >>> identify(g, "t", "y").optimal_set
    ('c',)
    """
    g, latent = observed_graph(graph, treatment, outcome, observed)
    t, y = treatment, outcome
    cn = causal_nodes(g, t, y)  # also rejects cycles and undirected edges with a clear GraphError
    valid = _canonical_set(g, t, y)
    base = Identification(
        t,
        y,
        EstimandKind.NOT_IDENTIFIABLE,
        "not identifiable from this graph",
        "",
        valid_set=valid,
        instruments=_find_instruments(g, t, y, valid),
        bad_controls=bad_controls(g, t, y),
        latent=latent,
    )
    if not cn:
        tests = " (estimating it with the valid set tests that claim)" if valid is not None else ""
        return replace(
            base,
            kind=EstimandKind.ZERO,
            estimand=f"E[{y} | do({t})] does not depend on {t}",
            reason=f"no directed path from {t} to {y}: by the graph the effect is zero{tests}",
            minimal_set=_greedy_minimal(g, t, y, valid),
        )
    base = replace(
        base,
        minimal_set=_ordered(g, minimal_adjustment_set(g, t, y)),
        optimal_set=_ordered(g, optimal_adjustment_set(g, t, y)),
        frontdoor_set=_find_frontdoor(g, t, y, cn),
    )
    if valid is not None:
        z = _braces(base.optimal_set if base.optimal_set is not None else valid)
        return replace(
            base,
            kind=EstimandKind.BACKDOOR,
            estimand=f"E[{y} | do({t})] = E_Z[ E[{y} | {t}, Z] ] with Z = {z}",
            reason=f"backdoor adjustment: {z} blocks every backdoor path and has no descendant of {t} on a causal path",
        )
    blocked = _blocked_reason(g, t, y)
    if base.frontdoor_set is not None:
        m = _braces(base.frontdoor_set)
        return replace(
            base,
            kind=EstimandKind.FRONTDOOR,
            estimand=f"E[{y} | do({t})] = sum_m P(m | {t}) sum_t' E[{y} | m, t'] P(t') with M = {m}",
            reason=f"no adjustment set exists ({blocked}), but the mediators {m} satisfy the frontdoor criterion",
        )
    if base.instruments:
        first = base.instruments[0]
        given = f" | {', '.join(first.given)}" if first.given else ""
        return replace(
            base,
            kind=EstimandKind.IV,
            estimand=f"effect = Cov({first.variable}, {y}{given}) / Cov({first.variable}, {t}{given})",
            reason=f"no adjustment set exists ({blocked}); {first.variable} is an instrument, which identifies the "
            "effect under a linear (constant-effect) model, or the complier effect (LATE) under monotonicity",
        )
    mediators = "no mediator set satisfying the frontdoor criterion" if cn - {y} else "no mediator"
    return replace(base, reason=f"not identifiable from this graph: {blocked}; there is {mediators} and no instrument")


def check_adjustment(
    graph: CausalGraph, treatment: str, outcome: str, z: Iterable[str], observed: Iterable[str] | None = None
) -> AdjustmentCheck:
    """Whether ``z`` is a valid adjustment set; if not, every reason in words and one open path by name."""
    t, y = treatment, outcome
    chosen = list(dict.fromkeys(z))
    for v in chosen:
        if v not in graph:
            raise UnknownVariableError(v, graph.nodes, where="adjustment set")
    g, latent = observed_graph(graph, t, y, observed)
    problems: list[str] = []
    for v in chosen:
        if v in (t, y):
            problems.append(f"{v} is the {'treatment' if v == t else 'outcome'} itself")
        elif v in latent:
            problems.append(f"{v} is not observed (it is not a column of the data)")
    usable = [v for v in chosen if v in g and v not in (t, y)]
    bad = {b.variable: b for b in bad_controls(g, t, y)}
    forb = forbidden_set(g, t, y)
    problems += [f"{v}: {bad[v].reason}" for v in usable if v in forb and v in bad]
    path_text = None
    allowed = [v for v in usable if v not in forb]
    if not is_adjustment_set(g, t, y, allowed):
        path = open_path(_proper_backdoor(g, t, y), t, y, allowed)
        path_text = None if path is None else str(path)
        problems.append(_open_path_reason(path, allowed))
    ordered = _ordered(g, chosen) or ()
    ordered = ordered + tuple(v for v in chosen if v not in ordered)
    return AdjustmentCheck(t, y, ordered, not problems, tuple(problems), path_text)


def bad_controls(graph: CausalGraph, treatment: str, outcome: str) -> tuple[BadControl, ...]:
    """Variables whose adjustment biases the effect estimate, each with the reason.

    Descendants of the treatment are always listed (mediators, descendants of mediators or of the outcome,
    and colliders that adjustment would open); non-descendants are listed when adding them to the minimal
    adjustment set breaks it (pre-treatment colliders, as in M-bias).
    """
    g, t, y = graph, treatment, outcome
    cn = causal_nodes(g, t, y)
    forb = forbidden_set(g, t, y)
    de_t, de_y = g.descendants(t), g.descendants(y) if y in cn else frozenset()
    base = minimal_adjustment_set(g, t, y) if cn else _greedy_minimal(g, t, y, _canonical_set(g, t, y))
    pbg = _proper_backdoor(g, t, y)
    out: list[BadControl] = []
    for v in g.nodes:
        if v in (t, y):
            continue
        if v in cn:
            path = join_paths(directed_path(g, t, v), directed_path(g, v, y))
            why = f"mediator on the causal path {path}: adjusting for it removes the part of the effect through it"
            out.append(BadControl(v, "mediator", why))
        elif v in de_y:
            why = f"a consequence of the outcome ({directed_path(g, y, v)}): adjusting for it biases the estimate"
            out.append(BadControl(v, "descendant of the outcome", why))
        elif v in forb:
            why = f"a consequence of a mediator ({directed_path(g, t, v)}): adjusting for it biases the estimate"
            out.append(BadControl(v, "descendant of a mediator", why))
        elif base is not None and not is_adjustment_set(g, t, y, set(base) | {v}):
            opened = open_path(pbg, t, y, set(base) | {v})
            where = f"opens the path {opened}" if opened is not None else "opens a non-causal path"
            kind = "descendant of the treatment (collider)" if v in de_t else "collider"
            out.append(BadControl(v, kind, f"adjusting for it {where}"))
        elif v in de_t:
            why = (
                f"a consequence of the treatment ({directed_path(g, t, v)}), not a confounder: adjusting for it "
                "cannot remove bias and only adds variance"
            )
            out.append(BadControl(v, "descendant of the treatment", why))
    return tuple(out)


def observed_graph(
    graph: CausalGraph, treatment: str, outcome: str, observed: Iterable[str] | None
) -> tuple[CausalGraph, tuple[str, ...]]:
    """``graph`` with the nodes outside ``observed`` projected out, and the names of those latent nodes."""
    for v, role in ((treatment, "treatment"), (outcome, "outcome")):
        if v not in graph:
            raise UnknownVariableError(v, graph.nodes, where=f"graph ({role})")
    if observed is None:
        return graph, ()
    obs = frozenset(observed)
    for v, role in ((treatment, "treatment"), (outcome, "outcome")):
        if v not in obs:
            raise UnknownVariableError(v, sorted(obs), where=f"data ({role})")
    latent = tuple(n for n in graph.nodes if n not in obs)
    return latent_projection(graph, obs), latent


# ---------------------------------------------------------------------- helpers
def _ordered(g: CausalGraph, s: Iterable[str] | None) -> tuple[str, ...] | None:
    if s is None:
        return None
    chosen = set(s)
    return tuple(n for n in g.nodes if n in chosen)


def _braces(s: Iterable[str]) -> str:
    return "{" + ", ".join(s) + "}"


def _proper_backdoor(g: CausalGraph, t: str, y: str) -> CausalGraph:
    cn = causal_nodes(g, t, y)
    return g.with_edges(remove=[Edge.directed(t, c) for c in g.children(t) if c in cn])


def _canonical_set(g: CausalGraph, t: str, y: str) -> tuple[str, ...] | None:
    """Adjust(T, Y) = An(T, Y) minus forb(T, Y): valid exactly when some adjustment set is (Perković 2018)."""
    candidate = g.ancestors({t, y}) - forbidden_set(g, t, y) - {t, y}
    return _ordered(g, candidate) if is_adjustment_set(g, t, y, candidate) else None


def _greedy_minimal(g: CausalGraph, t: str, y: str, start: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """Drop variables from a valid set while it stays valid (used when there is no causal path, where the
    graph module's minimal set is undefined)."""
    if start is None:
        return None
    current = list(start)
    for v in reversed(start):
        if is_adjustment_set(g, t, y, [u for u in current if u != v]):
            current.remove(v)
    return tuple(current)


def _find_frontdoor(g: CausalGraph, t: str, y: str, cn: frozenset[str]) -> tuple[str, ...] | None:
    candidates = [n for n in g.nodes if n in cn and n != y]
    if len(candidates) > MAX_FRONTDOOR_CANDIDATES:  # keep the search small: the mediators nearest the treatment
        candidates = candidates[:MAX_FRONTDOOR_CANDIDATES]
    for size in range(1, len(candidates) + 1):
        for subset in combinations(candidates, size):
            if satisfies_frontdoor(g, t, y, subset):
                return subset
    return None


def _find_instruments(g: CausalGraph, t: str, y: str, valid: tuple[str, ...] | None) -> tuple[Instrument, ...]:
    de_t = g.descendants(t)
    out: list[Instrument] = []
    for z in g.nodes:
        if z in (t, y) or z in de_t:
            continue
        tries: list[tuple[str, ...]] = [()]
        parents = _ordered(g, g.parents(z) - de_t - {t, y})
        if parents:
            tries.append(parents)
        if valid:
            tries.append(tuple(v for v in valid if v != z))
        for given in dict.fromkeys(tries):
            if is_instrument(g, z, t, y, given):
                out.append(Instrument(z, given))
                break
    return tuple(out)


def _blocked_reason(g: CausalGraph, t: str, y: str) -> str:
    if y in g.spouses(t):
        return f"{t} <-> {y}: a latent common cause of the treatment and the outcome"
    candidate = g.ancestors({t, y}) - forbidden_set(g, t, y) - {t, y}
    path = open_path(_proper_backdoor(g, t, y), t, y, candidate)
    if path is None:
        return "every adjustment set leaves a backdoor path open"
    return f"the backdoor path {path} cannot be blocked (it runs through latent confounding)"


def _open_path_reason(path: Path | None, adjusted: Iterable[str]) -> str:
    if path is None:
        return "a backdoor path stays open"
    zs = set(adjusted)
    colliders = [c for c in path.colliders()]
    blockers = [n for n in path.non_colliders() if n not in zs]
    if colliders:
        names = ", ".join(colliders)
        return f"adjusting for {names} (or a descendant) opens the path {path} at the collider {names}"
    if blockers:
        return f"the backdoor path {path} is open: adjust for one of {', '.join(blockers)}"
    return f"the backdoor path {path} is open and no observed variable on it can block it (latent confounding)"
