"""The immutable :class:`CausalGraph`: DAGs, CPDAGs and (marks only) PAGs over named variables.

An edge is stored once, with a mark at each end (:class:`Mark`): ``a -> b`` is ``(TAIL, ARROW)``, ``a -- b``
``(TAIL, TAIL)``, ``a <-> b`` ``(ARROW, ARROW)`` and FCI's circle marks are ``CIRCLE``. Every "change" returns a
new graph; adjacency sets are computed once at construction so queries are dictionary look-ups.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from causalbridge.errors import CycleError, GraphError, UnknownVariableError
from causalbridge.graph.edge import Edge, EdgeLike, Mark, _key

if TYPE_CHECKING:
    import networkx as nx
    import numpy as np


class CausalGraph:
    """An immutable mixed graph over named variables (DAG, CPDAG/PDAG, or PAG edge marks).

    >>> g = CausalGraph.from_edges([("smoking", "tar"), ("tar", "cancer")])
    >>> sorted(g.ancestors("cancer"))
    ['smoking', 'tar']
    """

    __slots__ = (
        "_nodes",
        "_index",
        "_edges",
        "_parents",
        "_children",
        "_neighbors",
        "_adjacent",
        "_spouses",
        "_hash",
    )

    _nodes: tuple[str, ...]
    _index: Mapping[str, int]
    _edges: Mapping[tuple[frozenset[str], bool], Edge]
    _parents: Mapping[str, frozenset[str]]
    _children: Mapping[str, frozenset[str]]
    _neighbors: Mapping[str, frozenset[str]]
    _adjacent: Mapping[str, frozenset[str]]
    _spouses: Mapping[str, frozenset[str]]
    _hash: int | None

    def __init__(self, nodes: Iterable[str], edges: Iterable[EdgeLike] = ()) -> None:
        node_list = [str(n) for n in nodes]
        seen: set[str] = set()
        for n in node_list:
            if n in seen:
                raise GraphError(f"variable {n!r} is listed twice")
            if not n:
                raise GraphError("a variable name is empty")
            seen.add(n)
        edge_map: dict[tuple[frozenset[str], bool], Edge] = {}
        for raw in edges:
            e = raw if isinstance(raw, Edge) else Edge.directed(str(raw[0]), str(raw[1]))
            for end in (e.u, e.v):
                if end not in seen:
                    raise UnknownVariableError(end, node_list, where=f"edge {e}")
            if e.u == e.v:
                raise GraphError(f"self-loop on {e.u!r}: a variable cannot cause itself")
            key = _key(e)
            e = e.canonical()
            if key in edge_map and edge_map[key] != e:
                raise GraphError(f"conflicting edges between {e.u!r} and {e.v!r}: {edge_map[key]} and {e}")
            edge_map[key] = e
        self._init(tuple(node_list), edge_map)

    def _init(self, nodes: tuple[str, ...], edge_map: dict[tuple[frozenset[str], bool], Edge]) -> None:
        parents: dict[str, set[str]] = {n: set() for n in nodes}
        children: dict[str, set[str]] = {n: set() for n in nodes}
        neighbors: dict[str, set[str]] = {n: set() for n in nodes}
        adjacent: dict[str, set[str]] = {n: set() for n in nodes}
        spouses: dict[str, set[str]] = {n: set() for n in nodes}
        for e in edge_map.values():
            adjacent[e.u].add(e.v)
            adjacent[e.v].add(e.u)
            if e.is_directed:  # canonical: u -> v
                parents[e.v].add(e.u)
                children[e.u].add(e.v)
            elif e.is_undirected:
                neighbors[e.u].add(e.v)
                neighbors[e.v].add(e.u)
            elif e.is_bidirected:
                spouses[e.u].add(e.v)
                spouses[e.v].add(e.u)
        object.__setattr__(self, "_nodes", nodes)
        object.__setattr__(self, "_index", MappingProxyType({n: i for i, n in enumerate(nodes)}))
        object.__setattr__(self, "_edges", MappingProxyType(edge_map))
        for name, table in (
            ("_parents", parents),
            ("_children", children),
            ("_neighbors", neighbors),
            ("_adjacent", adjacent),
            ("_spouses", spouses),
        ):
            object.__setattr__(self, name, MappingProxyType({k: frozenset(v) for k, v in table.items()}))
        object.__setattr__(self, "_hash", None)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("CausalGraph is immutable; use the methods that return a new graph")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("CausalGraph is immutable")

    def __reduce__(self) -> tuple[Any, ...]:
        return (CausalGraph, (self._nodes, tuple(self._edges.values())))

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_edges(
        cls,
        directed: Iterable[tuple[str, str]] = (),
        undirected: Iterable[tuple[str, str]] = (),
        bidirected: Iterable[tuple[str, str]] = (),
        nodes: Iterable[str] | None = None,
    ) -> CausalGraph:
        """Build a graph from edge lists; nodes default to the edges' endpoints in first-seen order."""
        d, u, b = list(directed), list(undirected), list(bidirected)
        if nodes is None:
            order: dict[str, None] = {}
            for a, c in [*d, *u, *b]:
                order.setdefault(str(a))
                order.setdefault(str(c))
            node_list = list(order)
        else:
            node_list = [str(n) for n in nodes]
        edges: list[Edge] = [Edge.directed(str(a), str(c)) for a, c in d]
        edges += [Edge.undirected(str(a), str(c)) for a, c in u]
        edges += [Edge.bidirected(str(a), str(c)) for a, c in b]
        return cls(node_list, edges)

    @classmethod
    def dag(cls, edges: Iterable[tuple[str, str]], nodes: Iterable[str] | None = None) -> CausalGraph:
        """A DAG from ``(parent, child)`` pairs; raises :class:`CycleError` naming a cycle if there is one."""
        g = cls.from_edges(directed=edges, nodes=nodes)
        g.require_dag()
        return g

    @classmethod
    def from_networkx(cls, graph: nx.Graph) -> CausalGraph:
        from causalbridge.graph.convert import from_networkx

        return from_networkx(graph)

    @classmethod
    def from_dot(cls, text: str) -> CausalGraph:
        from causalbridge.graph.convert import from_dot

        return from_dot(text)

    @classmethod
    def from_adjacency(
        cls, matrix: np.ndarray | Sequence[Sequence[float]], nodes: Sequence[str], convention: str = "binary"
    ) -> CausalGraph:
        from causalbridge.graph.convert import from_adjacency

        return from_adjacency(matrix, nodes, convention=convention)

    @classmethod
    def from_causallearn(cls, graph: Any, nodes: Sequence[str] | None = None) -> CausalGraph:
        from causalbridge.graph.convert import from_causallearn

        return from_causallearn(graph, nodes)

    # ------------------------------------------------------------------ export
    def to_networkx(self) -> nx.DiGraph:
        from causalbridge.graph.convert import to_networkx

        return to_networkx(self)

    def to_dot(self, name: str = "G") -> str:
        from causalbridge.graph.convert import to_dot

        return to_dot(self, name)

    def to_adjacency(self, convention: str = "binary") -> np.ndarray:
        from causalbridge.graph.convert import to_adjacency

        return to_adjacency(self, convention=convention)

    def to_causallearn(self) -> Any:
        from causalbridge.graph.convert import to_causallearn

        return to_causallearn(self)

    def to_pgmpy(self) -> Any:
        from causalbridge.graph.convert import to_pgmpy

        return to_pgmpy(self)

    # ------------------------------------------------------------------ basic access
    @property
    def nodes(self) -> tuple[str, ...]:
        return self._nodes

    @property
    def edges(self) -> tuple[Edge, ...]:
        return tuple(self._edges.values())

    @property
    def directed_edges(self) -> list[tuple[str, str]]:
        return sorted((e.u, e.v) for e in self._edges.values() if e.is_directed)

    @property
    def undirected_edges(self) -> list[tuple[str, str]]:
        return sorted((e.u, e.v) for e in self._edges.values() if e.is_undirected)

    @property
    def bidirected_edges(self) -> list[tuple[str, str]]:
        return sorted((e.u, e.v) for e in self._edges.values() if e.is_bidirected)

    def __len__(self) -> int:
        return len(self._nodes)

    def __contains__(self, node: object) -> bool:
        return node in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._nodes)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CausalGraph):
            return NotImplemented
        return set(self._nodes) == set(other._nodes) and set(self._edges.values()) == set(other._edges.values())

    def __hash__(self) -> int:
        if self._hash is None:
            object.__setattr__(self, "_hash", hash((frozenset(self._nodes), frozenset(self._edges.values()))))
        assert self._hash is not None
        return self._hash

    def __repr__(self) -> str:
        shown = ", ".join(str(e) for e in list(self._edges.values())[:8])
        more = ", ..." if len(self._edges) > 8 else ""
        return f"CausalGraph({len(self._nodes)} nodes, {len(self._edges)} edges: {shown}{more})"

    def index(self, node: str) -> int:
        self._check(node)
        return self._index[node]

    def _check(self, *nodes: str) -> None:
        for n in nodes:
            if n not in self._index:
                raise UnknownVariableError(n, self._nodes)

    def _check_all(self, nodes: Iterable[str]) -> frozenset[str]:
        out = frozenset(nodes) if not isinstance(nodes, str) else frozenset([nodes])
        self._check(*out)
        return out

    # ------------------------------------------------------------------ local structure
    def edge(self, u: str, v: str) -> Edge | None:
        """The edge between u and v (canonical orientation), or None; a directed edge wins over a bidirected one."""
        self._check(u, v)
        pair = frozenset((u, v))
        return self._edges.get((pair, False)) or self._edges.get((pair, True))

    def edges_between(self, u: str, v: str) -> tuple[Edge, ...]:
        """All edges between u and v: an ADMG may hold ``u -> v`` and ``u <-> v`` together (a "bow")."""
        self._check(u, v)
        pair = frozenset((u, v))
        return tuple(e for k in ((pair, False), (pair, True)) if (e := self._edges.get(k)) is not None)

    def has_edge(self, u: str, v: str) -> bool:
        """True when the graph has the directed edge ``u -> v``."""
        return v in self.children(u)

    def is_adjacent(self, u: str, v: str) -> bool:
        self._check(u, v)
        return v in self._adjacent[u]

    def parents(self, node: str) -> frozenset[str]:
        self._check(node)
        return self._parents[node]

    def children(self, node: str) -> frozenset[str]:
        self._check(node)
        return self._children[node]

    def neighbors(self, node: str) -> frozenset[str]:
        """Nodes joined to ``node`` by an undirected edge."""
        self._check(node)
        return self._neighbors[node]

    def spouses(self, node: str) -> frozenset[str]:
        """Nodes joined to ``node`` by a bidirected edge."""
        self._check(node)
        return self._spouses[node]

    def adjacent(self, node: str) -> frozenset[str]:
        self._check(node)
        return self._adjacent[node]

    def ancestors(self, nodes: str | Iterable[str], include_self: bool = False) -> frozenset[str]:
        """Nodes with a directed path into any of ``nodes`` (undirected edges are not followed)."""
        return self._reach(self._check_all(nodes), self._parents, include_self)

    def descendants(self, nodes: str | Iterable[str], include_self: bool = False) -> frozenset[str]:
        """Nodes reachable from any of ``nodes`` by a directed path."""
        return self._reach(self._check_all(nodes), self._children, include_self)

    @staticmethod
    def _reach(start: frozenset[str], step: Mapping[str, frozenset[str]], include_self: bool) -> frozenset[str]:
        seen: set[str] = set()
        queue = deque(start)
        while queue:
            n = queue.popleft()
            for m in step[n]:
                if m not in seen:
                    seen.add(m)
                    queue.append(m)
        # Without include_self a start node is still returned when another start node reaches it.
        return frozenset(seen | start) if include_self else frozenset(seen)

    def skeleton(self) -> frozenset[frozenset[str]]:
        """The set of adjacent pairs, ignoring marks."""
        return frozenset(pair for pair, _ in self._edges)

    def roots(self) -> list[str]:
        return [n for n in self._nodes if not self._parents[n] and not self._neighbors[n]]

    # ------------------------------------------------------------------ kinds of graph
    @property
    def is_dag(self) -> bool:
        """True when every edge is directed and there is no directed cycle."""
        return all(e.is_directed for e in self._edges.values()) and self.find_cycle() is None

    @property
    def is_pdag(self) -> bool:
        """True when every edge is directed or undirected and the directed part is acyclic."""
        return all(e.is_directed or e.is_undirected for e in self._edges.values()) and self.find_cycle() is None

    @property
    def has_circle_marks(self) -> bool:
        return any(Mark.CIRCLE in (e.mark_u, e.mark_v) for e in self._edges.values())

    def find_cycle(self) -> list[str] | None:
        """A directed cycle as a node list, or None (iterative DFS, so deep graphs do not hit recursion limits)."""
        white, grey, black = 0, 1, 2
        colour = dict.fromkeys(self._nodes, white)
        for root in self._nodes:
            if colour[root] != white:
                continue
            stack: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(self._children[root])))]
            colour[root] = grey
            path = [root]
            while stack:
                node, it = stack[-1]
                nxt = next(it, None)
                if nxt is None:
                    colour[node] = black
                    stack.pop()
                    path.pop()
                elif colour[nxt] == grey:
                    return path[path.index(nxt) :]
                elif colour[nxt] == white:
                    colour[nxt] = grey
                    stack.append((nxt, iter(sorted(self._children[nxt]))))
                    path.append(nxt)
        return None

    def require_dag(self, where: str | None = None) -> None:
        """Raise a one-line :class:`GraphError` unless this graph is a DAG."""
        bad = [e for e in self._edges.values() if not e.is_directed]
        if bad:
            raise GraphError(f"a DAG was required but edge {bad[0]} is not directed", where)
        cycle = self.find_cycle()
        if cycle is not None:
            raise CycleError(cycle, where)

    def topological_order(self) -> list[str]:
        """Parents before children (Kahn's algorithm, ties by declaration order). Raises on a cycle."""
        cycle = self.find_cycle()
        if cycle is not None:
            raise CycleError(cycle)
        indeg = {n: len(self._parents[n]) for n in self._nodes}
        ready = deque(n for n in self._nodes if indeg[n] == 0)
        order: list[str] = []
        while ready:
            n = ready.popleft()
            order.append(n)
            for c in sorted(self._children[n], key=self._index.__getitem__):
                indeg[c] -= 1
                if indeg[c] == 0:
                    ready.append(c)
        return order

    # ------------------------------------------------------------------ new graphs
    def with_edges(self, add: Iterable[EdgeLike] = (), remove: Iterable[EdgeLike] = ()) -> CausalGraph:
        """A new graph with ``remove`` taken out, then ``add`` put in (replacing what the pair had).

        In ``remove`` a pair ``(u, v)`` removes every edge between u and v; an :class:`Edge` removes only an edge
        of that kind (so removing ``Edge.directed(x, y)`` keeps a latent ``x <-> y``).
        """
        edge_map = dict(self._edges)
        for item in remove:
            if isinstance(item, Edge):
                self._check(item.u, item.v)
                edge_map.pop(_key(item), None)
                continue
            u, v = item
            self._check(u, v)
            for bidirected in (False, True):
                edge_map.pop((frozenset((u, v)), bidirected), None)
        for raw in add:
            e = raw if isinstance(raw, Edge) else Edge.directed(str(raw[0]), str(raw[1]))
            self._check(e.u, e.v)
            if e.u == e.v:
                raise GraphError(f"self-loop on {e.u!r}")
            edge_map[_key(e)] = e.canonical()
        return self._new(self._nodes, edge_map)

    def orient(self, u: str, v: str) -> CausalGraph:
        """Replace the edge between u and v (whatever its marks) by ``u -> v``."""
        if not self.is_adjacent(u, v):
            raise GraphError(f"cannot orient {u!r} -> {v!r}: they are not adjacent")
        return self.with_edges(add=[Edge.directed(u, v)])

    def remove_edge(self, u: str, v: str) -> CausalGraph:
        if not self.is_adjacent(u, v):
            raise GraphError(f"there is no edge between {u!r} and {v!r}")
        return self.with_edges(remove=[(u, v)])

    def do(self, nodes: str | Iterable[str]) -> CausalGraph:
        """The mutilated graph of an intervention: every edge *into* the intervened nodes is removed.

        Undirected and bidirected edges touching an intervened node are removed too, since they may point in.
        """
        targets = self._check_all(nodes)
        edge_map = {
            k: e
            for k, e in self._edges.items()
            if not ((e.is_directed and e.v in targets) or (not e.is_directed and k[0] & targets))
        }
        return self._new(self._nodes, edge_map)

    def subgraph(self, nodes: Iterable[str]) -> CausalGraph:
        keep = self._check_all(nodes)
        order = tuple(n for n in self._nodes if n in keep)
        return self._new(order, {k: e for k, e in self._edges.items() if k[0] <= keep})

    def rename(self, mapping: Mapping[str, str]) -> CausalGraph:
        new_nodes = [mapping.get(n, n) for n in self._nodes]
        edges = [Edge(mapping.get(e.u, e.u), mapping.get(e.v, e.v), e.mark_u, e.mark_v) for e in self._edges.values()]
        return CausalGraph(new_nodes, edges)

    def _new(self, nodes: tuple[str, ...], edge_map: dict[tuple[frozenset[str], bool], Edge]) -> CausalGraph:
        g = CausalGraph.__new__(CausalGraph)
        g._init(nodes, edge_map)
        return g

    # ------------------------------------------------------------------ causal queries (see submodules)
    def d_separated(self, x: str | Iterable[str], y: str | Iterable[str], z: Iterable[str] = ()) -> bool:
        """True when every path between X and Y is blocked by Z (graph must be a DAG)."""
        from causalbridge.graph.dsep import d_separated

        return d_separated(self, x, y, z)

    def v_structures(self) -> list[tuple[str, str, str]]:
        from causalbridge.graph.equivalence import v_structures

        return v_structures(self)

    def cpdag(self) -> CausalGraph:
        from causalbridge.graph.equivalence import cpdag

        return cpdag(self)

    def is_markov_equivalent(self, other: CausalGraph) -> bool:
        from causalbridge.graph.equivalence import markov_equivalent

        return markov_equivalent(self, other)
