"""``causalbridge bench generate | run | report`` end to end, with the replay backend as the model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.runner.scripted import ScriptedBackend, script_for
from causalbridge.bench import BenchDataset, load_benchmark
from causalbridge.bench.runner import run_task, select_items
from causalbridge.bench.scorers import BenchScorer
from causalbridge.bench.solvers import DirectSolver
from causalbridge.bench.task import Task
from causalbridge.cli.bench import app, default_run_dir
from causalbridge.cli.console import run_guarded
from causalbridge.errors import InputError
from causalbridge.llm import RecordingBackend

runner = CliRunner()


def record(dataset: BenchDataset, path: Path, tmp_path: Path, limit: int | None = None) -> Path:
    """Answers for the direct strategy on ``dataset`` (both option orders), recorded from the scripted double."""
    recording = RecordingBackend(ScriptedBackend(script_for(dataset)), path)
    run_task(Task(dataset, DirectSolver(), BenchScorer()), recording, tmp_path / "recording-run", limit=limit,
             progress=False)  # fmt: skip
    return path


def test_generate_corr2cause(tmp_path: Path) -> None:
    from causalbridge.bench.generate import generate_corr2cause

    out = tmp_path / "c2c.jsonl"
    result = runner.invoke(app, ["generate", "corr2cause", "--n", "15", "--seed", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote 15 items to {out}" in result.output
    assert BenchDataset.read_jsonl(out).items == generate_corr2cause(15, seed=3, n_vars=(3, 6)).items


def test_generate_ladder(tmp_path: Path) -> None:
    from causalbridge.bench.generate.ladder import generate_ladder

    out = tmp_path / "q.jsonl"
    args = ["generate", "ladder", "--n", "24", "--naming", "anticommonsense", "--seed", "0", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    written = BenchDataset.read_jsonl(out)
    assert written.items == generate_ladder(24, seed=0, naming="anticommonsense").items
    assert set(written.counts("naming")) == {"anticommonsense"}
    rung1 = runner.invoke(
        app, ["generate", "ladder", "--n", "6", "--rung", "1", "--naming", "symbolic", "-o", str(out)]
    )
    assert rung1.exit_code == 0 and set(BenchDataset.read_jsonl(out).counts("rung")) == {1}


def test_run_then_report(toy: BenchDataset, tmp_path: Path) -> None:
    questions = toy.to_jsonl(tmp_path / "q.jsonl")
    answers = record(toy, tmp_path / "answers.jsonl", tmp_path)
    run_dir = tmp_path / "runs" / "x"
    args = ["run", str(questions), "--llm", f"replay:{answers}", "--out", str(run_dir), "--no-progress"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "rung 1" in result.output and "order-swap consistency" in result.output
    assert "12 items in" in result.output
    for name in ("config.json", "results.jsonl", "report.md", "report.json", "by_rung.png", "by_rung.svg"):
        assert (run_dir / name).is_file(), name
    again = runner.invoke(app, args)
    assert again.exit_code == 0 and f"resumed {run_dir}: 12 items were already done, 0 answered now" in again.output
    (run_dir / "report.md").unlink()
    report = runner.invoke(app, ["report", str(run_dir)])
    assert report.exit_code == 0 and (run_dir / "report.md").is_file()
    assert json.loads((run_dir / "report.json").read_text(encoding="utf-8"))["scores"]["n"] == 12


def test_run_on_a_cladder_sample(shared_data: Path, tmp_path: Path) -> None:
    spec = f"cladder:{shared_data / 'cladder' / 'official_repo_test_generate'}"
    cladder = load_benchmark(spec)
    sample = BenchDataset(cladder.name, select_items(cladder, 6, seed=0))
    answers = record(sample, tmp_path / "answers.jsonl", tmp_path)
    run_dir = tmp_path / "cl"
    args = ["run", spec, "--llm", f"replay:{answers}", "--limit", "6", "--out", str(run_dir), "--no-progress"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    config = json.loads((run_dir / "config.json").read_text(encoding="utf-8"))
    assert config["dataset_size"] == len(cladder) and config["limit"] == 6 and config["sample_seed"] == 0
    lines = (run_dir / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert sorted(json.loads(line)["id"] for line in lines) == sorted(it.id for it in sample)
    assert {json.loads(line)["meta"]["naming"] for line in lines} <= {"commonsense", "anticommonsense", "nonsense"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "missing.jsonl", "--llm", "replay:x.jsonl"], "no such file"),
        (["run", "nope:thing", "--llm", "replay:x.jsonl"], "unknown benchmark 'nope'"),
        (["run", "{q}", "--llm", "replay:x.jsonl", "--strategy", "tot"], "unknown strategy 'tot'"),
        (["run", "{q}", "--llm", "gpt4"], "a model spec looks like KIND:TARGET"),
        (["run", "{q}", "--llm", "replay:{tmp}/none.jsonl"], "replay file not found"),
        (["run", "{q}", "--llm", "replay:{answers}", "--limit", "0", "--out", "{tmp}/r"], "--limit"),
        (["run", "{q}", "--llm", "replay:{answers}", "--out", "{q}"], "not a directory"),
        (["report", "{tmp}"], "not a run directory"),
        (["generate", "ladder", "--n", "5", "--naming", "klingon", "--out", "{tmp}/l.jsonl"], "naming must be one of"),
        (["generate", "corr2cause", "--min-vars", "5", "--max-vars", "3", "--out", "{tmp}/c.jsonl"], "--min-vars"),
        (["generate", "corr2cause", "--n", "3", "--out", "{tmp}"], "is a directory"),
    ],
)
def test_bad_input_is_one_input_error(toy: BenchDataset, tmp_path: Path, args: list[str], message: str) -> None:
    questions = toy.to_jsonl(tmp_path / "q.jsonl")
    answers = record(toy, tmp_path / "answers.jsonl", tmp_path)
    filled = [a.format(q=questions, tmp=tmp_path, answers=answers) for a in args]
    result = runner.invoke(app, filled)
    assert isinstance(result.exception, InputError), (result.exception, result.output)
    assert message in str(result.exception) and "\n" not in str(result.exception)


def test_user_errors_exit_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        run_guarded(lambda: app(["report", str(tmp_path)], standalone_mode=False))
    assert info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err == f"error: {tmp_path}: not a run directory (no config.json)"


def test_default_run_dir() -> None:
    path = default_run_dir("cladder", "causal-cot", "openai-compatible:http://host:8000/v1#llama 3")
    assert path.parent == Path("runs")
    assert path.name == "cladder-causal-cot-openai-compatible-http-host-8000-v1-llama-3"


def test_a_failing_model_keeps_the_finished_batches(toy: BenchDataset, tmp_path: Path) -> None:
    from causalbridge.llm import ReplayMissError

    questions = toy.to_jsonl(tmp_path / "q.jsonl")
    answers = record(toy.head(6), tmp_path / "answers.jsonl", tmp_path)  # answers for the first 6 items only
    run_dir = tmp_path / "run"
    args = ["run", str(questions), "--llm", f"replay:{answers}", "--out", str(run_dir), "--no-progress"]
    result = runner.invoke(app, [*args, "--batch-size", "3", "--concurrency", "1"])
    assert isinstance(result.exception, ReplayMissError)
    lines = (run_dir / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert sorted(json.loads(line)["id"] for line in lines) == [it.id for it in toy.head(6)]
