"""String specs resolve through one registry; unknown names and missing paths fail clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from causalbridge.bench import BenchDataset, BenchItem, load_benchmark
from causalbridge.bench.load import LOADERS, register_loader
from causalbridge.errors import InputError


def test_every_spec(shared_data: Path) -> None:
    cases = {
        f"copa:{shared_data / 'copa' / 'copa-dev.jsonl'}": ("copa", 500),
        f"balanced-copa:{shared_data / 'copa' / 'balanced-copa-mirrored-dev.jsonl'}": ("copa", 500),
        f"ecare:{shared_data / 'e-care' / 'Causal_Reasoning__dev.jsonl'}": ("e-care", 2132),
        f"crass:{shared_data / 'crass' / 'CRASS_FTM_main_data_set.csv'}": ("crass", 274),
        f"tuebingen:{shared_data / 'tuebingen' / 'pairs'}": ("tuebingen", 50),
        f"Corr2Cause:{shared_data / 'corr2cause' / 'corr2cause_test_sample200.csv'}": ("corr2cause", 200),
    }
    for spec, (name, n) in cases.items():
        ds = load_benchmark(spec)
        assert (ds.name, len(ds)) == (name, n), spec


def test_own_jsonl_and_errors(tmp_path: Path) -> None:
    item = BenchItem("a", "mine", "Is it?", ("yes", "no"), "yes")
    path = BenchDataset("mine", (item,)).to_jsonl(tmp_path / "mine.jsonl")
    assert load_benchmark(str(path)).items == (item,)
    assert load_benchmark(f"jsonl:{path}").items == (item,)
    with pytest.raises(InputError, match="unknown benchmark 'cladr' \\(did you mean 'cladder'\\?\\)"):
        load_benchmark(f"cladr:{path}")
    with pytest.raises(InputError, match="no path after 'copa'"):
        load_benchmark("copa:")
    with pytest.raises(InputError, match="write '<benchmark>:<path>'"):
        load_benchmark(tmp_path / "data.csv")
    with pytest.raises(InputError, match="COPA file not found"):
        load_benchmark(f"copa:{tmp_path / 'missing.jsonl'}")


def test_register_loader(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="already registered"):
        register_loader("copa", BenchDataset.read_jsonl)
    with pytest.raises(InputError, match="contain no ':'"):
        register_loader("a:b", BenchDataset.read_jsonl)
    assert "cladder" in LOADERS and "copa" in LOADERS


def test_registered_loader_resolves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import causalbridge.bench.load as load_module

    monkeypatch.setattr(load_module, "_LOADERS", dict(load_module._LOADERS))
    item = BenchItem("a", "mine", "Is it?", ("yes", "no"), "no")
    path = BenchDataset("mine", (item,)).to_jsonl(tmp_path / "x.data")
    register_loader("Mine", lambda p: BenchDataset.read_jsonl(p, name="renamed"))
    ds = load_benchmark(f"mine:{path}")
    assert ds.name == "renamed" and ds.items == (item,)
