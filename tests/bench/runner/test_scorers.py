"""Scores computed by hand on small, fully known result sets."""

from __future__ import annotations

import pytest

from causalbridge.bench import Meta
from causalbridge.bench.scorers import BenchScorer, accuracy_by, calibration, f1_yes
from causalbridge.bench.task import ItemResult, SwapResult
from causalbridge.llm import Usage
from causalbridge.metrics import expected_calibration_error, wilson_interval

NO_SWAP = object()


def r(
    i: int,
    answer: str,
    prediction: str | None,
    p_yes: float | None = None,
    swap: object = NO_SWAP,
    dataset: str = "d",
    **meta: object,
) -> ItemResult:
    """A result; ``swap`` is the prediction when asked reversed (None: abstained there), or NO_SWAP."""
    probs = None if p_yes is None else (p_yes, 1.0 - p_yes)
    swapped = None if swap is NO_SWAP else SwapResult(swap, None, swap is None)  # type: ignore[arg-type]
    return ItemResult(
        dataset=dataset,
        id=f"i{i}",
        strategy="direct",
        model="m",
        options=("yes", "no"),
        answer=answer,
        prediction=prediction,
        probs=probs,
        abstained=prediction is None,
        method="logprobs",
        meta=Meta(meta),
        usage=Usage(queries=1, prompt_tokens=10, completion_tokens=1, cache_hits=i % 2, requests=1 - i % 2),
        latency_s=0.1 * (i + 1),
        swap=swapped,
    )


RESULTS = [
    r(0, "yes", "yes", 0.9, "yes", rung=1, naming="story"),  # right, consistent
    r(1, "no", "yes", 0.6, "no", rung=1, naming="nonsense"),  # wrong, flips
    r(2, "no", "no", 0.2, "no", rung=2, naming="story"),  # right (p(no)=0.8), consistent
    r(3, "yes", None, None, "yes", rung=3, naming="story"),  # abstained: wrong, no consistency verdict
    r(4, "yes", "no", 0.3, None, rung=3),  # wrong; the swapped ask abstained
]


def test_accuracy_counts_abstentions_as_wrong_and_uses_wilson() -> None:
    scores = BenchScorer().score(RESULTS)
    assert scores.n == 5 and scores.accuracy is not None
    assert scores.accuracy.correct == 2 and scores.accuracy.accuracy == pytest.approx(0.4)
    assert (scores.accuracy.low, scores.accuracy.high) == pytest.approx(wilson_interval(2, 5))
    assert scores.abstained == 1 and scores.abstention_rate == pytest.approx(0.2)
    assert scores.chance == pytest.approx(0.5)


def test_breakdowns_by_rung_and_naming_in_stable_order() -> None:
    rung = accuracy_by(RESULTS, "rung")
    assert rung is not None
    assert [(v, a.correct, a.n) for v, a in rung.rows] == [(1, 1, 2), (2, 1, 1), (3, 0, 2)]
    naming = accuracy_by(RESULTS, "naming")
    assert naming is not None
    assert [(v, a.correct, a.n) for v, a in naming.rows] == [("nonsense", 0, 1), ("story", 2, 3)]  # item 4 has none
    assert accuracy_by(RESULTS, "query_type") is None
    keys = [b.key for b in BenchScorer().score(RESULTS).breakdowns]
    assert keys == ["dataset", "rung", "naming"]


def test_f1_treats_yes_as_positive_and_abstention_as_a_miss() -> None:
    prf = f1_yes(RESULTS)
    # yes-items: 0 (tp), 3 (abstained: fn), 4 (said no: fn); said yes on no-item 1: fp
    assert (prf.tp, prf.fp, prf.fn) == (1, 1, 2)
    assert prf.precision == pytest.approx(0.5) and prf.recall == pytest.approx(1 / 3)
    assert prf.f1 == pytest.approx(0.4)
    always_no = [r(i, "yes" if i < 2 else "no", "no", 0.1) for i in range(10)]
    assert f1_yes(always_no).f1 == 0.0
    assert BenchScorer().score(always_no).accuracy.accuracy == pytest.approx(0.8)  # type: ignore[union-attr]


def test_f1_only_for_yes_no_datasets() -> None:
    other = ItemResult(
        dataset="copa",
        id="c",
        strategy="direct",
        model="m",
        options=("a", "b"),
        answer="a",
        prediction="a",
        probs=(0.7, 0.3),
        abstained=False,
        method="logprobs",
        meta=Meta(),
        usage=Usage(),
        latency_s=0.0,
    )
    scores = BenchScorer().score([*RESULTS, other])
    assert [name for name, _ in scores.f1_yes] == ["d"]
    assert [v for v, _ in scores.breakdown("dataset").rows] == ["copa", "d"]  # type: ignore[union-attr]


def test_order_swap_consistency_skips_abstentions() -> None:
    scores = BenchScorer().score(RESULTS)
    assert scores.swap_asked == 5
    assert scores.consistency is not None
    assert (scores.consistency.correct, scores.consistency.n) == (2, 3)  # items 0, 1, 2 have both answers
    assert scores.swap_accuracy is not None and scores.swap_accuracy.correct == 4  # 0, 1, 2, 3 right reversed
    assert BenchScorer().score([r(0, "yes", "yes", 0.9)]).consistency is None


def test_calibration_uses_the_predicted_options_probability() -> None:
    ece, n = calibration(RESULTS)
    # confidences of answered items: 0.9 (right), 0.6 (wrong), 0.8 (right), 0.7 (wrong); abstention excluded
    assert n == 4
    assert ece == pytest.approx(expected_calibration_error([0.9, 0.6, 0.8, 0.7], [1, 0, 1, 0]))
    assert ece == pytest.approx((0.1 + 0.6 + 0.2 + 0.7) / 4)
    assert calibration([r(0, "yes", None)]) == (None, 0)


def test_usage_latency_and_position_rate() -> None:
    scores = BenchScorer().score(RESULTS)
    assert scores.usage.queries == 5 and scores.usage.cache_hits == 2 and scores.usage.requests == 3
    assert scores.usage.prompt_tokens == 50
    assert scores.mean_latency_s == pytest.approx(0.3)
    assert scores.first_option_rate == pytest.approx(2 / 4)  # 'yes' in 2 of the 4 answered


def test_empty_results_and_json() -> None:
    empty = BenchScorer().score([])
    assert empty.n == 0 and empty.accuracy is None and empty.to_dict()["accuracy"] is None
    data = BenchScorer().score(RESULTS).to_dict()
    assert data["by"]["rung"][0] == {
        "value": 1,
        "accuracy": 0.5,
        "low": pytest.approx(wilson_interval(1, 2)[0]),
        "high": pytest.approx(wilson_interval(1, 2)[1]),
        "correct": 1,
        "n": 2,
    }
    assert data["f1_yes"]["d"]["tp"] == 1
    assert data["order_swap"]["consistency"]["n"] == 3
    assert data["calibration"]["items"] == 4
