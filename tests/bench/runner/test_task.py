"""ItemResult (one results line) round-trips exactly; Task checks its parts; breakdown meta keeps only scalars."""

from __future__ import annotations

import json

import pytest

from causalbridge.bench import BenchItem, Meta
from causalbridge.bench.scorers import BenchScorer
from causalbridge.bench.solvers import DirectSolver
from causalbridge.bench.task import ItemResult, SwapResult, Task, breakdown_meta
from causalbridge.errors import InputError
from causalbridge.llm import Usage


def result(**changes: object) -> ItemResult:
    fields: dict[str, object] = {
        "dataset": "toy",
        "id": "q1",
        "strategy": "direct",
        "model": "m",
        "options": ("yes", "no"),
        "answer": "yes",
        "prediction": "yes",
        "probs": (0.75, 0.25),
        "abstained": False,
        "method": "logprobs",
        "meta": Meta(rung=2, naming="story"),
        "usage": Usage(queries=2, prompt_tokens=30, cache_hits=1, requests=1, wall_seconds=0.5),
        "latency_s": 0.25,
        "swap": SwapResult("no", (0.4, 0.6), False),
        "reasoning": "because",
    }
    fields.update(changes)
    return ItemResult(**fields)  # type: ignore[arg-type]


def test_round_trip_through_json_is_exact() -> None:
    original = result()
    line = original.to_json()
    assert "\n" not in line
    data = json.loads(line)
    assert data["probs"] == {"yes": 0.75, "no": 0.25}
    assert data["swap"]["probs"] == {"yes": 0.4, "no": 0.6}
    assert data["correct"] is True and data["consistent"] is False
    assert ItemResult.from_json(line) == original


def test_derived_fields() -> None:
    r = result()
    assert r.key == ("toy", "q1")
    assert r.correct and r.confidence == 0.75 and r.consistent is False
    abstained = result(prediction=None, probs=None, abstained=True)
    assert not abstained.correct and abstained.confidence is None and abstained.consistent is None
    assert result(swap=None).consistent is None
    assert result(swap=SwapResult("yes", (0.9, 0.1), False)).consistent is True


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2]", "JSON object"),
        ("{not json", "invalid JSON"),
        ('{"v": 99}', "unsupported result version"),
        ('{"v": 1, "dataset": "d"}', "missing field"),
    ],
)
def test_bad_lines_are_input_errors(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        ItemResult.from_json(text, where="results.jsonl:3")
    assert str(info.value).startswith("results.jsonl:3: ")


def test_probabilities_must_match_the_options() -> None:
    data = result().to_dict()
    data["probs"] = {"yes": 0.5, "maybe": 0.5}
    with pytest.raises(InputError, match="probs must map each option"):
        ItemResult.from_dict(data)
    data["probs"] = {"yes": 1.5, "no": -0.5}
    with pytest.raises(InputError, match=r"\[0, 1\]"):
        ItemResult.from_dict(data)


def test_predictions_must_be_options() -> None:
    data = result().to_dict()
    data["prediction"] = "maybe"
    with pytest.raises(InputError, match="prediction 'maybe' is not one of the options"):
        ItemResult.from_dict(data)
    data = result().to_dict()
    data["swap"]["prediction"] = "perhaps"
    with pytest.raises(InputError, match="'perhaps'"):
        ItemResult.from_dict(data)


def test_breakdown_meta_keeps_scalar_breakdown_keys_only() -> None:
    item = BenchItem(
        "i", "d", "q?", ("yes", "no"), "yes", meta={"rung": 3, "naming": "story", "graph": [["X", "Y"]], "other": 1}
    )
    assert breakdown_meta(item) == Meta(rung=3, naming="story")


def test_task_checks_its_parts(toy) -> None:  # type: ignore[no-untyped-def]
    task = Task(toy, DirectSolver(), BenchScorer())
    assert task.name == "toy"
    with pytest.raises(InputError, match="Solver protocol"):
        Task(toy, object(), BenchScorer())  # type: ignore[arg-type]
    with pytest.raises(InputError, match="Scorer protocol"):
        Task(toy, DirectSolver(), object())  # type: ignore[arg-type]
    with pytest.raises(InputError, match="BenchDataset"):
        Task([], DirectSolver(), BenchScorer())  # type: ignore[arg-type]
