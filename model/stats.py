"""Estimates with their uncertainty, for tables and figures."""

from __future__ import annotations

import numpy as np

Z95 = 1.959963984540054


def wilson(successes, n, z: float = Z95) -> tuple[float, float, float]:
    """A proportion with its Wilson score interval: (estimate, low, high). Well behaved at 0 and 1."""
    if n <= 0:
        return float("nan"), float("nan"), float("nan")
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return float(p), float(max(0.0, centre - half)), float(min(1.0, centre + half))


def mean_ci(values, z: float = Z95) -> tuple[float, float, float, int]:
    """A mean with its normal-approximation 95% interval, over the finite values: (mean, low, high, n)."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return float("nan"), float("nan"), float("nan"), 0
    m = float(x.mean())
    if n == 1:
        return m, float("nan"), float("nan"), 1
    half = z * float(x.std(ddof=1)) / np.sqrt(n)
    return m, m - half, m + half, n
