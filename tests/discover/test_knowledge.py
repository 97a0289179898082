"""Hard knowledge: consistency checks, verification of a graph, repair, the known-edges file, causal-learn's form."""

from __future__ import annotations

from pathlib import Path

import pytest

from causalbridge.discover import Knowledge, enforce, parse_tiers, read_knowledge
from causalbridge.discover.knowledge import Violation
from causalbridge.errors import CycleError, GraphError, InputError, UnknownVariableError
from causalbridge.graph import CausalGraph, Edge


def test_required_edges_that_form_a_cycle_are_refused() -> None:
    with pytest.raises(CycleError) as caught:
        Knowledge(required=(("a", "b"), ("b", "c"), ("c", "a")))
    assert set(caught.value.cycle) == {"a", "b", "c"}


def test_contradictions_are_refused() -> None:
    with pytest.raises(InputError, match="both required and forbidden"):
        Knowledge(required=(("a", "b"),), forbidden=(("a", "b"),))
    with pytest.raises(InputError, match="earlier tier"):
        Knowledge(required=(("late", "early"),), tiers=(("early",), ("late",)))
    with pytest.raises(InputError, match="tiers 0 and 1"):
        Knowledge(tiers=(("a",), ("a", "b")))
    with pytest.raises(GraphError, match="self-loop"):
        Knowledge(required=(("a", "a"),))


def test_verify_names_every_kind_of_violation() -> None:
    k = Knowledge(
        required=(("a", "b"), ("c", "d"), ("e", "f"), ("g", "h")),
        forbidden=(("x", "y"), ("p", "q")),
        tiers=(("t0",), ("t1",)),
    )
    g = CausalGraph(
        ["a", "b", "c", "d", "e", "f", "g", "h", "x", "y", "p", "q", "t0", "t1"],
        [
            Edge.directed("d", "c"),  # required c -> d reversed
            Edge.undirected("e", "f"),  # required e -> f not oriented
            Edge.directed("g", "h"),  # satisfied
            Edge.directed("x", "y"),  # forbidden present
            Edge.undirected("p", "q"),  # forbidden p -> q allowed by an undirected edge
            Edge.directed("t1", "t0"),  # against the tiers
        ],
    )
    found = set(k.verify(g))
    assert found == {
        Violation("missing", "a", "b"),
        Violation("reversed", "c", "d"),
        Violation("unoriented", "e", "f"),
        Violation("forbidden", "x", "y"),
        Violation("forbidden", "p", "q"),
        Violation("tier", "t1", "t0"),
    }
    assert "required edge a -> b is missing" in {str(v) for v in found}


def test_a_bidirected_edge_allows_no_forbidden_arrow() -> None:
    k = Knowledge(forbidden=(("x", "y"),))
    assert k.verify(CausalGraph(["x", "y"], [Edge.bidirected("x", "y")])) == []


def test_enforce_repairs_and_propagates() -> None:
    # a -> b - c with a, c not adjacent: forcing nothing on b - c, but requiring d -> b makes b - c ... stay;
    # requiring b -> c is propagated by Meek to c - e.
    g = CausalGraph.from_edges(directed=[("a", "b")], undirected=[("c", "e"), ("b", "c")], nodes=list("abce"))
    k = Knowledge(required=(("c", "b"),), forbidden=(("c", "e"),))
    fixed = enforce(g, k)
    assert fixed.graph.has_edge("c", "b") and fixed.graph.has_edge("e", "c")
    assert ("c", "b") in fixed.forced and ("e", "c") in fixed.forced
    assert fixed.unresolved == ()
    assert k.verify(fixed.graph) == []
    assert any("repaired" in line for line in fixed.notes())


def test_enforce_breaks_a_cycle_the_required_edge_closes() -> None:
    g = CausalGraph.dag([("a", "b"), ("b", "c")])
    fixed = enforce(g, Knowledge(required=(("c", "a"),)))
    assert fixed.graph.is_dag and fixed.graph.has_edge("c", "a")
    assert len(fixed.removed) == 1 and fixed.removed[0] in {("a", "b"), ("b", "c")}


def test_enforce_drops_an_edge_forbidden_both_ways() -> None:
    g = CausalGraph.dag([("a", "b")])
    fixed = enforce(g, Knowledge(forbidden=(("a", "b"), ("b", "a"))))
    assert not fixed.graph.is_adjacent("a", "b") and fixed.removed == (("a", "b"),)


def test_nothing_to_do_is_free() -> None:
    g = CausalGraph.dag([("a", "b")])
    fixed = enforce(g, Knowledge(required=(("a", "b"),)))
    assert fixed.graph == g and fixed.found == ()


def test_read_knowledge_file(tmp_path: Path) -> None:
    path = tmp_path / "known.csv"
    path.write_text("source,target,kind\nsmoke,lung,->\n# a comment\nxray,lung,forbidden\ntub,either\n")
    k = read_knowledge(path, ["smoke", "lung", "xray", "tub", "either"])
    assert k.required == (("smoke", "lung"), ("tub", "either"))
    assert k.forbidden == (("xray", "lung"),)


@pytest.mark.parametrize(
    ("text", "error", "where"),
    [
        ("from,to\na,b\n", InputError, ":1"),
        ("source,target\na,b,c\n", InputError, ":2"),
        ("source,target,kind\na,b,maybe\n", InputError, ":2"),
        ("source,target\na,nosuch\n", UnknownVariableError, ":2"),
        ("source,target\na,a\n", GraphError, ":2"),
        ("source,target\na,b\nb,c\nc,a\n", CycleError, "required edges"),
        ("", InputError, "known.csv"),
    ],
)
def test_bad_known_edge_files_name_the_line(tmp_path: Path, text: str, error: type[Exception], where: str) -> None:
    path = tmp_path / "known.csv"
    path.write_text(text)
    with pytest.raises(error) as caught:
        read_knowledge(path, ["a", "b", "c"])
    assert where in str(caught.value) and len(str(caught.value).splitlines()) == 1


def test_missing_known_edges_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_knowledge(tmp_path / "nope.csv")


def test_tiers_parse_and_check_names() -> None:
    assert parse_tiers("a,b; c ;d", ["a", "b", "c", "d"]) == (("a", "b"), ("c",), ("d",))
    with pytest.raises(UnknownVariableError):
        parse_tiers("a;zzz", ["a", "b"])
    with pytest.raises(InputError, match="tier 1 is empty"):
        parse_tiers("a;;b")


def test_causallearn_background_knowledge_matches() -> None:
    from causallearn.graph.GraphNode import GraphNode

    k = Knowledge(required=(("a", "b"),), forbidden=(("c", "a"),), tiers=(("a", "c"), ("b",)))
    bk = k.to_causallearn(["a", "b", "c"])
    a, b, c = GraphNode("a"), GraphNode("b"), GraphNode("c")
    assert bk.is_required(a, b) and not bk.is_required(b, a)
    assert bk.is_forbidden(c, a) and bk.is_forbidden(b, c) and not bk.is_forbidden(c, b)
    with pytest.raises(UnknownVariableError):
        k.to_causallearn(["a", "b"])
