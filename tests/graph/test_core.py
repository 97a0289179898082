from __future__ import annotations

import pickle

import pytest

from causalbridge.errors import CycleError, GraphError, UnknownVariableError
from causalbridge.graph import CausalGraph, Edge, Mark


def smoking() -> CausalGraph:
    return CausalGraph.dag([("smoking", "tar"), ("tar", "cancer"), ("genes", "smoking"), ("genes", "cancer")])


def test_local_structure() -> None:
    g = smoking()
    assert g.parents("cancer") == {"tar", "genes"}
    assert g.children("genes") == {"smoking", "cancer"}
    assert g.ancestors("cancer") == {"tar", "smoking", "genes"}
    assert g.descendants("smoking") == {"tar", "cancer"}
    assert g.ancestors("cancer", include_self=True) == {"tar", "smoking", "genes", "cancer"}
    assert g.ancestors(["cancer", "tar"]) == {"tar", "smoking", "genes"}  # tar is an ancestor of cancer
    assert g.is_adjacent("cancer", "tar") and not g.is_adjacent("smoking", "cancer")
    assert g.has_edge("tar", "cancer") and not g.has_edge("cancer", "tar")
    assert g.roots() == ["genes"]


def test_topological_order_respects_edges() -> None:
    g = smoking()
    order = g.topological_order()
    for u, v in g.directed_edges:
        assert order.index(u) < order.index(v)


def test_immutable_and_hashable() -> None:
    g = smoking()
    with pytest.raises(AttributeError):
        g._nodes = ()  # type: ignore[misc]
    h = CausalGraph.dag([("genes", "cancer"), ("genes", "smoking"), ("tar", "cancer"), ("smoking", "tar")])
    assert g == h and hash(g) == hash(h)
    assert pickle.loads(pickle.dumps(g)) == g
    g2 = g.remove_edge("tar", "cancer")
    assert g.is_adjacent("tar", "cancer") and not g2.is_adjacent("tar", "cancer")


def test_cycle_is_named() -> None:
    with pytest.raises(CycleError) as err:
        CausalGraph.dag([("a", "b"), ("b", "c"), ("c", "a")])
    assert "a -> b -> c -> a" in str(err.value)
    assert err.value.cycle == ["a", "b", "c"]


def test_unknown_variable_suggests_a_name() -> None:
    g = smoking()
    with pytest.raises(UnknownVariableError) as err:
        g.parents("cancr")
    assert "did you mean 'cancer'" in str(err.value)
    with pytest.raises(UnknownVariableError):
        CausalGraph(["a"], [("a", "b")])


@pytest.mark.parametrize(
    ("nodes", "edges", "message"),
    [
        (["a", "a"], [], "listed twice"),
        (["a"], [("a", "a")], "self-loop"),
        (["a", "b"], [Edge.directed("a", "b"), Edge.directed("b", "a")], "conflicting edges"),
        (["a", ""], [], "empty"),
    ],
)
def test_bad_graphs(nodes: list[str], edges: list[Edge], message: str) -> None:
    with pytest.raises(GraphError, match=message):
        CausalGraph(nodes, edges)


def test_mixed_edges_and_kinds() -> None:
    g = CausalGraph.from_edges(directed=[("a", "b")], undirected=[("b", "c")], bidirected=[("c", "d")])
    assert g.undirected_edges == [("b", "c")] and g.bidirected_edges == [("c", "d")]
    assert g.neighbors("b") == {"c"} and g.spouses("d") == {"c"}
    assert not g.is_dag and not g.is_pdag
    assert CausalGraph.from_edges(directed=[("a", "b")], undirected=[("b", "c")]).is_pdag
    with pytest.raises(GraphError, match="not directed"):
        g.require_dag()
    pag = CausalGraph(["a", "b"], [Edge("a", "b", Mark.CIRCLE, Mark.ARROW)])
    assert pag.has_circle_marks and str(pag.edges[0]) == "a o-> b"


def test_bow_arc_keeps_directed_and_bidirected_edge() -> None:
    g = CausalGraph.from_edges(directed=[("x", "y")], bidirected=[("x", "y")])
    assert len(g.edges_between("x", "y")) == 2
    assert g.parents("y") == {"x"} and g.spouses("y") == {"x"}
    assert g.with_edges(remove=[Edge.directed("x", "y")]).bidirected_edges == [("x", "y")]
    assert g.with_edges(remove=[("x", "y")]).edges == ()


def test_do_removes_incoming_edges_only() -> None:
    g = CausalGraph.from_edges(
        directed=[("z", "x"), ("x", "y"), ("z", "y")], bidirected=[("x", "w")], nodes=["z", "x", "y", "w"]
    )
    m = g.do("x")
    assert m.parents("x") == frozenset() and m.spouses("x") == frozenset()
    assert m.children("x") == {"y"} and m.parents("y") == {"x", "z"}


def test_orient_and_subgraph() -> None:
    g = CausalGraph.from_edges(undirected=[("a", "b"), ("b", "c")])
    h = g.orient("b", "a")
    assert h.has_edge("b", "a") and h.undirected_edges == [("b", "c")]
    with pytest.raises(GraphError, match="not adjacent"):
        g.orient("a", "c")
    assert g.subgraph(["a", "b"]).nodes == ("a", "b")
    assert g.rename({"a": "A"}).neighbors("A") == {"b"}


def test_deep_chain_has_no_recursion_problem() -> None:
    n = 5000
    g = CausalGraph.dag([(f"v{i}", f"v{i + 1}") for i in range(n)])
    assert len(g.topological_order()) == n + 1
    assert len(g.ancestors(f"v{n}")) == n
