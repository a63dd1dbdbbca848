"""The NumPy and Numba peers of `make bench` (benchmarks/numpy_reference.py, numba_reference.py) against the
JAX public kernel: the same hostility statistics, in distribution (their random numbers differ), and the
check is strict enough to catch a wrong rule."""

import numpy as np
import pytest

from redphone.benchmarks.mesa_reference import compare, day0, kernel_public, side_rules, with_blamed
from redphone.benchmarks.numpy_reference import NumpyPublic
from redphone.model.config import build, compose

DAYS, N, KERNEL_REPLICATES = 30, 3000, 8


@pytest.fixture(scope="module")
def setting():
    # every daily term on: peers, media, a rally shock on day 0, Track-II (some reached before day 0), relaxation, noise
    params, dims = build(compose("india_pakistan_2025", {"population.public": N, "institutions.track2": True, "track2.reach": 0.5,
                                                         "track2.initial_reach": 0.2}))
    state, inputs = day0(3, params, dims)
    inputs = with_blamed(inputs, DAYS)
    return params, dims, state, inputs, kernel_public(5, KERNEL_REPLICATES, state, params, dims, inputs)


def peer_class(name):
    if name == "numpy":
        return NumpyPublic
    return pytest.importorskip("redphone.benchmarks.numba_reference", reason="the bench extra (numba) is not installed").NumbaPublic


def run(peer, params, state, inputs, rng=7):
    model = peer(state, params, inputs, rng=rng)
    for _ in range(DAYS):
        model.step()
    return model.daily()


@pytest.mark.parametrize("name", ["numpy", "numba"])
def test_peer_matches_kernel_hostility_statistics(setting, name):
    params, dims, state, inputs, kernel = setting
    peer = peer_class(name)
    ref = run(peer, params, state, inputs)
    check = compare(ref, kernel)
    assert check["agree"], check
    # the rally shock raised side A's mean on day 0; Track-II's share only grows; the aggregates add up
    assert ref["mean"][0, 0] > float(state.public.mean[0])
    assert np.all(np.diff(ref["reached_share"], axis=0) >= 0) and ref["reached_share"][-1, 0] > ref["reached_share"][0, 0]
    np.testing.assert_allclose(ref["followers"].sum(axis=-1), N)
    np.testing.assert_allclose(ref["audience"].sum(axis=-1) / N, ref["mean"], rtol=1e-4)


@pytest.mark.parametrize("name", ["numpy", "numba"])
def test_check_catches_a_wrong_rule(setting, name, monkeypatch):
    """Three times the noise (a wrong rule) must read as disagreement, or the agreement above proves nothing."""
    params, dims, state, inputs, kernel = setting
    peer = peer_class(name)
    wrong = [dict(rule, noise=3 * rule["noise"]) for rule in side_rules(params)]
    monkeypatch.setattr(f"redphone.benchmarks.{name}_reference.side_rules", lambda _: wrong)
    assert not compare(run(peer, params, state, inputs), kernel)["agree"]
