"""Exact inference by variable elimination over numpy factors (our own engine; pgmpy is only the test oracle).

The engine works on a *Bayesian network of arrays*: every node has parents and a conditional table whose axes
are ``(node, *parents)``. Observational queries run it on the model's CPTs, interventional ones on the
mutilated CPTs, and counterfactuals on a multi-world ("twin") network whose exogenous nodes are shared between
worlds — one engine for all three rungs, so they cannot disagree about arithmetic.

Two classic savings keep single queries on the bnlearn networks in the millisecond range: nodes that are not
ancestors of the query or the evidence are dropped first (they sum to one), and variables are eliminated in a
greedy min-fill order (ties broken by the size of the factor the elimination creates).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from causalbridge.errors import InputError

MAX_FACTOR_ENTRIES = 100_000_000  # 800 MB of float64: beyond this exact inference is not the right tool


class ModelTooLargeError(InputError):
    """Exact inference would build a table too large for memory; the message says which and how large."""


class ZeroProbabilityEvidence(Exception):
    """The evidence has probability 0, so the conditional query is undefined (callers turn it into InputError)."""


@dataclass(frozen=True, eq=False)
class Factor:
    """A non-negative table over ``variables`` (one axis each, in that order)."""

    variables: tuple[Hashable, ...]
    values: np.ndarray


@dataclass(frozen=True, eq=False)
class Node:
    """One node of the network: ``table[x, p1, p2, ...] = P(node = x | parents = (p1, p2, ...))``."""

    parents: tuple[Hashable, ...]
    table: np.ndarray


Network = Mapping[Any, Node]


def relevant_nodes(network: Network, query: Sequence[Hashable]) -> set[Hashable]:
    """The query nodes and all their ancestors: every other node is barren and sums out to exactly one."""
    seen: set[Hashable] = set()
    stack = list(query)
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        stack.extend(network[n].parents)
    return seen


def _reduce(factor: Factor, evidence: Mapping[Any, int]) -> Factor:
    """Slice the evidence states out of a factor, dropping those axes."""
    if not any(v in evidence for v in factor.variables):
        return factor
    index = tuple(evidence[v] if v in evidence else slice(None) for v in factor.variables)
    kept = tuple(v for v in factor.variables if v not in evidence)
    return Factor(kept, factor.values[index])


def _contract(factors: Sequence[Factor], output: Sequence[Hashable]) -> Factor:
    """Multiply ``factors`` and sum out everything not in ``output``, in one einsum call."""
    labels: dict[Hashable, int] = {}
    operands: list[Any] = []
    sizes: dict[Hashable, int] = {}
    for f in factors:
        operands.append(f.values)
        operands.append([labels.setdefault(v, len(labels)) for v in f.variables])
        sizes.update(zip(f.variables, f.values.shape, strict=True))
    entries = math.prod(sizes.get(v, 1) for v in output)
    if entries > MAX_FACTOR_ENTRIES:
        raise ModelTooLargeError(
            f"exact inference needs an intermediate table of {entries:,} entries over {len(output)} variables "
            f"(limit {MAX_FACTOR_ENTRIES:,}); query fewer variables or use sampling"
        )
    for v in output:
        labels.setdefault(v, len(labels))
    if len(labels) > 52:  # numpy's einsum label limit; min-fill keeps real cliques far smaller
        raise RuntimeError(f"elimination clique of {len(labels)} variables is too large for einsum")
    operands.append([labels[v] for v in output])
    return Factor(tuple(output), np.einsum(*operands))


def min_fill_order(
    factors: Sequence[Factor], eliminate: set[Hashable], cards: Mapping[Hashable, int]
) -> list[Hashable]:
    """Greedy elimination order: fewest fill-in edges first, then smallest created factor.

    Scores are cached and only recomputed around the eliminated variable, whose neighbourhood is the only
    part of the interaction graph that changes.
    """
    adj: dict[Hashable, set[Hashable]] = {}
    for f in factors:
        for v in f.variables:
            adj.setdefault(v, set()).update(u for u in f.variables if u != v)

    def score(v: Hashable) -> tuple[int, float, str]:
        nbrs = list(adj[v])
        fill = sum(1 for i, a in enumerate(nbrs) for b in nbrs[i + 1 :] if b not in adj[a])
        weight = float(np.prod([cards[u] for u in nbrs])) * cards[v]
        return (fill, weight, repr(v))  # repr makes ties deterministic across runs

    remaining = set(eliminate) & set(adj)
    scores = {v: score(v) for v in remaining}
    order: list[Hashable] = []
    while scores:
        best_var = min(scores, key=scores.__getitem__)
        del scores[best_var]
        nbrs = adj.pop(best_var)
        for a in nbrs:
            adj[a].discard(best_var)
            adj[a].update(b for b in nbrs if b != a)
        touched = set(nbrs).union(*(adj[a] for a in nbrs)) if nbrs else set()
        for a in touched:
            if a in scores:
                scores[a] = score(a)
        order.append(best_var)
    return order


def _eliminate(factors: list[Factor], eliminate: set[Hashable], cards: Mapping[Hashable, int]) -> list[Factor]:
    """Sum each variable of ``eliminate`` out of the product of ``factors`` (which is never formed whole)."""
    for var in min_fill_order(factors, eliminate, cards):
        touching = [f for f in factors if var in f.variables]
        factors = [f for f in factors if var not in f.variables]
        scope: dict[Hashable, None] = {}
        for f in touching:
            scope.update(dict.fromkeys(u for u in f.variables if u != var))
        factors.append(_contract(touching, list(scope)))
    return factors


def _evidence_factors(network: Network, query: Sequence[Hashable], evidence: Mapping[Any, int]) -> list[Factor]:
    factors = [
        _reduce(Factor((n, *network[n].parents), network[n].table), evidence)
        for n in relevant_nodes(network, [*query, *evidence])
    ]
    # Scalars equal to one change nothing; any other scalar is kept since it is part of P(evidence).
    return [f for f in factors if f.variables or float(f.values) != 1.0]


def joint(network: Network, targets: Sequence[Hashable], evidence: Mapping[Any, int] | None = None) -> np.ndarray:
    """P(targets | evidence) as an array with one axis per target (in order).

    Targets may also carry evidence (the answer is then a point mass on that axis). Raises
    :class:`ZeroProbabilityEvidence` when P(evidence) = 0.
    """
    evidence = dict(evidence or {})
    if len(set(targets)) != len(targets):
        raise ValueError(f"targets must be distinct: {list(targets)}")
    cards = {n: int(node.table.shape[0]) for n, node in network.items()}
    free = [t for t in targets if t not in evidence]
    factors = _evidence_factors(network, targets, evidence)
    factors = _eliminate(factors, {v for f in factors for v in f.variables} - set(free), cards)
    result = _contract(factors, free).values if factors else np.ones(())
    total = float(result.sum())
    if not total > 0.0:
        raise ZeroProbabilityEvidence(evidence)
    result = result / total
    # Put back the targets that were observed, as point masses, in the order asked for.
    for position, t in enumerate(targets):
        if t in evidence:
            point = np.zeros(cards[t])
            point[evidence[t]] = 1.0
            result = np.moveaxis(np.multiply.outer(result, point), -1, position)
    return result


def probability_of(network: Network, evidence: Mapping[Any, int]) -> float:
    """P(evidence) (1.0 for no evidence): the normaliser that :func:`joint` divides by."""
    cards = {n: int(node.table.shape[0]) for n, node in network.items()}
    factors = _evidence_factors(network, [], evidence)
    factors = _eliminate(factors, {v for f in factors for v in f.variables}, cards)
    return float(_contract(factors, []).values) if factors else 1.0
