"""Roles wired into ``estimate_effect`` / ``EffectResult`` and into ``causalbridge estimate --llm/--roles``."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner

from causalbridge.cli.estimate import estimate_command
from causalbridge.data import CausalDataset, load_network
from causalbridge.effect import EffectWarning, estimate_effect
from causalbridge.effect.roles import suggest_roles
from causalbridge.effect.synthetic import mediation
from causalbridge.errors import InputError, UnknownVariableError
from causalbridge.llm import SimulatedExpert

DESCRIPTIONS = {
    "c": "the patient's age",
    "t": "took the drug",
    "m": "blood pressure after treatment",
    "y": "recovery score",
}


def test_the_graph_can_come_from_the_roles() -> None:
    s = mediation(1500, 0)
    data = CausalDataset.infer(s.data, DESCRIPTIONS)
    table = suggest_roles(data, "t", "y", SimulatedExpert(s.graph, accuracy=1.0))
    assert table.as_dict() == {"c": "confounder", "m": "mediator"}
    assert table.graph == s.graph
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EffectWarning)
        result = estimate_effect(data, None, "t", "y", ["ols"], roles=table, refute=False, sensitivity=False)
    assert result.graph_source == "roles" and result.adjustment_set == ("c",)
    est = result.estimate("ols")
    assert abs(est.value - s.ate) < 4 * est.std_error
    assert any("SIMULATED" in w for w in result.warnings)
    data_dict = json.loads(result.to_json())
    assert [row["role"] for row in data_dict["roles"]] == ["confounder", "mediator"]
    assert data_dict["roles"][1]["bad_control"] == "mediator" and data_dict["graph_source"] == "roles"
    assert data_dict["role_analysis"]["usage"]["queries"] == 12 and "roles" not in data_dict["role_analysis"]
    text = result.summary()
    assert "Roles for the effect of t on y" in text and "Graph: proposed from the roles above" in text


def test_a_given_graph_wins_and_bad_calls_fail_clearly() -> None:
    s = mediation(300, 1)
    data = CausalDataset.infer(s.data, DESCRIPTIONS)
    table = suggest_roles(data, "t", "y", SimulatedExpert(s.graph, accuracy=1.0), rationale=False)
    result = estimate_effect(data, s.graph, "t", "y", ["ols"], roles=table, refute=False, sensitivity=False)
    assert result.graph_source == "user" and result.roles is table
    with pytest.raises(InputError, match="give a graph, or a role table"):
        estimate_effect(data, None, "t", "y", ["ols"])
    other = suggest_roles(data, "m", "y", None)
    with pytest.raises(InputError, match="the role table is for m -> y"):
        estimate_effect(data, None, "t", "y", ["ols"], roles=other)


# ---------------------------------------------------------------------- the CLI
app = typer.Typer()
app.command()(estimate_command)
runner = CliRunner()
ENV = {"COLUMNS": "200", "PYTHONHASHSEED": "0"}
EXPERT = "simulated:asia?accuracy=1.0"


@pytest.fixture(scope="module")
def asia_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("asia")
    asia = load_network("asia")
    data = folder / "asia.csv"
    asia.sample(800, seed=0).frame.to_csv(data, index=False)
    describe = folder / "vars.yaml"
    described = {
        v.name: {"description": v.description, "kind": "binary", "states": list(v.states or ())} for v in asia.variables
    }
    describe.write_text(yaml.safe_dump(described), encoding="utf-8")
    return {"data": data, "describe": describe, "dir": folder}


def invoke(files: dict[str, Path], *args: str) -> typer.testing.Result:
    base = [str(files["data"]), "-t", "smoke", "-y", "dysp", "--describe", str(files["describe"]), "-e", "ols"]
    return runner.invoke(app, [*base, "--no-refute", *args], env=ENV)


def test_cli_estimate_without_a_graph_asks_for_roles(asia_files: dict[str, Path]) -> None:
    r = invoke(asia_files, "--llm", EXPERT, "--no-cache")
    assert r.exit_code == 0, r.output
    for text in ("Roles suggested by simulated:asia", "SIMULATED", "Graph proposed from the roles", "usage (simulated"):
        assert text in r.output
    assert "mediator" in r.output and "used (optimal)" in r.output and "): 36 queries" in r.output
    as_json = invoke(asia_files, "--llm", EXPERT, "--no-cache", "--json")
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.stdout)
    assert {row["variable"]: row["role"] for row in data["roles"]}["lung"] == "mediator"
    assert data["graph_source"] == "roles" and data["role_analysis"]["simulated"] is True


def test_cli_roles_file_overrides_and_works_without_a_model(asia_files: dict[str, Path]) -> None:
    roles = asia_files["dir"] / "roles.yaml"
    roles.write_text("roles:\n  asia: irrelevant\n  tub: effect_modifier\n  lung: mediator\n  bronc: mediator\n")
    r = invoke(asia_files, "--roles", str(roles), "--json")
    assert r.exit_code == 0, r.output
    rows = {row["variable"]: row for row in json.loads(r.stdout)["roles"]}
    assert rows["lung"]["provenance"] == "user" and rows["either"]["role"] == "unknown"
    assert any("no model was asked" in w for w in json.loads(r.stdout)["warnings"])
    both = invoke(asia_files, "--roles", str(roles), "--llm", EXPERT, "--no-cache", "--json")
    rows = {row["variable"]: row for row in json.loads(both.stdout)["roles"]}
    assert rows["either"]["role"] == "mediator" and rows["either"]["provenance"] == "llm"


def test_cli_with_a_graph_and_a_model(asia_files: dict[str, Path]) -> None:
    graph = asia_files["dir"] / "g.csv"
    graph.write_text("source,target\nsmoke,lung\nsmoke,bronc\nlung,dysp\nbronc,dysp\n")
    r = invoke(asia_files, "--llm", EXPERT, "--no-cache", "-g", str(graph), "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["graph_source"] == "user" and len(data["roles"]) == 6


def test_cli_errors(asia_files: dict[str, Path]) -> None:
    r = invoke(asia_files)
    assert isinstance(r.exception, InputError) and "give a causal graph" in str(r.exception)
    bad = asia_files["dir"] / "bad_roles.yaml"
    bad.write_text("roles:\n  smoking: confounder\n")
    r = invoke(asia_files, "--llm", EXPERT, "--roles", str(bad))
    assert isinstance(r.exception, UnknownVariableError)
    assert str(r.exception).startswith(f"{bad}:2: unknown variable 'smoking'")
