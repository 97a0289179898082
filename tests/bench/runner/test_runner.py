"""The runner answers every item once, logs it, resumes without redoing or duplicating, and scores the log."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bench.runner.scripted import ScriptedBackend, script_for, toy_dataset
from causalbridge.bench import BenchDataset, BenchItem
from causalbridge.bench.runlog import CONFIG_FILE, RESULTS_FILE
from causalbridge.bench.runner import run_task, run_task_async, select_items
from causalbridge.bench.scorers import BenchScorer
from causalbridge.bench.solvers import ChainOfThoughtSolver, DirectSolver
from causalbridge.bench.task import Solution, Task
from causalbridge.errors import InputError
from causalbridge.llm import Backend, RecordingBackend, ReplayBackend, SqliteCache, Usage


def stable_lines(run_dir: Path) -> list[dict[str, Any]]:
    """The log's lines sorted by id, without the fields that measure time."""
    lines = []
    for text in (run_dir / RESULTS_FILE).read_text(encoding="utf-8").splitlines():
        data = json.loads(text)
        data.pop("latency_s")
        data["usage"].pop("wall_seconds")
        lines.append(data)
    return sorted(lines, key=lambda d: d["id"])


def task(dataset: BenchDataset, solver: Any = None) -> Task:
    return Task(dataset, solver or DirectSolver(), BenchScorer())


def test_a_run_answers_every_item_once_and_scores_it(toy: BenchDataset, run_dir: Path) -> None:
    backend = ScriptedBackend(script_for(toy))
    summary = run_task(task(toy), backend, run_dir, batch_size=5, progress=False)
    assert (summary.selected, summary.resumed, summary.new) == (12, 0, 12)
    lines = stable_lines(run_dir)
    assert [d["id"] for d in lines] == [it.id for it in toy]
    # script: items 4 and 9 answer the first option; items 2, 5, 8, 11 the wrong one (5 is wrong too, not 'first')
    expected = {it.id: it.answer for it in toy}
    for i in (2, 8, 11, 5):
        expected[f"q{i:03d}"] = "no" if toy[i].answer == "yes" else "yes"
    expected["q004"], expected["q009"] = "yes", "yes"
    assert {d["id"]: d["prediction"] for d in lines} == expected
    correct = sum(expected[it.id] == it.answer for it in toy)
    assert summary.scores.accuracy is not None and summary.scores.accuracy.correct == correct
    # position bias shows in the swapped ask: items 4 and 9 answer "no" there (the first option reversed)
    flipped = {d["id"] for d in lines if d["consistent"] is False}
    assert flipped == {"q004", "q009"}
    assert summary.scores.consistency is not None and summary.scores.consistency.correct == 10
    assert all(d["model"] == backend.name and d["strategy"] == "direct" for d in lines)
    assert lines[0]["meta"] == {"rung": 1, "query_type": "marginal", "naming": "story"}
    assert lines[0]["usage"]["queries"] == 2  # asked, then asked reversed
    config = json.loads((run_dir / CONFIG_FILE).read_text(encoding="utf-8"))
    assert config["model"] == backend.name and config["order_swap"] is True and config["dataset_size"] == 12


def test_resuming_a_finished_run_asks_nothing(toy: BenchDataset, run_dir: Path) -> None:
    run_task(task(toy), ScriptedBackend(script_for(toy)), run_dir, progress=False)
    before = (run_dir / RESULTS_FILE).read_bytes()
    backend = ScriptedBackend(script_for(toy))
    summary = run_task(task(toy), backend, run_dir, progress=False)
    assert (summary.resumed, summary.new) == (12, 0) and backend.calls == []
    assert (run_dir / RESULTS_FILE).read_bytes() == before
    assert summary.scores.n == 12


def test_a_torn_line_is_redone_once(toy: BenchDataset, run_dir: Path) -> None:
    run_task(task(toy), ScriptedBackend(script_for(toy)), run_dir, progress=False)
    reference = stable_lines(run_dir)
    path = run_dir / RESULTS_FILE
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:7]) + lines[7][:25], encoding="utf-8")  # a crash in the middle of line 8
    backend = ScriptedBackend(script_for(toy))
    summary = run_task(task(toy), backend, run_dir, progress=False)
    assert (summary.resumed, summary.new) == (7, 5)
    assert Counter(d["id"] for d in stable_lines(run_dir)) == Counter(it.id for it in toy)
    assert stable_lines(run_dir) == reference


def test_limit_draws_a_growing_seeded_sample(toy: BenchDataset, run_dir: Path) -> None:
    small = select_items(toy, 5, seed=1)
    large = select_items(toy, 9, seed=1)
    assert len(small) == 5 and set(small) <= set(large)
    assert list(large) == sorted(large, key=lambda it: it.id)  # dataset order kept
    assert select_items(toy, 5, seed=2) != small
    assert select_items(toy, None) == select_items(toy, 50) == toy.items
    for bad in (0, -3, True):
        with pytest.raises(InputError, match="--limit"):
            select_items(toy, bad)  # type: ignore[arg-type]
    run_task(task(toy), ScriptedBackend(script_for(toy)), run_dir, limit=5, seed=1, progress=False)
    backend = ScriptedBackend(script_for(toy))
    summary = run_task(task(toy), backend, run_dir, limit=9, seed=1, progress=False)
    assert (summary.resumed, summary.new) == (5, 4) and len(backend.calls) == 8  # 4 items, asked twice
    with pytest.raises(InputError, match="sample_seed: 1 .saved. vs 2 .now."):
        run_task(task(toy), backend, run_dir, limit=9, seed=2, progress=False)
    full = run_task(task(toy), ScriptedBackend(script_for(toy)), run_dir, progress=False)  # complete the sample
    assert (full.resumed, full.new) == (9, 3)


