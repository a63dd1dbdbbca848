"""Simulation-based calibration conditional on the record: posterior SBC (issue 20, item 5).

Prior SBC (Talts et al. 2018; ``inference.ranks``) checks the flow over the
whole (truncated) prior. The policy effects are computed at the posterior's
draws, so the flow must also be calibrated there. Posterior SBC (Säilynoja,
Johnson, Martin & Vehtari 2025) draws the true parameters from the posterior
given the record, ``theta_i ~ p(theta | x_obs)``, simulates a dataset ``x_i``
from each, and ranks ``theta_i`` among draws of the posterior given *both*
datasets, ``p(theta | x_obs, x_i)``: with ``p(theta | x_obs)`` as the prior of
the new data, that is the exact posterior, so the ranks are uniform exactly
when the posteriors are right.

The amortised flow gives ``q(theta | x)`` for one dataset; the two datasets are
independent given theta, so ``p(theta | x_obs, x_i) ∝ q(theta | x_obs) q(theta | x_i) / p(theta)``.
Its draws are a pool from ``q(theta | x_obs)`` reweighted by ``q(theta | x_i) / p(theta)``
(self-normalised importance sampling, resampled with replacement); the
effective sample size of each reweighting is reported, as the check is only
as sharp as it is large.

A discrete parameter (``calibration.Free.levels``: ``mediation.threshold``)
acts at its nearest level, so its truth and its draws are compared at their
levels, and ties are broken at random: the rank is the number of draws below
the truth plus a uniform integer in [0, number of draws equal to it], uniform
under calibration (Talts et al. 2018, sec. 4.1).
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from . import calibration, flow


def snap(theta, names) -> np.ndarray:
    """Discrete parameters at their nearest level (the value the model uses); the rest unchanged. theta (..., names)."""
    theta = np.array(theta, np.float64, copy=True)
    levels = {f.key: np.asarray(f.levels, float) for f in calibration.FIT if f.levels}
    for j, key in enumerate(names):
        if key in levels:
            lv = levels[key]
            theta[..., j] = lv[np.argmin(np.abs(theta[..., j, None] - lv), axis=-1)]
    return theta


def rank(draws, truth, rng: np.random.Generator) -> np.ndarray:
    """Rank of each truth among its draws, ties broken at random: #(draws < truth) + U{0, ..., #(draws == truth)}.

    ``draws`` (dataset, draw, parameter), ``truth`` (dataset, parameter) -> (dataset, parameter) in 0..draws."""
    draws, truth = np.asarray(draws, float), np.asarray(truth, float)[:, None, :]
    below = (draws < truth).sum(1)
    ties = (draws == truth).sum(1)
    return below + rng.integers(0, ties + 1)


def uniformity(ranks, n_draws: int, bins: int = 20) -> np.ndarray:
    """Chi-square p-value, per parameter, of the ranks (dataset, parameter) in 0..n_draws against the discrete uniform,
    in ``bins`` bins of equal probability (exactly equal when bins divides n_draws + 1)."""
    from scipy.stats import chisquare  # noqa: PLC0415

    ranks = np.asarray(ranks)
    which = np.minimum(ranks * bins // (n_draws + 1), bins - 1)
    edges = np.arange(bins + 1) * (n_draws + 1) / bins
    expected_share = np.diff(np.ceil(edges)) / (n_draws + 1)
    out = []
    for j in range(ranks.shape[1]):
        counts = np.bincount(which[:, j], minlength=bins)
        out.append(chisquare(counts, expected_share * counts.sum()).pvalue)
    return np.asarray(out)


def reweighted_ranks(truth, pool, log_weights, n_draws: int, rng: np.random.Generator, names=()) -> tuple[np.ndarray, np.ndarray]:
    """Ranks of ``truth`` (dataset, parameter) among ``n_draws`` resampled from ``pool`` (pool, parameter) with
    per-dataset log weights (dataset, pool); returns (ranks, effective sample sizes). Discrete parameters of
    ``names`` are compared at their levels, ties broken at random."""
    truth, pool, log_weights = np.asarray(truth, float), np.asarray(pool, float), np.asarray(log_weights, float)
    w = np.exp(log_weights - log_weights.max(1, keepdims=True))
    w /= w.sum(1, keepdims=True)
    ess = 1.0 / np.sum(w**2, 1)
    draws = np.stack([pool[rng.choice(len(pool), n_draws, p=wi)] for wi in w])
    if names:
        draws, truth = snap(draws, names), snap(truth, names)
    return rank(draws, truth, rng), ess


def _log_prior_z(z):
    """log density of logit(u), u uniform: the box prior on the flow's real line (constants dropped)."""
    z = np.asarray(z, np.float64)
    return np.sum(-np.logaddexp(0.0, -z) - np.logaddexp(0.0, z), axis=-1)


def covered(fractional_ranks, levels=(0.5, 0.8, 0.9, 0.95)) -> dict:
    """Share of true values inside the central interval of each level, per parameter, from their fractional ranks."""
    r = np.asarray(fractional_ranks)
    return {lv: ((r >= (1 - lv) / 2) & (r <= 1 - (1 - lv) / 2)).mean(0) for lv in levels}


