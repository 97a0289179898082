"""Adjustment, frontdoor and instrument checks on textbook graphs and as properties on random DAGs."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from causalbridge.graph import (
    CausalGraph,
    is_adjustment_set,
    is_backdoor_set,
    is_instrument,
    minimal_adjustment_set,
    optimal_adjustment_set,
    satisfies_frontdoor,
)
from strategies import dags


def test_confounder_mediator_collider() -> None:
    g = CausalGraph.dag([("z", "x"), ("z", "y"), ("x", "m"), ("m", "y"), ("x", "c"), ("y", "c"), ("w", "z")])
    assert is_backdoor_set(g, "x", "y", ["z"]) and is_backdoor_set(g, "x", "y", ["w", "z"])
    assert not is_backdoor_set(g, "x", "y", [])  # x <- z -> y is open
    assert not is_backdoor_set(g, "x", "y", ["z", "m"])  # m is a mediator: a bad control
    assert not is_backdoor_set(g, "x", "y", ["z", "c"])  # c is a collider of x and y
    assert optimal_adjustment_set(g, "x", "y") == {"z"}
    assert minimal_adjustment_set(g, "x", "y") == {"z"}


def test_m_bias() -> None:
    g = CausalGraph.dag([("u1", "x"), ("u1", "m"), ("u2", "m"), ("u2", "y"), ("x", "y")])
    assert is_backdoor_set(g, "x", "y", [])
    assert not is_backdoor_set(g, "x", "y", ["m"])  # conditioning on the M-collider opens u1 - u2
    assert is_backdoor_set(g, "x", "y", ["m", "u1"])
    assert minimal_adjustment_set(g, "x", "y") == frozenset()


def test_optimal_set_prefers_outcome_parents() -> None:
    # Henckel et al.: O-set uses parents of the causal nodes, here the precision variable w of y.
    g = CausalGraph.dag([("a", "x"), ("x", "y"), ("w", "y"), ("a", "b"), ("b", "y")])
    assert optimal_adjustment_set(g, "x", "y") == {"w", "b"}
    assert minimal_adjustment_set(g, "x", "y") == {"b"}


def test_no_causal_path_and_latent_confounding() -> None:
    assert optimal_adjustment_set(CausalGraph.dag([("y", "x")]), "x", "y") is None
    bow = CausalGraph.from_edges(directed=[("z", "x"), ("x", "y")], bidirected=[("x", "y")])
    assert optimal_adjustment_set(bow, "x", "y") is None
    assert is_instrument(bow, "z", "x", "y")
    assert not is_instrument(bow.with_edges(add=[("z", "y")]), "z", "x", "y")  # exclusion violated


def test_frontdoor() -> None:
    g = CausalGraph.from_edges(directed=[("x", "m"), ("m", "y")], bidirected=[("x", "y")])
    assert satisfies_frontdoor(g, "x", "y", ["m"])
    assert not satisfies_frontdoor(g.with_edges(add=[("x", "y")]), "x", "y", ["m"])  # direct path bypasses m
    assert not satisfies_frontdoor(
        CausalGraph.from_edges(directed=[("x", "m"), ("m", "y")], bidirected=[("m", "y")]), "x", "y", ["m"]
    )


def _subsets(items: list[str]) -> list[frozenset[str]]:
    return [frozenset(c) for r in range(len(items) + 1) for c in itertools.combinations(items, r)]


@settings(max_examples=60, deadline=None)
@given(dags(min_nodes=2, max_nodes=6), st.data())
def test_adjustment_properties(g: CausalGraph, data: st.DataObject) -> None:
    x, y = data.draw(st.lists(st.sampled_from(g.nodes), min_size=2, max_size=2, unique=True))
    others = [n for n in g.nodes if n not in (x, y)]
    valid = [z for z in _subsets(others) if is_adjustment_set(g, x, y, z)]
    # The backdoor criterion is sufficient: every backdoor set is a valid adjustment set.
    for z in _subsets(others):
        if is_backdoor_set(g, x, y, z) and y in g.descendants(x):
            assert z in valid
    o_set = optimal_adjustment_set(g, x, y)
    if y not in g.descendants(x):
        assert o_set is None
        return
    # In a DAG (no latents) some valid set always exists, and O is valid.
    assert o_set is not None and o_set in valid
    minimal = minimal_adjustment_set(g, x, y)
    assert minimal is not None and minimal in valid and minimal <= o_set
    assert not any(s < minimal for s in valid)  # inclusion-minimal against brute force
