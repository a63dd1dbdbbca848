"""Estimators with intervals, shared by the figures and the reports.

Every estimate a figure or table shows comes with its interval and its count:
a proportion with the Wilson score interval (good at 0 and 1 and for small n,
unlike the normal approximation), a mean with a seeded percentile bootstrap
(deterministic: the same data give the same interval).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

Z95 = 1.959963984540054  # two-sided 95 % normal quantile


class Estimate(NamedTuple):
    value: float
    low: float
    high: float
    n: int


def wilson(successes, n, z: float = Z95) -> Estimate:
    """Proportion successes/n with its Wilson score interval (NaN when n = 0)."""
    k, n = float(successes), int(n)
    if n <= 0:
        return Estimate(np.nan, np.nan, np.nan, 0)
    if not 0 <= k <= n:
        raise ValueError(f"successes = {k} outside [0, n = {n}]")
    p = k / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return Estimate(p, min(p, max(0.0, centre - half)), max(p, min(1.0, centre + half)), n)  # min/max: rounding at p = 0 or 1


def proportion(flags, z: float = Z95) -> Estimate:
    """Share of true values (NaNs dropped) with its Wilson interval."""
    flags = np.asarray(flags, dtype=float)
    flags = flags[~np.isnan(flags)]
    return wilson(np.sum(flags > 0.5), flags.size, z)


def bootstrap_mean(values, level: float = 0.95, n_boot: int = 2000, seed: int = 0) -> Estimate:
    """Mean (NaNs dropped) with a percentile bootstrap interval; seeded, so deterministic."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return Estimate(np.nan, np.nan, np.nan, 0)
    if x.size == 1 or np.all(x == x[0]):
        return Estimate(float(x[0]) if x.size == 1 else float(x.mean()), float(x.mean()), float(x.mean()), x.size)
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, x.size, size=(n_boot, x.size))].mean(axis=1)
    alpha = (1 - level) / 2
    low, high = np.quantile(means, [alpha, 1 - alpha])
    return Estimate(float(x.mean()), float(low), float(high), int(x.size))


def mean_band(values, axis: int = 0, z: float = Z95):
    """Mean along `axis` with a normal-approximation band (mean +- z standard errors), for time series.

    Returns (mean, low, high, n); cheap enough for every day of a long series,
    where a bootstrap per day would not be.
    """
    x = np.asarray(values, dtype=float)
    n = np.sum(~np.isnan(x), axis=axis)
    mean = np.nanmean(x, axis=axis)
    sd = np.nanstd(x, axis=axis, ddof=1) if x.shape[axis] > 1 else np.zeros_like(mean)
    half = z * sd / np.sqrt(np.maximum(n, 1))
    return mean, mean - half, mean + half, n


def poisson_rate(count: int, exposure: float, level: float = 0.95) -> Estimate:
    """Rate count/exposure with the exact (Garwood) Poisson interval, found by bisection on the Poisson tail."""
    k, alpha = int(count), (1 - level) / 2

    def cdf(lam, upto):  # P(X <= upto) for X ~ Poisson(lam)
        term, total = np.exp(-lam), np.exp(-lam)
        for i in range(1, upto + 1):
            term *= lam / i
            total += term
        return total

    def solve(f, lo, hi):
        for _ in range(200):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if f(mid) else (lo, mid)
        return (lo + hi) / 2

    top = 10.0 * (k + 10)
    low = 0.0 if k == 0 else solve(lambda lam: 1 - cdf(lam, k - 1) < alpha, 0.0, top)  # P(X >= k) < alpha: lam too small
    high = solve(lambda lam: cdf(lam, k) > alpha, 0.0, top)
    return Estimate(k / exposure, low / exposure, high / exposure, k)
