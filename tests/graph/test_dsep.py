"""d-separation: hand-checked cases, laws as properties, and networkx as an independent engine."""

from __future__ import annotations

import itertools

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from causalbridge.errors import GraphError
from causalbridge.graph import CausalGraph, d_separated
from strategies import dags


def test_textbook_cases() -> None:
    chain = CausalGraph.dag([("a", "b"), ("b", "c")])
    fork = CausalGraph.dag([("b", "a"), ("b", "c")])
    collider = CausalGraph.dag([("a", "b"), ("c", "b"), ("b", "d")])
    assert not d_separated(chain, "a", "c") and d_separated(chain, "a", "c", ["b"])
    assert not d_separated(fork, "a", "c") and d_separated(fork, "a", "c", ["b"])
    assert d_separated(collider, "a", "c")
    assert not d_separated(collider, "a", "c", ["b"])
    assert not d_separated(collider, "a", "c", ["d"])  # conditioning on a descendant of the collider opens it


def test_bidirected_edges_are_m_separation() -> None:
    g = CausalGraph.from_edges(directed=[("x", "m"), ("m", "y")], bidirected=[("x", "y")])
    assert not d_separated(g, "x", "y", ["m"])  # the latent confounder stays open
    h = CausalGraph.from_edges(bidirected=[("a", "b"), ("b", "c")])
    assert d_separated(h, "a", "c") and not d_separated(h, "a", "c", ["b"])  # b is a collider a <-> b <-> c


def test_bad_arguments() -> None:
    g = CausalGraph.dag([("a", "b")])
    with pytest.raises(GraphError, match="disjoint"):
        d_separated(g, "a", "a")
    with pytest.raises(GraphError, match="neither directed"):
        d_separated(CausalGraph.from_edges(undirected=[("a", "b")], nodes=["a", "b", "c"]), "a", "c")


def _subsets(nodes: list[str]) -> list[tuple[str, ...]]:
    return [c for r in range(len(nodes) + 1) for c in itertools.combinations(nodes, r)]


@settings(max_examples=60, deadline=None)
@given(dags(min_nodes=2, max_nodes=6))
def test_agrees_with_networkx_and_is_symmetric(g: CausalGraph) -> None:
    ng = nx.DiGraph(g.directed_edges)
    ng.add_nodes_from(g.nodes)
    nodes = list(g.nodes)
    for x, y in itertools.combinations(nodes, 2):
        rest = [n for n in nodes if n not in (x, y)]
        for z in _subsets(rest):
            ours = d_separated(g, x, y, z)
            assert ours == nx.is_d_separator(ng, {x}, {y}, set(z))
            assert ours == d_separated(g, y, x, z)


@settings(max_examples=40, deadline=None)
@given(dags(min_nodes=3, max_nodes=7), st.data())
def test_local_markov_property(g: CausalGraph, data: st.DataObject) -> None:
    """Every node is d-separated from its non-descendants (other than its parents) given its parents."""
    v = data.draw(st.sampled_from(g.nodes))
    others = set(g.nodes) - g.descendants(v, include_self=True) - g.parents(v)
    if others:
        assert d_separated(g, v, others, g.parents(v))
