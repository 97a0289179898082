"""Recording any backend's answers and replaying them exactly."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from causalbridge.errors import InputError
from causalbridge.graph import CausalGraph
from causalbridge.llm import (
    CausalClaim,
    GenerationParams,
    Query,
    RecordingBackend,
    Relation,
    ReplayBackend,
    ReplayMissError,
    SimulatedExpert,
    make_backend,
    run_sync,
)
from causalbridge.llm.scripted_server import Reply, ScriptedServer
from causalbridge.testing import check_backend


class Pair(BaseModel):
    cause: str
    effect: str


def _responder(body: dict[str, Any]) -> Reply:
    if "JSON schema" in body["messages"][-1]["content"]:
        return Reply('{"cause": "rain", "effect": "mud"}')
    return Reply(f"reply to {body['messages'][-1]['content'][:12]}", (("yes", -0.3), ("no", -1.4)))


def test_round_trip_is_exact(server: ScriptedServer, http: Any, tmp_path: Path) -> None:
    server.responder = _responder
    path = tmp_path / "run.jsonl"
    recorder = RecordingBackend(http(), path)
    prompts = ["first question", "second question"]
    params = GenerationParams(max_tokens=9, temperature=0.3, seed=4)
    completions = run_sync(recorder.complete(prompts, params))
    choices = run_sync(recorder.choose(prompts, ["yes", "no"]))
    pairs = run_sync(recorder.structured(prompts, Pair))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    server.stop()  # the replay must not need the server

    replay = make_backend(f"replay:{path}")
    assert isinstance(replay, ReplayBackend)
    assert [c.text for c in run_sync(replay.complete(prompts, params))] == [c.text for c in completions]
    again = run_sync(replay.choose(prompts, ["yes", "no"]))
    assert [(c.probs, c.method) for c in again] == [(c.probs, c.method) for c in choices]
    assert run_sync(replay.structured(prompts, Pair))[0].value == pairs[0].value == Pair(cause="rain", effect="mud")
    assert replay.usage.queries == 6 and replay.usage.prompt_tokens == 0
    assert replay.capabilities == recorder.capabilities
    assert "recorded from openai-compatible:" in replay.name

    with pytest.raises(ReplayMissError) as missing:
        run_sync(replay.complete(["never asked"], params))
    assert str(path) in str(missing.value) and missing.value.key[:16] in str(missing.value)
    with pytest.raises(ReplayMissError):
        run_sync(replay.complete(prompts, GenerationParams(max_tokens=10, temperature=0.3, seed=4)))


def test_recording_appends_once_and_refuses_another_backend(server: ScriptedServer, http: Any, tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    recorder = RecordingBackend(http(), path)
    run_sync(recorder.complete(["a", "b"]))
    run_sync(recorder.complete(["a"]))
    recorder = RecordingBackend(http(), path)  # reopening keeps what is there
    run_sync(recorder.complete(["a", "c"]))
    lines = path.read_text().splitlines()
    assert len(lines) == 1 + 3 and json.loads(lines[0])["causalbridge_replay"] == 1
    with pytest.raises(InputError, match="this file records"):
        RecordingBackend(SimulatedExpert(CausalGraph.dag([("a", "b")])), path)


def test_replayed_simulation_stays_labelled_and_claims_count(tmp_path: Path) -> None:
    graph = CausalGraph.dag([("rain", "mud")])
    path = tmp_path / "sim.jsonl"
    recorder = RecordingBackend(SimulatedExpert(graph, accuracy=1.0), path)
    forward = Query("Q", about=CausalClaim.yes_no(Relation.CAUSES, "rain", "mud"))
    backward = Query("Q", about=CausalClaim.yes_no(Relation.CAUSES, "mud", "rain"))  # same text, other claim
    answers = run_sync(recorder.choose([forward, backward], ["yes", "no"]))
    assert [a.best for a in answers] == ["yes", "no"]
    replay = ReplayBackend(path)
    assert replay.capabilities.is_simulation and "simulated" in replay.name
    assert [a.best for a in run_sync(replay.choose([forward, backward], ["yes", "no"]))] == ["yes", "no"]


def test_replay_passes_the_conformance_check(server: ScriptedServer, http: Any, tmp_path: Path) -> None:
    path = tmp_path / "conformance.jsonl"
    check_backend(RecordingBackend(http(), path), expect_cache=False)
    check_backend(ReplayBackend(path))


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ("", "the replay file is empty"),
        ('{"not": "a header"}\n', "bad header line"),
        ('{"causalbridge_replay": 1, "backend": "x", "capabilities": {}}\n{oops\n', ":2:"),
        ('{"causalbridge_replay": 1, "backend": "x", "capabilities": {}}\n{"key": "k"}\n', "needs 'key'"),
    ],
)
def test_bad_replay_files(tmp_path: Path, content: str, where: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    with pytest.raises(InputError, match=where):
        ReplayBackend(path)


def test_missing_replay_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        make_backend(f"replay:{tmp_path / 'nope.jsonl'}")
