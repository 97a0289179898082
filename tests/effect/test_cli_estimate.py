"""``estimate_command``: graph files, tables, JSON, --out, --strict and errors (through a one-command typer app)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from causalbridge.cli.estimate import estimate_command, read_graph_file
from causalbridge.effect.synthetic import confounding
from causalbridge.errors import GraphError, InputError, UnknownVariableError

app = typer.Typer()
app.command()(estimate_command)
runner = CliRunner()
ENV = {"COLUMNS": "200", "PYTHONHASHSEED": "0"}


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    s = confounding(600, 0)
    data = tmp_path / "data.csv"
    s.data.assign(t=s.data["t"].astype(int)).to_csv(data, index=False)
    dot = tmp_path / "graph.dot"
    dot.write_text('digraph { x1 -> t; x1 -> y; x2 -> t; x2 -> y; t -> y; "u" -> x2 }\n')
    edges = tmp_path / "edges.csv"
    edges.write_text("source,target\nx1,t\nx1,y\nx2,t\nx2,y\nt,y\n")
    return {"data": data, "dot": dot, "edges": edges, "dir": tmp_path}


def invoke(*args: str) -> typer.testing.Result:
    return runner.invoke(app, list(args), env=ENV)


def test_tables_from_a_dot_graph(files: dict[str, Path]) -> None:
    r = invoke(str(files["data"]), "-t", "t", "-y", "y", "-g", str(files["dot"]), "-e", "ols,ipw")
    assert r.exit_code == 0, r.output
    for text in ("Identification: backdoor", "Estimates", "ols", "ipw", "placebo treatment", "unobserved confounding"):
        assert text in r.output
    assert "treated as latent: u" in r.output


def test_json_and_out_file(files: dict[str, Path]) -> None:
    out = files["dir"] / "result.json"
    r = invoke(
        str(files["data"]), "-t", "t", "-y", "y", "-g", str(files["edges"]), "--json", "--out", str(out), "--no-refute"
    )
    assert r.exit_code == 0, r.output
    printed = json.loads(r.stdout)
    assert printed == json.loads(out.read_text())
    assert set(printed["estimates"]) == {"ols", "ipw", "aipw"} and printed["refutations"] == []
    assert printed["adjustment_set"] == ["x1", "x2"]


def test_descriptions_file_declares_a_binary_treatment(files: dict[str, Path]) -> None:
    describe = files["dir"] / "vars.yaml"
    describe.write_text(
        "t: {description: got the treatment, kind: binary, states: ['0', '1']}\n"
        "y: outcome\nx1: first covariate\nx2: second covariate\n"
    )
    r = invoke(
        str(files["data"]),
        "-t",
        "t",
        "-y",
        "y",
        "-g",
        str(files["edges"]),
        "--describe",
        str(describe),
        "-e",
        "ipw",
        "--json",
        "--no-refute",
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["estimates"]["ipw"]["method"] == "inverse propensity weighting (ATE)"


def test_user_adjustment_set_is_checked(files: dict[str, Path]) -> None:
    r = invoke(
        str(files["data"]),
        "-t",
        "t",
        "-y",
        "y",
        "-g",
        str(files["edges"]),
        "-e",
        "ols",
        "--adjust",
        "x1",
        "--no-refute",
    )
    assert r.exit_code == 0
    assert "t <- x2 -> y is open" in r.output


def test_strict_exits_1_when_a_refutation_warns(tmp_path: Path) -> None:
    # Twelve rows with heavy-tailed noise: the random-common-cause check moves the estimate (seed found once).
    rng = np.random.default_rng(2)
    c = rng.normal(size=12)
    t = c + rng.normal(size=12)
    data = pd.DataFrame({"c": c, "t": t, "y": t + c + rng.standard_t(1, size=12)})
    path = tmp_path / "small.csv"
    data.to_csv(path, index=False)
    graph = tmp_path / "g.csv"
    graph.write_text("source,target\nc,t\nc,y\nt,y\n")
    loose = invoke(str(path), "-t", "t", "-y", "y", "-g", str(graph), "-e", "ols", "--json")
    assert loose.exit_code == 0
    assert any(r["verdict"] == "warn" for r in json.loads(loose.stdout)["refutations"])
    strict = invoke(str(path), "-t", "t", "-y", "y", "-g", str(graph), "-e", "ols", "--strict")
    assert strict.exit_code == 1


def test_not_identifiable_exits_1(files: dict[str, Path]) -> None:
    graph = files["dir"] / "latent.csv"
    graph.write_text("source,target,edge\nt,y,->\nt,y,<->\n")
    r = invoke(str(files["data"]), "-t", "t", "-y", "y", "-g", str(graph))
    assert r.exit_code == 1 and "not identifiable" in r.output


def test_user_errors_are_causalbridge_errors(files: dict[str, Path]) -> None:
    r = invoke(str(files["data"]), "-t", "treat", "-y", "y", "-g", str(files["dot"]))
    assert isinstance(r.exception, UnknownVariableError)
    r = invoke(str(files["data"]), "-t", "t", "-y", "y", "-g", str(files["dot"]), "-e", "ols,magic")
    assert isinstance(r.exception, InputError) and "magic" in str(r.exception)
    r = invoke(str(files["data"]), "-t", "t", "-y", "y", "-g", str(files["dir"] / "missing.dot"))
    assert isinstance(r.exception, InputError) and "not found" in str(r.exception)


def test_edge_list_errors_name_the_line(tmp_path: Path) -> None:
    bad_header = tmp_path / "a.csv"
    bad_header.write_text("from,to\na,b\n")
    with pytest.raises(InputError, match="a.csv:1"):
        read_graph_file(bad_header)
    bad_kind = tmp_path / "b.csv"
    bad_kind.write_text("source,target,edge\na,b,->\nb,c,=>\n")
    with pytest.raises(InputError, match="b.csv:3.*unknown edge type"):
        read_graph_file(bad_kind)
    short = tmp_path / "c.csv"
    short.write_text("source,target\na\n")
    with pytest.raises(InputError, match="c.csv:2"):
        read_graph_file(short)
    loop = tmp_path / "d.csv"
    loop.write_text("source,target\na,a\n")
    with pytest.raises(GraphError):
        read_graph_file(loop)
    ok = tmp_path / "e.tsv"
    ok.write_text("source\ttarget\tedge\na\tb\t<->\nb\tc\t\n")
    g = read_graph_file(ok)
    assert g.bidirected_edges == [("a", "b")] and g.directed_edges == [("b", "c")]
    bad_dot = tmp_path / "f.dot"
    bad_dot.write_text("digraph { a -> ; }")
    with pytest.raises(GraphError, match="f.dot"):
        read_graph_file(bad_dot)
