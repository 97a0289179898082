"""The reliability model: what consistency, known edges and the data say about how far to trust a model."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from causalbridge.discover import EdgeVotes, fit_reliability
from causalbridge.discover.reliability import reliability_from_agreement
from causalbridge.errors import InputError


def swaps(agree: int, disagree: int) -> list[EdgeVotes]:
    """Undirected edges asked in both orders: ``agree`` consistent pairs and ``disagree`` contradictory ones."""
    same = [EdgeVotes(f"a{i}", f"b{i}", "undirected", (1, 1)) for i in range(agree)]
    return same + [EdgeVotes(f"c{i}", f"d{i}", "undirected", (1, -1)) for i in range(disagree)]


def test_consistency_makes_a_model_credible_and_contradiction_exposes_it() -> None:
    consistent = fit_reliability(swaps(20, 0))
    assert consistent.r_mean > 0.9 and consistent.p_chance < 0.01
    contradicting = fit_reliability(swaps(0, 20))  # a model that always names the first variable as the cause
    assert contradicting.p_chance > 0.8 and contradicting.r_mean < 0.55
    lone = fit_reliability([*swaps(0, 20), EdgeVotes("x", "y", "undirected", (1,))])
    assert lone.direction(20) < 0.55  # its next vote is worth almost nothing


def test_no_evidence_keeps_the_prior() -> None:
    fit = fit_reliability([], prior_chance=0.5)
    assert fit.p_chance == pytest.approx(0.5, abs=1e-9)
    single = fit_reliability([EdgeVotes("a", "b", "undirected", (1,))], prior_chance=0.5)
    # one unchecked vote from a model that is at chance half the time: far from the 0.85 an orientation needs
    assert 0.5 < single.direction(0) < 0.7


def test_known_edges_grade_the_model() -> None:
    right = [EdgeVotes(f"k{i}", f"m{i}", "known", (1,)) for i in range(12)]
    wrong = [EdgeVotes(f"k{i}", f"m{i}", "known", (-1,)) for i in range(12)]
    assert fit_reliability(right).r_mean > 0.9
    assert fit_reliability(wrong).p_chance > 0.8  # worse than chance is treated as chance, never as a signal


def test_data_arrows_start_from_the_data_and_can_be_overruled() -> None:
    credible = swaps(15, 0)
    disagree = [*credible, EdgeVotes("x", "y", "data", (-1, -1))]
    fit = fit_reliability(disagree, data_confidence=0.7)
    assert fit.direction(len(disagree) - 1) < 0.1  # two consistent votes of a credible model beat a 0.7 arrow
    silent = [*credible, EdgeVotes("x", "y", "data", ())]
    assert fit_reliability(silent, data_confidence=0.7).direction(len(silent) - 1) == pytest.approx(0.7)
    learned = fit_reliability([*credible, *[EdgeVotes(f"p{i}", f"q{i}", "data", (-1,)) for i in range(10)]])
    assert learned.q_mean < 0.3  # a credible model that disagrees with every arrow: the data's arrows are bad


def test_paraphrase_inconsistency_caps_reliability() -> None:
    capped = fit_reliability(swaps(20, 0), paraphrase=(0, 10))
    assert capped.cap < 0.7 and capped.r_interval()[1] <= capped.cap + 1e-9
    assert fit_reliability(swaps(20, 0), paraphrase=(10, 10)).cap == 1.0


def test_agreement_inverse() -> None:
    assert reliability_from_agreement(0.5) == 0.5 and reliability_from_agreement(1.0) == 1.0
    assert reliability_from_agreement(0.82) == pytest.approx(0.9)
    assert reliability_from_agreement(0.2) == 0.5


def test_bad_arguments() -> None:
    with pytest.raises(InputError):
        fit_reliability([], prior_chance=1.0)
    with pytest.raises(InputError):
        fit_reliability([], paraphrase=(3, 2))


@settings(max_examples=40, deadline=None)
@given(
    agree=st.integers(0, 12),
    disagree=st.integers(0, 12),
    votes=st.lists(st.sampled_from([1, -1]), min_size=0, max_size=3),
)
def test_direction_posteriors_are_probabilities_and_symmetric(agree: int, disagree: int, votes: list[int]) -> None:
    edges = [*swaps(agree, disagree), EdgeVotes("x", "y", "undirected", tuple(votes))]
    mirrored = [*swaps(agree, disagree), EdgeVotes("y", "x", "undirected", tuple(-v for v in votes))]
    p = fit_reliability(edges).direction(len(edges) - 1)
    q = fit_reliability(mirrored).direction(len(edges) - 1)
    assert 0.0 <= p <= 1.0 and p == pytest.approx(1.0 - q, abs=1e-9)
    if sum(votes) > 0:
        assert p > 0.5
