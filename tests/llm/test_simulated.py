"""The simulated domain expert: exact error rate, determinism, abstentions and labelling."""

from __future__ import annotations

import itertools
import random

import pytest

from causalbridge.errors import InputError
from causalbridge.graph import CausalGraph
from causalbridge.llm import (
    Answer,
    CausalClaim,
    GenerationParams,
    Query,
    Relation,
    SimulatedExpert,
    claim_truth,
    make_backend,
    run_sync,
)
from causalbridge.testing import check_backend

DIRECTION = {"A": Answer.A_TO_B, "B": Answer.B_TO_A, "C": Answer.NO_EDGE}


def _random_dag(n: int, p: float, seed: int) -> CausalGraph:
    rng = random.Random(seed)
    nodes = [f"x{i}" for i in range(n)]
    edges = [(a, b) for a, b in itertools.combinations(nodes, 2) if rng.random() < p]
    return CausalGraph.dag(edges, nodes=nodes)


def _direction_queries(graph: CausalGraph) -> list[Query]:
    return [
        Query(f"How are {a} and {b} related?", about=CausalClaim.edge_direction(a, b, DIRECTION))
        for a, b in itertools.combinations(graph.nodes, 2)
    ]


def test_accuracy_matches_the_request_exactly_for_a_seed() -> None:
    graph = _random_dag(40, 0.1, seed=1)
    queries = _direction_queries(graph)  # 780 questions
    expert = SimulatedExpert(graph, accuracy=0.8, seed=0)
    choices = run_sync(expert.choose(queries, list(DIRECTION)))
    truths = [claim_truth(q.about, graph) for q in queries]  # type: ignore[arg-type]
    right = sum(DIRECTION[c.best] is t for c, t in zip(choices, truths, strict=True))
    assert right == 631  # the exact count for seed 0 (80.9 %); a binomial sd is 1.4 %
    assert abs(right / len(queries) - 0.8) < 3 * (0.8 * 0.2 / len(queries)) ** 0.5
    assert not any(c.abstained for c in choices)
    wrong_answers = {DIRECTION[c.best] for c, t in zip(choices, truths, strict=True) if DIRECTION[c.best] is not t}
    assert wrong_answers == set(Answer) - {Answer.YES, Answer.NO}  # wrong answers are spread over the others
    for accuracy in (0.0, 0.55, 1.0):
        other = run_sync(SimulatedExpert(graph, accuracy=accuracy, seed=3).choose(queries, list(DIRECTION)))
        rate = sum(DIRECTION[c.best] is t for c, t in zip(other, truths, strict=True)) / len(queries)
        assert rate == pytest.approx(accuracy, abs=0.04)


def test_same_question_same_answer_whatever_the_wording() -> None:
    graph = _random_dag(12, 0.3, seed=2)
    expert = SimulatedExpert(graph, accuracy=0.6, seed=5)
    claims = [CausalClaim.yes_no(Relation.CAUSES, a, b) for a, b in itertools.permutations(graph.nodes, 2)]
    first = run_sync(expert.choose([Query("Does it?", about=c) for c in claims], ["yes", "no"]))
    # other wording, other option texts in another order, another batch
    reworded = [CausalClaim.yes_no(Relation.CAUSES, *c.variables, yes="True", no="False") for c in claims]
    second = run_sync(expert.choose([Query(f"#{i}", about=c) for i, c in enumerate(reworded)], ["False", "True"]))
    assert [c.best == "yes" for c in first] == [c.best == "True" for c in second]
    assert [max(c.probs) for c in first] == [max(c.probs) for c in second]
    reseeded = run_sync(
        SimulatedExpert(graph, accuracy=0.6, seed=6).choose([Query("q", about=c) for c in claims], ["yes", "no"])
    )
    assert [c.best for c in reseeded] != [c.best for c in first]


def test_confidence_is_calibrated_on_average() -> None:
    graph = _random_dag(30, 0.15, seed=4)
    choices = run_sync(SimulatedExpert(graph, accuracy=0.7, seed=0).choose(_direction_queries(graph), list(DIRECTION)))
    confidences = [max(c.probs) for c in choices]
    assert sum(confidences) / len(confidences) == pytest.approx(0.7, abs=0.01)
    assert len(set(confidences)) > 100  # jittered, not a constant
    for choice in choices:
        assert sum(choice.probs) == pytest.approx(1.0) and choice.method == "simulated"


def test_abstains_on_what_it_cannot_answer() -> None:
    graph = CausalGraph.dag([("a", "b")])
    expert = SimulatedExpert(graph, accuracy=1.0)
    cases = [
        "Does a cause b?",  # plain text: the expert never reads text
        Query("q"),  # no claim
        Query("q", about=CausalClaim.yes_no(Relation.CAUSES, "a", "zebra")),  # unknown variable
        Query("q", about=CausalClaim.edge_direction("a", "b", {"x": Answer.B_TO_A, "y": Answer.NO_EDGE})),
        Query("q", about=CausalClaim.yes_no(Relation.CAUSES, "a", "b", yes="sure", no="nah")),  # other options
    ]
    for choice in run_sync(expert.choose(cases, ["yes", "no"])):
        assert choice.abstained and choice.probs == (0.5, 0.5)
    only_true = Query("q", about=CausalClaim(Relation.CAUSES, ("a", "b"), (("yes", Answer.YES), ("?", None))))
    assert run_sync(expert.choose([only_true], ["yes", "?"]))[0].abstained  # it could not be wrong: no evidence


def test_complete_structured_usage_and_label() -> None:
    graph = CausalGraph.dag([("a", "b")])
    expert = SimulatedExpert(graph, accuracy=1.0, network="tiny")
    claim = CausalClaim.yes_no(Relation.DIRECT_CAUSE, "a", "b", yes="Yes.", no="No.")
    done = run_sync(expert.complete([Query("?", about=claim), "plain"], GenerationParams()))
    assert [(c.text, c.finish_reason) for c in done] == [("Yes.", "stop"), ("", "abstain")]
    assert expert.name == "simulated:tiny?accuracy=1&seed=0" and expert.capabilities.is_simulation
    assert expert.usage.queries == 2 and expert.usage.prompt_tokens == 0
    check_backend(expert, prompts=[Query("?", about=claim), "plain"], options=["Yes.", "No."])


def test_graph_is_loaded_lazily_and_inputs_checked() -> None:
    loads: list[int] = []

    def load() -> CausalGraph:
        loads.append(1)
        return CausalGraph.dag([("a", "b")])

    expert = SimulatedExpert(load, accuracy=0.9)
    assert loads == []
    run_sync(expert.choose([Query("q", about=CausalClaim.yes_no(Relation.CAUSES, "a", "b"))] * 2, ["yes", "no"]))
    assert loads == [1]
    with pytest.raises(InputError):
        SimulatedExpert(load, accuracy=1.5)


@pytest.mark.slow  # loading a bundled network imports pgmpy (~5 s)
def test_spec_builds_a_bundled_network_expert() -> None:
    pytest.importorskip("causalbridge.data")
    expert = make_backend("simulated:asia?accuracy=1&seed=2")
    assert isinstance(expert, SimulatedExpert) and expert.name == "simulated:asia?accuracy=1&seed=2"
    claim = CausalClaim.yes_no(Relation.DIRECT_CAUSE, "smoke", "lung")
    (choice,) = run_sync(expert.choose([Query("?", about=claim)], ["yes", "no"]))
    assert choice.best == "yes"
    with pytest.raises(InputError, match="unknown network"):
        make_backend("simulated:atlantis")
