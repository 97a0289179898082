"""Identification: estimand kinds, adjustment sets, bad controls, explanations, latent projection."""

from __future__ import annotations

import json
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from causalbridge.effect import EstimandKind, bad_controls, check_adjustment, identify, latent_projection, open_path
from causalbridge.effect.paths import Path
from causalbridge.errors import GraphError, UnknownVariableError
from causalbridge.graph import CausalGraph, Mark, d_separated, is_adjustment_set
from strategies import dags

CONFOUNDED = CausalGraph.dag([("c", "t"), ("c", "y"), ("t", "y")])
RICH = CausalGraph.dag(
    [
        ("c", "t"),
        ("c", "y"),
        ("t", "m"),
        ("m", "y"),
        ("t", "y"),
        ("y", "d"),
        ("t", "w"),
        ("a", "t"),
        ("a", "mm"),
        ("b", "mm"),
        ("b", "y"),
    ]
)


def test_backdoor_sets_for_a_simple_confounder() -> None:
    ident = identify(CONFOUNDED, "t", "y")
    assert ident.kind is EstimandKind.BACKDOOR
    assert ident.identified
    assert ident.valid_set == ident.minimal_set == ident.optimal_set == ("c",)
    assert ident.adjustment_set == ("c",)
    assert "c" in ident.estimand


def test_rich_graph_sets_and_bad_controls() -> None:
    ident = identify(RICH, "t", "y")
    assert ident.kind is EstimandKind.BACKDOOR
    assert ident.minimal_set == ("c",)
    assert ident.optimal_set == ("c", "b")  # b is a parent of y: adding it lowers the variance
    assert ident.valid_set is not None and is_adjustment_set(RICH, "t", "y", ident.valid_set)
    kinds = {b.variable: b.kind for b in ident.bad_controls}
    assert kinds == {
        "m": "mediator",
        "d": "descendant of the outcome",
        "w": "descendant of the treatment",
        "mm": "collider",
    }
    reasons = {b.variable: b.reason for b in ident.bad_controls}
    assert "t -> m -> y" in reasons["m"]
    assert "y -> d" in reasons["d"]
    assert "t <- a -> mm <- b -> y" in reasons["mm"]
    assert [i.variable for i in ident.instruments] == ["a"]
    json.dumps(ident.to_dict())


def test_descendant_of_treatment_that_is_a_collider_is_flagged() -> None:
    g = CausalGraph.dag([("t", "w"), ("u", "w"), ("u", "y"), ("t", "y")])
    [bad] = bad_controls(g, "t", "y")
    assert bad.variable == "w" and "collider" in bad.kind
    assert "t -> w <- u -> y" in bad.reason


def test_check_adjustment_explains_each_problem() -> None:
    ok = check_adjustment(RICH, "t", "y", ["c", "b"])
    assert ok.valid and ok.problems == () and "is a valid adjustment set" in ok.explain()
    mediator = check_adjustment(RICH, "t", "y", ["c", "m"])
    assert not mediator.valid
    assert any("mediator on the causal path t -> m -> y" in p for p in mediator.problems)
    collider = check_adjustment(RICH, "t", "y", ["c", "mm"])
    assert not collider.valid and collider.open_path == "t <- a -> mm <- b -> y"
    assert "collider mm" in collider.explain()
    missing = check_adjustment(RICH, "t", "y", [])
    assert missing.open_path == "t <- c -> y"
    assert "adjust for one of c" in missing.explain()
    itself = check_adjustment(RICH, "t", "y", ["t", "c"])
    assert any("treatment itself" in p for p in itself.problems)
    with pytest.raises(UnknownVariableError, match="adjustment set"):
        check_adjustment(RICH, "t", "y", ["nope"])


def test_check_adjustment_with_latent_variables() -> None:
    g = CausalGraph.dag([("u", "t"), ("u", "y"), ("t", "y"), ("c", "t"), ("c", "y")])
    check = check_adjustment(g, "t", "y", ["c", "u"], observed=["t", "y", "c"])
    assert not check.valid
    assert any("u is not observed" in p for p in check.problems)
    assert any("t <-> y" in p for p in check.problems)


def test_frontdoor_when_treatment_and_outcome_share_a_latent_cause() -> None:
    g = CausalGraph.from_edges([("t", "m"), ("m", "y")], bidirected=[("t", "y")])
    ident = identify(g, "t", "y")
    assert ident.kind is EstimandKind.FRONTDOOR
    assert ident.frontdoor_set == ("m",)
    assert ident.valid_set is None and ident.adjustment_set is None
    assert "t <-> y" in ident.reason and "frontdoor" in ident.reason


