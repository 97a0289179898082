"""Markov equivalence laws as hypothesis properties, plus causal-learn's dag2cpdag as an independent engine."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings

from causalbridge.errors import GraphError
from causalbridge.graph import (
    CausalGraph,
    Edge,
    apply_meek,
    cpdag,
    dag_extension,
    enumerate_dags,
    markov_equivalent,
    v_structures,
)
from strategies import dags


def brute_force_class(c: CausalGraph) -> set[CausalGraph]:
    """All orientations of the undirected edges that are acyclic and keep the class's v-structures."""
    target = v_structures(dag_extension(c))
    und = c.undirected_edges
    out = set()
    for bits in itertools.product([0, 1], repeat=len(und)):
        edges = [Edge.directed(u, v) if b else Edge.directed(v, u) for (u, v), b in zip(und, bits, strict=True)]
        g = c.with_edges(add=edges)
        if g.find_cycle() is None and v_structures(g) == target:
            out.add(g)
    return out


def test_hand_checked_cpdags() -> None:
    chain = CausalGraph.dag([("a", "b"), ("b", "c")])
    assert cpdag(chain) == CausalGraph.from_edges(undirected=[("a", "b"), ("b", "c")])
    collider = CausalGraph.dag([("a", "b"), ("c", "b"), ("b", "d")])
    assert cpdag(collider) == collider  # R1 orients b -> d
    assert v_structures(collider) == [("a", "b", "c")]
    assert len(list(enumerate_dags(chain))) == 3


def test_meek_rules_each_fire() -> None:
    r2 = apply_meek(CausalGraph.from_edges(directed=[("a", "c"), ("c", "b")], undirected=[("a", "b")]))
    assert r2.has_edge("a", "b")
    r3 = apply_meek(
        CausalGraph.from_edges(directed=[("c", "b"), ("d", "b")], undirected=[("a", "b"), ("a", "c"), ("a", "d")])
    )
    assert r3.has_edge("a", "b")
    r4 = apply_meek(
        CausalGraph.from_edges(directed=[("d", "c"), ("c", "b")], undirected=[("a", "b"), ("a", "d"), ("a", "c")])
    )
    assert r4.has_edge("a", "b")


def test_dag_extension_rejects_impossible_pdag() -> None:
    # a - b - c - d - a, a 4-cycle without a chord, cannot be oriented without a new v-structure.
    square = CausalGraph.from_edges(undirected=[("a", "b"), ("b", "c"), ("c", "d"), ("d", "a")])
    with pytest.raises(GraphError, match="no consistent DAG extension"):
        dag_extension(square)


@settings(max_examples=80, deadline=None)
@given(dags(max_nodes=7))
def test_cpdag_is_idempotent(g: CausalGraph) -> None:
    c = cpdag(g)
    assert cpdag(c) == c
    assert c.skeleton() == g.skeleton()
    assert set(c.directed_edges) <= set(g.directed_edges)


@settings(max_examples=60, deadline=None)
@given(dags(max_nodes=6))
def test_equivalence_class_is_exactly_the_brute_force_class(g: CausalGraph) -> None:
    c = cpdag(g)
    members = list(enumerate_dags(c))
    assert len(members) == len(set(members))
    assert set(members) == brute_force_class(c)
    assert g in members
    for h in members:
        assert markov_equivalent(g, h)
        assert cpdag(h) == c
        assert v_structures(h) == v_structures(g)  # no new v-structure


@settings(max_examples=60, deadline=None)
@given(dags(max_nodes=6), dags(max_nodes=6))
def test_equivalence_matches_cpdag_equality(g: CausalGraph, h: CausalGraph) -> None:
    if set(g.nodes) == set(h.nodes):
        assert markov_equivalent(g, h) == (cpdag(g) == cpdag(h))


@settings(max_examples=60, deadline=None)
@given(dags(min_nodes=2, max_nodes=7))
def test_cpdag_agrees_with_causal_learn(g: CausalGraph) -> None:
    from causallearn.graph.Dag import Dag
    from causallearn.graph.GraphNode import GraphNode
    from causallearn.utils.DAG2CPDAG import dag2cpdag

    nodes = {n: GraphNode(n) for n in g.nodes}
    dag = Dag(list(nodes.values()))
    for u, v in g.directed_edges:
        dag.add_directed_edge(nodes[u], nodes[v])
    m = dag2cpdag(dag).graph  # m[i, j] = -1 and m[j, i] = 1 means i -> j; -1/-1 undirected
    names = [n.get_name() for n in dag2cpdag(dag).get_nodes()]
    directed = {(names[i], names[j]) for i, j in zip(*np.nonzero(m == -1), strict=True) if m[j, i] == 1}
    undirected = {frozenset((names[i], names[j])) for i, j in zip(*np.nonzero(m == -1), strict=True) if m[j, i] == -1}
    c = cpdag(g)
    assert set(c.directed_edges) == directed
    assert {frozenset(e) for e in c.undirected_edges} == undirected