def flow_log_prob(post, theta, x) -> np.ndarray:
    """log q(z(theta) | x) of the trained flow on its real line (what reweighting needs: the Jacobian cancels against
    the prior's). theta (m, parameter), x (statistics,)."""
    z = jnp.asarray(post.box.to_real(theta), jnp.float32)
    xs = jnp.asarray(((np.asarray(x) - post.x_mean) / post.x_std)[None], jnp.float32)
    return np.asarray(_log_prob(z.shape[1])(post.params, z, xs), np.float64)


@functools.cache
def _log_prob(dim: int):
    """The flow's log density, compiled once per dimension (and shape)."""
    network = flow.network(dim)
    return jax.jit(lambda params, z, xs: network.apply(params, None, method="log_prob", y=z, x=jnp.tile(xs, [z.shape[0], 1])))


def posterior_sbc(post, simulate, x_obs, *, datasets: int, n_draws: int, pool: int, seed: int, names) -> dict:
    """Posterior SBC of a trained flow around the record ``x_obs``: ``datasets`` truths from q(theta | x_obs), a dataset
    each (``simulate``: (m, parameter) -> (m, statistics)), ranked among ``n_draws`` draws of the posterior given the
    record and that dataset (a ``pool`` of q(theta | x_obs) draws, reweighted)."""
    rng = np.random.default_rng(seed)
    truth = post.sample(x_obs, datasets, seed)
    x = simulate(truth)
    proposal = post.sample(x_obs, pool, seed + 1)
    log_prior = _log_prior_z(post.box.to_real(proposal))
    log_w = np.stack([flow_log_prob(post, proposal, xi) - log_prior for xi in x])
    r, ess = reweighted_ranks(truth, proposal, log_w, n_draws, rng, names)
    return dict(theta=truth, x=x, ranks=r, ess=ess, n_draws=n_draws, pool=pool)


# --------------------------------------------------------------------------- what make calibrate writes


def table(psbc: dict, prior) -> "pd.DataFrame":  # noqa: F821
    """Per parameter (``prior``: the Free entries, in the ranks' column order): its kind, the coverage of central 50%
    and 90% intervals, and a chi-square test of uniform ranks."""
    import pandas as pd  # noqa: PLC0415


    n, r = psbc["n_draws"], psbc["ranks"]
    cov = covered(r / n, (0.5, 0.9))
    pvalue = uniformity(r, n, bins=int(np.clip(len(r) // 10, 4, 20)))
    return pd.DataFrame([dict(parameter=f.key, kind=("levels " + ", ".join(f"{v:g}" for v in f.levels)) if f.levels else "continuous",
                              coverage_50=float(cov[0.5][j]), coverage_90=float(cov[0.9][j]), chi2_p=float(pvalue[j]))
                         for j, f in enumerate(prior)])


def report(psbc: dict, tab) -> str:
    """The report's paragraph (Markdown) above the table."""
    return (f"{len(psbc['ranks'])} true parameter vectors drawn from the posterior given the record, a dataset simulated from each, "
            f"and each ranked among {psbc['n_draws']} draws of the posterior given the record and that dataset ({psbc['pool']} "
            f"posterior draws reweighted by the flow; median effective sample size {np.median(psbc['ess']):.0f}); discrete "
            "parameters ranked at their levels, ties broken at random. Mean coverage of central 90% intervals: "
            f"{tab['coverage_90'].mean():.2f} (50%: {tab['coverage_50'].mean():.2f}).")


def ecdf_panel(ax, fractional_ranks, xlabel: str, title: str, fontsize: int = 8) -> None:
    """The ECDF of each parameter's fractional ranks minus the uniform's, with the 95% Kolmogorov-Smirnov band: the
    picture of both SBC checks (prior and posterior)."""
    r = np.sort(np.asarray(fractional_ranks), axis=0)
    m = len(r)
    grid = np.arange(1, m + 1) / m
    band = 1.36 / np.sqrt(m)  # 95% Kolmogorov-Smirnov band of an ECDF of m uniform ranks
    ax.fill_between([0, 1], [-band, -band], [band, band], color="0.85", label="95% band (uniform ranks)")
    for j in range(r.shape[1]):
        ax.plot(r[:, j], grid - r[:, j], lw=0.8, alpha=0.8)
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("ECDF - uniform")
    ax.set_title(title)
    ax.legend(fontsize=fontsize, loc="lower left")


def figure(psbc: dict, colour: str = "#0072B2"):
    """ECDF of the fractional ranks minus the uniform's, per parameter, with the 95% band; and the reweighting's
    effective sample sizes. Returns the matplotlib figure (the caller saves it)."""
    import matplotlib.pyplot as plt  # noqa: PLC0415

    fig, (ax, bx) = plt.subplots(1, 2, figsize=(9.5, 4.2), gridspec_kw=dict(width_ratios=(2.2, 1)))
    m, k = np.shape(psbc["ranks"])
    ecdf_panel(ax, psbc["ranks"] / psbc["n_draws"], "fractional rank of the true value (discrete parameters: ties broken at random)",
               f"Posterior SBC: {m} truths from the posterior given the record, {k} parameters", fontsize=7)
    bx.hist(psbc["ess"], bins=20, color=colour, alpha=0.8)
    bx.set_xlabel(f"effective sample size of the reweighting (pool {psbc['pool']})")
    bx.set_title("How sharp each reference posterior is")
    return fig
