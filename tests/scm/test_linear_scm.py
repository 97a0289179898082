"""LinearSCM: exact effects, counterfactuals (full and partial evidence), sampling and validation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from causalbridge.errors import GraphError, InputError, UnknownVariableError
from causalbridge.graph import CausalGraph
from causalbridge.scm import LinearSCM, Noise


def mediated() -> LinearSCM:
    """x -> m -> y and x -> y: m = 2x + Um, y = 1 + x + 3m + Uy (standard Gaussian noise)."""
    g = CausalGraph.dag([("x", "m"), ("m", "y"), ("x", "y")])
    return LinearSCM(g, {("x", "m"): 2.0, ("m", "y"): 3.0, ("x", "y"): 1.0}, intercepts={"y": 1.0})


def path_sum(scm: LinearSCM, source: str, target: str) -> float:
    """Sum over directed paths of coefficient products, by explicit depth-first enumeration."""
    if source == target:
        return 1.0
    coef = scm.coefficients
    return sum(coef[(source, c)] * path_sum(scm, c, target) for c in scm.graph.children(source))


def test_total_effect_is_the_path_sum() -> None:
    assert mediated().ate("x", "y") == pytest.approx(7.0)
    assert mediated().ate("x", "y", treated=3.0, control=1.0) == pytest.approx(14.0)
    assert mediated().ate("y", "x") == 0.0
    rng = np.random.default_rng(5)
    names = [f"v{i}" for i in range(7)]
    edges = [(names[i], names[j]) for i in range(7) for j in range(i + 1, 7) if rng.random() < 0.4]
    scm = LinearSCM.random(CausalGraph.dag(edges, nodes=names), seed=3)
    for a in names:
        for b in names:
            if a != b:
                assert scm.ate(a, b) == pytest.approx(path_sum(scm, a, b), abs=1e-12)


def confounded() -> LinearSCM:
    g = CausalGraph.dag([("z", "t"), ("z", "y"), ("t", "m"), ("m", "y"), ("t", "y"), ("w", "y")])
    return LinearSCM.random(g, seed=12, noise={"t": Noise("gaussian", 1.0), "y": Noise("laplace", 1.0)})


def test_ate_equals_regression_adjusting_for_parents_of_treatment() -> None:
    scm = confounded()
    data = scm.sample(50_000, seed=1)
    design = np.column_stack([np.ones(len(data)), data["t"], data["z"]])
    beta, *_ = np.linalg.lstsq(design, data["y"].to_numpy(), rcond=None)
    assert beta[1] == pytest.approx(scm.ate("t", "y"), abs=0.04)
    # without adjustment the confounder biases the estimate (so the test above can fail)
    naive = np.polyfit(data["t"], data["y"], 1)[0]
    assert abs(naive - scm.ate("t", "y")) > 0.1


def test_interventional_samples_agree_with_the_ate() -> None:
    scm = confounded()
    hi = scm.do({"t": 1.0}).sample(20_000, seed=4)
    lo = scm.do({"t": 0.0}).sample(20_000, seed=4)
    # paired samples: the same units, so the difference is exactly the effect for every row
    np.testing.assert_allclose(hi["y"] - lo["y"], scm.ate("t", "y"), atol=1e-9)
    assert (hi["t"] == 1.0).all()


def test_do_mutilates_and_keeps_the_rest() -> None:
    scm = mediated()
    post = scm.do({"m": 5.0})
    assert post.graph == scm.graph.do(["m"])
    assert ("x", "m") not in post.coefficients
    assert post.intercepts["m"] == 5.0 and post.noise["m"].scale == 0.0
    assert post.ate("x", "y") == pytest.approx(1.0)
    assert scm.do({}) is scm
    with pytest.raises(InputError, match="not a number"):
        scm.do({"m": "high"})  # type: ignore[dict-item]


def test_counterfactual_from_full_evidence_by_hand() -> None:
    # u_m = 2.5 - 2 * 1 = 0.5, u_y = 10 - 1 - 1 - 3 * 2.5 = 0.5; under do(x = 0): m = 0.5, y = 1 + 3 * 0.5 + 0.5 = 3
    got = mediated().counterfactual({"x": 1.0, "m": 2.5, "y": 10.0}, do={"x": 0.0})
    assert got == pytest.approx({"x": 0.0, "m": 0.5, "y": 3.0})
    # Laplace noise is fine when the evidence determines every needed noise term
    lap = LinearSCM(mediated().graph, mediated().coefficients, mediated().intercepts, Noise("laplace", 2.0))
    assert lap.counterfactual({"x": 1.0, "m": 2.5, "y": 10.0}, do={"x": 0.0}, targets="y") == pytest.approx({"y": 3.0})


def test_gaussian_counterfactual_mean_from_partial_evidence_by_hand() -> None:
    # y = 1 + 7 Ux + 3 Um + Uy, Var(y) = 59, so E[U | y = 10] = (7, 3, 1) * 9 / 59.
    # Under do(x = 0): m = Um -> 27 / 59, y = 1 + 3 m + Uy -> 1 + 90 / 59.
    got = mediated().counterfactual({"y": 10.0}, do={"x": 0.0})
    assert got == pytest.approx({"x": 0.0, "m": 27 / 59, "y": 1 + 90 / 59})
    # consistency: intervening on the value x actually had leaves the observed y unchanged
    same = mediated().counterfactual({"x": 1.0, "y": 10.0}, do={"x": 1.0})
    assert same["y"] == pytest.approx(10.0)


def test_gaussian_counterfactual_mean_matches_joint_gaussian_conditioning() -> None:
    names = [f"v{i}" for i in range(6)]
    edges = [(names[i], names[j]) for i in range(6) for j in range(i + 1, 6) if (i * 7 + j) % 3 != 0]
    g = CausalGraph.dag(edges, nodes=names)
    noise = {v: Noise("gaussian", 0.5 + 0.3 * i) for i, v in enumerate(names)}
    scm = LinearSCM.random(g, seed=9, noise=noise)
    a = scm.total_effects()
    c = np.array([scm.intercepts[v] for v in names])
    d = np.diag([noise[v].variance for v in names])
    evidence = {"v2": 0.7, "v5": -1.3}
    post = scm.do({"v1": 2.0})
    a_post = post.total_effects()
    c_post = np.array([post.intercepts[v] for v in names])
    keep = np.diag([0.0 if v == "v1" else 1.0 for v in names])
    rows = [names.index(v) for v in evidence]
    # Cov(X*, X_E) and the Gaussian regression of X* on X_E, without abducting U
    cov = a_post @ keep @ d @ a[rows].T
    s = a[rows] @ d @ a[rows].T
    e = np.array(list(evidence.values()))
    expected = a_post @ c_post + cov @ np.linalg.solve(s, e - a[rows] @ c)
    got = scm.counterfactual(evidence, do={"v1": 2.0})
    np.testing.assert_allclose([got[v] for v in names], expected, atol=1e-10)


def test_counterfactual_refuses_what_it_cannot_do_exactly() -> None:
    scm = LinearSCM(mediated().graph, mediated().coefficients, noise=Noise("laplace", 1.0))
    with pytest.raises(InputError, match="cannot be computed exactly.*not Gaussian"):
        scm.counterfactual({"y": 10.0}, do={"x": 0.0})
    # y is a deterministic function of x (y = 2x, no noise): the evidence x = 1, y = 3 is impossible
    g = CausalGraph.dag([("x", "y")], nodes=["x", "y", "w"])
    det = LinearSCM(g, {("x", "y"): 2.0}, noise={"y": Noise("gaussian", 0.0)})
    with pytest.raises(InputError, match="impossible"):
        det.counterfactual({"x": 1.0, "y": 3.0}, do={"x": 0.0}, targets="w")
    assert det.counterfactual({"x": 1.0, "y": 2.0}, do={"x": 0.0}, targets="w") == pytest.approx({"w": 0.0})
    with pytest.raises(UnknownVariableError):
        mediated().counterfactual({"q": 1.0}, do={"x": 0.0})
    with pytest.raises(InputError, match="needs evidence"):
        mediated().counterfactual({}, do={"x": 0.0})


def test_counterfactual_for_many_units_at_once() -> None:
    scm = mediated()
    data = scm.sample(50, seed=2)
    table = scm.counterfactual(data, do={"x": 0.0})
    assert isinstance(table, pd.DataFrame) and list(table.columns) == ["x", "m", "y"]
    for i in (0, 17, 49):
        one = scm.counterfactual(data.iloc[i].to_dict(), do={"x": 0.0})
        assert one == pytest.approx(table.iloc[i].to_dict())
    # and paired sampling gives the same counterfactuals for the same units
    pd.testing.assert_frame_equal(table, scm.do({"x": 0.0}).sample(50, seed=2), atol=1e-9)


def test_sampling_moments_and_reproducibility() -> None:
    scm = confounded()
    a, b = scm.sample(100, seed=3), scm.sample(100, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == list(scm.variables)
    mean, cov = scm.moments()
    big = scm.sample(100_000, seed=8)
    np.testing.assert_allclose(big.mean().to_numpy(), mean, atol=0.05)
    np.testing.assert_allclose(big.cov().to_numpy(), cov, rtol=0.05, atol=0.05)


def test_random_models() -> None:
    g = CausalGraph.dag([(f"a{i}", f"b{j}") for i in range(4) for j in range(4)])
    scm = LinearSCM.random(g, seed=1, weight_range=(0.5, 2.0))
    weights = np.array(list(scm.coefficients.values()))
    assert np.all((np.abs(weights) >= 0.5) & (np.abs(weights) <= 2.0))
    assert (weights > 0).any() and (weights < 0).any()
    assert scm.coefficients == LinearSCM.random(g, seed=1).coefficients
    assert (np.array(list(LinearSCM.random(g, seed=1, signed=False).coefficients.values())) > 0).all()


def test_validation() -> None:
    g = mediated().graph
    with pytest.raises(GraphError, match="no such edge"):
        LinearSCM(g, {("y", "x"): 1.0, ("x", "m"): 1.0, ("m", "y"): 1.0, ("x", "y"): 1.0})
    with pytest.raises(InputError, match="no coefficient"):
        LinearSCM(g, {("x", "m"): 1.0})
    with pytest.raises(UnknownVariableError):
        LinearSCM(g, {**mediated().coefficients}, intercepts={"q": 1.0})
    with pytest.raises(InputError, match="unknown noise kind"):
        Noise("cauchy")  # type: ignore[arg-type]
    w = mediated().weight_matrix()
    assert w[2, 1] == 3.0 and w[1, 0] == 2.0
