"""``counterfactual_command`` through a one-command typer app; model specs resolve to the scripted test double."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import causalbridge.llm
from causalbridge.cli.counterfactual import counterfactual_command
from causalbridge.errors import InputError
from causalbridge.llm import Backend
from counterfactual.doubles import EditingDouble

app = typer.Typer()
app.command()(counterfactual_command)
runner = CliRunner()
ENV = {"COLUMNS": "200", "PYTHONHASHSEED": "0"}

EDITS = {"The movie was a delight": "The movie was a bore.", "cold soup": "Wonderful cold soup."}
JUDGE = {"The movie was a bore": "negative", "Wonderful cold soup": "positive"}


@pytest.fixture()
def examples(tmp_path: Path) -> Path:
    path = tmp_path / "in.jsonl"
    rows = [
        {"id": "a", "text": "The movie was a delight.", "label": "positive"},
        {"id": "b", "text": "Terrible cold soup.", "label": "negative"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture()
def doubles(monkeypatch: pytest.MonkeyPatch) -> dict[str, EditingDouble]:
    """Spec strings resolve to test doubles (the CLI imports make_backend from causalbridge.llm when it runs)."""
    built: dict[str, EditingDouble] = {}

    def make(spec: str, **_: object) -> Backend:
        built[spec] = EditingDouble(EDITS, JUDGE, logprobs=spec != "nologprobs", name=spec)
        return built[spec]

    monkeypatch.setattr(causalbridge.llm, "make_backend", make)
    return built


def test_writes_and_resumes(examples: Path, doubles: dict[str, EditingDouble], tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    args = [str(examples), "--llm", "gen", "--judge", "judge", "--out", str(out), "--no-progress"]
    r = runner.invoke(app, args, env=ENV)
    assert r.exit_code == 0, r.output
    assert (
        "2 examples (sentiment, labels negative, positive) · 2 edits · kept 2 of 2 new · fluency: logprob" in r.output
    )
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [x["kept"] for x in records] == [True, True] and records[0]["run"]["judge"] == "judge"
    assert records[0]["run"]["fluency"] == "gen"
    again = runner.invoke(app, args, env=ENV)
    assert again.exit_code == 0 and "2 edits were already done, 0 made now" in again.output
    assert doubles["gen"].rewrites == []


def test_options_reach_the_filters(examples: Path, doubles: dict[str, EditingDouble], tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    args = [str(examples), "--llm", "nologprobs", "--judge", "nologprobs", "--out", str(out), "--no-progress"]
    r = runner.invoke(app, [*args, "--max-edit", "0.1", "--target-label", "positive", "--labels", "positive,negative"])
    assert r.exit_code == 0, r.output
    assert "fluency: a heuristic" in r.output and "kept 0 of 2 new" in r.output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [x["mode"] for x in records] == ["keep", "flip"] and records[0]["run"]["settings"]["max_edit"] == 0.1
    assert records[0]["run"]["labels"] == ["positive", "negative"]


def test_bad_input(examples: Path, doubles: dict[str, EditingDouble], tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "fine", "label": "pos"}\n{"text": "x"}\n')
    r = runner.invoke(app, [str(bad), "--llm", "g", "--judge", "j", "--out", str(tmp_path / "o.jsonl")])
    assert isinstance(r.exception, InputError)
    assert str(r.exception).startswith(f"{bad}:2: 'label' must be a non-empty string")
    r = runner.invoke(app, [str(examples), "--llm", "g", "--judge", "j", "--out", str(examples)])
    assert isinstance(r.exception, InputError) and "the output file is the input file" in str(r.exception)
    r = runner.invoke(
        app, [str(examples), "--llm", "g", "--judge", "j", "--out", str(tmp_path / "o.jsonl"), "--max-edit", "2"]
    )
    assert isinstance(r.exception, InputError) and "max_edit" in str(r.exception)
