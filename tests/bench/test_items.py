"""BenchItem / BenchDataset: validation, immutability, JSON and JSONL round trips, filtering."""

from __future__ import annotations

import dataclasses
import json
import pickle
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from causalbridge.bench import YES_NO, BenchDataset, BenchItem, Meta
from causalbridge.errors import InputError


def item(i: int = 0, **changes: Any) -> BenchItem:
    base: dict[str, Any] = {
        "id": f"q{i}",
        "dataset": "toy",
        "question": f"Does X{i} cause Y?",
        "options": YES_NO,
        "answer": "yes" if i % 2 == 0 else "no",
        "meta": {"rung": 1 + i % 3, "graph": [["X", "Y"]], "given": {"p(Y|X)": [0.2, 0.7]}},
        "exact_value": 0.5 if i % 2 == 0 else None,
        "derivation": "P(Y|X=1) - P(Y|X=0) = 0.5" if i % 2 == 0 else None,
    }
    base.update(changes)
    return BenchItem(**base)


def test_meta_is_frozen_all_the_way_down_and_hashable() -> None:
    it = item()
    assert it.meta["graph"] == (("X", "Y"),)
    given_info = it.meta["given"]
    assert isinstance(given_info, Meta) and given_info["p(Y|X)"] == (0.2, 0.7)
    assert hash(it) == hash(item())
    assert len({it, item(), item(1)}) == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        it.answer = "no"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        it.meta._data = {}
    with pytest.raises(TypeError):
        it.meta["rung"] = 3  # type: ignore[index]


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"answer": "maybe"}, "not one of the options"),
        ({"options": ("yes",), "answer": "yes"}, "at least two options"),
        ({"options": ("yes", "yes")}, "options repeat"),
        ({"options": "yes/no"}, "sequence of strings"),
        ({"options": ("yes", "")}, "non-empty string"),
        ({"id": ""}, "id must be a non-empty string"),
        ({"question": "   "}, "question must be"),
        ({"exact_value": float("nan")}, "finite"),
        ({"exact_value": True}, "number or None"),
        ({"derivation": 3}, "derivation must be"),
        ({"meta": {"s": {1, 2}}}, "type set cannot be stored"),
        ({"meta": {"x": float("inf")}}, "non-finite"),
        ({"meta": {1: "a"}}, "meta keys must be strings"),
        ({"meta": ["not", "a", "mapping"]}, "meta must be a mapping"),
    ],
)
def test_invalid_items_are_input_errors(changes: dict[str, Any], fragment: str) -> None:
    with pytest.raises(InputError, match=fragment):
        item(**changes)


def test_json_round_trip_is_exact_and_one_line() -> None:
    it = item(question="Ist X die Ursache?\nZweite Zeile — ü", meta={"nested": {"a": [1, [2.5, None]], "b": True}})
    text = it.to_json()
    assert "\n" not in text
    back = BenchItem.from_json(text)
    assert back == it
    assert back.to_json() == text
    assert json.loads(text)["meta"]["nested"]["a"] == [1, [2.5, None]]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=60, deadline=None)
@given(meta=st.dictionaries(st.text(max_size=8), json_values, max_size=4), value=st.none() | st.floats(-1e6, 1e6))
def test_round_trip_property(meta: dict[str, Any], value: float | None) -> None:
    it = item(meta=meta, exact_value=value)
    assert BenchItem.from_json(it.to_json()) == it
    assert pickle.loads(pickle.dumps(it)) == it


def test_from_dict_names_missing_and_unknown_fields() -> None:
    data = item().to_dict()
    del data["answer"]
    with pytest.raises(InputError, match=r"^f\.jsonl:7: missing field\(s\) answer"):
        BenchItem.from_dict(data, where="f.jsonl:7")
    data = {**item().to_dict(), "extra": 1}
    with pytest.raises(InputError, match="unknown field"):
        BenchItem.from_dict(data)
    with pytest.raises(InputError, match="f.jsonl:2: item 'q0': answer 'maybe' is not one"):
        BenchItem.from_dict({**item().to_dict(), "answer": "maybe"}, where="f.jsonl:2")


