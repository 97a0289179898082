"""Converters: round trips on random graphs, the DOT parser on tricky text, and real causal-learn / pgmpy objects."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from causalbridge.errors import CycleError, GraphError, InputError
from causalbridge.graph import CausalGraph, Edge, Mark
from causalbridge.graph.convert import (
    from_adjacency,
    from_causallearn,
    from_dot,
    from_networkx,
    to_adjacency,
    to_causallearn,
    to_dot,
    to_networkx,
    to_pgmpy,
)

T, A, C = Mark.TAIL, Mark.ARROW, Mark.CIRCLE
MARKS = {
    "dag": [(T, A)],
    "pdag": [(T, A), (T, T)],
    "pag": list(itertools.product(Mark, repeat=2)),
}
simple_names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True)
any_names = st.text(min_size=1, max_size=8)


@st.composite
def graphs(draw: st.DrawFn, kind: str, names: st.SearchStrategy[str] = simple_names) -> CausalGraph:
    """Random graphs whose directed part follows a random order (so DAG/PDAG draws are acyclic)."""
    n = draw(st.integers(1, 7))
    nodes = draw(st.lists(names, min_size=n, max_size=n, unique=True))
    order = draw(st.permutations(nodes))
    choices = [None, *MARKS[kind]]
    edges = []
    for i, j in itertools.combinations(range(n), 2):
        marks = draw(st.sampled_from(choices))
        if marks is not None:
            edges.append(Edge(order[i], order[j], *marks))
    return CausalGraph(nodes, edges)


def mixed() -> CausalGraph:
    return CausalGraph(
        ["a", "b", "c", "d", "e"],
        [
            Edge.directed("a", "b"),
            Edge.undirected("b", "c"),
            Edge.bidirected("c", "d"),
            Edge("d", "e", C, A),
            Edge("a", "e", C, C),
            Edge("a", "c", T, C),
        ],
    )


# ---------------------------------------------------------------------------------------------- round trips
@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["dag", "pdag", "pag"]).flatmap(lambda k: graphs(k, any_names)))
def test_networkx_and_dot_round_trip(g: CausalGraph) -> None:
    assert from_networkx(to_networkx(g)) == g
    back = from_dot(to_dot(g))
    assert back == g
    assert back.nodes == g.nodes  # declaration order survives, isolated nodes included


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["dag", "pdag"]).flatmap(graphs))
def test_binary_adjacency_round_trip(g: CausalGraph) -> None:
    m = to_adjacency(g)
    assert from_adjacency(m, g.nodes) == g
    assert m.dtype.kind == "i" and set(np.unique(m)) <= {0, 1}


@settings(max_examples=60, deadline=None)
@given(graphs("pag"))
def test_causallearn_round_trip_and_semantics(g: CausalGraph) -> None:
    assert from_adjacency(to_adjacency(g, "causallearn"), g.nodes, "causallearn") == g
    cl = to_causallearn(g)
    assert from_causallearn(cl) == g
    assert [n.get_name() for n in cl.get_nodes()] == list(g.nodes)
    # Check with causal-learn's own queries, not by reading the matrix back the way we wrote it.
    node = {n.get_name(): n for n in cl.get_nodes()}
    for u, v in itertools.permutations(g.nodes, 2):
        e = g.edge(u, v)
        got = cl.get_endpoint(node[u], node[v])
        assert (got is None) if e is None else (got is not None and got.name == e.mark_at(v).name)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["dag", "pdag"]).flatmap(graphs))
def test_pgmpy_round_trip(g: CausalGraph) -> None:
    from pgmpy.base import DAG, PDAG

    p = to_pgmpy(g)
    assert set(p.nodes) == set(g.nodes)
    if g.undirected_edges:
        assert isinstance(p, PDAG)
        assert p.directed_edges == set(g.directed_edges)
        assert {frozenset(e) for e in p.undirected_edges} == {frozenset(e) for e in g.undirected_edges}
    else:
        assert isinstance(p, DAG) and list(p.nodes) == list(g.nodes)
    assert from_networkx(p) == g


def test_causal_graph_methods_delegate_here() -> None:
    g = mixed()
    assert CausalGraph.from_networkx(g.to_networkx()) == g
    assert CausalGraph.from_dot(g.to_dot("x")) == g
    assert CausalGraph.from_adjacency(g.to_adjacency("causallearn"), g.nodes, "causallearn") == g
    assert CausalGraph.from_causallearn(g.to_causallearn()) == g


# ---------------------------------------------------------------------------------------------- networkx
def test_to_networkx_attributes() -> None:
    d = to_networkx(mixed())
    assert d["a"]["b"] == {"mark_u": "tail", "mark_v": "arrow"} and not d.has_edge("b", "a")
    assert d["b"]["c"]["undirected"] and d["c"]["b"]["undirected"]
    assert d["c"]["d"]["bidirected"] and d["d"]["c"]["bidirected"]
    assert d["d"]["e"] == {"mark_u": "circle", "mark_v": "arrow"} and not d.has_edge("e", "d")
    assert d.has_edge("a", "e") and d.has_edge("e", "a")


def test_from_networkx_plain_graphs() -> None:
    d = nx.DiGraph([(1, 2), (2, 3), (3, 2)])
    d.add_node("lonely")
    g = from_networkx(d)
    assert g.nodes == ("1", "2", "3", "lonely")
    assert g.directed_edges == [("1", "2")] and g.undirected_edges == [("2", "3")]
    assert from_networkx(nx.Graph([("a", "b")])).undirected_edges == [("a", "b")]
    flagged = nx.DiGraph()
    flagged.add_edge("a", "b", bidirected=True)
    flagged.add_edge("b", "c", undirected=True)
    flagged.add_edge("c", "d", mark_u="o", mark_v=">")
    g2 = from_networkx(flagged)
    assert g2.edge("a", "b").is_bidirected and g2.edge("b", "c").is_undirected
    assert g2.edge("c", "d") == Edge("c", "d", C, A)
    multi = nx.MultiDiGraph([("a", "b"), ("a", "b")])
    assert from_networkx(multi).directed_edges == [("a", "b")]


@pytest.mark.parametrize(
    ("graph", "fragment"),
    [
        (nx.DiGraph([("a", "a")]), "self-loop"),
        ("not a graph", "expected a networkx"),
        (nx.DiGraph([("a", "b", {"mark_u": "tail", "mark_v": "star"})]), "'star'"),
        (nx.Graph([("a", "b", {"mark_u": "tail", "mark_v": "arrow"})]), "need a direction"),
        (nx.DiGraph([("a", "b", {"bidirected": True}), ("b", "a")]), "conflicting edges"),
    ],
)
def test_from_networkx_errors(graph: object, fragment: str) -> None:
    with pytest.raises(GraphError, match=fragment):
        from_networkx(graph)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------- DOT
def G(
    directed: Sequence[tuple[str, str]] = (),
    undirected: Sequence[tuple[str, str]] = (),
    nodes: Sequence[str] | None = None,
) -> CausalGraph:
    return CausalGraph.from_edges(directed=directed, undirected=undirected, nodes=nodes)


TRICKY: list[tuple[str, CausalGraph]] = [
    ("digraph { a -> b -> c }", G([("a", "b"), ("b", "c")])),
    ('strict DiGraph "my graph" { a -> b; a -> b; }', G([("a", "b")])),
    (
        'digraph { "say \\"hi\\"" -> "back\\\\slash"; "ab" + "cd" -> "long\\\nname" }',
        G([('say "hi"', "back\\slash"), ("abcd", "longname")]),
    ),
    ("digraph { 1 -> 2.5 -> -3 -> .5 }", G([("1", "2.5"), ("2.5", "-3"), ("-3", ".5")])),
    ("graph { a -- b -- c }", G(undirected=[("a", "b"), ("b", "c")])),
    ("digraph { a -- b; b -> c }", G([("b", "c")], [("a", "b")], nodes="abc")),
    ("digraph { a -> b; b -> a }", G(undirected=[("a", "b")])),
    (
        "digraph { a -> b [dir=none]; c -> d [dir=both]; e -> f [dir=back]; g -> h [dir=both, arrowtail=odot]\n"
        ' i -> j [arrowhead=odot]; k -> l [color=red, label="x -> y"]; m -> n [dir=both, arrowhead=none] }',
        CausalGraph(
            list("abcdefghijklmn"),
            [
                Edge.undirected("a", "b"),
                Edge.bidirected("c", "d"),
                Edge.directed("f", "e"),
                Edge("g", "h", C, A),
                Edge("i", "j", T, C),
                Edge.directed("k", "l"),
                Edge.directed("n", "m"),
            ],
        ),
    ),
    (
        "digraph { edge [dir=none]; a -> b; subgraph s { edge [dir=forward]; c -> d } e -> f }",
        G([("c", "d")], [("a", "b"), ("e", "f")], nodes=list("abcdef")),
    ),
    (
        "digraph { a -> {b c}; {x y} -> z; subgraph cluster_1 { p; q } -> r; { { s } } -> t }",
        G(
            [("a", "b"), ("a", "c"), ("x", "z"), ("y", "z"), ("p", "r"), ("q", "r"), ("s", "t")],
            nodes=["a", "b", "c", "x", "y", "z", "p", "q", "r", "s", "t"],
        ),
    ),
    (
        'digraph G {\n  rankdir=LR; graph [splines=true] node [shape=circle]\n  z; a [label="A", shape=box]\n'
        "  a:p1:n -> b:sw\n}",
        G([("a", "b")], nodes=["z", "a", "b"]),
    ),
    ("digraph { <<b>A</b>> -> b }", G([("<b>A</b>", "b")])),
    ("digraph { a -> b [dir=none; color=red, style=dashed] }", G(undirected=[("a", "b")])),
    ("digraph { ä -> 日本 -> _x9 }", G([("ä", "日本"), ("日本", "_x9")])),
]


@pytest.mark.parametrize(("text", "expected"), TRICKY)
def test_dot_parser_tricky_inputs(text: str, expected: CausalGraph) -> None:
    got = from_dot(text)
    assert got == expected
    assert got.nodes == expected.nodes


def test_dot_comments_and_preprocessor_lines() -> None:
    text = '# 1 "file.dot"\ndigraph {\n  // a -> x\n  a -> b /* block\n  c -> d */\n   # indented hash\n  "#q" -> a\n}'
    assert from_dot(text) == G([("a", "b"), ("#q", "a")])


ERRORS = [
    ("", "line 1, column 1", "expected 'graph' or 'digraph'"),
    ("digraph {\n  a -> \n}", "line 3, column 1", "expected a node"),
    ("graph { a -> b }", "line 1, column 11", "undirected graph"),
    ("digraph {\n a -> b [dir=sideways]\n}", "line 2, column 14", "dir='sideways'"),
    ('digraph {\n  "unterminated -> b\n}', "line 2, column 3", "unterminated quoted string"),
    ("digraph { a -> b /* never closed", "line 1, column 18", "unterminated /*"),
    ("digraph { 2a -> b }", "line 1, column 11", "cannot start with a digit"),
    ("digraph { a -> b } extra", "line 1, column 20", "end of input"),
    ("digraph { a -> b", "line 1, column 17", "expected '}'"),
    ("digraph {\n\ta -> a }", "line 2, column 4", "self-loop"),
    ("digraph { a -> b [dir=none]\n a -> b }", "line 2, column 4", "conflicting edges"),
    ("digraph { a -> b [color] }", "line 1, column 24", "'=' after attribute 'color'"),
    ("digraph { node -> b }", "line 1, column 16", "expected '['"),
    ("digraph { a @ b }", "line 1, column 13", "unexpected character '@'"),
    ("digraph { a -> b; c = }", "line 1, column 23", "a value"),
    ("digraph { a -> <<i>x</i> }", "line 1, column 16", "unterminated <...>"),
    ("digraph { a -> b # mid-line hash\n}", "line 1, column 18", "unexpected character '#'"),
    ("digraph { subgraph -> b }", "line 1, column 20", "expected a subgraph name or '{'"),
]


@pytest.mark.parametrize(("text", "where", "fragment"), ERRORS)
def test_dot_syntax_errors_name_line_and_column(text: str, where: str, fragment: str) -> None:
    with pytest.raises(GraphError) as info:
        from_dot(text)
    assert info.value.where == where
    assert fragment in str(info.value) and str(info.value).startswith(where)


def test_dot_round_trip_of_awkward_names() -> None:
    names = ['a"b', "c\\", "x\ny", '\\"', "node", "digraph", "->", " ", "1", "-2.5", "/*", "<i>"]
    g = CausalGraph.from_edges(directed=list(itertools.pairwise(names)))
    assert from_dot(to_dot(g)) == g


def test_to_dot_text() -> None:
    text = to_dot(mixed(), name='my "g"')
    assert text.startswith('digraph "my \\"g\\"" {\n  "a";\n')
    assert '"a" -> "b";' in text and '"b" -> "c" [dir=none];' in text and '"c" -> "d" [dir=both];' in text
    assert '"d" -> "e" [dir=both, arrowtail=odot];' in text and '"a" -> "c" [arrowhead=odot];' in text
    with pytest.raises(InputError):
        from_dot(b"digraph {}")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------- matrices
def test_adjacency_conventions_by_hand() -> None:
    binary = [[0, 1, 0], [0, 0, 1], [0, 1, 0]]
    assert from_adjacency(binary, ["a", "b", "c"]) == G([("a", "b")], [("b", "c")])
    cl = np.array([[0, -1, 2], [1, 0, 1], [1, 1, 0]])
    g = from_adjacency(cl, ["a", "b", "c"], "causallearn")
    assert g == CausalGraph(["a", "b", "c"], [Edge.directed("a", "b"), Edge.bidirected("b", "c"), Edge("a", "c", C, A)])
    assert to_adjacency(g, "causallearn").tolist() == cl.tolist()


@pytest.mark.parametrize(
    ("matrix", "nodes", "convention", "where", "fragment"),
    [
        ([[0, 1, 0], [0, 0, 1]], "abc", "binary", "matrix", "square"),
        ([[0, 1], [0, 0]], "abc", "binary", "matrix", "3 node names"),
        ([[0, 1], [float("nan"), 0]], "ab", "binary", "row 1, column 0", "nan"),
        ([[0, 2], [0, 0]], "ab", "binary", "row 0, column 1", "not 0 or 1"),
        ([[1, 0], [0, 0]], "ab", "binary", "row 0, column 0", "self-loop"),
        ([[0, -1], [0, 0]], "ab", "causallearn", "row 0, column 1", "one end only"),
        ([[0, 4], [5, 0]], "ab", "causallearn", "row 0, column 1", "multi-edge"),
        ([["x", 0], [0, 0]], "ab", "binary", "matrix", "numeric"),
        ([[0, 1], [0, 0]], "ab", "tetrad", "convention", "unknown adjacency convention"),
    ],
)
def test_adjacency_errors(matrix: object, nodes: str, convention: str, where: str, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment) as info:
        from_adjacency(matrix, list(nodes), convention)
    assert info.value.where == where


def test_binary_matrix_refuses_marks_it_cannot_hold() -> None:
    with pytest.raises(GraphError, match="causallearn"):
        to_adjacency(mixed())


# ---------------------------------------------------------------------------------------------- causal-learn
@pytest.fixture(scope="module")
def collider_data() -> np.ndarray:
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=2000), rng.normal(size=2000)
    c = a + b + rng.normal(size=2000)
    d = c + rng.normal(size=2000)
    return np.column_stack([a, b, c, d])


def test_from_causallearn_search_results(collider_data: np.ndarray) -> None:
    from causallearn.search.ConstraintBased.FCI import fci
    from causallearn.search.ConstraintBased.PC import pc
    from causallearn.search.ScoreBased.GES import ges

    names = ["a", "b", "c", "d"]
    truth = CausalGraph.dag([("a", "c"), ("b", "c"), ("c", "d")])
    pc_result = pc(collider_data, 0.01, show_progress=False)  # a causal-learn CausalGraph holding .G
    assert from_causallearn(pc_result, nodes=names) == truth
    assert from_causallearn(pc_result.G).nodes == ("X1", "X2", "X3", "X4")
    named = pc(collider_data, 0.01, show_progress=False, node_names=names)
    assert from_causallearn(named) == truth
    record = ges(collider_data)  # a dict with the graph under "G"
    assert from_causallearn(record, nodes=names) == truth
    pag = from_causallearn(fci(collider_data, show_progress=False), nodes=names)  # (graph, edges)
    assert pag == CausalGraph(names, [Edge("a", "c", C, A), Edge("b", "c", C, A), Edge.directed("c", "d")])


@pytest.mark.parametrize(
    ("obj", "nodes", "fragment"),
    [
        ({"score": 1.0}, None, "under 'G'"),
        (42, None, "expected a causal-learn"),
        (CausalGraph.dag([("a", "b")]), None, "expected a causal-learn"),
        ("to_causallearn", ["x"], "1 names given"),
    ],
)
def test_from_causallearn_errors(obj: object, nodes: list[str] | None, fragment: str) -> None:
    if obj == "to_causallearn":
        obj = to_causallearn(CausalGraph.dag([("a", "b")]))
    with pytest.raises(GraphError, match=fragment):
        from_causallearn(obj, nodes)


# ---------------------------------------------------------------------------------------------- pgmpy
def test_to_pgmpy_refusals() -> None:
    with pytest.raises(GraphError, match="pgmpy graphs cannot hold"):
        to_pgmpy(mixed())
    with pytest.raises(CycleError):
        to_pgmpy(G([("a", "b"), ("b", "c"), ("c", "a")]))
    assert list(to_pgmpy(CausalGraph(["x", "y"])).nodes) == ["x", "y"]
