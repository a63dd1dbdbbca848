import numpy as np
import pytest

from redphone.model.lab.stats import bootstrap_mean, mean_band, proportion, wilson


def test_wilson_matches_a_textbook_value():
    # Newcombe (1998), table I: 81/263 -> 0.2553 to 0.3662
    est = wilson(81, 263)
    assert est.value == pytest.approx(81 / 263)
    assert est.low == pytest.approx(0.2553, abs=1e-4)
    assert est.high == pytest.approx(0.3662, abs=1e-4)
    assert est.n == 263


def test_wilson_stays_inside_zero_one_and_is_not_degenerate_at_the_ends():
    zero, all_ = wilson(0, 20), wilson(20, 20)
    assert zero.low == 0.0 and 0.1 < zero.high < 0.2
    assert all_.high == 1.0 and 0.8 < all_.low < 0.9
    assert np.isnan(wilson(0, 0).value)
    with pytest.raises(ValueError):
        wilson(5, 4)


def test_proportion_drops_nans():
    est = proportion([1, 0, np.nan, 1, 1])
    assert est.n == 4 and est.value == 0.75


def test_bootstrap_mean_is_deterministic_and_covers_the_mean():
    x = np.random.default_rng(1).normal(2.0, 1.0, 200)
    a, b = bootstrap_mean(x), bootstrap_mean(x)
    assert a == b
    assert a.low < x.mean() < a.high
    se = x.std(ddof=1) / np.sqrt(x.size)
    assert a.high - a.low == pytest.approx(2 * 1.96 * se, rel=0.15)
    assert bootstrap_mean([3.0]).value == 3.0 and bootstrap_mean([]).n == 0


def test_mean_band_per_column():
    x = np.array([[0.0, 1.0], [2.0, 1.0], [4.0, np.nan]])
    mean, low, high, n = mean_band(x)
    np.testing.assert_allclose(mean, [2.0, 1.0])
    np.testing.assert_array_equal(n, [3, 2])
    assert low[0] < 2.0 < high[0] and low[1] == high[1] == 1.0


def test_poisson_rate_matches_garwood():
    from redphone.model.lab.stats import poisson_rate

    est = poisson_rate(7, 1.0)  # chi-square quantiles: 2.814 to 14.423
    assert est.low == pytest.approx(2.8143, abs=1e-3) and est.high == pytest.approx(14.4227, abs=1e-3)
    assert poisson_rate(0, 2.0).low == 0.0 and poisson_rate(0, 2.0).high == pytest.approx(3.6889 / 2, abs=1e-3)
