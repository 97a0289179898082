"""``discover_command`` through a one-command typer app: networks, files, known edges, JSON, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from causalbridge.cli.discover import discover_command
from causalbridge.data import Network
from causalbridge.errors import CycleError, InputError, UnknownVariableError

app = typer.Typer()
app.command()(discover_command)
runner = CliRunner()
ENV = {"COLUMNS": "200", "PYTHONHASHSEED": "0"}


def invoke(*args: str) -> typer.testing.Result:
    return runner.invoke(app, list(args), env=ENV)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, asia: Network) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("discover-cli")
    data = folder / "asia.csv"
    asia.sample(1500, seed=2).frame.to_csv(data, index=False)
    describe = folder / "vars.yaml"
    lines = [f"{v.name}: {json.dumps(v.description)}" for v in asia.variables if v.name != "xray"]
    describe.write_text("\n".join(lines) + "\n")
    known = folder / "known.csv"
    known.write_text("source,target\nsmoke,lung\nlung,either\n")
    return {"data": data, "describe": describe, "known": known, "dir": folder}


def test_network_hybrid_json_reports_scores(asia: Network) -> None:
    r = invoke(
        "--network", "asia", "--samples", "2000", "--seed", "0", "--method", "hybrid",
        "--llm", "simulated:asia?accuracy=0.8", "--json", "--no-cache",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    payload = json.loads(r.stdout)
    scores = payload["scores"]
    assert {"shd_vs_dag", "shd_vs_cpdag", "skeleton_f1", "directed_f1", "llm_queries"} <= set(scores)
    assert 0 < scores["llm_queries"] <= scores["undirected_cpdag_edges_plus_n"]
    assert payload["method"] == "hybrid-pc" and payload["usage"]["queries"] == scores["llm_queries"]
    assert "usage (simulated:asia" in r.stderr  # printed at the end, on stderr so stdout stays JSON


def test_file_with_descriptions_known_edges_and_out(files: dict[str, Path]) -> None:
    out = files["dir"] / "result.json"
    r = invoke(
        str(files["data"]), "--describe", str(files["describe"]), "--method", "hybrid", "--data-method", "ges",
        "--llm", "simulated:asia?accuracy=0.9", "--known", str(files["known"]), "--out", str(out),
        "--cache-dir", str(files["dir"] / "cache"),
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert r.stderr.count("no description") == 1 and "xray" in r.stderr  # warned once, naming the column
    payload = json.loads(out.read_text())
    edges = {(e["source"], e["target"]): e for e in payload["edges"]}
    assert edges[("smoke", "lung")]["kind"] == "directed"
    assert payload["scores"] is None and payload["method"] == "hybrid-ges"
    assert "hybrid-ges: edges" in r.stdout and f"wrote {out}" in r.stdout and "usage (simulated:asia" in r.stdout


def test_data_only_methods(files: dict[str, Path]) -> None:
    r = invoke(str(files["data"]), "--method", "pc", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["usage"] is None
    r = invoke("--network", "asia", "--samples", "1000", "--method", "fci")
    assert r.exit_code == 0 and "fci: edges" in r.stdout


def test_llm_only_methods(asia: Network) -> None:
    for method in ("pairwise", "bfs"):
        r = invoke(
            "--network",
            "asia",
            "--samples",
            "300",
            "--method",
            method,
            "--llm",
            "simulated:asia?accuracy=0.95",
            "--json",
        )
        assert r.exit_code == 0, r.output
        payload = json.loads(r.stdout)
        assert payload["scores"]["skeleton_f1"] > 0.5
    n = len(asia.names)
    assert payload["usage"]["queries"] <= n * (n - 1)


@pytest.mark.parametrize(
    ("args", "error", "text"),
    [
        ((), InputError, "either a data file or --network"),
        (("--network", "asia", "--method", "magic"), InputError, "magic"),
        (("--network", "asia", "--method", "pairwise"), InputError, "--llm"),
        (("--network", "asia", "--samples", "0"), InputError, "--samples"),
        (("--network", "nosuch"), InputError, "nosuch"),
        (("--network", "asia", "-m", "hybrid", "--data-method", "fci", "--llm", "simulated:asia"), InputError, "ges"),
        (("--network", "asia", "--tiers", "smoke;nosuch"), UnknownVariableError, "nosuch"),
    ],
)  # fmt: skip
def test_bad_input(args: tuple[str, ...], error: type[Exception], text: str) -> None:
    r = invoke(*args)
    assert r.exit_code != 0
    assert isinstance(r.exception, error) and text in str(r.exception)


def test_bad_files(files: dict[str, Path]) -> None:
    cyclic = files["dir"] / "cyclic.csv"
    cyclic.write_text("source,target\nsmoke,lung\nlung,either\neither,smoke\n")
    r = invoke(str(files["data"]), "--known", str(cyclic))
    assert isinstance(r.exception, CycleError) and "cyclic.csv" in str(r.exception)
    wrong = files["dir"] / "wrong.yaml"
    wrong.write_text("smoke: smoking\nweather: the weather\n")
    r = invoke(str(files["data"]), "--describe", str(wrong))
    assert isinstance(r.exception, UnknownVariableError) and "weather" in str(r.exception)


def test_errors_are_one_line_with_exit_code_2(files: dict[str, Path]) -> None:
    """Through the real error handler (``run_guarded``), as the installed command reports them."""
    cyclic = files["dir"] / "cyclic2.csv"
    cyclic.write_text("source,target\nsmoke,lung\nlung,smoke\n")
    program = (
        "import sys, typer\n"
        "from causalbridge.cli.console import run_guarded\n"
        "from causalbridge.cli.discover import discover_command\n"
        "app = typer.Typer(pretty_exceptions_enable=False)\n"
        "app.command()(discover_command)\n"
        "run_guarded(lambda: app(sys.argv[1:]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program, str(files["data"]), "--known", str(cyclic)],
        capture_output=True, text=True, env={**ENV, "PATH": ""}, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "cycle" in lines[0] and "Traceback" not in done.stderr
