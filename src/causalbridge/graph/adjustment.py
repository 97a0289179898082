"""Identification helpers on a causal DAG (bidirected edges allowed for latent confounding).

* backdoor criterion (Pearl 1993) and the complete adjustment criterion (Shpitser et al. 2010, Perković et al.
  2018) for one treatment X and one outcome Y;
* an inclusion-minimal adjustment set and the optimal set O(X, Y) of Henckel, Perković & Maathuis (2022), the
  valid set with the smallest asymptotic variance for OLS adjustment in linear models;
* the frontdoor criterion (Pearl 1995) and the conditional-instrument check.
"""

from __future__ import annotations

from collections.abc import Iterable

from causalbridge.errors import GraphError
from causalbridge.graph.core import CausalGraph, Edge
from causalbridge.graph.dsep import d_separated


def _check_xy(g: CausalGraph, x: str, y: str) -> None:
    g.index(x)
    g.index(y)
    if x == y:
        raise GraphError(f"treatment and outcome are the same variable {x!r}")
    bad = [e for e in g.edges if not (e.is_directed or e.is_bidirected)]
    if bad:
        raise GraphError(f"identification needs a DAG (or ADMG); edge {bad[0]} is undirected — orient it first")
    cycle = g.find_cycle()
    if cycle is not None:
        raise GraphError(f"identification needs an acyclic graph; found the cycle {' -> '.join(cycle)}")


def _without_out_edges(g: CausalGraph, nodes: Iterable[str]) -> CausalGraph:
    drop = set(nodes)
    return g.with_edges(remove=[Edge.directed(u, v) for u, v in g.directed_edges if u in drop])


def causal_nodes(g: CausalGraph, x: str, y: str) -> frozenset[str]:
    """cn(X, Y): nodes other than X on a directed path from X to Y (Y included when such a path exists)."""
    _check_xy(g, x, y)
    return (g.descendants(x) & g.ancestors(y, include_self=True)) - {x}


def forbidden_set(g: CausalGraph, x: str, y: str) -> frozenset[str]:
    """forb(X, Y): descendants of the causal nodes, and X itself — never valid in an adjustment set."""
    return g.descendants(causal_nodes(g, x, y), include_self=True) | {x}


def is_backdoor_set(g: CausalGraph, x: str, y: str, z: Iterable[str]) -> bool:
    """Pearl's backdoor criterion: Z has no descendant of X and blocks every path into X from Y."""
    _check_xy(g, x, y)
    zs = frozenset(z)
    if x in zs or y in zs:
        return False
    if zs & g.descendants(x):
        return False
    return d_separated(_without_out_edges(g, [x]), x, y, zs)


def is_adjustment_set(g: CausalGraph, x: str, y: str, z: Iterable[str]) -> bool:
    """The complete adjustment criterion: P(y | do(x)) = sum_z P(y | x, z) P(z) for every model of ``g``.

    Z is valid iff it has no node of forb(X, Y) and d-separates X and Y in the proper backdoor graph (the graph
    without the first edge of every directed path from X to Y).
    """
    _check_xy(g, x, y)
    zs = frozenset(z)
    if zs & forbidden_set(g, x, y) or y in zs:
        return False
    cn = causal_nodes(g, x, y)
    proper_backdoor = g.with_edges(remove=[Edge.directed(x, c) for c in g.children(x) if c in cn])
    return d_separated(proper_backdoor, x, y, zs)


def optimal_adjustment_set(g: CausalGraph, x: str, y: str) -> frozenset[str] | None:
    """O(X, Y) = pa(cn(X, Y)) minus forb(X, Y) (Henckel, Perković & Maathuis 2022).

    It is valid whenever any adjustment set is, and then has the smallest asymptotic variance among valid sets
    for OLS adjustment. Returns ``None`` when Y is not a descendant of X (the effect is zero by the graph) or when
    no valid adjustment set exists (e.g. with a latent confounder ``X <-> Y``).
    """
    cn = causal_nodes(g, x, y)
    if not cn:
        return None
    parents: set[str] = set()
    for c in cn:
        parents |= g.parents(c)
    o_set = frozenset(parents) - forbidden_set(g, x, y)
    return o_set if is_adjustment_set(g, x, y, o_set) else None


def minimal_adjustment_set(g: CausalGraph, x: str, y: str) -> frozenset[str] | None:
    """A valid adjustment set from which no variable can be dropped, or ``None`` when none exists.

    Starts from O(X, Y) and drops variables (latest in topological order first) while the set stays valid; for
    d-separators, "no single variable can be dropped" implies no proper subset is valid (Tian, Paz & Pearl 1998).
    """
    o_set = optimal_adjustment_set(g, x, y)
    if o_set is None:
        return None
    current = set(o_set)
    order = {n: i for i, n in enumerate(g.topological_order())} if g.is_dag else {n: 0 for n in g.nodes}
    for v in sorted(o_set, key=lambda n: (-order[n], n)):
        if is_adjustment_set(g, x, y, current - {v}):
            current.discard(v)
    return frozenset(current)


def satisfies_frontdoor(g: CausalGraph, x: str, y: str, m: Iterable[str]) -> bool:
    """Pearl's frontdoor criterion for mediators M of X -> Y.

    (i) M intercepts every directed path from X to Y; (ii) no backdoor path from X to M is open; (iii) every
    backdoor path from M to Y is blocked by X.
    """
    _check_xy(g, x, y)
    ms = frozenset(m)
    if not ms or x in ms or y in ms:
        return False
    for n in ms:
        g.index(n)
    without_m = g.subgraph([n for n in g.nodes if n not in ms])
    if y in without_m.descendants(x):
        return False
    if not d_separated(_without_out_edges(g, [x]), x, ms):
        return False
    return d_separated(_without_out_edges(g, ms), ms, y, [x])


def is_instrument(g: CausalGraph, z: str, x: str, y: str, given: Iterable[str] = ()) -> bool:
    """Whether Z is a (conditional) instrument for the effect of X on Y given W = ``given``.

    (i) W has no descendant of X (nor X, Y, Z); (ii) Z and X are d-connected given W (relevance); (iii) Z and Y
    are d-separated given W once the edges out of X are removed (exclusion and no open confounding path).
    """
    _check_xy(g, x, y)
    g.index(z)
    ws = frozenset(given)
    if z in (x, y) or ws & {x, y, z} or ws & g.descendants(x):
        return False
    if d_separated(g, z, x, ws):
        return False
    return d_separated(_without_out_edges(g, [x]), z, y, ws)
