"""Converters between :class:`CausalGraph` and networkx, DOT text, adjacency matrices, causal-learn and pgmpy.

Every format that stores an edge as two arcs (networkx, DOT, binary matrices) follows one rule, so the formats
agree: ``u -> v`` together with ``v -> u`` is the undirected edge ``u -- v`` (how CPDAGs are usually written
with plain arrows). Marks that a plain arc cannot say (``<->``, circles) travel as attributes or matrix codes.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from causalbridge.errors import CycleError, DependencyMissingError, GraphError, InputError
from causalbridge.graph._arcs import _merge, _pair
from causalbridge.graph.core import CausalGraph, Edge, Mark
from causalbridge.graph.dot import from_dot, to_dot

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "from_adjacency",
    "from_causallearn",
    "from_dot",
    "from_networkx",
    "to_adjacency",
    "to_causallearn",
    "to_dot",
    "to_networkx",
    "to_pgmpy",
]

_CONVENTIONS = ("binary", "causallearn")
# causal-learn's GeneralGraph stores, at graph[i, j], the mark at node i of the edge between i and j.
_CL_CODE = {Mark.TAIL: -1, Mark.ARROW: 1, Mark.CIRCLE: 2}
_CL_MARK = {code: mark for mark, code in _CL_CODE.items()}


def _import(module: str, package: str, feature: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise DependencyMissingError(package, feature) from exc


def _parse_mark(value: object, where: str) -> Mark:
    text = str(value).strip().lower()
    for mark in Mark:
        if text in (mark.name.lower(), mark.value):
            return mark
    raise GraphError(f"edge mark {value!r} is not one of tail/arrow/circle (or '-', '>', 'o')", where)


def _arc_from_networkx(s: str, t: str, data: Mapping[str, Any], directed: bool) -> Edge:
    where = f"networkx edge ({s!r}, {t!r})"
    if "mark_u" in data or "mark_v" in data:
        mu, mv = _parse_mark(data.get("mark_u"), where), _parse_mark(data.get("mark_v"), where)
        if not directed and mu is not mv:
            raise GraphError(f"marks {mu.name}/{mv.name} need a direction; use a networkx DiGraph", where)
        return Edge(s, t, mu, mv)
    if data.get("bidirected"):
        return Edge.bidirected(s, t)
    if data.get("undirected") or not directed:
        return Edge.undirected(s, t)
    return Edge.directed(s, t)


def from_networkx(graph: nx.Graph) -> CausalGraph:
    """A graph from networkx: DiGraph arcs are directed (both ways: undirected), Graph edges undirected.

    Edge attributes ``mark_u``/``mark_v`` (marks at the arc's source/target, as written by :func:`to_networkx`)
    take precedence, then ``bidirected=True`` and ``undirected=True``. Node names become strings.
    """
    nx_mod = _import("networkx", "networkx", "networkx conversion")
    if not isinstance(graph, nx_mod.Graph):
        raise GraphError(f"expected a networkx Graph or DiGraph, got {type(graph).__name__}")
    arcs: dict[frozenset[str], list[Edge]] = {}
    for s, t, data in graph.edges(data=True):
        s, t = str(s), str(t)
        if s == t:
            raise GraphError(f"self-loop on {s!r}: a variable cannot cause itself", f"networkx edge ({s!r}, {t!r})")
        arcs.setdefault(frozenset((s, t)), []).append(_arc_from_networkx(s, t, data, graph.is_directed()))
    edges = [_merge(*_pair(pair), found, "networkx graph") for pair, found in arcs.items()]
    return CausalGraph([str(n) for n in graph.nodes], edges)


def to_networkx(g: CausalGraph) -> nx.DiGraph:
    """A DiGraph: directed edges as one arc, ``--``/``<->``/``o-o`` as two arcs; every arc carries its marks."""
    nx_mod = _import("networkx", "networkx", "networkx conversion")
    out = nx_mod.DiGraph()
    out.add_nodes_from(g.nodes)
    for e in g.edges:
        attrs: dict[str, Any] = {"mark_u": e.mark_u.name.lower(), "mark_v": e.mark_v.name.lower()}
        if e.is_undirected:
            attrs["undirected"] = True
        elif e.is_bidirected:
            attrs["bidirected"] = True
        out.add_edge(e.u, e.v, **attrs)
        if e.mark_u is e.mark_v:
            out.add_edge(e.v, e.u, **attrs)
    return out


def _check_convention(convention: str) -> None:
    if convention not in _CONVENTIONS:
        raise InputError(f"unknown adjacency convention {convention!r}; use 'binary' or 'causallearn'", "convention")


def from_adjacency(matrix: Any, nodes: Sequence[str], convention: str = "binary") -> CausalGraph:
    """A graph from a square matrix whose rows and columns follow ``nodes``.

    ``binary``: ``A[i, j] = 1`` is ``i -> j``, and with ``A[j, i] = 1`` too, ``i -- j``.
    ``causallearn``: ``A[i, j]`` is the mark at node i of the edge i–j: -1 tail, 1 arrow, 2 circle, 0 no edge
    (so ``-1``/``1`` is ``i -> j``, ``-1``/``-1`` undirected, ``1``/``1`` bidirected).
    """
    _check_convention(convention)
    names = [str(n) for n in nodes]
    try:
        arr = np.asarray(matrix, dtype=float)
    except (TypeError, ValueError) as exc:
        raise GraphError(f"the adjacency matrix is not a numeric array ({exc})", "matrix") from None
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise GraphError(f"the adjacency matrix must be square, got shape {arr.shape}", "matrix")
    if arr.shape[0] != len(names):
        raise GraphError(f"the matrix has {arr.shape[0]} rows but {len(names)} node names were given", "matrix")
    allowed = (0.0, 1.0) if convention == "binary" else (-1.0, 0.0, 1.0, 2.0)
    bad = np.argwhere(~np.isin(arr, allowed) | np.isnan(arr))
    if len(bad):
        i, j = (int(x) for x in bad[0])
        codes = "0 or 1" if convention == "binary" else "-1, 0, 1 or 2 (causal-learn's multi-edge codes 4/5 too)"
        raise GraphError(
            f"value {arr[i, j]} between {names[i]!r} and {names[j]!r} is not {codes}", f"row {i}, column {j}"
        )
    loops = np.flatnonzero(np.diag(arr))
    if len(loops):
        i = int(loops[0])
        raise GraphError(f"self-loop on {names[i]!r}: the diagonal must be 0", f"row {i}, column {i}")
    edges: list[Edge] = []
    for ti, tj in zip(*np.triu_indices(len(names), k=1), strict=True):
        i, j = int(ti), int(tj)
        a, b = arr[i, j], arr[j, i]
        if a == 0 and b == 0:
            continue
        if convention == "binary":
            u, v = names[i], names[j]
            edges.append(Edge.undirected(u, v) if a and b else Edge.directed(u, v) if a else Edge.directed(v, u))
        elif a == 0 or b == 0:
            raise GraphError(
                f"edge between {names[i]!r} and {names[j]!r} has a mark at one end only ({a:g} and {b:g})",
                f"row {i}, column {j}",
            )
        else:
            edges.append(Edge(names[i], names[j], _CL_MARK[int(a)], _CL_MARK[int(b)]))
    return CausalGraph(names, edges)


def to_adjacency(g: CausalGraph, convention: str = "binary") -> np.ndarray:
    """The integer matrix of :func:`from_adjacency` (rows/columns in ``g.nodes`` order)."""
    _check_convention(convention)
    out = np.zeros((len(g.nodes), len(g.nodes)), dtype=int)
    for e in g.edges:
        i, j = g.index(e.u), g.index(e.v)
        if convention == "causallearn":
            out[i, j], out[j, i] = _CL_CODE[e.mark_u], _CL_CODE[e.mark_v]
        elif e.is_directed or e.is_undirected:  # canonical: a directed edge points u -> v
            out[i, j] = 1
            out[j, i] = int(e.is_undirected)
        else:
            raise GraphError(f"edge {e} cannot be written as a binary matrix; use convention='causallearn'")
    return out


# ---------------------------------------------------------------------------------------------- causal-learn
def from_causallearn(graph: Any, nodes: Sequence[str] | None = None) -> CausalGraph:
    """A graph from causal-learn: a ``GeneralGraph``, PC's ``CausalGraph`` (``.G``), FCI's ``(graph, edges)``
    tuple or GES's record dict (``["G"]``). ``nodes`` renames causal-learn's nodes (``X1..Xn``) in order."""
    if isinstance(graph, Mapping):
        if "G" not in graph:
            raise GraphError("a causal-learn result dict must hold the graph under 'G' (as GES returns)")
        graph = graph["G"]
    elif isinstance(graph, tuple) and graph:
        graph = graph[0]  # fci returns (graph, edges)
    if not hasattr(graph, "graph") and hasattr(graph, "G"):
        graph = graph.G
    if not (isinstance(getattr(graph, "graph", None), np.ndarray) and hasattr(graph, "get_nodes")):
        raise GraphError(f"expected a causal-learn GeneralGraph or search result, got {type(graph).__name__}")
    names = [str(n.get_name()) for n in graph.get_nodes()]
    if nodes is not None:
        if len(nodes) != len(names):
            raise GraphError(f"{len(nodes)} names given for a causal-learn graph with {len(names)} nodes", "nodes")
        names = [str(n) for n in nodes]
    return from_adjacency(graph.graph, names, convention="causallearn")


def to_causallearn(g: CausalGraph) -> Any:
    """A causal-learn ``GeneralGraph`` with one ``GraphNode`` per variable (same names, same order)."""
    feature = "conversion to causal-learn"
    general = _import("causallearn.graph.GeneralGraph", "causal-learn", feature).GeneralGraph
    graph_node = _import("causallearn.graph.GraphNode", "causal-learn", feature).GraphNode
    cl_edge = _import("causallearn.graph.Edge", "causal-learn", feature).Edge
    endpoint = _import("causallearn.graph.Endpoint", "causal-learn", feature).Endpoint
    cl_nodes = {n: graph_node(n) for n in g.nodes}
    out = general(list(cl_nodes.values()))
    for e in g.edges:  # canonical marks (tail <= circle <= arrow) are the orders causal-learn's add_edge takes
        edge = cl_edge(cl_nodes[e.u], cl_nodes[e.v], endpoint[e.mark_u.name], endpoint[e.mark_v.name])
        if out.add_edge(edge) is False:
            raise GraphError(f"causal-learn refused edge {e}")
    return out


# ---------------------------------------------------------------------------------------------- pgmpy
def to_pgmpy(g: CausalGraph) -> Any:
    """A ``pgmpy.base.DAG`` for a DAG, a ``pgmpy.base.PDAG`` when some edges are undirected.

    pgmpy has no bidirected or circle marks, so such graphs raise :class:`GraphError`; a cycle raises
    :class:`CycleError`.
    """
    odd = [e for e in g.edges if not (e.is_directed or e.is_undirected)]
    if odd:
        raise GraphError(f"pgmpy graphs cannot hold edge {odd[0]}: only directed and undirected edges")
    cycle = g.find_cycle()
    if cycle is not None:
        raise CycleError(cycle, "conversion to pgmpy")
    base = _import("pgmpy.base", "pgmpy", "conversion to pgmpy")
    if g.undirected_edges:
        out = base.PDAG(directed_ebunch=g.directed_edges, undirected_ebunch=g.undirected_edges)
    else:
        out = base.DAG()
        out.add_nodes_from(g.nodes)
        out.add_edges_from(g.directed_edges)
    out.add_nodes_from(g.nodes)
    return out