def test_option_reordering_keeps_the_answer() -> None:
    it = item(options=("A causes B", "B causes A"), answer="B causes A")
    assert it.answer_index == 1 and not it.is_yes_no
    swapped = it.reversed_options()
    assert swapped.options == ("B causes A", "A causes B") and swapped.answer_index == 0
    assert swapped.answer == it.answer and swapped.id == it.id
    with pytest.raises(InputError, match="not a reordering"):
        it.with_options(["A causes B", "C"])


def dataset(n: int = 6) -> BenchDataset:
    return BenchDataset("toy", tuple(item(i) for i in range(n)), "memory")


def test_duplicate_ids_are_rejected() -> None:
    with pytest.raises(InputError, match="'q1' appears twice"):
        BenchDataset("toy", (item(1), item(2), item(1, question="other")))
    with pytest.raises(InputError, match="'q0' appears twice"):
        BenchDataset.merge("both", [dataset(2), dataset(3)])


def test_filter_by_meta() -> None:
    ds = dataset(6)
    assert dataset(6).ids == ("q0", "q1", "q2", "q3", "q4", "q5")
    assert ds.filter(rung=1).ids == ("q0", "q3")
    assert ds.filter(rung={2, 3}).ids == ("q1", "q2", "q4", "q5")
    assert ds.filter(rung=lambda r: r > 2).ids == ("q2", "q5")
    assert ds.filter(graph=[["X", "Y"]]).ids == ds.ids  # lists compare as their frozen tuples
    assert ds.filter(rung=1, graph=(("X", "Y"),)).ids == ("q0", "q3")
    with pytest.raises(InputError, match="no item has meta key 'rugn'"):
        ds.filter(rugn=1)
    partial = BenchDataset("p", (item(0), item(1, meta={"other": 1})))
    assert partial.filter(rung=1).ids == ("q0",)  # an item without the key does not match
    assert ds.counts("rung") == {1: 2, 2: 2, 3: 2}
    assert ds.answer_counts() == {"yes": 3, "no": 3}
    assert ds.get("q4") == ds[4]
    with pytest.raises(InputError, match="no item with id"):
        ds.get("nope")


def test_sample_is_seeded_and_ordered() -> None:
    ds = dataset(20)
    a, b, c = ds.sample(5, seed=1), ds.sample(5, seed=1), ds.sample(5, seed=2)
    assert a == b and len(a) == 5 and a.ids != c.ids
    assert list(a.ids) == [i for i in ds.ids if i in set(a.ids)]
    assert ds.sample(50, seed=0) is ds
    assert ds.head(3).ids == ("q0", "q1", "q2")


def test_jsonl_round_trip(tmp_path: Path) -> None:
    ds = dataset(5)
    path = ds.to_jsonl(tmp_path / "sub" / "items.jsonl")
    assert path.read_text(encoding="utf-8").count("\n") == 5
    back = BenchDataset.read_jsonl(path)
    assert back.items == ds.items and back.name == "toy" and back.source == str(path)


def test_jsonl_bad_lines_name_file_and_line(tmp_path: Path) -> None:
    good = [item(i).to_json() for i in range(3)]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join([good[0], "", "{not json", good[1]]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=rf"^{path}:3: invalid JSON") as err:
        BenchDataset.read_jsonl(path)
    assert err.value.where == f"{path}:3"
    path.write_text("\n".join([good[0], json.dumps({**item(1).to_dict(), "answer": "maybe"})]), encoding="utf-8")
    with pytest.raises(InputError, match=rf"^{path}:2: item 'q1': answer 'maybe'"):
        BenchDataset.read_jsonl(path)
    path.write_text("\n".join([good[0], good[1], good[0]]), encoding="utf-8")
    with pytest.raises(InputError, match=rf"^{path}:3: item id 'q0' already used on line 1"):
        BenchDataset.read_jsonl(path)
    with pytest.raises(InputError, match="no such file"):
        BenchDataset.read_jsonl(tmp_path / "missing.jsonl")


def test_numpy_values_are_stored_as_plain_json() -> None:
    np = pytest.importorskip("numpy")
    it = item(meta={"x": np.float64(0.25), "n": np.int64(3), "arr": np.array([[1, 2], [3, 4]])})
    assert it.meta["x"] == 0.25 and type(it.meta["x"]) is float and type(it.meta["n"]) is int
    assert it.meta["arr"] == ((1, 2), (3, 4))
    assert BenchItem.from_json(it.to_json()) == it
