"""Every bad input gives ONE InputError naming the file and the line or column; no pandas/yaml error escapes."""

from __future__ import annotations

import gzip
import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

from causalbridge.data import DataWarning, VariableKind, load_descriptions, read_dataset
from causalbridge.errors import InputError


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _fails(path: Path, where: str, message: str, **kwargs: object) -> InputError:
    """Reading fails with exactly one InputError at ``where`` and without a chained dependency error."""
    with pytest.raises(InputError) as info:
        read_dataset(path, **kwargs)  # type: ignore[arg-type]
    error = info.value
    assert type(error) in (InputError,), type(error)
    assert error.where == where, str(error)
    assert message in error.detail, error.detail
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)
    return error


# ---------------------------------------------------------------------- good files
def test_reads_csv_with_kinds_and_descriptions(tmp_path: Path) -> None:
    data = _write(tmp_path, "d.csv", "smoker,age,visits\nyes,31.5,0\nno,40.25,3\nyes,55,1\n")
    desc = _write(tmp_path, "d.yaml", "smoker: Whether the person smokes.\nage: {description: Age, unit: years}\n")
    with pytest.warns(DataWarning, match="no description for 1 column\\(s\\).*visits"):
        ds = read_dataset(data, desc)
    assert ds.names == ("smoker", "age", "visits")
    assert [v.kind for v in ds.variables] == [VariableKind.BINARY, VariableKind.CONTINUOUS, VariableKind.CATEGORICAL]
    assert ds.variable("smoker").states == ("no", "yes")
    assert ds.variable("age").unit == "years"
    assert ds.frame["age"].tolist() == [31.5, 40.25, 55.0]


@pytest.mark.parametrize(
    ("name", "text", "sep"),
    [
        ("t.tsv", "a\tb\n1.5\t2.5\n3.5\t4.5\n", None),
        ("t.csv", "a;b\n1.5;2.5\n3.5;4.5\n", None),
        ("t.txt", "a|b\n1.5|2.5\n3.5|4.5\n", None),
        ("t.csv", "a:b\n1.5:2.5\n3.5:4.5\n", ":"),
    ],
)
def test_delimiter_is_sniffed_or_given(tmp_path: Path, name: str, text: str, sep: str | None) -> None:
    ds = read_dataset(_write(tmp_path, name, text), sep=sep)
    assert ds.names == ("a", "b")
    assert ds.frame["b"].tolist() == [2.5, 4.5]


def test_quotes_blank_lines_bom_and_gzip(tmp_path: Path) -> None:
    text = '\ufeffcity,"note, quoted"\n"Paris, FR",1.5\n\nRome,2.5\nOslo,3.5\n'
    ds = read_dataset(_write(tmp_path, "q.csv", text))
    assert ds.names == ("city", "note, quoted")
    assert ds.variable("city").states == ("Oslo", "Paris, FR", "Rome")
    packed = tmp_path / "q.csv.gz"
    packed.write_bytes(gzip.compress(text.encode()))
    assert read_dataset(packed).names == ds.names


def test_parquet_round_trip(tmp_path: Path) -> None:
    frame = pd.DataFrame({"x": [0.5, 1.5, 2.5], "g": ["a", "b", "a"]})
    path = tmp_path / "d.parquet"
    frame.to_parquet(path)
    ds = read_dataset(path, {"x": "dose", "g": "group"})
    assert ds.variable("g").kind is VariableKind.BINARY
    assert ds.frame["x"].tolist() == [0.5, 1.5, 2.5]


def test_yaml_yes_no_stay_text_and_network_format_is_accepted(tmp_path: Path) -> None:
    data = _write(tmp_path, "a.csv", "smoke,dysp\nyes,no\nno,no\nyes,yes\n")
    desc = _write(tmp_path, "a.yaml", "smoke:\n  description: smokes\n  states: [yes, no]\ndysp: breathless\n")
    assert read_dataset(data, desc).variable("smoke").states == ("yes", "no")
    network_doc = {
        "network": "asia",
        "domain": "chest clinic",
        "variables": {
            "smoke": {"readable_name": "smoking", "states": ["yes", "no"], "description": "smokes"},
            "dysp": {"readable_name": "dyspnoea", "states": ["yes", "no"], "description": "breathless"},
        },
    }
    json_desc = _write(tmp_path, "a.json", json.dumps(network_doc))
    ds = read_dataset(data, json_desc)
    assert ds.variable("dysp").readable_name == "dyspnoea"
    assert ds.variable("dysp").states == ("yes", "no")


