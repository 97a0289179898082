"""Role suggestion: the question/answer combination, the simulated expert's accuracy, the proposed graph, and
what happens when the model abstains or produces nonsense."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import pytest

from causalbridge.data import Variable, VariableKind, load_network
from causalbridge.effect import identify
from causalbridge.effect.roles import (
    FACTS,
    ROLES,
    UNKNOWN,
    Fact,
    role_probabilities,
    suggest_roles,
    true_role,
    true_roles,
)
from causalbridge.effect.roles.questions import WORLDS, is_consistent, role_of
from causalbridge.effect.roles.suggest import one_sentence, p_yes
from causalbridge.errors import UnknownVariableError
from causalbridge.graph import CausalGraph
from causalbridge.llm import BaseBackend, Capabilities, Choice, Completion, RawCompletion, SimulatedExpert, Usage
from causalbridge.llm.base import Chat
from causalbridge.llm.types import GenerationParams

#: One variable per role: c confounds, m mediates, k is a common effect, z instruments, e causes only Y.
ALL_ROLES = CausalGraph.dag(
    [("c", "t"), ("c", "y"), ("t", "m"), ("m", "y"), ("t", "k"), ("y", "k"), ("z", "t"), ("e", "y"), ("t", "y")],
    nodes=["t", "y", "c", "m", "k", "z", "e", "i"],
)
EXPECTED = {
    "c": "confounder",
    "m": "mediator",
    "k": "collider",
    "z": "instrument",
    "e": "effect_modifier",
    "i": "irrelevant",
}


def described(names: Sequence[str]) -> list[Variable]:
    return [Variable(n, f"the variable {n}", VariableKind.CONTINUOUS) for n in names]


# ---------------------------------------------------------------------- combining answers
def test_every_role_has_a_consistent_world_and_inconsistent_worlds_are_dropped() -> None:
    assert {role for _, role in WORLDS} == set(ROLES)
    assert 0 < len(WORLDS) < 2 ** len(FACTS)
    # V cannot be both a cause and a consequence of T, and a common cause must cause both.
    both = tuple(f in (Fact.TREATMENT_CAUSES, Fact.CAUSES_TREATMENT) for f in FACTS)
    assert not is_consistent(both)
    common_only = tuple(f is Fact.COMMON_CAUSE for f in FACTS)
    assert not is_consistent(common_only)


def test_answers_at_chance_give_uniform_role_probabilities() -> None:
    probs = role_probabilities(dict.fromkeys(FACTS, 0.5))
    assert probs is not None
    assert probs == pytest.approx(dict.fromkeys(ROLES, 1 / len(ROLES)))


def test_confident_answers_single_out_the_world_they_describe() -> None:
    for world in itertools.product((True, False), repeat=len(FACTS)):
        if not is_consistent(world):
            continue
        probs = role_probabilities({f: 0.99 if holds else 0.01 for f, holds in zip(FACTS, world, strict=True)})
        assert probs is not None
        assert max(probs, key=probs.__getitem__) == role_of(world)
        assert probs[role_of(world)] > 0.8
        assert sum(probs.values()) == pytest.approx(1.0)


def test_abstentions_are_no_evidence() -> None:
    assert role_probabilities(dict.fromkeys(FACTS, None)) is None
    partial = role_probabilities({Fact.TREATMENT_CAUSES: 0.99, Fact.CAUSES_OUTCOME: 0.99})
    assert partial is not None and max(partial, key=partial.__getitem__) == "mediator"


def test_true_roles_of_a_graph_with_every_role() -> None:
    assert true_roles(ALL_ROLES, "t", "y") == EXPECTED
    assert true_role(ALL_ROLES, "not-there", "t", "y") is None


# ---------------------------------------------------------------------- the simulated expert
def test_perfect_expert_recovers_every_role_and_the_graph_identifies_the_effect() -> None:
    table = suggest_roles(described(ALL_ROLES.nodes), "t", "y", SimulatedExpert(ALL_ROLES, accuracy=1.0))
    assert table.as_dict() == EXPECTED
    assert all(row.provenance == "llm" and row.probability is not None and row.probability > 0.8 for row in table)
    assert table.simulated and "SIMULATED" in table.notes[0]
    assert table.usage.queries == 6 * len(EXPECTED)  # five questions and one rationale per variable
    g = table.graph
    assert g.has_edge("c", "t") and g.has_edge("c", "y") and g.has_edge("t", "m") and g.has_edge("m", "y")
    assert g.has_edge("t", "k") and g.has_edge("y", "k") and g.has_edge("z", "t") and g.has_edge("e", "y")
    assert g.has_edge("t", "y") and not g.adjacent("i") and g.is_dag
    ident = identify(g, "t", "y")
    assert "c" in (ident.optimal_set or ()) and "m" not in (ident.optimal_set or ())
    bad = {row.variable: row.bad_control for row in table if row.bad_control}
    assert set(bad) == {"m", "k"} and bad["m"] == "mediator"
    assert "t -> m -> y" in (table.role("m").bad_control_reason or "")


def test_perfect_expert_is_right_on_every_pair_of_a_bundled_network() -> None:
    asia = load_network("asia")
    g = asia.graph
    rows = 0
    for t in g.nodes:
        for y in sorted(g.descendants(t)):
            table = suggest_roles(asia.variables, t, y, SimulatedExpert(g, accuracy=1.0), rationale=False)
            assert table.as_dict() == true_roles(g, t, y)
            rows += len(table)
    assert rows == 108


def _true_role_probabilities(accuracy: float) -> tuple[float, float]:
    """Mean probability given to the true role, and role accuracy, over pairs of the child network."""
    child = load_network("child")
    g = child.graph
    probs, right = [], 0
    for t in g.nodes[:8]:
        for y in sorted(g.descendants(t)):
            truth = true_roles(g, t, y)
            table = suggest_roles(child.variables, t, y, SimulatedExpert(g, accuracy=accuracy), rationale=False)
            for row in table:
                p = row.probability_of(truth[row.variable] or "")
                assert p is not None
                probs.append(p)
                right += row.role == truth[row.variable]
    return sum(probs) / len(probs), right / len(probs)


def test_an_expert_at_chance_gives_uninformative_probabilities() -> None:
    mean_true, accuracy = _true_role_probabilities(0.5)
    assert mean_true == pytest.approx(1 / len(ROLES), abs=0.02)
    assert accuracy < 0.3
    better, better_accuracy = _true_role_probabilities(0.8)
    assert better > mean_true + 0.1 and better_accuracy > accuracy + 0.15


def test_expert_that_does_not_know_the_variables_gives_unknown_roles_without_crashing() -> None:
    expert = SimulatedExpert(ALL_ROLES, accuracy=1.0)
    table = suggest_roles(described(["t", "y", "age", "income"]), "t", "y", expert)
    assert table.as_dict() == {"age": UNKNOWN, "income": UNKNOWN}
    assert all(row.probability is None and "no usable answer" in (row.note or "") for row in table)
    assert any("role unknown for age, income" in note for note in table.notes)
    assert table.graph.directed_edges == [("t", "y")]


def test_no_model_at_all_gives_unknown_roles() -> None:
    table = suggest_roles(described(["t", "y", "a"]), "t", "y", None)
    assert table.as_dict() == {"a": UNKNOWN} and table.usage.queries == 0 and "no model was asked" in table.notes[0]


def test_treatment_or_outcome_missing_is_an_unknown_variable() -> None:
    with pytest.raises(UnknownVariableError, match="treatment"):
        suggest_roles(described(["t", "y"]), "x", "y", None)


# ---------------------------------------------------------------------- bad model output
class GibberishBackend(BaseBackend):
    """TEST DOUBLE, not a language model: no log-probabilities, and every reply is unreadable gibberish (or, for
    ``refuse=True``, a refusal)."""

    kind = "gibberish-test"

    def __init__(self, refuse: bool = False) -> None:
        caps = Capabilities(has_logprobs=False, supports_json_schema=False, max_context=4096, is_local=True)
        super().__init__(name="gibberish-test-double", model="gibberish", capabilities=caps, choose_samples=3)
        self.refuse = refuse

    async def _generate(self, messages: Chat, params: GenerationParams) -> RawCompletion:
        if self.refuse:
            return RawCompletion("I can't help with that.", 5, 5, "refusal")
        return RawCompletion("%%% qwzx 42 ~~~", 5, 5)


@pytest.mark.parametrize("refuse", [False, True])
def test_nonsense_or_refusal_gives_unknown_roles_and_says_so(refuse: bool) -> None:
    table = suggest_roles(described(["t", "y", "a", "b"]), "t", "y", GibberishBackend(refuse))
    assert table.as_dict() == {"a": UNKNOWN, "b": UNKNOWN}
    assert any("gave no usable answer" in n for n in table.notes)
    expected_rationale = None if refuse else "%%% qwzx 42 ~~~"
    assert all(row.rationale == expected_rationale for row in table)
    assert table.usage.queries == 2 * 6 and table.usage.requests > 0


def test_p_yes_rejects_abstentions_foreign_options_and_non_probabilities() -> None:
    usage = Usage(queries=1)
    assert p_yes(Choice(("yes", "no"), (0.7, 0.3), usage)) == pytest.approx(0.7)
    assert p_yes(Choice(("yes", "no"), (0.5, 0.5), usage, abstained=True)) is None
    assert p_yes(Choice(("no", "yes"), (0.7, 0.3), usage)) is None
    assert p_yes(Choice(("yes", "no"), (float("nan"), 0.3), usage)) is None
    assert p_yes(Choice(("yes", "no"), (0.9, 0.9), usage)) is None


def test_one_sentence_rationale() -> None:
    usage = Usage(queries=1)
    assert one_sentence(Completion("  Smoking causes cancer. It also ...", usage)) == "Smoking causes cancer."
    assert one_sentence(Completion("", usage)) is None
    assert one_sentence(Completion("anything", usage, "abstain")) is None
    long = one_sentence(Completion("word " * 100, usage))
    assert long is not None and len(long) == 240 and long.endswith("…")
