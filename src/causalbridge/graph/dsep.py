"""d-separation (m-separation for graphs with bidirected edges) by the reachability ("Bayes-ball") algorithm.

A path is blocked by Z when it has a non-collider in Z or a collider that is not an ancestor of Z (Z included).
Bidirected edges ``a <-> b`` (latent confounding) carry arrowheads at both ends, so the same rule gives
m-separation in acyclic directed mixed graphs. The search visits each (node, arrived-by-arrowhead) state once:
O(V + E) per query.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from causalbridge.errors import GraphError
from causalbridge.graph.core import CausalGraph, Edge, Mark


def _as_set(g: CausalGraph, nodes: str | Iterable[str]) -> frozenset[str]:
    out = frozenset([nodes]) if isinstance(nodes, str) else frozenset(nodes)
    for n in out:
        g.index(n)  # raises UnknownVariableError with a did-you-mean
    return out


def d_separated(g: CausalGraph, x: str | Iterable[str], y: str | Iterable[str], z: Iterable[str] = ()) -> bool:
    """True when X and Y are d-separated (m-separated) given Z in ``g``.

    ``g`` may have directed and bidirected edges but no undirected or circle edges (d-separation is not defined
    for a CPDAG: pick a DAG of its class first). X, Y and Z must be pairwise disjoint.
    """
    xs, ys, zs = _as_set(g, x), _as_set(g, y), _as_set(g, z)
    if not xs or not ys:
        raise GraphError("d-separation needs non-empty X and Y")
    overlap = (xs & ys) | (xs & zs) | (ys & zs)
    if overlap:
        raise GraphError(f"X, Y and Z must be disjoint; {sorted(overlap)} appear in more than one")
    for e in g.edges:
        if not (e.is_directed or e.is_bidirected):
            raise GraphError(f"d-separation needs a DAG or ADMG, but edge {e} is neither directed nor bidirected")
    if g.find_cycle() is not None:
        raise GraphError("d-separation needs an acyclic graph")
    an_z = g.ancestors(zs, include_self=True)
    # State: (node, arrived_with_arrowhead_at_node). Start as if arriving by a tail so every edge may be left.
    queue: deque[tuple[str, bool]] = deque((n, False) for n in xs)
    seen: set[tuple[str, bool]] = set(queue)
    while queue:
        node, into = queue.popleft()
        if node in ys:
            return False
        for e in _incident(g, node):
            other = e.other(node)
            leaves_by_arrow = e.mark_at(node) is Mark.ARROW
            collider = into and leaves_by_arrow
            if collider:
                if node not in an_z:
                    continue
            elif node in zs:
                continue
            state = (other, e.mark_at(other) is Mark.ARROW)
            if state not in seen:
                seen.add(state)
                queue.append(state)
    return True


def _incident(g: CausalGraph, node: str) -> list[Edge]:
    return [e for n in g.adjacent(node) for e in g.edges_between(node, n)]


def d_connected(g: CausalGraph, x: str | Iterable[str], y: str | Iterable[str], z: Iterable[str] = ()) -> bool:
    return not d_separated(g, x, y, z)