def test_none_is_a_state_not_a_missing_value(tmp_path: Path) -> None:
    ds = read_dataset(_write(tmp_path, "d.csv", "Accident,x\nNone,1.5\nSevere,2.5\nNone,0.5\n"))
    assert ds.variable("Accident").states == ("None", "Severe")


def test_missing_values_can_be_dropped_or_kept(tmp_path: Path) -> None:
    path = _write(tmp_path, "m.csv", "a,b\n1.5,2.5\n,3.5\n4.5,NA\n5.5,6.5\n")
    with pytest.warns(DataWarning, match="dropped 2 of 4 rows"):
        ds = read_dataset(path, missing="drop")
    assert ds.frame["a"].tolist() == [1.5, 5.5]
    kept = read_dataset(path, missing="keep")
    assert int(kept.frame.isna().sum().sum()) == 2


def test_custom_na_values(tmp_path: Path) -> None:
    path = _write(tmp_path, "q.csv", "a,b\n1.5,?\n2.5,3.5\n4.5,0.5\n")
    ds = read_dataset(path, missing="keep", na_values=["?"])
    assert ds.frame["b"].isna().tolist() == [True, False, False]


def test_locations_after_dropping_rows_still_name_file_lines(tmp_path: Path) -> None:
    path = _write(tmp_path, "m.csv", "a,b\n1.5,x\n,y\n2.5,z\n3.5,7\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        _fails(path, f"{path}:5", "column 'b' mixes numbers and text: it holds a number '7'", missing="drop")


# ---------------------------------------------------------------------- bad files, one test each
def test_missing_file(tmp_path: Path) -> None:
    _fails(tmp_path / "nope.csv", str(tmp_path / "nope.csv"), "file not found")


def test_directory_instead_of_file(tmp_path: Path) -> None:
    _fails(tmp_path, str(tmp_path), "not a file")


def test_missing_descriptions_file(tmp_path: Path) -> None:
    data = _write(tmp_path, "d.csv", "a,b\n1.5,2.5\n")
    _fails(data, str(tmp_path / "nope.yaml"), "descriptions file not found", descriptions=tmp_path / "nope.yaml")


def test_empty_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "e.csv", "\n  \n")
    _fails(path, str(path), "empty")


def test_header_only(tmp_path: Path) -> None:
    path = _write(tmp_path, "h.csv", "a,b,c\n")
    _fails(path, str(path), "header (line 1) but no data rows")


def test_duplicate_column_names_detected_from_the_raw_header(tmp_path: Path) -> None:
    path = _write(tmp_path, "d.csv", "x,y,x\n1,2,3\n")
    _fails(path, f"{path}:1", "duplicate column name 'x' (columns 1 and 3)")


def test_unnamed_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "u.csv", "x,,z\n1,2,3\n")
    _fails(path, f"{path}:1", "column 2 of the header has no name")


@pytest.mark.parametrize("row", ["1.5,2.5,3.5,4.5", "1.5,2.5"])
def test_ragged_rows_name_the_line(tmp_path: Path, row: str) -> None:
    path = _write(tmp_path, "r.csv", f"a,b,c\n1,2,3\n\n{row}\n4,5,6\n")
    n = len(row.split(","))
    _fails(path, f"{path}:4", f"expected 3 fields (as in the header on line 1) but found {n}")


def test_missing_value_names_column_and_first_row(tmp_path: Path) -> None:
    path = _write(tmp_path, "m.csv", "a,b,c\n1.5,2.5,x\n3.5,,y\n4.5,NA,\n")
    error = _fails(path, f"{path}:3: column 'b'", "3 missing cell(s) in 2 row(s), in column(s) b, c")
    assert "--missing drop" in str(error) and "missing='drop'" in str(error)


