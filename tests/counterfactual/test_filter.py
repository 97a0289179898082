"""The filters and the reading of edits: edit distance laws, the fluency heuristic, decisions, cleaning replies."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from causalbridge.counterfactual import (
    FilterSettings,
    FluencyScore,
    JudgeScore,
    clean_edit,
    decide,
    edit_ratio,
    heuristic_fluency,
    levenshtein,
    logprob_fluency,
    tokens,
)
from causalbridge.errors import InputError
from causalbridge.llm import run_sync
from counterfactual.doubles import EditingDouble

words = st.lists(st.sampled_from(["a", "b", "c", "dog", "."]), max_size=8)


def test_levenshtein_known_values() -> None:
    assert levenshtein("kitten", "sitting") == 3
    assert levenshtein([], ["a", "b"]) == 2
    assert tokens("The film, it's GREAT!") == ["the", "film", ",", "it", "'", "s", "great", "!"]
    assert edit_ratio("the film was great", "the film was awful") == 0.25
    assert edit_ratio("Same text.", "same TEXT .") == 0.0
    assert edit_ratio("", "") == 0.0


@given(words, words, words)
def test_levenshtein_is_a_metric(a: list[str], b: list[str], c: list[str]) -> None:
    assert levenshtein(a, b) == levenshtein(b, a)
    assert (levenshtein(a, b) == 0) == (a == b)
    assert levenshtein(a, c) <= levenshtein(a, b) + levenshtein(b, c)
    assert abs(len(a) - len(b)) <= levenshtein(a, b) <= max(len(a), len(b))


@given(st.text(max_size=30), st.text(max_size=30))
def test_edit_ratio_lies_in_the_unit_interval(a: str, b: str) -> None:
    assert 0.0 <= edit_ratio(a, b) <= 1.0 and edit_ratio(a, b) == edit_ratio(b, a)


def test_heuristic_fluency_catches_broken_text() -> None:
    original = "The battery lasts all day."
    good = heuristic_fluency(original, "The battery dies within an hour.")
    assert good.value == 1.0 and good.method == "heuristic" and good.detail == "all checks passed"
    for broken, failure in [
        ("dies dies dies dies.", "no word three times running"),
        ("The battery (lasts all day.", "balanced brackets"),
        ("Rewritten text: The battery dies.", "no leftover instructions"),
        ("The battery dies", "final punctuation kept"),
        ("12 34.", "has letters"),
        ("The battery lasts all day and all night and every single week of the year, forever.", "length close"),
    ]:
        score = heuristic_fluency(original, broken)
        assert score.value < 1.0 and failure in score.detail, broken


def test_logprob_fluency_is_relative_to_the_original_and_cancels_position() -> None:
    double = EditingDouble()
    same, usage = run_sync(logprob_fluency(double, "Which is more fluent?", "a b c d", "a b e d"))
    assert same.method == "logprob" and same.value == pytest.approx(0.0) and usage.queries == 2
    worse, _ = run_sync(logprob_fluency(double, "Which is more fluent?", "a b c d", "a blorp c d"))
    assert worse.value == pytest.approx(-15.0 / 4)
    no_logprobs = EditingDouble(logprobs=False)
    fallback, _ = run_sync(logprob_fluency(no_logprobs, "Which is more fluent?", "A b c.", "A b d."))
    assert fallback.method == "heuristic" and "gave no log-probabilities" in fallback.detail


def test_decide() -> None:
    settings = FilterSettings(max_edit=0.3, min_fluency=-1.0, min_judge=0.6)
    fluent = FluencyScore(-0.2, "logprob")
    agrees = JudgeScore("neg", (("pos", 0.3), ("neg", 0.7)))
    assert decide(0.2, fluent, agrees, "neg", settings).kept
    weak = JudgeScore("neg", (("pos", 0.45), ("neg", 0.55)))
    verdict = decide(0.2, fluent, weak, "neg", settings)
    assert not verdict.kept and verdict.to_dict() == {"edit_distance": True, "fluency": True, "judge": False}
    heuristic = FluencyScore(5 / 6, "heuristic", "failed: x")
    verdict = decide(0.5, heuristic, JudgeScore(None, ()), "neg", settings)
    assert verdict.reasons == (
        "edit distance 0.50 > 0.3",
        "fluency (heuristic) 0.833 < 1: failed: x",
        "the judge abstained",
    )


def test_settings_are_checked() -> None:
    for bad in ({"max_edit": 0.0}, {"min_judge": 1.5}, {"min_heuristic": -0.1}, {"min_fluency": float("nan")}):
        with pytest.raises(InputError):
            FilterSettings(**bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("The film was awful.", "The film was awful."),
        ('  "The film was awful."  ', "The film was awful."),
        ("Rewritten hypothesis: A man sleeps.\nThis changes the label.", "A man sleeps."),
        ("Here is the rewritten text: Text: `Bad food.`", "Bad food."),
        ("\n\nThe new sentence: It rained.", "It rained."),
        ("   ", None),
        ('""', None),
    ],
)
def test_clean_edit(reply: str, expected: str | None) -> None:
    assert clean_edit(reply, "An original sentence.") == expected
