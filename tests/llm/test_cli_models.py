"""``causalbridge models list`` and ``models try`` (the typer app, as the lead mounts it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from causalbridge.cli.models import app
from causalbridge.errors import InputError
from causalbridge.llm.scripted_server import ScriptedServer

runner = CliRunner()


def test_list_reports_usability(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    result = runner.invoke(app, ["list", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["spec"].split(":")[0]: row for row in json.loads(result.output)}
    assert set(rows) >= {"openai", "openai-compatible", "hf", "local", "llamacpp", "replay", "simulated"}
    assert rows["openai"]["usable"] is False and rows["openai"]["why"] == "OPENAI_API_KEY is not set"
    assert rows["openai-compatible"]["usable"] is True
    monkeypatch.setenv("OPENAI_API_KEY", "sk-x")
    table = runner.invoke(app, ["list"], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "openai:gpt-4o-mini" in table.output and "local:smollm2" in table.output


def test_try_completes_and_prints_usage(server: ScriptedServer, tmp_path: Path) -> None:
    spec = f"openai-compatible:{server.base_url}#tiny"
    args = ["try", spec, "Hello model", "--cache-dir", str(tmp_path)]
    result = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "echo: Hello model" in result.output and "usage: 1 query · 1 request · 2+3 tokens" in result.output
    again = runner.invoke(app, [*args, "--json"])
    payload = json.loads(again.stdout)  # the closing usage line goes to stderr
    assert payload["text"] == "echo: Hello model" and payload["usage"]["cache_hits"] == 1
    assert payload["simulation"] is False


def test_try_choose_with_options(server: ScriptedServer) -> None:
    spec = f"openai-compatible:{server.base_url}#tiny"
    result = runner.invoke(app, ["try", spec, "Is fire hot?", "--options", "yes,no", "--no-cache", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["method"] == "logprobs" and payload["options"]["yes"] > payload["options"]["no"]


def test_try_a_simulated_expert_with_a_claim(tmp_path: Path) -> None:
    pytest.importorskip("causalbridge.data")
    graph_file = tmp_path / "sim.jsonl"  # build a replay of a simulated expert so no bundled network is loaded
    from causalbridge.graph import CausalGraph
    from causalbridge.llm import CausalClaim, Query, RecordingBackend, Relation, SimulatedExpert, run_sync

    recorder = RecordingBackend(SimulatedExpert(CausalGraph.dag([("smoke", "lung")]), accuracy=1.0), graph_file)
    run_sync(
        recorder.choose(
            [Query("Does smoking cause cancer?", about=CausalClaim.yes_no(Relation.CAUSES, "smoke", "lung"))],
            ["yes", "no"],
        )
    )
    args = ["try", f"replay:{graph_file}", "Does smoking cause cancer?", "--claim", "causes:smoke,lung", "--json"]
    payload = json.loads(runner.invoke(app, args).stdout)
    assert payload["simulation"] is True and payload["options"]["yes"] > 0.9  # accuracy 1: right, and confident
    shown = runner.invoke(app, args[:-1], env={"COLUMNS": "200"})
    assert "SIMULATED expert" in shown.output


def test_bad_input_is_a_user_error() -> None:
    result = runner.invoke(app, ["try", "nonsense", "hi"])
    assert isinstance(result.exception, InputError)
    result = runner.invoke(app, ["try", "simulated:asia", "q", "--claim", "teleports:a,b"])
    assert isinstance(result.exception, InputError) and "unknown relation" in str(result.exception)