def test_all_rows_incomplete_cannot_be_dropped(tmp_path: Path) -> None:
    path = _write(tmp_path, "m.csv", "a,b\n1.5,\n,2.5\n")
    _fails(path, str(path), "nothing is left", missing="drop")


def test_mixed_types_name_column_and_first_offending_row(tmp_path: Path) -> None:
    path = _write(tmp_path, "x.csv", "id,dose\n1,0.5\n2,1.5\n3,high\n4,2.5\n5,low\n")
    _fails(path, f"{path}:4", "column 'dose' mixes numbers and text: it holds text 'high'")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_bytes("a,b\n1,2\ncaf\u00e9,3\n".encode("latin-1"))
    _fails(path, f"{path}:3", "not UTF-8 text")


def test_bad_separator_argument(tmp_path: Path) -> None:
    path = _write(tmp_path, "s.csv", "a,b\n1,2\n")
    _fails(path, str(path), "one character", sep="::")


def test_corrupt_parquet(tmp_path: Path) -> None:
    path = tmp_path / "c.parquet"
    path.write_bytes(b"this is not parquet at all")
    _fails(path, str(path), "cannot read the parquet file")


def test_parquet_duplicate_columns(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "d.parquet"
    pq.write_table(pa.Table.from_arrays([pa.array([1.5]), pa.array([2.5])], names=["x", "x"]), path)
    _fails(path, str(path), "duplicate column names: x")


def test_descriptions_json_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    data = _write(tmp_path, "d.csv", "a,b\n1.5,2.5\n")
    desc = _write(tmp_path, "d.json", '{\n  "a": "first",\n  "b": "second"\n  "c": 1\n}\n')
    _fails(data, f"{desc}:4:3", "invalid JSON", descriptions=desc)


def test_descriptions_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    data = _write(tmp_path, "d.csv", "a,b\n1.5,2.5\n")
    desc = _write(tmp_path, "d.yaml", "a: first\nb: [unclosed\nc: third\n")
    _fails(data, f"{desc}:3:2", "invalid YAML", descriptions=desc)


def test_descriptions_with_unknown_columns_list_them(tmp_path: Path) -> None:
    data = _write(tmp_path, "d.csv", "a,b\n1.5,2.5\n")
    desc = _write(tmp_path, "d.yaml", "a: first\nzz: nope\nyy: nope\n")
    _fails(data, f"{data}: descriptions", "2 columns the data does not have: zz, yy", descriptions=desc)


def test_descriptions_with_unknown_keys(tmp_path: Path) -> None:
    desc = _write(tmp_path, "d.yaml", "a:\n  desription: typo\n")
    with pytest.raises(InputError, match="unknown keys \\['desription'\\]") as info:
        load_descriptions(desc)
    assert info.value.where == f"{desc}: variable 'a'"


def test_descriptions_with_a_bad_kind(tmp_path: Path) -> None:
    desc = _write(tmp_path, "d.json", json.dumps({"a": {"kind": "numbery"}}))
    with pytest.raises(InputError, match="unknown variable kind 'numbery'") as info:
        load_descriptions(desc)
    assert info.value.where == f"{desc}: variable 'a'"


def test_descriptions_file_not_a_mapping(tmp_path: Path) -> None:
    desc = _write(tmp_path, "d.yaml", "- a\n- b\n")
    with pytest.raises(InputError, match="expected a mapping"):
        load_descriptions(desc)


def test_constant_column_and_few_rows_warn(tmp_path: Path) -> None:
    path = _write(tmp_path, "c.csv", "a,b,c\n1,0.5,x\n1,1.5,y\n")
    with pytest.warns(DataWarning) as record:
        read_dataset(path)
    text = " | ".join(str(w.message) for w in record)
    assert f"{path}: constant column(s) carry no information about causes: a" in text
    assert "2 rows for 3 variables" in text


def test_declared_categorical_reads_mixed_column_as_labels(tmp_path: Path) -> None:
    data = _write(tmp_path, "d.csv", "code\n1\nA\n2\n")
    ds = read_dataset(data, {"code": {"description": "a code", "kind": "categorical"}})
    assert ds.variable("code").states == ("1", "2", "A")
