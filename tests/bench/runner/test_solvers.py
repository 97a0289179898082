"""Each prompt strategy sends the documented conversation and reads its answer through ``choose``."""

from __future__ import annotations

import pytest

from bench.runner.scripted import ScriptedBackend
from causalbridge.bench import BenchDataset, BenchItem
from causalbridge.bench.solvers import (
    STRATEGIES,
    CausalChainOfThoughtSolver,
    ChainOfThoughtSolver,
    DirectSolver,
    load_template,
    make_solver,
    options_text,
    render,
)
from causalbridge.bench.task import Solver
from causalbridge.errors import InputError
from causalbridge.llm import run_sync

Q = "Imagine lever L raises lamp Y. Does pulling L raise Y?"


def item(question: str = Q, options: tuple[str, ...] = ("yes", "no"), answer: str = "yes", i: int = 0) -> BenchItem:
    return BenchItem(f"i{i}", "d", question, options, answer)


def test_templates_exist_render_and_are_versioned() -> None:
    for name in STRATEGIES:
        solver = make_solver(name)
        assert isinstance(solver, Solver) and solver.version == "v1"
    text = render("bench_direct_v1", question=Q)
    assert text.endswith(Q) and "$" not in text
    with pytest.raises(KeyError):
        render("bench_cot_v1", question=Q)  # the options placeholder is required
    with pytest.raises(InputError, match="no prompt template"):
        load_template("bench_direct_v999")


def test_options_text() -> None:
    assert options_text(["yes", "no"]) == "yes or no"
    assert options_text(["a", "b", "c"]) == "a, b or c"
    assert options_text(["x, y", "z"]) == '"x, y" or z'


def test_direct_sends_one_prompt_and_reads_probabilities() -> None:
    backend = ScriptedBackend({Q: "no"}, confidence=0.9)
    (solution,) = run_sync(DirectSolver().solve([item()], backend))
    assert solution.prediction == "no" and not solution.abstained and solution.method == "logprobs"
    assert solution.probs == pytest.approx((0.1, 0.9))
    assert solution.usage.queries == 1 and solution.reasoning is None
    (chat,) = backend.calls
    assert [m.role for m in chat] == ["user"]
    assert chat[0].content == render("bench_direct_v1", question=Q) + "\n\nAnswer with exactly one of: yes, no."


def test_cot_reasons_then_chooses_in_the_same_conversation() -> None:
    backend = ScriptedBackend({Q: "yes"})
    (solution,) = run_sync(ChainOfThoughtSolver().solve([item()], backend))
    assert solution.prediction == "yes"
    assert solution.reasoning == "Step by step, the numbers point to: yes."
    assert solution.usage.queries == 2 and solution.usage.completion_tokens == 12
    first, final = backend.calls
    assert first[0].content == render("bench_cot_v1", question=Q, options="yes or no")
    assert [m.role for m in final] == ["user", "assistant", "user"]
    assert final[1].content == solution.reasoning
    assert final[2].content.startswith(render("bench_final_v1"))


def test_causal_cot_extracts_then_computes_then_chooses() -> None:
    backend = ScriptedBackend({Q: "no"})
    (solution,) = run_sync(CausalChainOfThoughtSolver().solve([item()], backend))
    assert solution.prediction == "no" and solution.usage.queries == 3
    extract, compute, final = backend.calls
    assert extract[0].content == render("bench_causal_cot_extract_v1", question=Q)
    assert "causal graph" in extract[0].content and "Step 4" in extract[0].content
    assert [m.role for m in compute] == ["user", "assistant", "user"]
    assert compute[2].content == render("bench_causal_cot_compute_v1", options="yes or no")
    assert [m.role for m in final] == ["user", "assistant", "user", "assistant", "user"]
    assert solution.reasoning is not None and solution.reasoning.count("Step by step") == 2


def test_items_with_different_options_are_grouped_and_kept_in_order() -> None:
    items = [
        item("Which came first, the egg or the hen? (a)", ("egg", "hen"), "egg", 0),
        item("Q one?", ("yes", "no"), "yes", 1),
        item("Which came first, the egg or the hen? (b)", ("hen", "egg"), "egg", 2),
        item("Q two?", ("yes", "no"), "no", 3),
    ]
    script = {items[0].question: "hen", items[1].question: "yes", items[2].question: "@first", items[3].question: "no"}
    solutions = run_sync(DirectSolver().solve(items, ScriptedBackend(script)))
    assert [s.prediction for s in solutions] == ["hen", "yes", "hen", "no"]


def test_an_unreadable_answer_is_an_abstention_without_probabilities() -> None:
    backend = ScriptedBackend({Q: "@abstain"}, logprobs=False)  # no logprobs: choose samples and votes
    (solution,) = run_sync(DirectSolver().solve([item()], backend))
    assert solution.abstained and solution.prediction is None and solution.probs is None
    assert solution.method == "sampling"


def test_sampling_backends_vote() -> None:
    backend = ScriptedBackend({Q: "yes"}, logprobs=False)
    (solution,) = run_sync(DirectSolver().solve([item()], backend))
    assert solution.prediction == "yes" and solution.probs == (1.0, 0.0) and solution.method == "sampling"


def test_unknown_strategy() -> None:
    assert make_solver("Chain_of_Thought").name == "cot"
    assert make_solver("CausalCoT").name == "causal-cot"
    with pytest.raises(InputError, match=r"unknown strategy 'drect' \(did you mean 'direct'\?\)"):
        make_solver("drect")


def test_solvers_work_on_a_whole_dataset(toy: BenchDataset) -> None:
    script = {it.question: it.answer for it in toy}
    solutions = run_sync(DirectSolver().solve(toy.items, ScriptedBackend(script)))
    assert [s.prediction for s in solutions] == [it.answer for it in toy]
