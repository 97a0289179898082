"""Paths that explain identification answers: latent projection and "name one open path".

A yes/no from the adjustment criterion tells a user *that* a set fails, not *why*. The why is a path: the
backdoor path the set leaves open, or the collider path that conditioning opened. These helpers find one such
path (the shortest, by iterative deepening) so identification results can print it.

Graphs may declare variables that are not in the data (latent nodes). :func:`latent_projection` replaces them
by the edges they imply among observed variables (directed paths through latent nodes become ``->``, latent
common causes become ``<->``), which preserves d-separation among the observed variables and lets the graph
algorithms, which know nothing about observability, answer for observed variables only.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

from causalbridge.graph import CausalGraph, Edge, Mark

#: How many partial paths the search may extend before it gives up naming one (the yes/no stays exact).
PATH_SEARCH_BUDGET = 200_000


@dataclass(frozen=True, slots=True)
class Path:
    """A path ``nodes[0] .. nodes[-1]`` with ``edges[i]`` joining ``nodes[i]`` and ``nodes[i + 1]``."""

    nodes: tuple[str, ...]
    edges: tuple[Edge, ...]

    def colliders(self) -> tuple[str, ...]:
        """Inner nodes where both path edges have an arrowhead (``a -> c <- b``, ``a <-> c <- b``, ...)."""
        out = []
        for i in range(1, len(self.nodes) - 1):
            node = self.nodes[i]
            if self.edges[i - 1].mark_at(node) is Mark.ARROW and self.edges[i].mark_at(node) is Mark.ARROW:
                out.append(node)
        return tuple(out)

    def non_colliders(self) -> tuple[str, ...]:
        inner = self.nodes[1:-1]
        col = set(self.colliders())
        return tuple(n for n in inner if n not in col)

    def __str__(self) -> str:
        parts = [self.nodes[0]]
        for i, e in enumerate(self.edges):
            a, b = self.nodes[i], self.nodes[i + 1]
            parts.append(_ARROWS[(e.mark_at(a), e.mark_at(b))])
            parts.append(b)
        return " ".join(parts)


_ARROWS = {
    (Mark.TAIL, Mark.ARROW): "->",
    (Mark.ARROW, Mark.TAIL): "<-",
    (Mark.ARROW, Mark.ARROW): "<->",
    (Mark.TAIL, Mark.TAIL): "--",
    (Mark.CIRCLE, Mark.ARROW): "o->",
    (Mark.ARROW, Mark.CIRCLE): "<-o",
    (Mark.CIRCLE, Mark.CIRCLE): "o-o",
    (Mark.CIRCLE, Mark.TAIL): "o--",
    (Mark.TAIL, Mark.CIRCLE): "--o",
}


def _incident(g: CausalGraph, node: str) -> list[Edge]:
    out: list[Edge] = []
    for other in sorted(g.adjacent(node)):
        out.extend(g.edges_between(node, other))
    return out


def open_path(g: CausalGraph, x: str, y: str, z: Iterable[str] = ()) -> Path | None:
    """A shortest path between ``x`` and ``y`` that is d-connecting (open) given ``z``, or ``None``.

    ``None`` means no open path was found within :data:`PATH_SEARCH_BUDGET` steps; callers that need the exact
    answer use :func:`causalbridge.graph.d_separated` and only use this function to *name* a path.
    """
    zs = frozenset(z)
    an_z = g.ancestors(zs, include_self=True) if zs else frozenset()
    budget = [PATH_SEARCH_BUDGET]
    for depth in range(1, len(g.nodes)):
        found = _search(g, y, zs, an_z, [x], [], False, depth, budget)
        if found is not None:
            return found
        if budget[0] <= 0:
            return None
    return None


def _search(
    g: CausalGraph,
    target: str,
    zs: frozenset[str],
    an_z: frozenset[str],
    nodes: list[str],
    edges: list[Edge],
    into: bool,
    depth: int,
    budget: list[int],
) -> Path | None:
    node = nodes[-1]
    if node == target:
        return Path(tuple(nodes), tuple(edges))
    if len(edges) >= depth or budget[0] <= 0:
        return None
    for e in _incident(g, node):
        budget[0] -= 1
        other = e.other(node)
        if other in nodes:
            continue
        if len(nodes) > 1:  # the start node is never a collider or a blocker
            collider = into and e.mark_at(node) is Mark.ARROW
            if (collider and node not in an_z) or (not collider and node in zs):
                continue
        nodes.append(other)
        edges.append(e)
        found = _search(g, target, zs, an_z, nodes, edges, e.mark_at(other) is Mark.ARROW, depth, budget)
        nodes.pop()
        edges.pop()
        if found is not None:
            return found
    return None


def _observed_reach(g: CausalGraph, start: str, observed: frozenset[str]) -> set[str]:
    """Observed nodes reached from ``start`` by directed paths whose inner nodes are all latent."""
    out: set[str] = set()
    stack = [start]
    seen = {start}
    while stack:
        node = stack.pop()
        for child in g.children(node):
            if child in observed:
                out.add(child)
            elif child not in seen:
                seen.add(child)
                stack.append(child)
    return out


def latent_projection(g: CausalGraph, observed: Iterable[str]) -> CausalGraph:
    """The graph over the ``observed`` nodes implied by ``g`` with every other node latent.

    ``a -> b`` when a directed path from a to b has only latent inner nodes; ``a <-> b`` when a and b have a
    latent common cause reaching each by latent-only directed paths, or an explicit ``<->`` whose latent ends
    are followed the same way. d-separation among observed nodes is the same in both graphs.
    """
    obs = frozenset(observed)
    if obs >= frozenset(g.nodes):
        return g
    kept = [n for n in g.nodes if n in obs]
    directed: set[tuple[str, str]] = set()
    bidirected: set[frozenset[str]] = set()
    for a in kept:
        for b in _observed_reach(g, a, obs):
            directed.add((a, b))
    for u, v in g.bidirected_edges:
        if u in obs and v in obs:
            bidirected.add(frozenset((u, v)))
            continue
        ends = ({u} if u in obs else _observed_reach(g, u, obs)) | ({v} if v in obs else _observed_reach(g, v, obs))
        bidirected.update(frozenset(p) for p in combinations(sorted(ends), 2))
    for latent in (n for n in g.nodes if n not in obs):
        reach = _observed_reach(g, latent, obs)
        bidirected.update(frozenset(p) for p in combinations(sorted(reach), 2))
    edges = [Edge.directed(a, b) for a, b in sorted(directed)]
    edges += [Edge.bidirected(*sorted(p)) for p in sorted(bidirected, key=sorted)]
    return CausalGraph(kept, edges)


def directed_path(g: CausalGraph, a: str, b: str) -> str:
    """A shortest directed path a -> ... -> b, as text (``a -> m -> b``)."""
    previous: dict[str, str | None] = {a: None}
    queue = deque([a])
    while queue:
        node = queue.popleft()
        if node == b:
            break
        for child in sorted(g.children(node)):
            if child not in previous:
                previous[child] = node
                queue.append(child)
    if b not in previous:
        return f"{a} ... {b}"
    nodes: list[str] = []
    cur: str | None = b
    while cur is not None:
        nodes.append(cur)
        cur = previous[cur]
    return " -> ".join(reversed(nodes))


def join_paths(first: str, second: str) -> str:
    """Join ``t -> m`` and ``m -> y`` into ``t -> m -> y``."""
    return first + second[second.index(" ->") :] if " ->" in second else first
