"""User overrides of roles and edges: they win, are recorded as the user's, and bad files fail in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from causalbridge.data import Variable, VariableKind
from causalbridge.effect.roles import (
    RoleOverrides,
    normalise_role,
    parse_role_overrides,
    read_role_overrides,
    suggest_roles,
)
from causalbridge.errors import CycleError, InputError, UnknownVariableError
from causalbridge.graph import CausalGraph
from causalbridge.llm import SimulatedExpert

TRUTH = CausalGraph.dag([("c", "t"), ("c", "y"), ("t", "m"), ("m", "y"), ("t", "y")], nodes=["t", "y", "c", "m", "w"])
VARIABLES = [Variable(n, f"the variable {n}", VariableKind.CONTINUOUS) for n in TRUTH.nodes]


def expert() -> SimulatedExpert:
    return SimulatedExpert(TRUTH, accuracy=1.0)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "roles.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_user_roles_win_and_keep_what_the_model_said(tmp_path: Path) -> None:
    path = write(tmp_path, "roles:\n  m: confounder\n  w: instrument\n")
    table = suggest_roles(VARIABLES, "t", "y", expert(), overrides=read_role_overrides(path))
    m = table.role("m")
    assert (m.role, m.provenance, m.llm_role) == ("confounder", "user", "mediator")
    assert m.note is not None and f"{path}:2" in m.note
    assert m.probability is not None and m.probability < 0.1  # the model's probability of the user's role
    assert table.role("c").provenance == "llm"
    assert table.graph.has_edge("m", "t") and table.graph.has_edge("w", "t") and not table.graph.has_edge("t", "m")
    from_user = {(e.source, e.target) for e in table.edges if e.provenance == "user"}
    assert from_user == {("m", "t"), ("m", "y"), ("w", "t")}
    assert table.overridden == 2 + 3
    assert table.role("m").bad_control is None  # as a confounder it is no longer a bad control


def test_edges_added_and_removed(tmp_path: Path) -> None:
    path = write(tmp_path, 'edges:\n  add: ["w -> y", [c, m], "t <-> y"]\n  remove: ["c -> y", "w -> t"]\n')
    table = suggest_roles(VARIABLES, "t", "y", expert(), overrides=read_role_overrides(path))
    g = table.graph
    assert g.has_edge("w", "y") and g.has_edge("c", "m") and not g.is_adjacent("c", "y")
    assert "y" in g.spouses("t") and g.has_edge("t", "y")
    assert any("w -> t is not in the proposed graph" in note for note in table.notes)
    added = [e for e in table.edges if e.provenance == "user"]
    assert {e.reason for e in added} == {f"added at {path}:2"}


def test_an_added_edge_replaces_the_opposite_role_edge_and_a_cycle_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "edges:\n  add: ['m <- y']\n")
    reverse = suggest_roles(VARIABLES, "t", "y", expert(), overrides=read_role_overrides(path))
    assert reverse.graph.has_edge("y", "m") and not reverse.graph.has_edge("m", "y")
    assert reverse.role("m").bad_control is not None
    with pytest.raises(CycleError, match=r"overrides: the added edges: the graph has a directed cycle"):
        suggest_roles(VARIABLES, "t", "y", expert(), overrides=RoleOverrides.of(add=[("y", "c")]))


def test_roles_file_naming_an_unknown_variable_is_one_line_with_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "roles:\n  c: confounder\n  income: confounder\n")
    with pytest.raises(UnknownVariableError) as info:
        suggest_roles(VARIABLES, "t", "y", expert(), overrides=read_role_overrides(path))
    message = str(info.value)
    assert message.startswith(f"{path}:3: unknown variable 'income'") and "\n" not in message
    edge_file = write(tmp_path, "edges:\n  add: ['c -> incme']\n")
    with pytest.raises(UnknownVariableError, match=r"roles.yaml:2: unknown variable 'incme'"):
        suggest_roles(VARIABLES, "t", "y", None, overrides=read_role_overrides(edge_file))


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("roles:\n  c: boss\n", r"roles.yaml:2: unknown role 'boss' \(use one of: confounder"),
        ("roles: [c]\n", r"roles.yaml:1: 'roles' must be a mapping"),
        ("roles:\n  c: confounder\n  c: mediator\n", r"roles.yaml:3: 'c' is given a role twice"),
        ("edges:\n  add: ['c => y']\n", r"roles.yaml:2: expected 'a -> b'"),
        ("edges:\n  flip: ['c -> y']\n", r"roles.yaml:2: unknown edge action 'flip'"),
        ("edges:\n  add: [[c, y, m]]\n", r"roles.yaml:2: an edge as a list is \[source, target\]"),
        ("graph: {}\n", r"roles.yaml:1: unknown section 'graph'"),
        ("roles:\n  c: [confounder\n", r"roles.yaml:\d+:\d+: not valid YAML"),
    ],
)
def test_bad_roles_files(tmp_path: Path, text: str, match: str) -> None:
    with pytest.raises(InputError, match=match):
        read_role_overrides(write(tmp_path, text))


def test_treatment_cannot_be_given_a_role_and_missing_file() -> None:
    with pytest.raises(InputError, match="'t' is the treatment"):
        suggest_roles(VARIABLES, "t", "y", None, overrides=parse_role_overrides("roles:\n  t: confounder\n"))
    with pytest.raises(InputError, match="roles file not found"):
        read_role_overrides("/nonexistent/roles.yaml")


def test_role_names_are_forgiving_about_spelling() -> None:
    assert normalise_role("Effect Modifier", "x") == "effect_modifier"
    assert normalise_role("common-cause", "x") == "confounder"
    assert not parse_role_overrides("")
    assert not parse_role_overrides("roles:\nedges:\n")
