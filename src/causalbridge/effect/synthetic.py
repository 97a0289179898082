"""Simulated data sets with a known average treatment effect, for tests, benchmarks and demos.

Each scenario is a classic identification problem — confounding, mediation, M-bias, an instrument, a frontdoor
mediator — with a graph (latent variables are graph nodes without a data column), the true ATE computed
exactly from the model, a correct adjustment set and, where one exists, a tempting wrong one. Continuous
scenarios are :class:`~causalbridge.scm.LinearSCM` models (ATE = sum of path-coefficient products); the
binary-treatment confounding scenario is drawn with numpy (a linear SCM cannot make a 0/1 treatment); the
discrete ones are :class:`~causalbridge.scm.DiscreteSCM` models whose ATE is an exact interventional query.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit

from causalbridge.graph import CausalGraph
from causalbridge.scm import DiscreteSCM, LinearSCM


@dataclass(frozen=True)
class Scenario:
    """Data from a model with a known effect. ``estimand`` is the identification strategy that works."""

    name: str
    description: str
    data: pd.DataFrame
    graph: CausalGraph
    treatment: str
    outcome: str
    ate: float
    estimand: str
    adjust: tuple[str, ...] = ()
    bad_adjust: tuple[str, ...] | None = None


def confounding(n: int = 1000, seed: int = 0) -> Scenario:
    """Binary treatment confounded by two continuous covariates; linear outcome, ATE 2."""
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    t = (rng.random(n) < expit(0.8 * x1 - 0.5 * x2)).astype(float)
    y = 2.0 * t + x1 + 0.5 * x2 + rng.normal(size=n)
    graph = CausalGraph.dag([("x1", "t"), ("x1", "y"), ("x2", "t"), ("x2", "y"), ("t", "y")])
    data = pd.DataFrame({"x1": x1, "x2": x2, "t": t, "y": y})
    return Scenario("confounding", _doc_line(confounding), data, graph, "t", "y", 2.0, "backdoor", ("x1", "x2"), ())


def mediation(n: int = 1000, seed: int = 0) -> Scenario:
    """c confounds t -> y; part of the effect runs through the mediator m (total effect 1.5, direct 1.0)."""
    graph = CausalGraph.dag([("c", "t"), ("c", "y"), ("t", "m"), ("m", "y"), ("t", "y")])
    scm = LinearSCM(graph, {("c", "t"): 0.8, ("c", "y"): 1.0, ("t", "m"): 1.0, ("m", "y"): 0.5, ("t", "y"): 1.0})
    data = scm.sample(n, seed)
    return Scenario(
        "mediation", _doc_line(mediation), data, graph, "t", "y", scm.ate("t", "y"), "backdoor", ("c",), ("c", "m")
    )


def m_bias(n: int = 1000, seed: int = 0) -> Scenario:
    """The M-structure t <- a -> m <- b -> y: no adjustment is needed and adjusting for m alone biases."""
    graph = CausalGraph.dag([("a", "t"), ("a", "m"), ("b", "m"), ("b", "y"), ("t", "y")])
    scm = LinearSCM(graph, {("a", "t"): 1.0, ("a", "m"): 1.0, ("b", "m"): 1.0, ("b", "y"): 1.0, ("t", "y"): 1.0})
    data = scm.sample(n, seed)
    return Scenario("m_bias", _doc_line(m_bias), data, graph, "t", "y", scm.ate("t", "y"), "backdoor", (), ("m",))


def instrument(n: int = 1000, seed: int = 0) -> Scenario:
    """A latent u confounds t and y; z moves t only (an instrument). ATE 1.5."""
    graph = CausalGraph.dag([("z", "t"), ("u", "t"), ("u", "y"), ("t", "y")])
    scm = LinearSCM(graph, {("z", "t"): 1.0, ("u", "t"): 1.0, ("u", "y"): 2.0, ("t", "y"): 1.5})
    data = scm.sample(n, seed).drop(columns="u")
    return Scenario("instrument", _doc_line(instrument), data, graph, "t", "y", scm.ate("t", "y"), "iv", (), ())


def frontdoor(n: int = 1000, seed: int = 0) -> Scenario:
    """A latent u confounds t and y; the whole effect runs through the observed mediator m. ATE 0.8."""
    graph = CausalGraph.dag([("u", "t"), ("u", "y"), ("t", "m"), ("m", "y")])
    scm = LinearSCM(graph, {("u", "t"): 1.0, ("u", "y"): 1.5, ("t", "m"): 1.0, ("m", "y"): 0.8})
    data = scm.sample(n, seed).drop(columns="u")
    return Scenario("frontdoor", _doc_line(frontdoor), data, graph, "t", "y", scm.ate("t", "y"), "frontdoor", (), ())


def discrete_confounding(n: int = 1000, seed: int = 0) -> Scenario:
    """Binary t and y confounded by a three-state z; the effect differs by z (exact ATE 0.27)."""
    graph = CausalGraph.dag([("z", "t"), ("z", "y"), ("t", "y")])
    states = {"z": ["a", "b", "c"], "t": ["0", "1"], "y": ["0", "1"]}
    p_t1 = np.array([0.2, 0.5, 0.8])
    p_y1 = np.array([[0.2, 0.5], [0.3, 0.5], [0.5, 0.9]])  # axes (z, t)
    cpts = {
        "z": np.array([0.3, 0.5, 0.2]),
        "t": np.stack([1 - p_t1, p_t1]),
        "y": np.stack([1 - p_y1, p_y1]),
    }
    scm = DiscreteSCM.from_cpts(graph, states, cpts)
    data = scm.sample(n, seed)
    ate = scm.ate("t", "y", "1", "0", "1")
    return Scenario(
        "discrete_confounding", _doc_line(discrete_confounding), data, graph, "t", "y", ate, "backdoor", ("z",), ()
    )


def discrete_frontdoor(n: int = 1000, seed: int = 0) -> Scenario:
    """Binary t, m, y with a latent binary u confounding t and y; t acts only through m (exact ATE 0.24)."""
    graph = CausalGraph.dag([("u", "t"), ("u", "y"), ("t", "m"), ("m", "y")])
    states = {v: ["0", "1"] for v in ("u", "t", "m", "y")}
    p_y1 = np.array([[0.1, 0.5], [0.4, 0.8]])  # axes (u, m): y's parents in graph order
    cpts = {
        "u": np.array([0.5, 0.5]),
        "t": np.array([[0.8, 0.2], [0.2, 0.8]]),
        "m": np.array([[0.9, 0.3], [0.1, 0.7]]),
        "y": np.stack([1 - p_y1, p_y1]),
    }
    scm = DiscreteSCM.from_cpts(graph, states, cpts)
    data = scm.sample(n, seed).drop(columns="u")
    ate = scm.ate("t", "y", "1", "0", "1")
    return Scenario("discrete_frontdoor", _doc_line(discrete_frontdoor), data, graph, "t", "y", ate, "frontdoor")


def _doc_line(func: Callable[..., Scenario]) -> str:
    return (func.__doc__ or "").strip().splitlines()[0]


SCENARIOS: dict[str, Callable[[int, int], Scenario]] = {
    "confounding": confounding,
    "mediation": mediation,
    "m_bias": m_bias,
    "instrument": instrument,
    "frontdoor": frontdoor,
    "discrete_confounding": discrete_confounding,
    "discrete_frontdoor": discrete_frontdoor,
}
