from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from causalbridge.data import CausalDataset, DataWarning, Variable, VariableKind
from causalbridge.errors import InputError, UnknownVariableError

B, C, ORD, N, K = (
    VariableKind.BINARY,
    VariableKind.CATEGORICAL,
    VariableKind.ORDINAL,
    VariableKind.CONTINUOUS,
    VariableKind.COUNT,
)


def _infer_one(values: object) -> Variable:
    frame = pd.DataFrame({"v": values, "w": np.arange(len(values))})  # type: ignore[arg-type]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        return CausalDataset.infer(frame, {"v": "the column", "w": "row number"}).variable("v")


@pytest.mark.parametrize(
    ("values", "kind", "states"),
    [
        ([True, False, True], B, ("False", "True")),
        ([0, 1, 1, 0], B, ("0", "1")),
        ([3, 1, 2, 3, 1], C, ("1", "2", "3")),
        ([1.0, 2.0, 2.0, 10.0], C, ("1", "2", "10")),  # whole floats with few values are labels too
        (list(range(30)), K, None),
        (list(range(-15, 15)), N, None),
        ([0.5, 1.25, 3.0], N, None),
        (["b", "a", "c", "a"], C, ("a", "b", "c")),
        (["yes", "no", "yes"], B, ("no", "yes")),
        (["1", "2", "3.5"], N, None),  # text holding numbers becomes numbers
        (pd.Categorical(["lo", "hi"], categories=["lo", "mid", "hi"], ordered=True), ORD, ("lo", "mid", "hi")),
        (pd.Categorical(["z", "a"], categories=["z", "a"]), B, ("z", "a")),
    ],
)
def test_kind_inference(values: object, kind: VariableKind, states: tuple[str, ...] | None) -> None:
    v = _infer_one(values)
    assert (v.kind, v.states) == (kind, states)
    assert v.description == "the column"


def test_max_levels_decides_between_categorical_and_count() -> None:
    frame = pd.DataFrame({"n": [0, 1, 2, 3, 4, 5] * 5})
    assert CausalDataset.infer(frame).variable("n").kind is C
    assert CausalDataset.infer(frame, max_levels=4).variable("n").kind is K


def test_declared_kind_and_states_win_over_inference() -> None:
    frame = pd.DataFrame({"level": [0, 2, 1, 2] * 3, "x": [0.1, 0.2, 0.3, 0.4] * 3})
    ds = CausalDataset.infer(
        frame,
        {
            "level": {"description": "severity", "kind": "ordinal", "states": ["0", "1", "2", "3"], "unit": "grade"},
            "x": {"description": "dose", "readable_name": "drug dose"},
        },
    )
    level = ds.variable("level")
    assert (level.kind, level.states, level.unit) == (ORD, ("0", "1", "2", "3"), "grade")
    assert ds.variable("x").readable_name == "drug dose"


def test_declared_states_must_cover_the_data() -> None:
    frame = pd.DataFrame({"smoker": ["yes", "no", "maybe"], "age": [1.5, 2.5, 3.5]})
    with pytest.raises(InputError, match="'maybe', which is not one of its states") as info:
        CausalDataset.infer(frame, {"smoker": {"description": "s", "states": ["yes", "no"]}, "age": "a"})
    assert info.value.where == "row 2"


def test_declared_continuous_on_text_is_an_error() -> None:
    with pytest.raises(InputError, match="declared continuous, but the column holds text"):
        CausalDataset.infer(pd.DataFrame({"t": ["a", "b"]}), {"t": {"description": "t", "kind": "continuous"}})


def test_mixed_object_column_names_the_column_and_row() -> None:
    frame = pd.DataFrame({"x": [1, 2, "three", 4]}, index=[10, 11, 12, 13])
    with pytest.raises(InputError, match="column 'x' mixes numbers and text.*'three'") as info:
        CausalDataset.infer(frame)
    assert info.value.where == "row 12"


def test_mixed_column_declared_categorical_reads_labels() -> None:
    frame = pd.DataFrame({"x": [1, 2, "three", 4]})
    v = CausalDataset.infer(frame, {"x": {"description": "codes", "kind": "categorical"}}).variable("x")
    assert v.states == ("1", "2", "4", "three")


def test_descriptions_naming_unknown_columns_list_them() -> None:
    frame = pd.DataFrame({"a": [1.5, 2.5], "b": [0.5, 1.5]})
    with pytest.raises(InputError, match="2 columns the data does not have: zz, yy"):
        CausalDataset.infer(frame, {"a": "x", "zz": "?", "yy": "?"})
    with pytest.raises(UnknownVariableError, match="did you mean 'b'"):
        CausalDataset.infer(frame, {"bb": "?"})


