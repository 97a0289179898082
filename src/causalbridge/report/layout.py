"""A layered (Sugiyama-style) layout for causal graphs: causes above effects, few crossings, no graphviz.

Steps, each the simple well-understood version:

1. **Cycles.** A depth-first search in declaration order reverses its back edges, so a graph with a cycle (an
   LLM's proposal can have one) still gets layers; the drawing keeps the true direction.
2. **Layers.** Longest-path layering of the directed edges, then each undirected or bidirected edge is pointed
   from the earlier to the later node of that order (acyclic by construction) and the layering is redone with
   every edge, so no edge runs inside one layer. Sources are then pulled down next to their first child, which
   shortens long edges.
3. **Dummies.** An edge that spans several layers gets one invisible dummy node per layer crossed; ordering and
   placement treat it like a node, so long edges bend around nodes instead of through them.
4. **Order.** Alternating down/up barycentre sweeps (keep the best order seen), then adjacent transpositions
   while they remove crossings.
5. **Coordinates.** Each node is pulled towards the mean position of its neighbours, subject to a minimum gap to
   its left neighbour; the least-squares solution of that is an isotonic regression (pool adjacent violators).

Everything is deterministic: ties keep declaration order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

Point = tuple[float, float]

NODE_GAP = 30.0
DUMMY_GAP = 14.0
DUMMY_WIDTH = 6.0


@dataclass(frozen=True)
class Layout:
    """Node centres, each edge's bend points (from its first to its second node) and the drawing's size."""

    positions: Mapping[str, Point]
    routes: tuple[tuple[Point, ...], ...]
    layers: tuple[tuple[str, ...], ...]
    crossings: int
    width: float
    height: float


def _break_cycles(n: int, edges: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Edges with every DFS back edge reversed: an acyclic orientation that keeps as many edges as it can."""
    out: list[list[int]] = [[] for _ in range(n)]
    for k, (a, _) in enumerate(edges):
        out[a].append(k)
    state = [0] * n  # 0 new, 1 on the stack, 2 done
    oriented = list(edges)
    for root in range(n):
        if state[root]:
            continue
        stack: list[tuple[int, int]] = [(root, 0)]
        state[root] = 1
        while stack:
            node, i = stack[-1]
            if i < len(out[node]):
                stack[-1] = (node, i + 1)
                k = out[node][i]
                nxt = edges[k][1]
                if state[nxt] == 1:
                    oriented[k] = (nxt, node)
                elif state[nxt] == 0:
                    state[nxt] = 1
                    stack.append((nxt, 0))
            else:
                state[node] = 2
                stack.pop()
    return oriented


def _longest_path(n: int, edges: Sequence[tuple[int, int]]) -> list[int]:
    """Layer of each node: 0 for sources, else one more than its deepest parent (edges must be acyclic)."""
    children: list[list[int]] = [[] for _ in range(n)]
    indegree = [0] * n
    for a, b in edges:
        children[a].append(b)
        indegree[b] += 1
    layer = [0] * n
    ready = [v for v in range(n) if indegree[v] == 0]
    while ready:
        v = ready.pop(0)
        for c in children[v]:
            layer[c] = max(layer[c], layer[v] + 1)
            indegree[c] -= 1
            if indegree[c] == 0:
                ready.append(c)
    return layer


def _layering(
    n: int, directed: Sequence[tuple[int, int]], other: Sequence[tuple[int, int]]
) -> tuple[list[int], list[tuple[int, int]]]:
    first = _longest_path(n, directed)
    pointed = [(a, b) if (first[a], a) < (first[b], b) else (b, a) for a, b in other]
    edges = [*directed, *pointed]
    layer = _longest_path(n, edges)
    has_in = {b for _, b in edges}
    for v in sorted(range(n), key=lambda v: -layer[v]):
        kids = [layer[b] for a, b in edges if a == v]
        if v not in has_in and kids:
            layer[v] = min(kids) - 1
    low = min(layer, default=0)
    return [x - low for x in layer], edges


