import numpy as np
import pytest

from model.stats import mean_ci, wilson


def test_wilson_matches_a_textbook_value_and_stays_in_bounds():
    p, lo, hi = wilson(8, 20)
    assert p == 0.4
    assert lo == pytest.approx(0.2188, abs=1e-3) and hi == pytest.approx(0.6134, abs=1e-3)
    assert wilson(0, 50)[1] == pytest.approx(0.0, abs=1e-12) and 0 < wilson(0, 50)[2] < 0.1
    assert wilson(50, 50)[2] == pytest.approx(1.0, abs=1e-12) and 0.9 < wilson(50, 50)[1] < 1.0


def test_mean_ci_covers_the_true_mean_about_95_percent_of_the_time():
    rng = np.random.default_rng(0)
    hits = 0
    for _ in range(400):
        _, lo, hi, n = mean_ci(rng.normal(3.0, 2.0, size=200))
        hits += lo <= 3.0 <= hi
    assert n == 200 and 0.92 <= hits / 400 <= 0.98


def test_mean_ci_ignores_missing_values():
    m, lo, hi, n = mean_ci([1.0, np.nan, 3.0])
    assert n == 2 and m == 2.0 and lo < 2.0 < hi
