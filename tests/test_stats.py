"""harness.measures.stats against independent references: scipy.stats for ranks and
correlations (and Fisher's interval of Pearson's r), the textbook formula of Bonett and Wright's
interval, scikit-learn for ROC-AUC."""

from __future__ import annotations

import math

import numpy as np
import pytest

from harness.measures import stats

scipy_stats = pytest.importorskip("scipy.stats")

TOLERANCE = 1e-12  # the same arithmetic in another order


def samples(seed: int, n: int = 40, ties: bool = False):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    y = 0.6 * x + rng.normal(size=n)
    if ties:  # human ratings repeat: round them
        x, y = np.round(x, 0), np.round(y * 2) / 2
    return x, y


@pytest.mark.parametrize("ties", [False, True])
def test_average_ranks_are_scipys(ties):
    x, _ = samples(1, ties=ties)
    np.testing.assert_allclose(stats.average_ranks(x), scipy_stats.rankdata(x), atol=0)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("ties", [False, True])
def test_spearman_and_pearson_are_scipys(seed, ties):
    x, y = samples(seed, ties=ties)
    assert stats.spearman(x, y) == pytest.approx(scipy_stats.spearmanr(x, y).statistic,
                                                 abs=TOLERANCE)
    assert stats.pearson(x, y) == pytest.approx(scipy_stats.pearsonr(x, y).statistic,
                                                abs=TOLERANCE)


def test_a_constant_side_has_no_correlation():
    assert stats.pearson([1, 2, 3], [4, 4, 4]) is None
    assert stats.spearman([2, 2, 2], [1, 2, 3]) is None
    assert stats.pearson([1], [2]) is None
    # three equal cosines whose mean is not exactly them: centring leaves rounding noise
    equal = [0.9999999999999998] * 3
    assert np.mean(equal) != equal[0]  # the premise
    assert stats.pearson(equal, [1.0, 9.0, 2.0]) is None
    assert stats.pearson([0.1] * 7, [1, 2, 3, 4, 5, 6, 7]) is None


def test_pearsons_interval_is_fishers_as_scipy_computes_it():
    x, y = samples(3)
    r = stats.pearson(x, y)
    low, high = stats.fisher_interval(r, len(x))
    want = scipy_stats.pearsonr(x, y).confidence_interval(0.95)
    assert (low, high) == pytest.approx((want.low, want.high), abs=1e-9)


def test_spearmans_interval_is_bonett_and_wrights():
    rho, n = 0.62, 30
    se = math.sqrt((1 + rho ** 2 / 2) / (n - 3))
    want = (math.tanh(math.atanh(rho) - 1.959963984540054 * se),
            math.tanh(math.atanh(rho) + 1.959963984540054 * se))
    assert stats.fisher_interval(rho, n, spearman_rho=True) == pytest.approx(want, abs=1e-12)
    # wider than Fisher's plain 1/sqrt(n-3) by the factor sqrt(1 + rho²/2)
    plain = stats.fisher_interval(rho, n)
    assert plain[0] > want[0] and plain[1] < want[1]


def test_no_interval_from_three_pairs_or_a_perfect_correlation():
    assert stats.fisher_interval(0.5, 3) is None
    assert stats.fisher_interval(1.0, 10) is None and stats.fisher_interval(-1.0, 10) is None


def test_the_paired_bootstrap_is_seeded_and_holds_the_difference():
    rng = np.random.default_rng(7)
    ratings = rng.normal(size=60)
    good = ratings + rng.normal(scale=0.5, size=60)
    poor = ratings + rng.normal(scale=2.0, size=60)
    interval = stats.bootstrap_difference(good, poor, ratings)
    assert interval == stats.bootstrap_difference(good, poor, ratings)  # the same seed
    difference = stats.spearman(good, ratings) - stats.spearman(poor, ratings)
    assert interval[0] < difference < interval[1] and interval[0] > 0
    same = stats.bootstrap_difference(good, good, ratings)
    assert same == (0.0, 0.0)
    assert stats.bootstrap_difference(good[:3], poor[:3], ratings[:3]) is None


def test_roc_auc_is_scikit_learns():
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(3)
    labels = rng.random(50) < 0.4
    scores = np.round(labels * 0.3 + rng.random(50), 1)  # with ties
    assert stats.roc_auc(scores, labels) == pytest.approx(
        metrics.roc_auc_score(labels, scores), abs=1e-12)
    assert stats.roc_auc([0.1, 0.2], [True, True]) is None


def test_quantile_is_numpys():
    values = np.sort(np.random.default_rng(0).normal(size=17))
    for q in (0.0, 0.025, 0.25, 0.5, 0.975, 1.0):
        assert stats.quantile(values, q) == pytest.approx(float(np.quantile(values, q)))