def _crossings(upper: Mapping[int, int], lower: Mapping[int, int], links: Sequence[tuple[int, int]]) -> int:
    pairs = [(upper[a], lower[b]) for a, b in links]
    count = 0
    for i in range(len(pairs)):
        a1, b1 = pairs[i]
        for j in range(i + 1, len(pairs)):
            a2, b2 = pairs[j]
            if (a1 - a2) * (b1 - b2) < 0:
                count += 1
    return count


class _Grid:
    """The layered graph with dummies: ``order[i]`` lists the vertices of layer i; ``links[i]`` joins i to i+1."""

    def __init__(self, layer_of: list[int], edges: Sequence[tuple[int, int]]) -> None:
        self.real = len(layer_of)  # vertices from here on are dummies
        self.layer_of = list(layer_of)
        depth = max(layer_of, default=0) + 1
        self.chains: list[list[int]] = []
        self.links: list[list[tuple[int, int]]] = [[] for _ in range(max(depth - 1, 0))]
        for a, b in edges:
            chain = [a]
            for layer in range(layer_of[a] + 1, layer_of[b]):
                self.layer_of.append(layer)
                chain.append(len(self.layer_of) - 1)
            chain.append(b)
            for u, v in zip(chain, chain[1:], strict=False):
                self.links[self.layer_of[u]].append((u, v))
            self.chains.append(chain)
        self.order: list[list[int]] = [[] for _ in range(depth)]
        for v, layer in enumerate(self.layer_of):
            self.order[layer].append(v)
        self.up: dict[int, list[int]] = {v: [] for v in range(len(self.layer_of))}
        self.down: dict[int, list[int]] = {v: [] for v in range(len(self.layer_of))}
        for links in self.links:
            for u, v in links:
                self.down[u].append(v)
                self.up[v].append(u)

    def positions(self) -> dict[int, int]:
        return {v: i for layer in self.order for i, v in enumerate(layer)}

    def total_crossings(self) -> int:
        pos = self.positions()
        return sum(_crossings(pos, pos, links) for links in self.links)

    def _sweep(self, layer: int, neighbours: dict[int, list[int]]) -> None:
        pos = self.positions()

        def key(v: int) -> tuple[float, int]:
            near = neighbours[v]
            return (sum(pos[u] for u in near) / len(near) if near else float(pos[v]), pos[v])

        self.order[layer] = sorted(self.order[layer], key=key)

    def minimise_crossings(self, rounds: int = 24) -> int:
        best, best_order, stale = self.total_crossings(), [list(o) for o in self.order], 0
        for r in range(rounds):
            if r % 2 == 0:
                for layer in range(1, len(self.order)):
                    self._sweep(layer, self.up)
            else:
                for layer in range(len(self.order) - 2, -1, -1):
                    self._sweep(layer, self.down)
            now = self.total_crossings()
            if now < best:
                best, best_order, stale = now, [list(o) for o in self.order], 0
            else:
                stale += 1
                if stale >= 4 or best == 0:
                    break
        self.order = best_order
        return self._transpose(best)

    def _local(self, layer: int) -> int:
        pos = self.positions()
        above = _crossings(pos, pos, self.links[layer - 1]) if layer > 0 else 0
        below = _crossings(pos, pos, self.links[layer]) if layer < len(self.links) else 0
        return above + below

    def _transpose(self, total: int) -> int:
        improved = True
        while improved and total > 0:
            improved = False
            for layer, vertices in enumerate(self.order):
                for i in range(len(vertices) - 1):
                    before = self._local(layer)
                    vertices[i], vertices[i + 1] = vertices[i + 1], vertices[i]
                    after = self._local(layer)
                    if after < before:
                        total -= before - after
                        improved = True
                    else:
                        vertices[i], vertices[i + 1] = vertices[i + 1], vertices[i]
        return total


