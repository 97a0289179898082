"""LLM-only discovery: pairwise, breadth-first and whole-graph, with simulated experts and a scripted model."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from causalbridge.data import CausalDataset, Network
from causalbridge.discover import (
    BreadthFirstLLM,
    Knowledge,
    PairwiseLLM,
    Provenance,
    WholeGraphLLM,
    parse_names,
    repair_cycles,
)
from causalbridge.graph import CausalGraph
from causalbridge.llm import SimulatedExpert
from causalbridge.llm.scripted_server import Reply
from causalbridge.metrics import shd
from discover.scripted_model import last_user, option_reply, truthful_direction

Scripted = Callable[..., Any]


def expert(net: Network, accuracy: float, seed: int = 0) -> SimulatedExpert:
    return SimulatedExpert(net.graph, accuracy=accuracy, seed=seed, network=net.name)


def test_pairwise_with_a_perfect_expert_is_exact(asia: Network, asia_data: CausalDataset) -> None:
    result = PairwiseLLM(expert(asia, 1.0)).discover(asia_data)
    n = len(asia.names)
    assert result.graph == asia.graph
    assert result.queries == n * (n - 1)  # every pair, both orders
    assert result.diagnostics["pairs"] == n * (n - 1) // 2 and result.diagnostics["order_agreement"] == 1.0
    info = result.info("smoke", "lung")
    assert info is not None and info.provenance is Provenance.LLM and info.probability is not None
    assert len(info.prompts) == 2 and all("smoke" in p and "lung" in p for p in info.prompts)
    assert any("SIMULATED" in note for note in result.notes)
    assert any("n(n-1)/2" in note for note in result.notes)


@pytest.mark.parametrize("accuracy", [0.5, 0.65, 0.8])
def test_pairwise_always_returns_a_dag(asia: Network, asia_data: CausalDataset, accuracy: float) -> None:
    for seed in range(3):
        result = PairwiseLLM(expert(asia, accuracy, seed)).discover(asia_data)
        assert result.graph.is_dag
        assert result.diagnostics["cycles_repaired"] == sum("cycle repaired" in n for n in result.notes)


def test_pairwise_is_worse_for_a_worse_expert(asia: Network, asia_data: CausalDataset) -> None:
    def mean_shd(accuracy: float) -> float:
        runs = [PairwiseLLM(expert(asia, accuracy, s)).discover(asia_data) for s in range(4)]
        return sum(shd(r.graph, asia.graph) for r in runs) / len(runs)

    assert mean_shd(0.95) < mean_shd(0.5)


def test_repair_removes_the_least_confident_arrow_of_each_cycle() -> None:
    g = CausalGraph.from_edges(directed=[("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "c2"), ("c2", "c")])
    conf = {("a", "b"): 0.9, ("b", "c"): 0.6, ("c", "a"): 0.7, ("c", "d"): 0.8, ("d", "c2"): None, ("c2", "c"): 0.9}
    repaired, removed = repair_cycles(g, conf)
    assert repaired.is_dag
    assert sorted(removed) == [("b", "c"), ("d", "c2")]


def test_bfs_per_candidate_with_a_perfect_expert(asia: Network, asia_data: CausalDataset) -> None:
    result = BreadthFirstLLM(expert(asia, 1.0)).discover(asia_data)
    n = len(asia.names)
    assert result.graph == asia.graph
    assert result.params["mode"] == "per-candidate"
    assert result.queries <= n * (n - 1)
    assert any("O(n^2)" in note for note in result.notes)


def bfs_responder(truth: CausalGraph, extra: tuple[str, str] | None = None) -> Callable[[dict[str, Any]], Reply]:
    """A model that lists root causes and effects from ``truth`` (plus one wrong ``extra`` arrow)."""

    def respond(body: dict[str, Any]) -> Reply:
        prompt = last_user(body)
        letter = truthful_direction(truth, prompt)
        if letter is not None:
            return option_reply(letter)
        if "not caused by any other" in prompt:
            return Reply(", ".join(n for n in truth.nodes if not truth.parents(n)))
        name = prompt.split("Which of these variables does ", 1)[1].split(" directly cause?", 1)[0]
        effects = sorted(truth.children(name))
        if extra is not None and name == extra[0]:
            effects.append(extra[1])
        return Reply(("- " + "\n- ".join(effects)) if effects else "None.")

    return respond


def test_bfs_lists_ask_n_plus_one_prompts(asia: Network, asia_data: CausalDataset, scripted: Scripted) -> None:
    backend = scripted(bfs_responder(asia.graph))
    result = BreadthFirstLLM(backend).discover(asia_data)
    assert result.params["mode"] == "list"
    assert result.graph == asia.graph
    assert result.queries == len(asia.names) + 1
    info = result.info("asia", "tub")
    assert info is not None and "directly cause" in info.prompts[0] and info.probability is None


def test_bfs_repairs_a_cycle_by_asking_about_its_arrows(
    asia: Network, asia_data: CausalDataset, scripted: Scripted
) -> None:
    backend = scripted(bfs_responder(asia.graph, extra=("dysp", "smoke")))  # smoke -> bronc -> dysp -> smoke
    result = BreadthFirstLLM(backend).discover(asia_data)
    assert result.graph == asia.graph
    assert result.diagnostics["cycles_repaired"] == 1
    asked = result.queries - (len(asia.names) + 1)  # direction questions, only about arrows on cycles
    assert 3 <= asked <= len(asia.graph.edges) + 1
    assert any("removed dysp -> smoke" in note for note in result.notes)


def test_parse_names() -> None:
    names = ("smoke", "lung", "tub", "either")
    assert parse_names("smoke, Lung and TUB.", names) == ["smoke", "lung", "tub"]
    assert parse_names("1. lung\n2) tub\n* either", names) == ["lung", "tub", "either"]
    assert parse_names("None of them.", names) == []
    assert parse_names("I think it is probably the lung one", names) == ["lung"]
    assert parse_names("no idea", names) is None
    assert parse_names("Tuberculosis", names, {"tub": "tuberculosis"}) == ["tub"]


def test_unreadable_answers_are_abstentions_not_crashes(asia_data: CausalDataset, scripted: Scripted) -> None:
    backend = scripted(lambda body: Reply("I would rather talk about the weather."), logprobs=False, choose_samples=2)
    result = PairwiseLLM(backend).discover(asia_data.select(["smoke", "lung", "bronc"]))
    assert result.graph.edges == ()
    assert result.diagnostics["abstentions"] == 6
    assert any("could not be read" in note for note in result.notes)
    bfs = BreadthFirstLLM(backend).discover(asia_data.select(["smoke", "lung", "bronc"]))
    assert bfs.graph.edges == () and bfs.diagnostics["abstentions"] == 4


def test_whole_graph_reads_structured_output(asia: Network, asia_data: CausalDataset, scripted: Scripted) -> None:
    edges = [{"cause": u, "effect": v, "confidence": 0.9} for u, v in asia.graph.directed_edges]
    edges += [
        {"cause": "dysp", "effect": "smoke", "confidence": 0.2},  # closes cycles: the least confident arrow
        {"cause": "weather", "effect": "smoke", "confidence": 0.9},  # not a variable
        {"cause": "lung", "effect": "smoke", "confidence": 0.1},  # the reverse of a surer arrow
    ]
    backend = scripted(lambda body: Reply(json.dumps({"edges": edges})))
    result = WholeGraphLLM(backend).discover(asia_data)
    assert result.graph == asia.graph
    assert result.queries == 1
    assert result.info("smoke", "lung").probability == pytest.approx(0.9)  # type: ignore[union-attr]
    assert any("weather" in note for note in result.notes)
    assert any("removed dysp -> smoke" in note for note in result.notes)


def test_whole_graph_abstains_on_garbage_and_with_a_simulated_expert(
    asia: Network, asia_data: CausalDataset, scripted: Scripted
) -> None:
    garbage = WholeGraphLLM(scripted(lambda body: Reply("edges: smoke->lung"))).discover(asia_data)
    assert garbage.graph.edges == () and garbage.diagnostics["abstentions"] == 1
    assert any("could not be read" in note for note in garbage.notes)
    simulated = WholeGraphLLM(expert(asia, 1.0)).discover(asia_data)
    assert simulated.graph.edges == () and any("SIMULATED" in n for n in simulated.notes)


def test_llm_only_results_respect_hard_knowledge(asia: Network, asia_data: CausalDataset) -> None:
    knowledge = Knowledge(required=(("dysp", "xray"),), forbidden=(("smoke", "lung"),))
    result = PairwiseLLM(expert(asia, 1.0)).discover(asia_data, knowledge)
    assert knowledge.verify(result.graph) == []
    assert result.info("dysp", "xray").provenance is Provenance.USER  # type: ignore[union-attr]
