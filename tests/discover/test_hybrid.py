"""The hybrid: query budget, safety (no cycle, no new v-structure), reliability weighting, provenance, knowledge."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from causalbridge.data import CausalDataset, Network, load_network
from causalbridge.discover import FCI, GES, PC, DiscoveryResult, Hybrid, Knowledge, LLMOrienter, Precomputed, Provenance
from causalbridge.discover.orienting import Decision, apply_decisions
from causalbridge.errors import InputError
from causalbridge.graph import CausalGraph, v_structures
from causalbridge.llm import SimulatedExpert
from causalbridge.llm.scripted_server import default_responder
from causalbridge.metrics import directed_scores, shd

Scripted = Callable[..., Any]


@pytest.fixture(scope="module")
def sachs() -> tuple[Network, CausalDataset, DiscoveryResult]:
    net = load_network("sachs")
    data = net.sample(1000, seed=0)
    return net, data, PC(alpha=0.01).discover(data)


def orient(net: Network, data: CausalDataset, base: DiscoveryResult, accuracy: float, seed: int = 0, **kw: Any):
    expert = SimulatedExpert(net.graph, accuracy=accuracy, seed=seed, network=net.name)
    return Hybrid(data=Precomputed(base), orient=LLMOrienter(expert, seed=seed, **kw)).discover(data)


def changed(a: CausalGraph, b: CausalGraph) -> int:
    return len(set(a.edges) ^ set(b.edges)) // 2


def test_a_good_expert_improves_the_graph_within_the_query_budget(sachs: tuple) -> None:
    net, data, base = sachs
    bound = len(base.graph.undirected_edges) + len(net.names)
    for seed in range(3):
        result = orient(net, data, base, 1.0, seed)
        assert result.queries <= bound == result.diagnostics["query_bound"]
        assert shd(result.graph, net.graph) < shd(base.graph, net.graph)
        for u, v in result.edges_by(Provenance.LLM):  # everything the perfect expert decided is right
            assert net.graph.has_edge(u, v), (u, v)
        assert result.graph.find_cycle() is None
    assert directed_scores(result.graph, net.graph).f1 > directed_scores(base.graph, net.graph).f1


@pytest.mark.parametrize("accuracy", [1 / 3, 0.5])
def test_a_coin_flip_leaves_the_data_graph_almost_unchanged(sachs: tuple, asia: Network, accuracy: float) -> None:
    """At 1/3 the simulated expert is at chance on all three answers: nothing may move. At 0.5 (a coin flip
    between right and wrong) it is still right on 2/3 of the directions it names, so a lucky run of consistent
    answers may move an edge or two (rightly, mostly), but on average the graph must stay (almost) as it was."""
    asia_data = asia.sample(2000, seed=3)
    cases = [(sachs[0], sachs[1], sachs[2]), (asia, asia_data, PC(alpha=0.01).discover(asia_data))]
    moved = edges = 0
    for net, data, base in cases:
        for seed in range(4):
            result = orient(net, data, base, accuracy, seed)
            now = changed(result.graph, base.graph)
            assert now <= (0 if accuracy < 0.4 else len(base.graph.edges) // 4), (net.name, seed, now)
            assert shd(result.graph, net.graph) <= 1.05 * shd(base.graph, net.graph)
            moved, edges = moved + now, edges + len(base.graph.edges)
    assert moved <= 0.1 * edges


def test_a_position_biased_model_is_exposed_and_ignored(
    asia: Network, asia_data: CausalDataset, scripted: Scripted
) -> None:
    """A real HTTP model that always answers "A" (the first-listed variable is the cause) contradicts itself
    when the order is swapped; its votes are worth nothing and the graph stays as the data left it."""
    backend = scripted(default_responder)
    base = PC(alpha=0.01).discover(asia_data)
    result = Hybrid(data=Precomputed(base), orient=LLMOrienter(backend)).discover(asia_data)
    assert result.graph == base.graph
    assert result.diagnostics["reliability"]["reliability_mean"] < 0.6
    assert result.usage is not None and result.usage.prompt_tokens > 0


def test_orientations_never_add_a_cycle_or_a_new_v_structure(sachs: tuple) -> None:
    net, data, base = sachs
    for accuracy in (0.65, 0.8, 1.0):
        result = orient(net, data, base, accuracy, scope="undirected")
        assert result.graph.find_cycle() is None
        assert set(v_structures(result.graph)) <= set(v_structures(base.graph))
        assert result.graph.skeleton() == base.graph.skeleton()


def test_every_edge_has_provenance_and_llm_edges_have_prompts(sachs: tuple) -> None:
    net, data, base = sachs
    result = orient(net, data, base, 0.9)
    assert {e.nodes for e in result.graph.edges} == set(result.edge_info)
    kinds = {info.provenance for info in result.edge_info.values()}
    assert Provenance.LLM in kinds
    for pair, info in result.edge_info.items():
        if info.provenance in (Provenance.LLM, Provenance.BOTH):
            assert info.prompts and info.probability is not None and info.probability >= 0.85
            assert all(name in info.prompts[0] for name in pair)
    payload = result.to_dict()
    assert payload["usage"]["queries"] == result.queries and payload["diagnostics"]["reliability"]
    assert result.runtime_seconds >= 0 and result.method == "hybrid-pc"


def test_known_edges_are_constraints_and_grade_the_model(sachs: tuple) -> None:
    net, data, base = sachs
    known = Knowledge(required=tuple(net.graph.directed_edges[:6]))
    expert = SimulatedExpert(net.graph, accuracy=0.9, seed=0, network="sachs")
    result = Hybrid(data=Precomputed(base), orient=LLMOrienter(expert)).discover(data, known)
    assert known.verify(result.graph) == []
    assert result.diagnostics["reliability"]["known_edges_graded"] >= 1
    assert result.queries <= len(base.graph.undirected_edges) + len(net.names)


def test_a_real_pc_and_ges_run_end_to_end(asia: Network, asia_data: CausalDataset) -> None:
    expert = SimulatedExpert(asia.graph, accuracy=0.9, seed=1, network="asia")
    for data_step in (PC(alpha=0.01), GES()):
        result = Hybrid(data=data_step, orient=LLMOrienter(expert, domain=asia.domain)).discover(asia_data)
        assert result.diagnostics["data_method"] in ("pc", "ges")
        assert shd(result.graph, asia.graph) <= shd(data_step.discover(asia_data).graph, asia.graph)
        assert any("SIMULATED" in n for n in result.notes) and any("reliability" in n for n in result.notes)


def test_apply_decisions_skips_what_would_break_the_graph() -> None:
    g = CausalGraph.from_edges(
        directed=[("a", "c"), ("b", "c"), ("d", "b"), ("x", "y"), ("y", "z"), ("x", "z")],
        undirected=[("e", "f"), ("g", "h")],
    )
    decisions = [
        Decision("b", "c", 0.02, True, (-1, -1), ("p1",)),  # c -> b: new v-structure d -> b <- c
        Decision("x", "z", 0.03, True, (-1, -1), ("p2",)),  # z -> x: closes x -> y -> z -> x
        Decision("e", "f", 0.04, False, (-1, -1), ("p3",)),  # f -> e: forbidden below
        Decision("g", "h", 0.95, False, (1, 1), ("p4",)),  # g -> h: fine
        Decision("a", "c", 0.5, True, (1, -1), ("p5",)),  # no evidence either way: stays the data's
    ]
    applied = apply_decisions(g, decisions, Knowledge(forbidden=(("f", "e"),)), 0.85)
    assert applied.oriented == [("g", "h")] and applied.flipped == []
    reasons = dict(applied.rejected)
    assert "v-structure c -> b <- d" in reasons[("c", "b")]
    assert "cycle" in reasons[("z", "x")] and "forbids" in reasons[("f", "e")]
    assert applied.graph == g.with_edges(add=[("g", "h")])
    assert applied.undecided == 1 and applied.decided[frozenset("gh")].provenance is Provenance.LLM
    assert applied.decided[frozenset("ac")].provenance is Provenance.DATA


def test_the_orienter_checks_its_settings_and_its_input(asia: Network, asia_data: CausalDataset) -> None:
    expert = SimulatedExpert(asia.graph, accuracy=0.9)
    with pytest.raises(InputError, match="min_posterior"):
        LLMOrienter(expert, min_posterior=0.4)
    with pytest.raises(InputError, match="probe_budget"):
        LLMOrienter(expert, probe_budget=-1)
    with pytest.raises(InputError, match="PAG"):
        Hybrid(data=FCI(), orient=LLMOrienter(expert)).discover(asia_data)


def test_edges_oriented_by_meek_say_so_even_when_they_were_asked_about() -> None:
    chain = CausalGraph.from_edges(undirected=[("x", "y"), ("y", "z")])
    decisions = [
        Decision("x", "y", 0.97, False, (1, 1), ("p1",)),  # x -> y, so Meek's R1 gives y -> z
        Decision("y", "z", 0.6, False, (1,), ("p2",)),  # too weak on its own
    ]
    applied = apply_decisions(chain, decisions, Knowledge(), 0.85)
    assert applied.oriented == [("x", "y")] and applied.propagated == [("y", "z")]
    assert applied.undecided == 0
    meek = applied.decided[frozenset("yz")]
    assert meek.provenance is Provenance.MEEK and meek.prompts == ("p2",)
