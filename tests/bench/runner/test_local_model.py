"""The runner with the real embedded model (``local:smollm2``): slow, because it loads and runs a 135M model."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench.runner.scripted import toy_dataset
from causalbridge.bench.runner import run_task
from causalbridge.bench.scorers import BenchScorer
from causalbridge.bench.solvers import ChainOfThoughtSolver, DirectSolver
from causalbridge.bench.task import Task
from causalbridge.llm import availability, make_backend

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def smollm2():  # type: ignore[no-untyped-def]
    reason = availability("local:smollm2")
    if reason is not None:
        pytest.skip(reason)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # spinning OpenMP threads; only helps before torch loads
    return make_backend("local:smollm2", no_cache=True)


def test_direct_strategy_with_the_embedded_model(smollm2, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dataset = toy_dataset(3)
    task = Task(dataset, DirectSolver(), BenchScorer())
    summary = run_task(task, smollm2, tmp_path / "run", batch_size=3, progress=False)
    scores = summary.scores
    assert summary.new == 3 and scores.n == 3 and scores.abstained == 0
    assert scores.usage.queries == 6 and scores.usage.prompt_tokens > 6 * 20 and scores.usage.requests == 6
    assert scores.ece is not None and scores.consistency is not None
    from causalbridge.bench.runlog import read_results

    for result in read_results(tmp_path / "run"):
        assert result.method == "logprobs" and result.model == "local:smollm2"
        assert result.probs is not None and sum(result.probs) == pytest.approx(1.0)
        assert result.prediction in ("yes", "no") and result.swap is not None and result.swap.probs is not None
    used = smollm2.usage.queries
    again = run_task(task, smollm2, tmp_path / "run", progress=False)
    assert again.new == 0 and smollm2.usage.queries == used  # resumed without asking the model


def test_chain_of_thought_with_the_embedded_model(smollm2, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    task = Task(toy_dataset(1), ChainOfThoughtSolver(max_tokens=12), BenchScorer())
    summary = run_task(task, smollm2, tmp_path / "cot", order_swap=False, progress=False)
    assert summary.scores.n == 1 and summary.scores.usage.queries == 2
    assert summary.scores.usage.completion_tokens >= 1
