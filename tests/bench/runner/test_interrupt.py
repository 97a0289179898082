"""A real ``kill -9`` and a real Ctrl-C (SIGINT) of ``causalbridge bench run`` in a child process, then a resume.

The child runs the real CLI (``scripted.py`` registers the scripted test double as ``scripted:`` in the child
only) with a delay per model call, so the run is still going when it is killed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bench.runner.scripted import ScriptedBackend, script_for, toy_dataset
from causalbridge.bench.runlog import RESULTS_FILE
from causalbridge.bench.runner import run_task
from causalbridge.bench.scorers import BenchScorer
from causalbridge.bench.solvers import DirectSolver
from causalbridge.bench.task import Task

pytestmark = pytest.mark.slow  # two child processes per test, each importing the package

DRIVER = Path(__file__).with_name("scripted.py")
N = 40


def stable(path: Path) -> list[dict[str, Any]]:
    lines = []
    for text in path.read_text(encoding="utf-8").splitlines():
        data = json.loads(text)
        data.pop("latency_s")
        data.pop("usage")  # cache hits differ between an interrupted-and-resumed run and a straight one
        lines.append(data)
    return sorted(lines, key=lambda d: d["id"])


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path, list[str]]:
    dataset = toy_dataset(N)
    questions = dataset.to_jsonl(tmp_path / "q.jsonl")
    script = tmp_path / "script.json"
    script.write_text(json.dumps(script_for(dataset)), encoding="utf-8")
    run_dir = tmp_path / "runs" / "x"
    args = [str(questions), "--out", str(run_dir), "--batch-size", "2", "--no-progress"]
    args += ["--cache-dir", str(tmp_path / "cache")]
    return script, run_dir, args


def start(script: Path, args: list[str], delay: float) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    command = [sys.executable, str(DRIVER), "run", *args, "--llm", f"scripted:{script}?delay={delay}"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def wait_for_lines(process: subprocess.Popen[str], results: Path, at_least: int, timeout: float = 60.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the run ended before it could be interrupted: {process.communicate()}")
        count = results.read_bytes().count(b"\n") if results.exists() else 0
        if count >= at_least:
            return count
        time.sleep(0.01)
    process.kill()
    raise AssertionError(f"no {at_least} lines in {timeout} s")


def reference(script: Path, tmp_path: Path) -> list[dict[str, Any]]:
    """The same run, uninterrupted, in this process."""
    dataset = toy_dataset(N)
    backend = ScriptedBackend(script_for(dataset), name=f"scripted:{script}")
    run_task(Task(dataset, DirectSolver(), BenchScorer()), backend, tmp_path / "ref", batch_size=2, progress=False)
    return stable(tmp_path / "ref" / RESULTS_FILE)


def finish(script: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    command = [sys.executable, str(DRIVER), "run", *args, "--llm", f"scripted:{script}"]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


def test_kill_9_then_resume(setup: tuple[Path, Path, list[str]], tmp_path: Path) -> None:
    script, run_dir, args = setup
    results = run_dir / RESULTS_FILE
    process = start(script, args, delay=0.25)
    wait_for_lines(process, results, at_least=4)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    killed_at = results.read_bytes().count(b"\n")
    assert 4 <= killed_at < N

    done = finish(script, args)
    assert done.returncode == 0, done.stderr
    assert f"resumed {run_dir}" in done.stdout
    ids = [d["id"] for d in stable(results)]
    assert Counter(ids) == Counter(f"q{i:03d}" for i in range(N))  # exactly one line per item
    assert stable(results) == reference(script, tmp_path)
    assert (run_dir / "report.md").is_file() and (run_dir / "report.json").is_file()


def test_ctrl_c_leaves_a_resumable_log_and_one_line(setup: tuple[Path, Path, list[str]], tmp_path: Path) -> None:
    script, run_dir, args = setup
    results = run_dir / RESULTS_FILE
    process = start(script, args, delay=0.25)
    wait_for_lines(process, results, at_least=2)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    saved = results.read_bytes().count(b"\n")
    assert results.read_bytes().endswith(b"\n") and 2 <= saved < N
    message = [line for line in stderr.splitlines() if line.strip()]
    assert message == [
        f"interrupted: {saved} finished items are saved in {results}; run the same command again to resume."
    ]
    done = finish(script, args)
    assert done.returncode == 0, done.stderr
    assert stable(results) == reference(script, tmp_path)