def _isotonic(values: list[float]) -> list[float]:
    """The non-decreasing sequence closest to ``values`` in least squares (pool adjacent violators)."""
    blocks: list[list[float]] = []  # [mean, count]
    for v in values:
        blocks.append([v, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, c2 = blocks.pop()
            m1, c1 = blocks[-1]
            blocks[-1] = [(m1 * c1 + m2 * c2) / (c1 + c2), c1 + c2]
    out: list[float] = []
    for mean, count in blocks:
        out += [mean] * int(count)
    return out


def _place(grid: _Grid, width_of: list[float], rounds: int = 12) -> list[float]:
    x = [0.0] * len(width_of)

    def gap(a: int, b: int) -> float:
        spacing = DUMMY_GAP if a >= grid.real or b >= grid.real else NODE_GAP
        return (width_of[a] + width_of[b]) / 2 + spacing

    def settle(layer: list[int], desired: list[float]) -> None:
        if not layer:
            return
        offsets = [0.0]
        for a, b in zip(layer, layer[1:], strict=False):
            offsets.append(offsets[-1] + gap(a, b))
        fitted = _isotonic([d - o for d, o in zip(desired, offsets, strict=True)])
        for v, f, o in zip(layer, fitted, offsets, strict=True):
            x[v] = f + o

    for layer in grid.order:
        settle(layer, [0.0] * len(layer))
        shift = (x[layer[0]] + x[layer[-1]]) / 2 if layer else 0.0
        for v in layer:
            x[v] -= shift
    for r in range(rounds):
        sides = (grid.up, grid.down) if r % 3 == 2 else ((grid.up,) if r % 3 == 0 else (grid.down,))
        layers = grid.order if r % 3 != 1 else list(reversed(grid.order))
        for layer in layers:
            desired = []
            for v in layer:
                near = [u for side in sides for u in side[v]]
                desired.append(sum(x[u] for u in near) / len(near) if near else x[v])
            settle(layer, desired)
    return x


def layered_layout(
    nodes: Sequence[str],
    edges: Sequence[tuple[str, str, bool]],
    widths: Mapping[str, float],
    *,
    layer_gap: float = 92.0,
    margin: float = 24.0,
    node_height: float = 34.0,
) -> Layout:
    """Lay out ``nodes`` with ``edges`` as ``(u, v, directed)``; ``widths`` are the drawn node widths.

    Directed edges point down (cycles excepted); undirected ones are placed like directed ones but the choice of
    end is the layout's. Returns centres, bend points per edge (in the order given, from u to v) and the size.
    """
    index = {name: i for i, name in enumerate(nodes)}
    n = len(nodes)
    pairs = [(index[u], index[v], d) for u, v, d in edges if u != v]
    directed = _break_cycles(n, [(a, b) for a, b, d in pairs if d])
    other = [(a, b) for a, b, d in pairs if not d]
    layer_of, layout_edges = _layering(n, directed, other)
    grid = _Grid(layer_of, layout_edges)
    crossings = grid.minimise_crossings()
    width_of = [widths.get(name, 40.0) for name in nodes] + [DUMMY_WIDTH] * (len(grid.layer_of) - n)
    xs = _place(grid, width_of)
    left = min((xs[v] - width_of[v] / 2 for v in range(len(xs))), default=0.0)
    right = max((xs[v] + width_of[v] / 2 for v in range(len(xs))), default=0.0)

    def point(v: int) -> Point:
        return (xs[v] - left + margin, margin + node_height / 2 + grid.layer_of[v] * layer_gap)

    positions = {name: point(i) for i, name in enumerate(nodes)}
    # layout_edges lists the directed edges first, then the others, in their original relative order
    chains_by_pair: dict[tuple[int, int], list[list[int]]] = {}
    for chain in grid.chains:
        chains_by_pair.setdefault((chain[0], chain[-1]), []).append(chain)
    routes: list[tuple[Point, ...]] = []
    for name_u, name_v, _ in edges:
        a, b = index[name_u], index[name_v]
        if a == b:
            routes.append(())
            continue
        forward = chains_by_pair.get((a, b))
        chain = forward.pop(0) if forward else list(reversed(chains_by_pair[(b, a)].pop(0)))
        routes.append(tuple(point(v) for v in chain[1:-1]))
    depth = max(layer_of, default=0)
    return Layout(
        positions=positions,
        routes=tuple(routes),
        layers=tuple(tuple(nodes[v] for v in layer if v < n) for layer in grid.order),
        crossings=crossings,
        width=right - left + 2 * margin,
        height=2 * margin + node_height + depth * layer_gap,
    )
