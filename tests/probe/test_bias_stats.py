"""The probes' statistics: bootstrap intervals (against scipy and by coverage), sign-flip tests, BH q-values."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats as scipy_stats
from statsmodels.stats.multitest import multipletests

from causalbridge.errors import InputError
from causalbridge.probe.stats import (
    benjamini_hochberg,
    bootstrap_contrast,
    cluster_bootstrap_contrast,
    cluster_sign_flip_pvalue,
    contrast,
    sign_flip_pvalue,
)


def test_contrast_is_the_weighted_sum_of_group_means() -> None:
    assert contrast([[1.0, 3.0], [10.0]], [0.5, -1.0]) == pytest.approx(0.5 * 2.0 - 10.0)
    assert contrast([[1.0, 2.0, 3.0]]) == pytest.approx(2.0)


@pytest.mark.parametrize("method", ["bca", "percentile"])
def test_one_group_interval_agrees_with_scipy(method: str) -> None:
    data = np.random.default_rng(1).gamma(2.0, 1.0, size=30)  # skewed, where BCa and percentile differ
    ours = bootstrap_contrast([data], method=method, n_resamples=8000, rng=3)  # type: ignore[arg-type]
    theirs = scipy_stats.bootstrap(
        (data,), np.mean, method="BCa" if method == "bca" else "percentile", n_resamples=8000, random_state=4
    ).confidence_interval
    width = theirs.high - theirs.low
    assert ours.estimate == pytest.approx(data.mean())
    assert ours.low == pytest.approx(theirs.low, abs=0.06 * width)
    assert ours.high == pytest.approx(theirs.high, abs=0.06 * width)
    assert ours.method == method


def test_bca_covers_the_true_mean_about_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(7)
    hits = 0
    runs = 300
    for run in range(runs):
        data = rng.exponential(1.0, size=25)  # true mean 1, strongly skewed
        hits += bootstrap_contrast([data], n_resamples=1000, rng=run).contains(1.0)
    assert 0.90 <= hits / runs <= 0.985


def test_stratified_contrast_interval_covers_the_true_difference() -> None:
    rng = np.random.default_rng(11)
    hits = 0
    runs = 200
    for run in range(runs):
        a, b = rng.normal(0.3, 1.0, size=20), rng.normal(0.0, 2.0, size=30)
        hits += bootstrap_contrast([a, b], [1.0, -1.0], n_resamples=1000, rng=run).contains(0.3)
    assert 0.89 <= hits / runs <= 0.99


def test_constant_data_gives_a_point_interval_and_seeds_reproduce() -> None:
    point = bootstrap_contrast([[0.25] * 8])
    assert (point.low, point.estimate, point.high) == (0.25, 0.25, 0.25)
    data = np.random.default_rng(0).normal(size=12)
    assert bootstrap_contrast([data], rng=5) == bootstrap_contrast([data], rng=5)
    assert bootstrap_contrast([data], rng=5) != bootstrap_contrast([data], rng=6)


def test_bad_bootstrap_input_is_a_user_error() -> None:
    with pytest.raises(InputError, match="at least one observation"):
        bootstrap_contrast([[]])
    with pytest.raises(InputError, match="finite"):
        bootstrap_contrast([[1.0, float("nan")]])
    with pytest.raises(InputError, match="weights"):
        bootstrap_contrast([[1.0], [2.0]], [1.0])
    with pytest.raises(InputError, match="interval method"):
        bootstrap_contrast([[1.0, 2.0]], method="basic")  # type: ignore[arg-type]


def test_exact_sign_flip_pvalue_matches_enumeration_by_hand() -> None:
    assert sign_flip_pvalue([[1.0, 1.0, 1.0]]) == pytest.approx(2 / 8)  # only all-plus and all-minus reach 3
    assert sign_flip_pvalue([[0.0, 0.0]]) == 1.0
    diffs = [0.3, -0.1, 0.2, 0.25, 0.05]
    observed = abs(sum(diffs))
    count = sum(
        abs(sum(s * d for s, d in zip(signs, diffs, strict=True))) >= observed - 1e-12
        for signs in itertools.product((1, -1), repeat=len(diffs))
    )
    assert sign_flip_pvalue([diffs]) == pytest.approx(count / 32)


def test_monte_carlo_sign_flips_approximate_the_exact_test_and_never_reach_zero() -> None:
    rng = np.random.default_rng(2)
    diffs = rng.normal(0.15, 0.5, size=16)
    exact = sign_flip_pvalue([diffs])
    # the same 16 differences split into two groups of weight 1/2 with equal sizes give the same statistic
    split = sign_flip_pvalue([diffs[:8], diffs[8:]], [0.5, 0.5])
    assert split == pytest.approx(exact)
    big = np.concatenate([diffs, diffs[:2]])  # 18 differences: Monte Carlo
    mc = sign_flip_pvalue([big], n_flips=20_000, rng=0)
    assert 0.0 < mc <= 1.0
    assert sign_flip_pvalue([np.full(40, 0.5)], n_flips=1000, rng=0) == pytest.approx(1 / 1001)


def test_sign_flip_test_holds_its_level_under_the_null() -> None:
    rng = np.random.default_rng(5)
    rejections = sum(sign_flip_pvalue([rng.normal(size=12)]) <= 0.05 for _ in range(400))
    assert rejections / 400 <= 0.08


def test_benjamini_hochberg_matches_statsmodels() -> None:
    pvalues = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216, 0.222, 0.251, 0.269]
    q, rejected = benjamini_hochberg(pvalues, 0.05)
    expected_reject, expected_q, _, _ = multipletests(pvalues, alpha=0.05, method="fdr_bh")
    assert q == pytest.approx(tuple(expected_q))
    assert rejected == tuple(bool(r) for r in expected_reject)
    assert rejected[0] and not any(rejected[1:])  # 0.008 * 13 / 2 = 0.052 just misses


def test_benjamini_hochberg_keeps_input_order_and_checks_input() -> None:
    q, rejected = benjamini_hochberg([0.5, 0.01, 0.02], 0.05)
    assert q == pytest.approx((0.5, 0.03, 0.03)) and rejected == (False, True, True)
    assert benjamini_hochberg([]) == ((), ())
    with pytest.raises(InputError):
        benjamini_hochberg([1.5])
    with pytest.raises(InputError):
        benjamini_hochberg([0.1], fdr=0.0)


def test_cluster_bootstrap_with_one_observation_per_cluster_is_the_ordinary_bootstrap() -> None:
    data = np.random.default_rng(3).gamma(2.0, 1.0, size=25)
    plain = bootstrap_contrast([data], n_resamples=8000, rng=1)
    clustered = cluster_bootstrap_contrast([data], [np.arange(25)], n_resamples=8000, rng=2)
    width = plain.high - plain.low
    assert clustered.estimate == pytest.approx(plain.estimate)
    assert clustered.low == pytest.approx(plain.low, abs=0.06 * width)
    assert clustered.high == pytest.approx(plain.high, abs=0.06 * width)
    assert cluster_sign_flip_pvalue([data[:12] - 2.0], [np.arange(12)]) == pytest.approx(
        sign_flip_pvalue([data[:12] - 2.0])
    )


def test_shared_clusters_need_the_cluster_bootstrap_to_cover() -> None:
    """Eight templates reuse the same 12 name pairs; each pair has its own effect, zero on average over pairs.

    Resampling fillings template by template treats the 8 repeats of a pair as independent and covers the
    true (zero) effect far less often than 95%; resampling pairs covers it.
    """
    rng = np.random.default_rng(0)
    naive_hits = cluster_hits = 0
    runs = 150
    for run in range(runs):
        pair_effect = rng.normal(0.0, 0.03, size=12)
        groups = [pair_effect + rng.normal(0.0, 0.01, size=12) for _ in range(8)]
        units = [np.arange(12)] * 8
        weights = [1 / 8] * 8
        naive_hits += bootstrap_contrast(groups, weights, n_resamples=500, rng=run).contains(0.0)
        cluster_hits += cluster_bootstrap_contrast(groups, units, weights, n_resamples=500, rng=run).contains(0.0)
    assert naive_hits / runs < 0.6
    assert 0.85 <= cluster_hits / runs <= 0.99  # 12 clusters: about 90% (400 runs), the naive one about 49%


def test_cluster_flip_moves_a_cluster_as_a_whole() -> None:
    # two clusters, each with a large positive difference in both groups: only 4 sign patterns exist
    groups = [[1.0, 1.0], [1.0, 1.0]]
    assert cluster_sign_flip_pvalue(groups, [[0, 1], [0, 1]], [0.5, 0.5]) == pytest.approx(2 / 4)
    assert sign_flip_pvalue(groups, [0.5, 0.5]) == pytest.approx(2 / 16)  # as if the four were independent
    with pytest.raises(InputError, match="every cluster"):
        cluster_bootstrap_contrast([[1.0, 2.0], [3.0]], [[0, 1], [0]])
    with pytest.raises(InputError, match="one cluster label"):
        cluster_bootstrap_contrast([[1.0, 2.0]], [[0]])
