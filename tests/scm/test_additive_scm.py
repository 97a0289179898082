"""AdditiveNoiseSCM: arbitrary functions of the parents, sampling, do and exact counterfactuals."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import pytest

from causalbridge.errors import InputError, UnknownVariableError
from causalbridge.graph import CausalGraph
from causalbridge.scm import SCM, AdditiveNoiseSCM, DiscreteSCM, LinearSCM, Noise


def model() -> AdditiveNoiseSCM:
    """x -> m -> y, x -> y: m = x^2 + Um, y = sin(m) + x + Uy."""
    g = CausalGraph.dag([("x", "m"), ("m", "y"), ("x", "y")])

    def f_m(pa: Mapping[str, np.ndarray]) -> np.ndarray:
        return pa["x"] ** 2

    def f_y(pa: Mapping[str, np.ndarray]) -> np.ndarray:
        return np.sin(pa["m"]) + pa["x"]

    return AdditiveNoiseSCM(g, {"m": f_m, "y": f_y}, noise={"x": Noise("uniform", 2.0), "y": Noise("laplace", 0.3)})


def test_counterfactual_by_hand() -> None:
    # u_m = 1 - 0 = 1, u_y = 2 - sin(1) - 0; under do(x = 1): m = 1 + 1 = 2, y = sin(2) + 1 + u_y
    got = model().counterfactual({"x": 0.0, "m": 1.0, "y": 2.0}, do={"x": 1.0})
    assert got == pytest.approx({"x": 1.0, "m": 2.0, "y": np.sin(2.0) + 1.0 + 2.0 - np.sin(1.0)})
    # intervening on the mediator only needs y's noise (and so only y and its parents observed)
    assert model().counterfactual({"x": 0.5, "m": 1.0, "y": 2.0}, do={"m": 0.0}, targets="y") == pytest.approx(
        {"y": 0.5 + 2.0 - np.sin(1.0) - 0.5}
    )


def test_counterfactual_needs_the_noise_it_uses() -> None:
    with pytest.raises(InputError, match=r"needs the noise of \['m', 'y'\]"):
        model().counterfactual({"y": 2.0}, do={"x": 1.0})
    with pytest.raises(UnknownVariableError):
        model().counterfactual({"x": 0.0, "m": 1.0, "y": 2.0}, do={"z": 1.0})


def test_sampling_is_paired_across_interventions() -> None:
    scm = model()
    base = scm.sample(1000, seed=5)
    pd.testing.assert_frame_equal(base, scm.sample(1000, seed=5))
    post = scm.do({"x": 1.0}).sample(1000, seed=5)
    assert (post["x"] == 1.0).all()
    # each unit's counterfactual from its full record equals its row in the paired do-sample
    cf = scm.counterfactual(base, do={"x": 1.0})
    pd.testing.assert_frame_equal(cf, post, atol=1e-12)
    assert np.abs(base["x"]).max() <= 2.0  # uniform(-2, 2) noise on the root


def test_validation_and_do() -> None:
    g = CausalGraph.dag([("x", "y")])
    with pytest.raises(InputError, match="variable 'y'.*no function"):
        AdditiveNoiseSCM(g, {})
    with pytest.raises(UnknownVariableError):
        AdditiveNoiseSCM(g, {"y": lambda pa: pa["x"], "z": lambda pa: 0.0})
    scm = AdditiveNoiseSCM(g, {"y": lambda pa: 2 * pa["x"]})
    post = scm.do({"y": 3.0})
    assert post.graph.parents("y") == frozenset()
    assert (post.sample(10, seed=1)["y"] == 3.0).all()


def test_every_model_satisfies_the_scm_protocol() -> None:
    g = CausalGraph.dag([("x", "y")])
    linear = LinearSCM(g, {("x", "y"): 1.0})
    discrete = DiscreteSCM.from_cpts(g, {"x": ["a", "b"], "y": ["a", "b"]}, {"x": np.array([0.5, 0.5]), "y": np.eye(2)})
    for scm in (model(), linear, discrete):
        assert isinstance(scm, SCM)
        assert scm.sample(3, seed=0).shape == (3, len(scm.variables))


def test_models_and_answers_pickle() -> None:
    import pickle

    g = CausalGraph.dag([("x", "y")])
    linear = LinearSCM(g, {("x", "y"): 1.5}, intercepts={"y": 2.0}, noise={"x": Noise("laplace", 1.0)})
    back = pickle.loads(pickle.dumps(linear))
    assert back.coefficients == linear.coefficients and back.noise == linear.noise
    pd.testing.assert_frame_equal(back.sample(5, seed=1), linear.sample(5, seed=1))
    discrete = DiscreteSCM.from_cpts(
        g, {"x": ["a", "b"], "y": ["a", "b"]}, {"x": np.array([0.3, 0.7]), "y": np.array([[0.9, 0.2], [0.1, 0.8]])}
    )
    again = pickle.loads(pickle.dumps(discrete))
    assert again.query("y").allclose(discrete.query("y"), atol=0.0)
    answer = discrete.query(["x", "y"])
    assert pickle.loads(pickle.dumps(answer)).allclose(answer, atol=0.0)
    with pytest.raises(InputError, match="integer >= 0"):
        discrete.sample(2.5, seed=0)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="integer >= 0"):
        linear.sample(-1, seed=0)