def test_instrument_with_a_latent_node_declared_in_the_graph() -> None:
    g = CausalGraph.dag([("z", "t"), ("u", "t"), ("u", "y"), ("t", "y")])
    ident = identify(g, "t", "y", observed=["z", "t", "y"])
    assert ident.kind is EstimandKind.IV
    assert ident.latent == ("u",)
    assert [(i.variable, i.given) for i in ident.instruments] == [("z", ())]
    # With u observed the effect is identified by adjustment instead.
    assert identify(g, "t", "y").kind is EstimandKind.BACKDOOR


def test_conditional_instrument() -> None:
    g = CausalGraph.from_edges([("w", "z"), ("w", "y"), ("z", "t"), ("t", "y")], bidirected=[("t", "y")])
    ident = identify(g, "t", "y")
    assert ident.kind is EstimandKind.IV
    assert ("z", ("w",)) in [(i.variable, i.given) for i in ident.instruments]


def test_not_identifiable_names_the_reason() -> None:
    g = CausalGraph.from_edges([("t", "y")], bidirected=[("t", "y")])
    ident = identify(g, "t", "y")
    assert ident.kind is EstimandKind.NOT_IDENTIFIABLE and not ident.identified
    assert "t <-> y" in ident.reason and "no mediator" in ident.reason and "no instrument" in ident.reason
    # t <-> c -> y needs c, but c is also a collider on t <-> c <-> y: no set works.
    g2 = CausalGraph.from_edges([("c", "y"), ("t", "y")], bidirected=[("t", "c"), ("c", "y")])
    ident2 = identify(g2, "t", "y")
    assert ident2.kind is EstimandKind.NOT_IDENTIFIABLE
    assert "the backdoor path t <-> c <-> y cannot be blocked" in ident2.reason


def test_zero_effect_when_no_directed_path() -> None:
    g = CausalGraph.dag([("c", "t"), ("c", "y")])
    ident = identify(g, "t", "y")
    assert ident.kind is EstimandKind.ZERO and ident.identified
    assert ident.valid_set == ident.minimal_set == ("c",)
    assert "zero" in ident.reason


def test_bad_graphs_and_names() -> None:
    with pytest.raises(UnknownVariableError, match="graph"):
        identify(CONFOUNDED, "nope", "y")
    with pytest.raises(UnknownVariableError, match="data"):
        identify(CONFOUNDED, "t", "y", observed=["c", "y"])
    undirected = CausalGraph.from_edges([("c", "y"), ("t", "y")], undirected=[("c", "t")])
    with pytest.raises(GraphError, match="undirected"):
        identify(undirected, "t", "y")


def test_latent_projection_rules() -> None:
    g = CausalGraph.dag([("a", "l1"), ("l1", "b"), ("l2", "c"), ("l2", "d"), ("l2", "l3"), ("l3", "e")])
    p = latent_projection(g, ["a", "b", "c", "d", "e"])
    assert p.directed_edges == [("a", "b")]
    assert p.bidirected_edges == [("c", "d"), ("c", "e"), ("d", "e")]
    # An explicit <-> with a latent end is followed to that end's observed descendants.
    g2 = CausalGraph.from_edges([("l", "x")], bidirected=[("y", "l")])
    assert latent_projection(g2, ["x", "y"]).bidirected_edges == [("x", "y")]


def _is_open(g: CausalGraph, path: Path, z: frozenset[str]) -> bool:
    an_z = g.ancestors(z, include_self=True) if z else frozenset()
    colliders = set(path.colliders())
    inner = path.nodes[1:-1]
    return all((v in an_z) if v in colliders else (v not in z) for v in inner)


@settings(max_examples=60, deadline=None)
@given(dags(min_nodes=3, max_nodes=7), st.data())
def test_projection_preserves_d_separation_and_open_paths_are_open(g: CausalGraph, data: st.DataObject) -> None:
    nodes = list(g.nodes)
    latent = set(data.draw(st.sets(st.sampled_from(nodes), max_size=len(nodes) - 2)))
    observed = [n for n in nodes if n not in latent]
    p = latent_projection(g, observed)
    x, y = observed[0], observed[-1]
    rest = observed[1:-1]
    for k in range(min(2, len(rest)) + 1):
        for z in combinations(rest, k):
            separated = d_separated(g, x, y, z)
            assert d_separated(p, x, y, z) == separated
            path = open_path(p, x, y, z)
            assert (path is None) == separated
            if path is not None:
                assert path.nodes[0] == x and path.nodes[-1] == y
                assert len(set(path.nodes)) == len(path.nodes)
                assert _is_open(p, path, frozenset(z))
                for i, e in enumerate(path.edges):
                    assert e.nodes == {path.nodes[i], path.nodes[i + 1]}
                    assert e.mark_at(path.nodes[i]) in (Mark.TAIL, Mark.ARROW)
