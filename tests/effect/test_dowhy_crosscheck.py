"""Cross-check against DoWhy (skipped when it is not installed): backdoor sets and the OLS estimate."""

from __future__ import annotations

import itertools
import logging
import warnings

import networkx as nx
import pytest

from causalbridge.effect import RegressionAdjustment, identify
from causalbridge.effect.synthetic import confounding, mediation
from causalbridge.graph import CausalGraph, is_backdoor_set

dowhy = pytest.importorskip("dowhy")
from dowhy import CausalModel  # noqa: E402
from dowhy.causal_identifier.auto_identifier import (  # noqa: E402
    BackdoorAdjustment,
    identify_backdoor,
    identify_efficient_backdoor,
)

logging.getLogger("dowhy").setLevel(logging.ERROR)

GRAPHS = {
    "confounding": [("x1", "t"), ("x1", "y"), ("x2", "t"), ("x2", "y"), ("t", "y")],
    "mediation": [("c", "t"), ("c", "y"), ("t", "m"), ("m", "y"), ("t", "y"), ("y", "d")],
    "m-bias": [("a", "t"), ("a", "m"), ("b", "m"), ("b", "y"), ("t", "y")],
    "collider-confounder": [
        ("z1", "z3"),
        ("z2", "z3"),
        ("z1", "t"),
        ("z2", "y"),
        ("z3", "t"),
        ("z3", "y"),
        ("t", "w"),
        ("w", "y"),
        ("z4", "y"),
        ("z5", "t"),
    ],
}


def _our_backdoor_sets(g: CausalGraph) -> set[frozenset[str]]:
    pool = [v for v in g.nodes if v not in ("t", "y") and v not in g.descendants("t")]
    return {
        frozenset(z)
        for k in range(len(pool) + 1)
        for z in itertools.combinations(pool, k)
        if is_backdoor_set(g, "t", "y", z)
    }


@pytest.mark.parametrize("name", list(GRAPHS))
def test_backdoor_sets_agree_with_dowhy(name: str) -> None:
    edges = GRAPHS[name]
    g, nxg = CausalGraph.dag(edges), nx.DiGraph(edges)
    nodes = list(nxg.nodes)
    exhaustive = identify_backdoor(nxg, ["t"], ["y"], nodes, BackdoorAdjustment.BACKDOOR_EXHAUSTIVE)
    assert {frozenset(s.get_adjustment_variables()) for s in exhaustive} == _our_backdoor_sets(g)
    ident = identify(g, "t", "y")
    efficient = identify_efficient_backdoor(nxg, ["t"], ["y"], nodes, BackdoorAdjustment.BACKDOOR_EFFICIENT, None)
    assert set(efficient[0].get_adjustment_variables()) == set(ident.optimal_set or ())
    minimal = identify_backdoor(nxg, ["t"], ["y"], nodes, BackdoorAdjustment.BACKDOOR_MIN)
    assert frozenset(ident.minimal_set or ()) in {frozenset(s.get_adjustment_variables()) for s in minimal}


@pytest.mark.parametrize("scenario", [confounding, mediation], ids=["binary-t", "continuous-t"])
def test_ols_estimate_matches_dowhy(scenario: object) -> None:
    s = scenario(800, 4)  # type: ignore[operator]
    data = s.data.astype(float)
    model = CausalModel(data=data, treatment="t", outcome="y", graph=nx.DiGraph(s.graph.directed_edges))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimand = model.identify_effect(proceed_when_unidentifiable=True)
        theirs = model.estimate_effect(estimand, method_name="backdoor.linear_regression").value
    backdoor = sorted(estimand.get_backdoor_variables())
    assert set(backdoor) == set(identify(s.graph, "t", "y").minimal_set or ())
    ours = RegressionAdjustment().fit(data, "t", "y", backdoor).effect_.value
    assert ours == pytest.approx(theirs, abs=1e-6)