def test_undescribed_columns_warn_once_listing_all() -> None:
    frame = pd.DataFrame({"a": [1.5, 2.5, 3.5], "b": [0.5, 1.5, 0.0], "c": [3.5, 2.0, 1.0]})
    with pytest.warns(DataWarning) as record:
        ds = CausalDataset.infer(frame, {"a": "described"})
    messages = [str(w.message) for w in record]
    assert len(messages) == 1
    assert "b, c" in messages[0]
    assert ds.variable("b").description == "b"


def test_no_descriptions_no_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        CausalDataset.infer(pd.DataFrame({"a": [1.5, 2.5, 3.5], "b": [1.0, 0.0, 2.5]}))


def test_constant_columns_and_too_few_rows_warn() -> None:
    frame = pd.DataFrame({"a": [1, 1], "b": [2.5, 3.5], "c": [1.0, 2.5]})
    with pytest.warns(DataWarning) as record:
        CausalDataset.infer(frame)
    text = " | ".join(str(w.message) for w in record)
    assert "constant column(s) carry no information about causes: a" in text
    assert "2 rows for 3 variables" in text


def _toy() -> CausalDataset:
    frame = pd.DataFrame({"smoker": ["yes", "no", "yes"], "age": [31.5, 40.2, 55.0], "n": [0, 1, 1]})
    return CausalDataset.infer(frame, {"smoker": "smokes", "age": {"description": "age", "unit": "years"}, "n": "k"})


def test_construction_validates_columns_and_variables() -> None:
    frame = pd.DataFrame({"a": [1.0], "b": [2.0]})
    a = Variable("a", "a", N)
    b = Variable("b", "b", N)
    with pytest.raises(InputError, match="variables without a column in the frame: c"):
        CausalDataset(frame, (a, b, Variable("c", "c", N)))
    with pytest.raises(InputError, match="columns without a variable: b"):
        CausalDataset(frame, (a,))
    with pytest.raises(InputError, match="variables listed more than once: a"):
        CausalDataset(frame, (a, a, b))
    with pytest.raises(InputError, match="duplicate column names: a"):
        CausalDataset(pd.DataFrame([[1.0, 2.0]], columns=["a", "a"]), (a,))
    reordered = CausalDataset(frame, (b, a))
    assert list(reordered.frame.columns) == ["b", "a"]


def test_queries() -> None:
    ds = _toy()
    assert ds.names == ("smoker", "age", "n")
    assert (ds.n_rows, ds.n_variables, len(ds)) == (3, 3, 3)
    assert "age" in ds
    assert not ds.is_discrete and not ds.is_continuous
    assert ds.select(["smoker", "n"]).is_discrete
    assert ds.select(["age"]).is_continuous
    assert ds.select(["n", "smoker"]).names == ("n", "smoker")
    with pytest.raises(UnknownVariableError, match="did you mean 'smoker'"):
        ds.variable("smokr")
    lines = ds.describe_text().splitlines()
    assert lines == [
        "- smoker: smokes [binary; states: no, yes]",
        "- age: age [continuous; unit: years]",
        "- n: k [binary; states: 0, 1]",
    ]


def test_require_numeric_names_column_and_row() -> None:
    ds = _toy()
    with pytest.raises(InputError, match="row 0 holds 'yes' \\(3 non-numeric") as info:
        ds.require_numeric()
    assert info.value.where == "column 'smoker'"
    ds.select(["age", "n"]).require_numeric()


def test_require_complete_names_column_first_row_and_count() -> None:
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [1.0, np.nan, 2.0, np.nan]})
    ds = CausalDataset.infer(frame)
    with pytest.raises(InputError, match="column 'b' has 2 missing value\\(s\\), the first in row 1"):
        ds.require_complete()
    ds.select(["a"]).require_complete()


def test_encoded_uses_state_order_and_keeps_numbers() -> None:
    ds = _toy()
    np.testing.assert_array_equal(ds.encoded(), [[1, 31.5, 0], [0, 40.2, 1], [1, 55.0, 1]])


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(st.integers(min_value=0, max_value=4), min_size=3, max_size=30))
def test_inferred_discrete_codes_index_the_states(values: list[int]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        ds = CausalDataset.infer(pd.DataFrame({"v": values}))
    v = ds.variable("v")
    codes = ds.encoded()[:, 0].astype(int)
    assert v.states is not None
    assert [v.states[c] for c in codes] == [str(x) for x in values]
