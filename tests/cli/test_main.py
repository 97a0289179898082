"""The CLI as a user meets it: a real subprocess, exit codes, and one-line errors with no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from causalbridge import __version__


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONHASHSEED": "0", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "causalbridge", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300
    )


def test_version_and_help() -> None:
    r = run("--version")
    assert r.returncode == 0 and __version__ in r.stdout
    r = run("--help")
    assert r.returncode == 0
    for command in ("query", "networks", "demo"):
        assert command in r.stdout


def test_exact_query_matches_library() -> None:
    from causalbridge.data import load_network

    r = run("query", "asia", "--target", "dysp", "--do", "smoke=yes", "--json")
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)["probabilities"]["yes"]
    want = load_network("asia").scm.interventional(["dysp"], {"smoke": "yes"}).prob({"dysp": "yes"})
    assert got == pytest.approx(want, abs=1e-12)


@pytest.mark.parametrize(
    ("args", "culprit"),
    [
        (("query", "asia", "--target", "dysp", "--do", "smoke"), "--do"),
        (("query", "asia", "--target", "dyspnoea"), "dyspnoea"),
        (("query", "asia", "--target", "dysp", "--given", "smoke=maybe"), "maybe"),
        (("query", "nosuchnet", "--target", "x"), "nosuchnet"),
        (("networks", "show", "nosuchnet"), "nosuchnet"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: tuple[str, ...], culprit: str) -> None:
    r = run(*args)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and culprit in lines[0], r.stderr


def test_verbose_shows_traceback() -> None:
    r = run("-v", "query", "asia", "--target", "dyspnoea")
    assert r.returncode == 2 and "Traceback" in r.stderr


@pytest.mark.slow
def test_demo_runs_every_job_and_writes_the_report(demo_report: Path) -> None:
    from causalbridge.data import load_network

    result = json.loads((demo_report / "result.json").read_text())
    assert result["model"] == "local:smollm2"
    runs = result["discovery"]
    assert len(runs) == 3 and all(run["shd_vs_cpdag"] >= 0 for run in runs.values())
    ours = next(run for label, run in runs.items() if "local:smollm2" in label)
    assert 0 < ours["llm_queries"] <= ours["graph"]["diagnostics"]["query_bound"]
    assert any("SIMULATED" in label for label in runs)
    exact = load_network("asia").scm.ate("smoke", "dysp", treated="yes", control="no", outcome_state="yes")
    assert result["effect"]["exact_ate"] == pytest.approx(exact, abs=1e-12)
    truth = result["effect"]["true asia graph"]["estimates"]["ols"]
    assert truth["ci_low"] <= exact <= truth["ci_high"]  # seed 0: the true graph's interval covers the truth
    assert set(result["effect"]["model_roles"]) == {"asia", "tub", "lung", "bronc", "either", "xray"}
    flagged = result["effect"]["true asia graph"]["identification"]["bad_controls"]
    assert {b["variable"] for b in flagged} == {"lung", "bronc", "either", "xray"}  # mediators and a consequence
    bench = result["benchmark"]
    assert bench["items"] == 6 and bench["answered_now"] == 6 and 0 <= bench["accuracy"]["value"] <= 1
    assert result["exact"]["P(dysp=yes | do(smoke=yes))"] == pytest.approx(
        load_network("asia").scm.interventional(["dysp"], {"smoke": "yes"}).prob({"dysp": "yes"}), abs=1e-12
    )
    usage = result["usage"]
    assert usage["queries"] > 0 and usage["prompt_tokens"] > 0
    summary = (demo_report / "summary.md").read_text()
    assert summary.startswith("# causalbridge demo") and "at chance" in summary
    assert "P(dysp=yes \\| do(smoke=yes))" in summary  # pipes inside Markdown cells are escaped
    html = (demo_report / "index.html").read_text()
    assert "<svg" in html and "simulated" in html.lower()
    stdout = (demo_report / "stdout.txt").read_text()
    assert "usage (local:smollm2)" in stdout and "index.html" in stdout


@pytest.mark.parametrize("command", ["estimate", "discover"])
def test_missing_cells_stop_with_the_line_or_are_dropped_on_request(command: str, tmp_path: Path) -> None:
    data = tmp_path / "miss.csv"
    data.write_text("a,b\n1,\n0,3\n1,4\n0,2\n1,5\n0,1\n")
    graph = tmp_path / "g.csv"
    graph.write_text("source,target\na,b\n")
    args = ["estimate", str(data), "-t", "a", "-y", "b", "--graph", str(graph), "--no-refute"]
    if command == "discover":
        args = ["discover", str(data), "--method", "pc"]
    r = run(*args)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "miss.csv:2" in r.stderr and "--missing drop" in r.stderr
    r = run(*args, "--missing", "drop")
    assert r.returncode == 0, r.stderr
    assert "dropped 1 of 6 rows with missing values" in r.stderr and "DataWarning" not in r.stderr
    r = run(*args, "--missing", "maybe")
    assert r.returncode == 2 and "--missing" in r.stderr
