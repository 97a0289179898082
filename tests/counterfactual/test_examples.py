"""Reading labelled examples: both shapes, label sets, ids, and bad records reported as file:line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from causalbridge.counterfactual import NLI, TEXT, parse_examples, read_examples
from causalbridge.errors import InputError


def jsonl(*records: object) -> list[str]:
    return [r if isinstance(r, str) else json.dumps(r) for r in records]


def test_nli_and_text_records() -> None:
    nli = parse_examples(
        jsonl(
            {"id": 7, "premise": " A dog runs. ", "hypothesis": "An animal moves.", "label": "entailment"},
            "",
            {"premise": "A dog runs.", "hypothesis": "A cat sleeps.", "label": "neutral", "extra": 1},
        ),
        "nli.jsonl",
    )
    assert nli.kind is NLI and nli.labels == ("entailment", "neutral", "contradiction")
    first, second = nli.examples
    assert first.id == "7" and first.field("premise") == "A dog runs." and first.where == "nli.jsonl:1"
    assert second.id.startswith("h") and second.where == "nli.jsonl:3"
    assert first.with_field("hypothesis", "X") == {"premise": "A dog runs.", "hypothesis": "X"}
    text = parse_examples(jsonl({"text": "good", "label": "pos"}, {"text": "bad", "label": "neg"}), "t.jsonl")
    assert text.kind is TEXT and text.labels == ("neg", "pos")


def test_content_ids_do_not_depend_on_position() -> None:
    a = {"text": "fine", "label": "pos"}
    b = {"text": "awful", "label": "neg"}
    one = parse_examples(jsonl(a, b), "x")
    two = parse_examples(jsonl({"text": "new", "label": "pos"}, b, a), "x")
    assert {e.id for e in one} <= {e.id for e in two}


def test_explicit_labels_fix_the_order_and_must_cover_the_data() -> None:
    rows = jsonl({"text": "ok", "label": "pos"}, {"text": "meh", "label": "neg"})
    assert parse_examples(rows, "x", labels=["pos", "neg", "mixed"]).labels == ("pos", "neg", "mixed")
    with pytest.raises(InputError, match=r"x:2: label 'neg' is not among the labels \['pos', 'other'\]"):
        parse_examples(rows, "x", labels=["pos", "other"])
    with pytest.raises(InputError, match="at least two labels"):
        parse_examples(jsonl({"text": "ok", "label": "pos"}), "x")


@pytest.mark.parametrize(
    ("records", "match"),
    [
        (['{"text": "a", "label": "p"', '{"text": "b", "label": "n"}'], r"^f:1: not valid JSON"),
        ([["a"], {"text": "b", "label": "n"}], r"^f:1: a record must be a JSON object"),
        ([{"text": "a", "label": "p"}, {"words": "b", "label": "n"}], r"^f:2: expected the fields premise"),
        ([{"text": "", "label": "p"}], r"^f:1: 'text' must be a non-empty string, got \"\""),
        ([{"text": "a", "label": 1}], r"^f:1: 'label' must be a non-empty string, got 1 \(map numeric labels"),
        ([{"text": "a", "label": "p", "id": True}], r"^f:1: 'id' must be a string or an integer"),
        ([{"text": "a", "label": "p", "id": 1}, {"text": "b", "label": "n", "id": "1"}], r"^f:2: id '1' was already"),
        (
            [{"text": "a", "label": "p"}, {"premise": "a", "hypothesis": "b", "label": "n"}],
            r"^f:2: a nli record in a file of sentiment records",
        ),
        ([{"premise": "a", "label": "n"}], r"^f:1: 'hypothesis' must be a non-empty string, got nothing"),
    ],
)
def test_bad_records_name_the_line(records: list[object], match: str) -> None:
    with pytest.raises(InputError, match=match):
        parse_examples(jsonl(*records), "f")


def test_several_bad_records_are_counted_in_one_line() -> None:
    rows = jsonl({"text": "a", "label": "p"}, "{", {"text": 3, "label": "p"}, {"text": "b", "label": "n"}, "[]")
    with pytest.raises(InputError) as info:
        parse_examples(rows, "f")
    assert (
        str(info.value) == "f:2: not valid JSON: Expecting property name enclosed in double quotes at column 2 "
        "(and 2 more bad records, at lines 3, 5)"
    )


def test_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="examples file not found"):
        read_examples(tmp_path / "missing.jsonl")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n")
    with pytest.raises(InputError, match="no examples in the file"):
        read_examples(empty)
