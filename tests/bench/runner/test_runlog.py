"""The results log survives crashes (a torn last line is dropped and cut off) and refuses foreign run directories."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from causalbridge.bench import BenchDataset, Meta
from causalbridge.bench.runlog import (
    CONFIG_FILE,
    RESULTS_FILE,
    ResultLog,
    RunConfig,
    dataset_hash,
    prepare_run_dir,
    read_config,
)
from causalbridge.bench.task import ItemResult
from causalbridge.errors import InputError
from causalbridge.llm import Usage


def result(i: int) -> ItemResult:
    return ItemResult(
        dataset="toy",
        id=f"q{i}",
        strategy="direct",
        model="m",
        options=("yes", "no"),
        answer="yes",
        prediction="no" if i % 2 else "yes",
        probs=(0.6, 0.4),
        abstained=False,
        method="logprobs",
        meta=Meta(rung=1),
        usage=Usage(queries=1),
        latency_s=0.01,
    )


def config(**changes: object) -> RunConfig:
    base = RunConfig("m", "direct", "v1", "toy", "abc", True, 1, "toy.jsonl", 12)
    return replace(base, **changes)  # type: ignore[arg-type]


def test_append_then_read_back(tmp_path: Path) -> None:
    log = ResultLog(tmp_path / RESULTS_FILE)
    assert log.read() == {}
    with log:
        log.append([result(0), result(1)])
        log.append([])
        log.append([result(2)])
    read = log.read()
    assert list(read) == [("toy", "q0"), ("toy", "q1"), ("toy", "q2")]
    assert read[("toy", "q1")] == result(1)
    with pytest.raises(RuntimeError, match="outside"):
        log.append([result(3)])


def test_a_torn_last_line_is_dropped_and_cut_off(tmp_path: Path) -> None:
    path = tmp_path / RESULTS_FILE
    whole = result(0).to_json() + "\n" + result(1).to_json() + "\n"
    path.write_text(whole + result(2).to_json()[:40], encoding="utf-8")
    assert list(ResultLog(path).read(repair=False)) == [("toy", "q0"), ("toy", "q1")]
    assert path.read_text(encoding="utf-8") != whole  # read-only mode leaves the file alone
    log = ResultLog(path)
    assert len(log.read()) == 2
    assert path.read_text(encoding="utf-8") == whole
    with log:
        log.append([result(2)])
    assert len(ResultLog(path).read()) == 3
    assert all(json.loads(line) for line in path.read_text(encoding="utf-8").splitlines())


def test_a_bad_complete_line_is_reported_with_its_number(tmp_path: Path) -> None:
    path = tmp_path / RESULTS_FILE
    path.write_text(result(0).to_json() + "\n{oops}\n" + result(1).to_json() + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=rf"{RESULTS_FILE}:2: invalid JSON"):
        ResultLog(path).read()
    path.write_bytes(result(0).to_json().encode() + b"\n\xff\xfe\n")
    with pytest.raises(InputError, match="not UTF-8"):
        ResultLog(path).read()


def test_duplicates_keep_the_first_line(tmp_path: Path) -> None:
    path = tmp_path / RESULTS_FILE
    other = replace(result(0), prediction="no")
    path.write_text(result(0).to_json() + "\n\n" + other.to_json() + "\n", encoding="utf-8")
    assert ResultLog(path).read()[("toy", "q0")].prediction == "yes"


def test_config_is_written_and_checked(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    saved = prepare_run_dir(run_dir, config(limit=5))
    assert read_config(run_dir) == saved
    again = prepare_run_dir(run_dir, config(limit=9, dataset_spec="elsewhere/toy.jsonl"))
    assert again.limit == 9  # limit and spelling of the path may change between resumes
    with pytest.raises(InputError) as info:
        prepare_run_dir(run_dir, config(model="other", strategy="cot"))
    message = str(info.value)
    assert message.startswith(f"{run_dir}: this run directory holds a different run")
    assert "model: 'm' (saved) vs 'other' (now)" in message and "strategy: 'direct'" in message
    assert "\n" not in message
    for change in ({"dataset_hash": "zzz"}, {"order_swap": False}, {"sample_seed": 3}, {"prompt_version": "v2"}):
        with pytest.raises(InputError, match="different run"):
            prepare_run_dir(run_dir, config(**change))
    assert prepare_run_dir(run_dir, config(sample_seed=None)).sample_seed == 1  # the whole dataset holds a sample


def test_unusable_run_directories(tmp_path: Path) -> None:
    orphan = tmp_path / "orphan"
    orphan.mkdir()
    (orphan / RESULTS_FILE).write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="no config.json"):
        prepare_run_dir(orphan, config())
    with pytest.raises(InputError, match="not a run directory"):
        read_config(tmp_path / "missing")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / CONFIG_FILE).write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match="unreadable run config"):
        read_config(broken)
    (broken / CONFIG_FILE).write_text('{"version": 7}', encoding="utf-8")
    with pytest.raises(InputError, match="unsupported config version"):
        read_config(broken)
    a_file = tmp_path / "file"
    a_file.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="not a directory"):
        prepare_run_dir(a_file, config())


def test_dataset_hash_sees_any_change(toy: BenchDataset) -> None:
    base = dataset_hash(toy)
    assert base == dataset_hash(BenchDataset("other name", toy.items))
    changed = BenchDataset(toy.name, (toy.items[0].with_options(("no", "yes")), *toy.items[1:]))
    assert dataset_hash(changed) != base
    assert dataset_hash(toy.head(11)) != base


def test_dataset_hash_is_the_hash_of_the_items_json_lines(toy: BenchDataset) -> None:
    import hashlib

    from causalbridge.bench.generate import generate_corr2cause
    from causalbridge.bench.generate.ladder import generate_ladder

    for dataset in (toy, generate_corr2cause(5, seed=0), generate_ladder(5, seed=0, naming="story")):
        expected = hashlib.sha256("".join(it.to_json() + "\n" for it in dataset.items).encode("utf-8")).hexdigest()
        assert dataset_hash(dataset) == expected
