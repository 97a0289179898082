"""Results to report on: built with the real result classes (so a change of their ``to_dict()`` shows up here),
plus real outputs saved under ``data/`` (a hybrid run on asia, an effect analysis, a benchmark run of the embedded
model, a bias audit of a planted-bias test double, a patching sweep of SmolLM2) for what is slow to produce."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).parent / "data"

ASIA_TRUTH = (
    ("asia", "tub"),
    ("smoke", "lung"),
    ("smoke", "bronc"),
    ("tub", "either"),
    ("lung", "either"),
    ("either", "xray"),
    ("either", "dysp"),
    ("bronc", "dysp"),
)


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="session")
def sample() -> Callable[[str], dict[str, Any]]:
    """Read a saved real output from ``data/``."""
    return load


@pytest.fixture(scope="session")
def asia_truth() -> dict[str, list[list[str]]]:
    """The true asia DAG as a reference graph (``{"directed": [[a, b], ...]}``)."""
    return {"directed": [list(p) for p in ASIA_TRUTH]}


@pytest.fixture(scope="session")
def discovery_result() -> Any:
    """A DiscoveryResult with every provenance, an undirected, a bidirected and a PAG edge, usage and notes."""
    from causalbridge.discover.result import DiscoveryResult, EdgeInfo, Provenance
    from causalbridge.graph import CausalGraph, Edge, Mark
    from causalbridge.llm.types import Usage

    graph = CausalGraph(
        ["asia", "tub", "smoke", "lung", "bronc", "either", "xray", "dysp"],
        [
            Edge.directed("asia", "tub"),  # data+llm, correct
            Edge.directed("smoke", "lung"),  # llm, correct
            Edge.directed("bronc", "smoke"),  # user, reversed
            Edge.directed("either", "tub"),  # data, reversed
            Edge.directed("lung", "either"),  # meek, correct
            Edge.undirected("either", "xray"),  # data, unoriented
            Edge.bidirected("bronc", "dysp"),  # llm, not in the truth as bidirected
            Edge("asia", "xray", Mark.CIRCLE, Mark.ARROW),  # PAG edge, extra
        ],
    )
    info = {
        frozenset(("asia", "tub")): EdgeInfo(Provenance.BOTH, 0.91, ("Does visiting Asia cause tuberculosis?",), "ok"),
        frozenset(("smoke", "lung")): EdgeInfo(Provenance.LLM, 0.87, ("Does smoking cause lung cancer?",)),
        frozenset(("bronc", "smoke")): EdgeInfo(Provenance.USER, None, (), "required by the user"),
        frozenset(("either", "tub")): EdgeInfo(Provenance.DATA, None, (), "model's evidence too weak (0.74)"),
        frozenset(("lung", "either")): EdgeInfo(Provenance.MEEK, None),
        frozenset(("either", "xray")): EdgeInfo(Provenance.DATA, None),
        frozenset(("bronc", "dysp")): EdgeInfo(Provenance.LLM, 0.64),
    }
    return DiscoveryResult(
        graph=graph,
        method="hybrid-pc",
        runtime_seconds=0.42,
        edge_info=info,
        usage=Usage(queries=12, prompt_tokens=340, completion_tokens=12, cache_hits=3, requests=9, cost_usd=0.0012),
        params={"data": {"alpha": 0.01}, "backend": "simulated:asia"},
        notes=("answers come from a SIMULATED expert (simulated:asia), not a language model",),
        diagnostics={"undirected_before": 4, "reliability": {"reliability_mean": 0.83}},
    )


@pytest.fixture(scope="session")
def discovery_dict(discovery_result: Any) -> dict[str, Any]:
    data: dict[str, Any] = discovery_result.to_dict()
    return data


@pytest.fixture(scope="session")
def effect_dict() -> dict[str, Any]:
    """An EffectResult from the real classes: identification by ``identify``, two estimates, checks and roles."""
    from causalbridge.effect.base import Estimate
    from causalbridge.effect.identify import identify
    from causalbridge.effect.refute import Refutation
    from causalbridge.effect.result import EffectResult
    from causalbridge.effect.roles.table import EdgeSource, RoleTable, VariableRole
    from causalbridge.graph import CausalGraph
    from causalbridge.llm.types import Usage

    graph = CausalGraph.dag([("x1", "t"), ("x1", "y"), ("x2", "t"), ("x2", "y"), ("t", "m"), ("m", "y")])
    result = EffectResult(
        treatment="t",
        outcome="y",
        identification=identify(graph, "t", "y"),
        adjustment_set=("x1", "x2"),
        adjustment_source="optimal",
        estimates=(
            ("ols", Estimate(1.833, 1.695, 1.972, 0.0705, "OLS regression adjustment", 1000, ("HC3 errors",))),
            ("ipw", Estimate(1.872, 1.729, 2.015, 0.0731, "inverse propensity weighting (ATE)", 1000)),
        ),
        refutations=(
            Refutation("placebo treatment", "pass", {"mean": 0.02, "replicates": 5.0}, "indistinguishable from 0"),
            Refutation("data subset", "warn", {"shift_se": 2.4}, "the estimate moved by 2.4 standard errors"),
        ),
        sensitivity=Refutation("unobserved confounding", "pass", {"e_value": 4.21}, "E-value 4.21"),
        roles=RoleTable(
            treatment="t",
            outcome="y",
            roles=(
                VariableRole("x1", "confounder", 0.93, "llm", rationale="age affects both"),
                VariableRole("x2", "confounder", None, "user", llm_role="mediator", note="set by the user"),
                VariableRole("m", "mediator", 0.71, "llm", bad_control="mediator", bad_control_reason="on the path"),
            ),
            graph=graph,
            edges=(
                EdgeSource("x1", "t", "llm", "x1 is a confounder"),
                EdgeSource("x1", "y", "llm", "x1 is a confounder"),
                EdgeSource("x2", "t", "user", "x2 is a confounder (user)"),
                EdgeSource("x2", "y", "user", "x2 is a confounder (user)"),
                EdgeSource("t", "m", "llm", "m is a mediator"),
                EdgeSource("m", "y", "llm", "m is a mediator"),
                EdgeSource("t", "y", "llm", "the effect in question"),
            ),
            model="simulated:toy",
            usage=Usage(queries=9, requests=9, prompt_tokens=900),
            simulated=True,
            notes=("x2 was set by the user",),
        ),
        graph_source="roles",
        warnings=("the treatment is rare in one stratum",),
        n=1000,
        seed=0,
    )
    data: dict[str, Any] = result.to_dict()
    return data


@pytest.fixture(scope="session")
def bench_dict() -> dict[str, Any]:
    """A benchmark report (``report_dict``) scored by the real scorer from 60 results over three rungs."""
    from causalbridge.bench.items import Meta
    from causalbridge.bench.report import report_dict
    from causalbridge.bench.runlog import RunConfig
    from causalbridge.bench.scorers import BenchScorer
    from causalbridge.bench.task import ItemResult
    from causalbridge.llm.types import Usage

    results = []
    for i in range(60):
        rung = 1 + i % 3
        correct = (i // 3) % (rung + 1) != 0  # right 10, 13 and 15 times of 20 on rungs 1, 2, 3
        answer = "yes" if i % 2 else "no"
        prediction = answer if correct else ("no" if answer == "yes" else "yes")
        results.append(
            ItemResult(
                dataset="ladder-gen",
                id=f"q{i}",
                strategy="direct",
                model="local:smollm2",
                options=("yes", "no"),
                answer=answer,
                prediction=prediction,
                probs=(0.6, 0.4) if prediction == "yes" else (0.4, 0.6),
                abstained=False,
                method="logprobs",
                meta=Meta(rung=rung, query_type="ate" if i % 4 else "marginal"),
                usage=Usage(queries=1, requests=1, prompt_tokens=100),
                latency_s=0.05,
            )
        )
    config = RunConfig("local:smollm2", "direct", "v1", "ladder-gen", "ab" * 32, False, None, None, 60)
    data: dict[str, Any] = report_dict(config, BenchScorer().score(results))
    return data


@pytest.fixture(scope="session")
def bias_dict() -> dict[str, Any]:
    return load("bias_audit.json")


@pytest.fixture(scope="session")
def patching_dict() -> dict[str, Any]:
    return load("patching_sweep.json")