def test_refuses_a_run_directory_of_another_run(toy: BenchDataset, run_dir: Path) -> None:
    run_task(task(toy), ScriptedBackend(script_for(toy)), run_dir, progress=False)
    with pytest.raises(InputError, match=r"strategy: 'direct' \(saved\) vs 'cot' \(now\)"):
        run_task(task(toy, ChainOfThoughtSolver()), ScriptedBackend({}), run_dir, progress=False)
    with pytest.raises(InputError, match="model: "):
        run_task(task(toy), ScriptedBackend({}, name="another-model"), run_dir, progress=False)
    with pytest.raises(InputError, match="dataset_hash"):
        run_task(task(toy_dataset(13)), ScriptedBackend({}), run_dir, progress=False)
    with pytest.raises(InputError, match="order_swap"):
        run_task(task(toy), ScriptedBackend({}), run_dir, order_swap=False, progress=False)
    with pytest.raises(InputError, match="batch size"):
        run_task(task(toy), ScriptedBackend({}), run_dir, batch_size=0, progress=False)


def test_a_replayed_run_gives_identical_results(toy: BenchDataset, tmp_path: Path) -> None:
    recording = RecordingBackend(ScriptedBackend(script_for(toy)), tmp_path / "answers.jsonl")
    run_task(task(toy, ChainOfThoughtSolver()), recording, tmp_path / "live", batch_size=4, progress=False)
    replay = ReplayBackend(tmp_path / "answers.jsonl")
    summary = run_task(task(toy, ChainOfThoughtSolver()), replay, tmp_path / "replayed", batch_size=3, progress=False)
    assert summary.new == 12
    live, replayed = stable_lines(tmp_path / "live"), stable_lines(tmp_path / "replayed")
    for a, b in zip(live, replayed, strict=True):
        assert a.pop("model") == "scripted-test-double" and b.pop("model") == replay.name
        a.pop("usage"), b.pop("usage")  # replay reports no tokens
    assert live == replayed


def test_the_cache_serves_a_second_run(toy: BenchDataset, tmp_path: Path) -> None:
    cache = SqliteCache(tmp_path / "cache")
    first = run_task(task(toy), ScriptedBackend(script_for(toy)), tmp_path / "a", progress=False)
    backend = ScriptedBackend(script_for(toy))
    backend.cache = cache
    run_task(task(toy), backend, tmp_path / "b", progress=False)
    again = ScriptedBackend(script_for(toy))
    again.cache = cache
    second = run_task(task(toy), again, tmp_path / "c", progress=False)
    assert again.calls == [] and second.scores.usage.cache_hits == 24 == second.scores.usage.queries
    assert second.scores.accuracy == first.scores.accuracy
    cache.close()


def test_cancelling_mid_run_keeps_whole_batches_only(tmp_path: Path) -> None:
    dataset = toy_dataset(40)
    run_dir = tmp_path / "run"
    slow = ScriptedBackend(script_for(dataset), delay=0.02)

    async def interrupted() -> None:
        job = asyncio.ensure_future(
            run_task_async(task(dataset), slow, run_dir, batch_size=4, concurrency=1, progress=False)
        )
        while not (run_dir / RESULTS_FILE).exists() or len((run_dir / RESULTS_FILE).read_bytes()) == 0:
            await asyncio.sleep(0.01)
        job.cancel()
        with pytest.raises(asyncio.CancelledError):
            await job

    asyncio.run(interrupted())
    text = (run_dir / RESULTS_FILE).read_text(encoding="utf-8")
    assert text.endswith("\n") and 0 < text.count("\n") < 40 and text.count("\n") % 4 == 0
    summary = run_task(task(dataset), ScriptedBackend(script_for(dataset)), run_dir, progress=False)
    assert summary.resumed + summary.new == 40 and summary.resumed == text.count("\n")
    assert Counter(d["id"] for d in stable_lines(run_dir)) == Counter(it.id for it in dataset)


@dataclass(frozen=True)
class _Broken:
    name: str = "broken"
    version: str = "v0"

    async def solve(self, items: Sequence[BenchItem], backend: Backend) -> list[Solution]:
        return [Solution("yes", (0.5, 0.5), Usage())]


def test_a_solver_that_drops_items_is_a_bug_not_a_result(toy: BenchDataset, run_dir: Path) -> None:
    with pytest.raises(RuntimeError, match="returned 1 solutions for 4 items"):
        run_task(task(toy, _Broken()), ScriptedBackend({}), run_dir, batch_size=4, progress=False)
    assert (run_dir / RESULTS_FILE).read_text(encoding="utf-8") == ""
