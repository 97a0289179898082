"""COPA / Balanced-COPA (JSON lines and XML) and e-CARE loaders on the real files, and their bad records."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from causalbridge.bench.items import BenchDataset
from causalbridge.bench.load import load_benchmark, load_copa, load_ecare
from causalbridge.errors import InputError


def positions(ds: BenchDataset) -> Counter[int]:
    return Counter(it.answer_index for it in ds)


def test_copa_jsonl(shared_data: Path) -> None:
    dev = load_copa(shared_data / "copa" / "copa-dev.jsonl")
    mirrored = load_copa(shared_data / "copa" / "balanced-copa-mirrored-dev.jsonl")
    assert len(dev) == 500 and len(mirrored) == 500
    assert positions(dev) == {0: 243, 1: 257} and positions(mirrored) == {0: 263, 1: 237}
    assert dev.counts("asks_for") == {"cause": 250, "effect": 250} == mirrored.counts("asks_for")
    assert dev.counts("mirrored") == {False: 500} and mirrored.counts("mirrored") == {True: 500}
    first = dev.get("1")
    assert first.question == "My body cast a shadow over the grass. What was the cause of this?"
    assert first.options == ("The sun was rising.", "The grass was cut.") and first.answer == "The sun was rising."


def test_copa_xml_matches_jsonl(shared_data: Path) -> None:
    xml = load_copa(shared_data / "copa" / "balanced-copa-dev-all.xml")
    assert len(xml) == 1000 and positions(xml) == {0: 506, 1: 494}
    for name in ("copa-dev.jsonl", "balanced-copa-mirrored-dev.jsonl"):
        for it in load_copa(shared_data / "copa" / name):
            assert xml.get(it.id) == it


def test_copa_bad_records(shared_data: Path, tmp_path: Path) -> None:
    lines = (shared_data / "copa" / "copa-dev.jsonl").read_text(encoding="utf-8").splitlines()[:6]
    record = json.loads(lines[4])
    record["most-plausible-alternative"] = 3
    lines[4] = json.dumps(record)
    lines[2] = lines[2][:-5]
    path = tmp_path / "copa.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_copa(path)
    assert err.value.where == f"{path}:3"
    assert "line 3: invalid JSON" in str(err.value)
    assert "line 5: field 'most-plausible-alternative' must be one of 1, 2, got 3" in str(err.value)
    xml = tmp_path / "copa.xml"
    xml.write_text(
        '<copa-corpus>\n<item id="1" asks-for="cause" most-plausible-alternative="1">\n<p>x</p>\n'
        "<a1>y</a1><a2>z</a2>\n</copa-corpus>",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"copa\.xml:5: invalid XML \(mismatched tag\)"):
        load_copa(xml)
    xml.write_text(
        '<copa-corpus>\n\n<item id="1" asks-for="why" most-plausible-alternative="1">'
        "<p>x</p><a1>y</a1><a2>z</a2></item></copa-corpus>",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"copa\.xml:3: 1 bad record: line 3: field 'asks-for'"):
        load_copa(xml)


def test_ecare_dev_and_train(shared_data: Path) -> None:
    dev = load_ecare(shared_data / "e-care" / "Causal_Reasoning__dev.jsonl")
    assert len(dev) == 2132 and positions(dev) == {0: 1066, 1: 1066}
    assert dev.counts("asks_for") == {"cause": 1088, "effect": 1044}
    assert dev[0].id == "dev-0" and dev[0].question.endswith("What was the cause of this?")
    assert dev[0].answer == "The woman gave birth to a child."
    train = load_benchmark(f"e-care:{shared_data / 'e-care' / 'Causal_Reasoning__train.jsonl'}")
    assert len(train) == 14928 and positions(train) == {0: 7465, 1: 7463} and train.name == "e-care"


def test_ecare_refuses_explanation_files_and_reports_bad_records(shared_data: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="explanation-generation file"):
        load_ecare(shared_data / "e-care" / "Explanation_Generation__dev.jsonl")
    lines = (shared_data / "e-care" / "Causal_Reasoning__dev.jsonl").read_text(encoding="utf-8").splitlines()[:5]
    record = json.loads(lines[3])
    record["hypothesis2"] = ""
    lines[3] = json.dumps(record)
    lines.append(lines[0])
    path = tmp_path / "ecare.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_ecare(path)
    assert err.value.where == f"{path}:4"
    assert "line 4: field 'hypothesis2' must be a non-empty string" in str(err.value)
    assert "line 6: index 'dev-0' already used on line 1" in str(err.value)
