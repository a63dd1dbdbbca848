"""The per-agent Mesa reference of the public sector (benchmarks/mesa_reference.py) against the
JAX kernel: the same hostility statistics, in distribution (their random numbers differ)."""

import numpy as np

from benchmarks.mesa_reference import ReferencePublic, day0, kernel_public, with_blamed
from model.config import build, compose

DAYS, N, KERNEL_REPLICATES = 30, 1500, 8


def test_reference_matches_kernel_hostility_statistics():
    # every term on: peers, media, a rally shock on day 0, Track-II, relaxation, noise
    params, dims = build(compose("india_pakistan_2025", {"population.public": N, "institutions.track2": True, "track2.reach": 0.5}))
    state, inputs = day0(3, params, dims)
    inputs = with_blamed(inputs, DAYS)
    model = ReferencePublic(state, params, inputs, rng=5)
    for _ in range(DAYS):
        model.step()
    ref = model.daily()
    kernel = kernel_public(5, KERNEL_REPLICATES, state, params, dims, inputs)
    for name in ("mean", "std", "high"):
        centre, spread = kernel[name].mean(axis=0), kernel[name].std(axis=0)  # (day, side)
        # the reference is one more draw: within 5 of the kernel's replicate-to-replicate sd (plus float slack)
        bound = 5 * spread * np.sqrt(1 + 1 / KERNEL_REPLICATES) + 2e-3
        assert np.all(np.abs(ref[name] - centre) <= bound), (name, np.max(np.abs(ref[name] - centre) - bound))
    # the histogram: no farther from the kernel's mean histogram than twice the kernel's own scatter
    centre = kernel["hist"].mean(axis=0)
    scatter = np.abs(kernel["hist"] - centre).sum(axis=-1).max(axis=0)
    distance = np.abs(ref["hist"] - centre).sum(axis=-1)
    assert np.all(distance <= 2 * scatter + 0.02), (distance - 2 * scatter).max()
    # and the rally shock moved side A's mean up on day 0, as in the kernel
    assert ref["mean"][0, 0] > float(state.public.mean[0])


def test_reference_runs_with_no_arguments():
    model = ReferencePublic()
    model.step()
    assert len(model.agents) == 2000 and model.daily()["hist"].shape == (1, 2, 20)
