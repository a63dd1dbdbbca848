"""Posterior SBC (issue 20, item 5): ranks conditional on the record, random tie-breaking for discrete parameters,
and a check that sees a miscalibrated posterior on a problem whose answer is known."""

import numpy as np
import pytest

from redphone.model.lab import calibration, inference, sbc


def test_random_tie_breaking_makes_the_ranks_of_a_discrete_parameter_uniform():
    """A two-level parameter the data say nothing about: truth and draws from the same prior. Counting draws below
    the truth piles the ranks at 0 and about n/2; with ties broken at random they are uniform on 0..n."""
    rng = np.random.default_rng(0)
    m, n = 2000, 99
    truth = rng.choice([2.0, 3.0], size=(m, 1))
    draws = rng.choice([2.0, 3.0], size=(m, n, 1))
    ranks = sbc.rank(draws, truth, rng)
    assert ranks.min() >= 0 and ranks.max() <= n
    assert sbc.uniformity(ranks, n)[0] > 0.01
    naive = (draws < truth[:, None, :]).sum(1)
    assert sbc.uniformity(naive, n)[0] < 1e-6
    # for continuous values there are no ties, and the rank is the count below
    c_truth, c_draws = rng.uniform(size=(5, 1)), rng.uniform(size=(5, n, 1))
    assert np.array_equal(sbc.rank(c_draws, c_truth, rng), (c_draws < c_truth[:, None, :]).sum(1))


def test_discrete_parameters_are_ranked_at_their_levels():
    names = inference.NAMES
    j = names.index("mediation.threshold")
    free = calibration.FIT[j]
    theta = np.full((1, 3, len(names)), 0.5 * (free.lo + free.hi))
    theta[0, :, j] = [2.1, 2.6, 2.9]
    snapped = sbc.snap(theta, names)
    assert list(snapped[0, :, j]) == [2.0, 3.0, 3.0]
    others = [k for k in range(len(names)) if k != j]
    assert np.array_equal(snapped[..., others], theta[..., others])


def _gaussian_posterior_sbc(q_sd: float, m: int = 600, n: int = 99, pool: int = 3000, seed: int = 1):
    """y ~ N(theta, 1) under a flat prior: the exact posterior given y is N(y, 1). A 'flow' q(theta | y) = N(y, q_sd^2)
    is right at q_sd = 1 and too narrow below. Posterior SBC around y_obs with sbc.reweighted_ranks."""
    rng = np.random.default_rng(seed)
    y_obs = 0.7
    truth = rng.normal(y_obs, q_sd, size=(m, 1))  # from q(theta | y_obs)
    y = rng.normal(truth, 1.0)  # new datasets from the model
    proposal = rng.normal(y_obs, q_sd, size=(pool, 1))
    log_w = -0.5 * ((proposal[None, :, 0] - y) / q_sd) ** 2  # log q(theta | y_i) - log p(theta), the prior flat
    return sbc.reweighted_ranks(truth, proposal, log_w, n, rng)


def test_posterior_sbc_passes_a_calibrated_posterior_and_fails_a_too_narrow_one():
    ranks, ess = _gaussian_posterior_sbc(1.0)
    assert sbc.uniformity(ranks, 99)[0] > 0.01
    assert ess.mean() > 500
    narrow, _ = _gaussian_posterior_sbc(0.4)
    assert sbc.uniformity(narrow, 99)[0] < 1e-4
    cov = inference.covered(narrow / 99, (0.9,))[0.9][0]
    assert cov < 0.8  # too narrow: the truths fall outside the 90% intervals too often
    assert inference.covered(ranks / 99, (0.9,))[0.9][0] == pytest.approx(0.9, abs=0.05)


def test_the_flow_is_checked_conditional_on_the_record_on_a_known_problem():
    """The whole path through the trained flow (its log density on the logit line, the box prior, the reweighting):
    x = A theta + noise with the flow trained as the calibration trains it; posterior SBC at one 'record'."""
    rng = np.random.default_rng(2)
    d = len(inference.NAMES)
    box = inference.PRIOR_BOX
    a = rng.normal(size=(d, 6)) * 0.3
    a[0, 0], a[1, 1] = 3.0, 3.0

    def simulate(theta):
        u = (theta - box.low) / (box.high - box.low)
        return u @ a + rng.normal(scale=0.1, size=(len(theta), 6))

    theta = box.draw(2000, rng)
    post = inference.fit_npe(theta, simulate(theta), box, seed=0, epochs=40)
    x_obs = simulate(box.draw(1, rng))[0]
    # a pool of 3000: with 48 parameters the reweighting from q(theta | record) is thinner (median ESS 12 of a pool
    # of 1000, 39 of 3000), as make calibrate's own pool of 4000 allows for
    res = sbc.posterior_sbc(post, simulate, x_obs, datasets=60, n_draws=49, pool=3000, seed=5, names=inference.NAMES)
    assert res["ranks"].shape == (60, d) and res["ranks"].max() <= 49
    assert np.median(res["ess"]) > 20
    cov = inference.covered(res["ranks"] / 49, (0.9,))[0.9]
    assert cov.mean() >= 0.75, cov


def test_the_table_report_and_figure_make_calibrate_writes():
    rng = np.random.default_rng(6)
    d = len(inference.NAMES)
    psbc = dict(ranks=rng.integers(0, 100, size=(40, d)), n_draws=99, pool=500, ess=rng.uniform(20, 200, 40))
    tab = sbc.table(psbc, inference.PRIOR)
    assert list(tab["parameter"]) == list(inference.NAMES)
    assert (tab["kind"] == "levels 2, 3").sum() == 1 and (tab["kind"] == "continuous").sum() == d - 1
    assert ((tab["chi2_p"] >= 0) & (tab["chi2_p"] <= 1)).all() and tab["coverage_90"].between(0.6, 1.0).all()
    assert "40 true parameter vectors" in sbc.report(psbc, tab) and "ties broken at random" in sbc.report(psbc, tab)
    fig = sbc.figure(psbc)
    assert len(fig.axes) == 2
