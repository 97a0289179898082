"""Reports are rebuilt from a run directory alone: JSON with every number, Markdown tables, a chart by rung."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from bench.runner.scripted import ScriptedBackend, script_for, toy_dataset
from causalbridge.bench import BenchDataset, BenchItem
from causalbridge.bench.report import render_markdown, write_report
from causalbridge.bench.runlog import RESULTS_FILE, read_config
from causalbridge.bench.runner import run_task
from causalbridge.bench.scorers import BenchScorer
from causalbridge.bench.solvers import DirectSolver
from causalbridge.bench.task import Task
from causalbridge.errors import InputError


def finished_run(dataset: BenchDataset, run_dir: Path) -> None:
    run_task(
        Task(dataset, DirectSolver(), BenchScorer()), ScriptedBackend(script_for(dataset)), run_dir, progress=False
    )


def test_report_files(toy: BenchDataset, run_dir: Path) -> None:
    finished_run(toy, run_dir)
    files = write_report(run_dir)
    assert [p.name for p in files.charts] == ["by_rung.png", "by_rung.svg"]
    assert files.charts[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in files.charts[1].read_text(encoding="utf-8")
    data = json.loads(files.json.read_text(encoding="utf-8"))
    assert data["config"]["strategy"] == "direct" and data["config"]["dataset"] == "toy"
    assert data["scores"] == json.loads(json.dumps(files.scores.to_dict()))
    assert data["scores"]["n"] == 12 and [row["value"] for row in data["scores"]["by"]["rung"]] == [1, 2, 3]
    md = files.markdown.read_text(encoding="utf-8")
    acc = files.scores.accuracy
    assert acc is not None
    assert f"| accuracy [95% CI] | {acc.accuracy:.1%} [{acc.low:.1%}, {acc.high:.1%}] (chance 50.0%) |" in md
    for heading in ("## By rung", "## By query type", "## By naming", "order-swap consistency", "F1 for 'yes'"):
        assert heading in md
    assert "| 1 association | 4 |" in md and "![accuracy by rung](by_rung.png)" in md
    assert "## By dataset" not in md  # one dataset: no table


def test_items_without_a_rung_get_one_bar(tmp_path: Path) -> None:
    items = tuple(BenchItem(f"c{i}", "copa", f"Premise {i}. What was the cause?", ("a", "b"), "a") for i in range(6))
    dataset = BenchDataset("copa", items)
    finished_run(dataset, tmp_path / "run")
    files = write_report(tmp_path / "run")
    assert files.scores.breakdown("rung") is None and len(files.charts) == 2
    md = files.markdown.read_text(encoding="utf-8")
    assert "## By rung" not in md and "F1 for 'yes'" not in md


def test_report_of_a_run_that_has_not_answered_anything(toy: BenchDataset, run_dir: Path) -> None:
    finished_run(toy, run_dir)
    (run_dir / RESULTS_FILE).write_text("", encoding="utf-8")
    files = write_report(run_dir)
    assert files.charts == () and "No finished items yet." in files.markdown.read_text(encoding="utf-8")


def test_report_of_a_torn_log_reads_whole_lines_and_leaves_the_file(toy: BenchDataset, run_dir: Path) -> None:
    finished_run(toy, run_dir)
    path = run_dir / RESULTS_FILE
    torn = path.read_bytes()[:-30]
    path.write_bytes(torn)
    assert write_report(run_dir).scores.n == 11 and path.read_bytes() == torn


def test_without_matplotlib_the_report_says_so(
    toy: BenchDataset, run_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    finished_run(toy, run_dir)
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "matplotlib" else real(name, *a))
    files = write_report(run_dir)
    assert files.charts == ()
    assert "pip install matplotlib" in files.markdown.read_text(encoding="utf-8")


def test_not_a_run_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a run directory"):
        write_report(tmp_path)


def test_markdown_names_a_sample(tmp_path: Path) -> None:
    dataset = toy_dataset(20)
    run_task(Task(dataset, DirectSolver(), BenchScorer()), ScriptedBackend(script_for(dataset)), tmp_path / "r",
             limit=7, seed=3, progress=False)  # fmt: skip
    config = read_config(tmp_path / "r")
    text = render_markdown(config, BenchScorer().score([]))
    assert "(20 items, sha256" in text and "sample of 7 with seed 3" in text
