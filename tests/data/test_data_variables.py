from __future__ import annotations

import dataclasses

import pytest

from causalbridge.data import Variable, VariableKind
from causalbridge.errors import InputError


def test_variable_is_frozen_and_normalises_states_to_text() -> None:
    v = Variable("x", "a count of things", VariableKind.CATEGORICAL, states=(0, 1, 2))  # type: ignore[arg-type]
    assert v.states == ("0", "1", "2")
    assert v.n_states == 3
    with pytest.raises(dataclasses.FrozenInstanceError):
        v.name = "y"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "", "kind": VariableKind.BINARY}, "non-empty name"),
        ({"name": "b", "kind": VariableKind.BINARY, "states": ("a", "b", "c")}, "exactly 2 states"),
        ({"name": "c", "kind": VariableKind.CONTINUOUS, "states": ("lo", "hi")}, "cannot list states"),
        ({"name": "d", "kind": VariableKind.CATEGORICAL, "states": ("a", "a")}, "more than once: a"),
        ({"name": "e", "kind": VariableKind.ORDINAL, "states": ()}, "empty"),
    ],
)
def test_invalid_variables_name_the_variable(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        Variable(description="d", **kwargs)  # type: ignore[arg-type]
    assert info.value.where == f"variable {kwargs['name']!r}"


def test_kind_parse_accepts_aliases_and_lists_the_valid_kinds() -> None:
    assert VariableKind.parse("Continuous") is VariableKind.CONTINUOUS
    assert VariableKind.parse("discrete") is VariableKind.CATEGORICAL
    assert VariableKind.parse("bool") is VariableKind.BINARY
    with pytest.raises(InputError, match="binary, categorical, ordinal, continuous, count"):
        VariableKind.parse("numberish", where="x")


def test_kind_discreteness() -> None:
    assert {k for k in VariableKind if k.is_discrete} == {
        VariableKind.BINARY,
        VariableKind.CATEGORICAL,
        VariableKind.ORDINAL,
    }


def test_describe_is_one_line_with_states_unit_and_readable_name() -> None:
    v = Variable(
        "LVEDVOLUME",
        "Volume of blood\nin the left ventricle.",
        VariableKind.ORDINAL,
        states=("LOW", "HIGH"),
        unit="ml",
        readable_name="end-diastolic volume",
    )
    line = v.describe()
    assert "\n" not in line
    assert line == (
        "LVEDVOLUME (end-diastolic volume): Volume of blood in the left ventricle. "
        "[ordinal; states: LOW, HIGH; unit: ml]"
    )
    assert v.label == "end-diastolic volume"
    assert Variable("x", "d", VariableKind.CONTINUOUS).label == "x"
