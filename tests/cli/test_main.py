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


def test_demo_writes_report(tmp_path: Path) -> None:
    r = run("demo", "--out", str(tmp_path / "rep"), "--samples", "1000")
    assert r.returncode == 0, r.stderr
    result = json.loads((tmp_path / "rep" / "result.json").read_text())
    assert all(run["shd_vs_cpdag"] >= 0 for run in result["discovery"].values())
    assert 0 <= result["asia_queries"]["P(dysp=yes | do(smoke=yes))"] <= 1
    assert (tmp_path / "rep" / "summary.md").read_text().startswith("# causalbridge demo")
    html = (tmp_path / "rep" / "index.html").read_text()
    assert "<svg" in html and "simulated" in html.lower()
