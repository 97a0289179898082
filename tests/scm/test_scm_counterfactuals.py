"""Counterfactuals, ETT and natural effects on SCMs small enough to solve by hand, plus the ladder's axioms."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from causalbridge.errors import InputError
from causalbridge.graph import CausalGraph
from causalbridge.scm import DiscreteSCM

BITS = ["0", "1"]


def confounded() -> DiscreteSCM:
    """Z ~ Bern(0.3); X = Z or Ux, Ux ~ Bern(0.2); Y = X xor Z xor Uy, Uy ~ Bern(0.1)."""
    g = CausalGraph.dag([("z", "x"), ("z", "y"), ("x", "y")])
    return DiscreteSCM.from_functions(
        g,
        {"z": BITS, "x": BITS, "y": BITS},
        noise={"z": {"0": 0.7, "1": 0.3}, "x": {"0": 0.8, "1": 0.2}, "y": {"0": 0.9, "1": 0.1}},
        functions={
            "z": lambda u, pa: u,
            "x": lambda u, pa: str(int(pa["z"]) | int(u)),
            "y": lambda u, pa: str(int(pa["x"]) ^ int(pa["z"]) ^ int(u)),
        },
    )


def test_counterfactual_by_hand_on_explicit_mechanisms() -> None:
    scm = confounded()
    # Given X = 1: (z = 1) has mass 0.3, (z = 0, ux = 1) has 0.7 * 0.2 = 0.14; total 0.44.
    # Y_{X=0} = z xor uy: it is 1 when (z = 1, uy = 0): 0.3 * 0.9 = 0.27, or (z = 0, ux = 1, uy = 1): 0.014.
    # So P(Y_{X=0} = 1 | X = 1) = 0.284 / 0.44.
    got = scm.counterfactual("y", {"x": "0"}, {"x": "1"}).prob(y="1")
    assert got == pytest.approx(0.284 / 0.44, abs=1e-12)
    # Given X = 1 and Y = 1 we learn uy = z, so Y_{X=0} = z xor uy = 0 for sure.
    assert scm.counterfactual("y", {"x": "0"}, {"x": "1", "y": "1"}).prob(y="1") == pytest.approx(0.0, abs=1e-12)
    # ETT: P(Y_1 = 1 | X = 1) - P(Y_0 = 1 | X = 1); Y_1 = 1 xor z xor uy is 1 when uy = z:
    # (z = 1, uy = 1): 0.03 and (z = 0, ux = 1, uy = 0): 0.126, so the first term is 0.156 / 0.44.
    assert scm.ett("x", "y", "1", "0", "1") == pytest.approx((0.156 - 0.284) / 0.44, abs=1e-12)


def test_counterfactual_by_hand_on_the_comonotone_coupling() -> None:
    # P(Y = 1 | X = 0) = 0.3, P(Y = 1 | X = 1) = 0.6. Breakpoints of the cumulative P(Y = 0 | x): 0.4, 0.7.
    # Cells [0, .4): Y = 0 for both x; [.4, .7): Y = 0 if x = 0 and 1 if x = 1; [.7, 1): Y = 1 for both.
    g = CausalGraph.dag([("x", "y")])
    scm = DiscreteSCM.from_cpts(
        g, {"x": BITS, "y": BITS}, {"x": np.array([0.5, 0.5]), "y": np.array([[0.7, 0.4], [0.3, 0.6]])}
    )
    # X = 0, Y = 0 puts U in [0, .7); Y_{X=1} = 1 on [.4, .7): 0.3 / 0.7.
    assert scm.counterfactual("y", {"x": "1"}, {"x": "0", "y": "0"}).prob(y="1") == pytest.approx(3 / 7)
    # Probability of necessity P(Y_0 = 0 | X = 1, Y = 1): U in [.4, 1), Y_0 = 0 on [.4, .7): 0.5 —
    # the monotone (Tian-Pearl) value (P(y|x) - P(y|x')) / P(y|x) = (0.6 - 0.3) / 0.6.
    pn = scm.counterfactual("y", {"x": "0"}, {"x": "1", "y": "1"}).prob(y="0")
    assert pn == pytest.approx(0.5)


def mediation() -> DiscreteSCM:
    """X ~ Bern(0.5); M = X and not Um, Um ~ Bern(0.4); Y = M or (X and Uy), Uy ~ Bern(0.5)."""
    g = CausalGraph.dag([("x", "m"), ("m", "y"), ("x", "y")])
    return DiscreteSCM.from_functions(
        g,
        {"x": BITS, "m": BITS, "y": BITS},
        noise={"x": {"0": 0.5, "1": 0.5}, "m": {"0": 0.6, "1": 0.4}, "y": {"0": 0.5, "1": 0.5}},
        functions={
            "x": lambda u, pa: u,
            "m": lambda u, pa: str(int(pa["x"]) & (1 - int(u))),
            "y": lambda u, pa: str(int(pa["m"]) | (int(pa["x"]) & int(u))),
        },
    )


def test_natural_effects_by_hand() -> None:
    scm = mediation()
    # M_0 = 0, so Y_{1, M_0} = Uy (P = 0.5) and Y_0 = 0: NDE = 0.5.
    assert scm.nde("x", "m", "y", "1", "0", "1") == pytest.approx(0.5)
    # M_1 = 1 - Um (P = 0.6) and Y_{0, m} = m: NIE = 0.6.
    assert scm.nie("x", "m", "y", "1", "0", "1") == pytest.approx(0.6)
    # TE = P(Y_1 = 1) - P(Y_0 = 1) = (1 - 0.4 * 0.5) - 0 = 0.8 = NDE(0 -> 1) - NIE(1 -> 0) = 0.5 - (0.5 - 0.8).
    te = scm.ate("x", "y", "1", "0", "1")
    assert te == pytest.approx(0.8)
    assert scm.nie("x", "m", "y", "0", "1", "1") == pytest.approx(-0.3)
    assert te == pytest.approx(scm.nde("x", "m", "y", "1", "0", "1") - scm.nie("x", "m", "y", "0", "1", "1"))


def test_natural_effects_vanish_without_the_path() -> None:
    scm = mediation()
    # cut the direct path: y depends on m only
    g = CausalGraph.dag([("x", "m"), ("m", "y")])
    only_indirect = DiscreteSCM.from_cpts(
        g, scm.states, {"x": scm.cpt("x"), "m": scm.cpt("m"), "y": np.array([[0.9, 0.2], [0.1, 0.8]])}
    )
    assert only_indirect.nde("x", "m", "y", "1", "0", "1") == pytest.approx(0.0, abs=1e-12)
    assert only_indirect.nie("x", "m", "y", "1", "0", "1") == pytest.approx(
        only_indirect.ate("x", "y", "1", "0", "1"), abs=1e-12
    )


def test_nested_counterfactual_errors() -> None:
    scm = mediation()
    with pytest.raises(InputError, match="mediator"):
        scm.nde("x", "x", "y", "1", "0", "1")
    with pytest.raises(InputError, match="not a state"):
        scm.nie("x", "m", "y", "yes", "0", "1")


@pytest.mark.parametrize("name", ["asia", "alarm"])
def test_ladder_axioms_on_bundled_networks(name: str, ours: Callable[[str], DiscreteSCM]) -> None:
    scm = ours(name)
    order = scm.graph.topological_order()
    x = max(order[: len(order) // 2], key=lambda v: len(scm.graph.descendants(v)))
    y = max(scm.graph.descendants(x), key=order.index)
    for state in scm.states[x]:
        # empty evidence: rung 3 collapses to rung 2
        assert scm.counterfactual(y, {x: state}).allclose(scm.interventional(y, {x: state}), atol=1e-12)
        # consistency: if X was in fact x, then Y_x = Y
        assert scm.counterfactual(y, {x: state}, {x: state}).allclose(scm.query(y, {x: state}), atol=1e-12)
    # a non-descendant of X is untouched by the intervention, whatever was observed
    z = next(v for v in order if v not in scm.graph.descendants(x) and v != x)
    evidence = {y: scm.query(y).mode()[y]}
    cf = scm.counterfactual(z, {x: scm.states[x][0]}, evidence)
    assert cf.allclose(scm.query(z, evidence), atol=1e-12)


def test_counterfactual_with_impossible_evidence() -> None:
    scm = confounded()
    # z = 1 forces x = 1
    with pytest.raises(InputError, match="probability 0"):
        scm.counterfactual("y", {"x": "1"}, {"z": "1", "x": "0"})


def test_counterfactual_refuses_twin_tables_beyond_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    from causalbridge.scm import counterfactual

    monkeypatch.setattr(counterfactual, "MAX_FACTOR_ENTRIES", 4)
    with pytest.raises(counterfactual.ModelTooLargeError, match="variable 'y'.*too large"):
        confounded().counterfactual("y", {"x": "0"}, {"x": "1"})
