"""The two reference presets against the literature they must reproduce."""

import jax
import numpy as np
import pytest

from redphone.model import engine
from redphone.model.config import build, compose
from redphone.model.params import stack


def clusters(hostility, gap=0.02, min_share=0.02):
    """Opinion clusters: runs of sorted opinions without a gap wider than `gap`, holding >= min_share of agents."""
    h = np.sort(hostility)
    groups = np.split(h, np.flatnonzero(np.diff(h) > gap) + 1)
    return sum(len(g) >= min_share * len(h) for g in groups)


def final_public(preset, settings, days, replicates=2):
    """Each setting's final opinions, (setting, replicate, side, citizen): the settings are leaves of one
    compiled call (vmapped), not constants of one compile each; replicate r has the same keys in every setting."""
    built = [build(compose(preset, overrides)) for overrides in settings]
    dims = built[0][1]
    assert all(d == dims for _, d in built)

    def final(params, r):
        return engine.rollout(engine.replicate_keys(0, r), params, dims, days)[0].public.hostility

    rollout = jax.vmap(jax.vmap(final, in_axes=(None, 0)), in_axes=(0, None))
    return np.asarray(jax.jit(rollout)(stack([p for p, _ in built]), np.arange(replicates)))


def test_bounded_confidence_reproduces_deffuant_cluster_counts():
    thresholds = (0.1, 0.15, 0.2, 0.3, 0.4)
    finals = final_public("bounded_confidence", [{"public.epsilon": eps} for eps in thresholds], days=1000)
    counts = {eps: [clusters(side) for rep in final for side in rep] for eps, final in zip(thresholds, finals)}
    means = {eps: np.mean(c) for eps, c in counts.items()}
    # the number of clusters falls as the threshold grows ...
    eps = sorted(means)
    assert all(means[a] >= means[b] for a, b in zip(eps, eps[1:])), means
    assert means[0.1] > means[0.2] > means[0.3]
    # ... about 1/(2 epsilon) of them (Deffuant et al. 2000; finite populations lose the extreme ones) ...
    for e in (0.1, 0.15, 0.2):
        assert abs(means[e] - 1 / (2 * e)) <= 1.5, (e, means[e])
    # ... and consensus above about 0.25
    assert counts[0.3] == [1] * len(counts[0.3]) and counts[0.4] == [1] * len(counts[0.4])


def test_bounded_confidence_preset_switches_everything_but_peers_off():
    cfg = compose("bounded_confidence")
    assert cfg.public.media_weight == 0 and cfg.public.rally == 0 and cfg.public.noise == 0 and cfg.public.relaxation == 0
    assert not cfg.institutions.track2 and cfg.dyad.attack_rate == 0 and len(cfg.events) == 0
    (final,) = final_public("bounded_confidence", [{"public.epsilon": 0.5, "days": 1}], days=1, replicates=1)
    # initial hostility is uniform on [0, 1]: after one day it still spans most of the interval
    assert final.min() < 0.1 and final.max() > 0.9


def richardson(overrides, days=1500):
    params, dims = build(compose("richardson", overrides))
    daily, _ = jax.device_get(engine.simulate(0, 1, params, dims, days))
    return daily["readiness"][0]  # (day, side)


def test_richardson_stable_case_converges_to_the_analytic_equilibrium():
    k, a, g = (0.02, 0.03), (0.04, 0.05), (0.004, 0.006)
    x = richardson({"military.reaction": list(k), "military.fatigue": list(a), "military.grievance": list(g)})
    assert k[0] * k[1] < a[0] * a[1]
    det = a[0] * a[1] - k[0] * k[1]
    expected = ((a[1] * g[0] + k[0] * g[1]) / det, (a[0] * g[1] + k[1] * g[0]) / det)
    np.testing.assert_allclose(x[-1], expected, rtol=1e-3)
    assert x[0].max() < 0.05  # starts near zero


def test_richardson_runaway_when_reactions_outweigh_fatigue():
    x = richardson({"military.reaction": 0.05, "military.fatigue": 0.04, "military.grievance": 0.002})
    assert 0.05 * 0.05 > 0.04 * 0.04
    np.testing.assert_allclose(x[-1], [1.0, 1.0])  # the bound
    assert np.all(np.diff(x[:, 0]) >= -1e-7)  # monotone arms race


@pytest.mark.parametrize("k", [0.01, 0.039])
def test_richardson_just_below_the_threshold_stays_finite(k):
    x = richardson({"military.reaction": k, "military.fatigue": 0.04, "military.grievance": 0.0005}, days=4000)
    expected = 0.0005 / (0.04 - k)
    np.testing.assert_allclose(x[-1], expected, rtol=2e-2)
