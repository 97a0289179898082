"""CLadder loader on the official generator outputs, and its errors on a corrupted copy."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from causalbridge.bench import NAMING_MODES
from causalbridge.bench.load import load_benchmark, load_cladder
from causalbridge.errors import InputError


@pytest.fixture(scope="module")
def cladder_dir(shared_data: Path) -> Path:
    return shared_data / "cladder" / "official_repo_test_generate"


def test_every_file_with_exact_counts(cladder_dir: Path) -> None:
    ds = load_cladder(cladder_dir)
    assert len(ds) == 4164 and ds.name == "cladder"
    assert ds.counts("variant") == {"easy": 844, "hard": 844, "anti": 844, "non": 1120, "det": 512}
    assert ds.counts("naming") == {"commonsense": 2200, "anticommonsense": 844, "nonsense": 1120}
    assert set(ds.counts("naming")) <= set(NAMING_MODES)
    assert ds.answer_counts() == {"yes": 2020, "no": 2144}
    assert ds.counts("rung") == {1: 1356, 2: 1288, 3: 1520}
    det = ds.filter(variant="det")
    assert det.answer_counts() == {"yes": 256, "no": 256} and det.counts("query_type") == {"det-counterfactual": 512}


def test_one_file_and_its_items(cladder_dir: Path) -> None:
    ds = load_cladder(cladder_dir / "test-generate-easy.json")
    assert len(ds) == 844 and ds.answer_counts() == {"yes": 411, "no": 433}
    assert ds.counts("query_type")["ate"] == 132
    first = ds.get("alarm-mediation-ate-model0-spec0-q0")
    assert first.question == (
        "Imagine a self-contained, hypothetical world with only the following conditions, and without any "
        "unmentioned factors or causal relationships: Husband has a direct effect on wife and alarm clock. Wife "
        "has a direct effect on alarm clock. For husbands that don't set the alarm, the probability of ringing "
        "alarm is 26%. For husbands that set the alarm, the probability of ringing alarm is 85%. "
        "Will alarm set by husband increase the chance of ringing alarm?"
    )
    assert first.answer == "yes" and first.exact_value == pytest.approx(0.5925244566507366)
    assert first.meta["rung"] == 2 and first.meta["graph_id"] == "mediation"
    assert first.meta["graph"] == (("X", "V2"), ("X", "Y"), ("V2", "Y"))
    assert first.meta["variables"] == {"X": "husband", "V2": "wife", "Y": "alarm clock"}
    assert first.meta["formal_form"] == "E[Y | do(X = 1)] - E[Y | do(X = 0)]"
    assert first.derivation is not None and first.derivation.endswith("end: 0.59 > 0")
    assert sum(it.exact_value is None for it in ds) == 148 + 16  # backadj (a set) and collider_bias ("no")


def test_spec_resolution(cladder_dir: Path) -> None:
    assert len(load_benchmark(f"cladder:{cladder_dir / 'test-generate-non.json'}")) == 1120


def test_bad_records_are_reported_together(cladder_dir: Path, tmp_path: Path) -> None:
    records = json.loads((cladder_dir / "test-generate-hard.json").read_text(encoding="utf-8"))[:8]
    records[2]["answer"] = "maybe"
    records[5]["meta"]["model_id"] = 99999
    del records[6]["question"]
    (tmp_path / "test-generate-hard.json").write_text(json.dumps(records), encoding="utf-8")
    shutil.copy(cladder_dir / "test-model-meta.json", tmp_path)
    with pytest.raises(InputError) as err:
        load_cladder(tmp_path / "test-generate-hard.json")
    assert err.value.where == f"{tmp_path / 'test-generate-hard.json'}[2]"
    assert "3 bad records" in str(err.value)
    assert "record 2: field 'answer' must be one of 'yes', 'no'" in str(err.value)
    assert "record 5: meta.model_id 99999 is not in test-model-meta.json" in str(err.value)
    assert "record 6: missing field 'question'" in str(err.value)


def test_missing_files(cladder_dir: Path, tmp_path: Path) -> None:
    shutil.copy(cladder_dir / "test-generate-det.json", tmp_path)
    with pytest.raises(InputError, match="CLadder model-meta file not found"):
        load_cladder(tmp_path / "test-generate-det.json")
    with pytest.raises(InputError, match="CLadder question file not found"):
        load_cladder(tmp_path / "nope.json")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no CLadder question files"):
        load_cladder(tmp_path / "empty")
    ds = load_cladder(tmp_path / "test-generate-det.json", meta_path=cladder_dir / "test-model-meta.json")
    assert len(ds) == 512 and Counter(ds.counts("naming")) == {"commonsense": 512}
    (tmp_path / "broken.json").write_text("[{", encoding="utf-8")
    with pytest.raises(InputError, match=r"broken\.json:1:3: invalid JSON"):
        load_cladder(tmp_path / "broken.json", meta_path=cladder_dir / "test-model-meta.json")
