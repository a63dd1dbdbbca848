"""Kernel invariants under random valid parameters, and the JAX house rules:
jitted = un-jitted, scanned = looped, no retracing when only values change."""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redphone.model import dyad, engine
from redphone.model.config import build, compose
from redphone.model.params import GROUPS

DAYS = 40


def random_overrides(draw_float, draw_bool):
    """A random valid setting: every numeric field anywhere in its allowed range, every switch on or off."""
    out = {}
    for group, cls in GROUPS.items():
        for f in dataclasses.fields(cls):
            lo, hi, kind = f.metadata["lo"], f.metadata["hi"], f.metadata["kind"]
            key = f"{group}.{f.name}"
            if kind is bool:
                out[key] = draw_bool()
            elif f.metadata["side"]:
                out[key] = [draw_float(lo, hi), draw_float(lo, hi)]
            else:
                out[key] = draw_float(lo, hi)
    for low, high in (("dyad.evidence_min", "dyad.evidence_max"), ("dyad.severity_min", "dyad.crisis_severity")):  # the cross-field rules
        if out[low] > out[high]:
            out[low], out[high] = out[high], out[low]
    return out


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), seed=st.integers(0, 2**31 - 1))
def test_invariants_hold_under_random_valid_parameters(data, seed):
    overrides = random_overrides(
        lambda lo, hi: data.draw(st.floats(lo, hi, allow_nan=False, allow_infinity=False)),
        lambda: data.draw(st.booleans()),
    )
    overrides.update({"population.public": 200, "population.media": 5})
    params, dims = build(compose("india_pakistan_2025", overrides))
    daily, summary = jax.device_get(engine.simulate(seed, 2, params, dims, DAYS))
    for name, value in {**daily, **summary}.items():
        value = np.asarray(value, dtype=float)
        if name not in dyad.NEVER_IS_NAN:  # NaN means "never happened" there
            assert np.all(np.isfinite(value)), name
    for name in ("hostility_mean", "hostility_std", "hostility_high", "media_nationalism", "approval", "belief", "readiness", "commitment"):
        assert np.all((daily[name] >= 0) & (daily[name] <= 1)), name
    assert np.all((daily["rung"] >= 0) & (daily["rung"] <= 6))
    assert np.array_equal(daily["crisis_level"], daily["rung"].max(axis=-1))
    np.testing.assert_allclose(daily["hostility_hist"].sum(axis=-1), 1.0, atol=1e-5)
    # nuclear use is absorbing
    level = daily["crisis_level"]
    for rep in level:
        hit = np.flatnonzero(rep == 6)
        if hit.size:
            assert np.all(rep[hit[0]:] == 6)


def test_jitted_equals_unjitted_and_scan_equals_loop(small):
    _, params, dims = small
    days = 6
    keys = engine.replicate_keys(7, 0)
    state_scan, daily_scan, _ = jax.jit(engine.rollout, static_argnames=("dims", "days"))(keys, params, dims=dims, days=days)
    from redphone.model.engine import init

    with jax.disable_jit():
        state = init(keys[0], params, dims)
        levels = []
        for _ in range(days):
            state = engine.day_step(keys[1], state, params, dims)
            levels.append((int(jnp.max(state.dyad.rung)), np.asarray(state.public.mean)))
    assert [lv for lv, _ in levels] == list(np.asarray(daily_scan["crisis_level"]))
    np.testing.assert_allclose(np.stack([m for _, m in levels]), daily_scan["hostility_mean"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(state.public.hostility, state_scan.public.hostility, rtol=1e-5, atol=1e-6)


def test_no_retrace_when_only_parameter_values_change(small):
    cfg, params, dims = small
    engine.simulate(0, 1, params, dims, 30)  # the shape of test_engines' lone run: one compile for both
    before = engine.run_replicates._cache_size()
    other, _ = build(compose("india_pakistan_2025", {"population.public": 300, "population.media": 8,
                                                     "institutions.hotline": True, "public.epsilon": 0.4}))
    engine.simulate(3, 1, other, dims, 30)
    assert engine.run_replicates._cache_size() == before


def test_public_aggregates_match_the_citizens(small):
    """The public sector's aggregates, read off one scatter (model.flat), equal direct computations on the citizens."""
    _, params, dims = small
    run = jax.jit(jax.vmap(lambda r: engine.rollout(engine.replicate_keys(3, r), params, dims, 15)[0]))
    pub = jax.device_get(run(jnp.arange(3)).public)
    for r in range(3):
        for side in (0, 1):
            h, outlet, reached = pub.hostility[r, side], pub.outlet[r, side], pub.reached[r, side]
            bins = np.clip((h * 20).astype(np.int32), 0, 19)
            np.testing.assert_allclose(pub.mean[r, side], h.mean(), rtol=1e-5)
            np.testing.assert_allclose(pub.std[r, side], h.std(), rtol=1e-3, atol=1e-6)
            np.testing.assert_allclose(pub.hist[r, side], np.bincount(bins, minlength=20) / h.size, rtol=1e-6)
            np.testing.assert_allclose(pub.high[r, side], np.mean(bins >= 16), atol=1e-6)
            np.testing.assert_allclose(pub.reached_share[r, side], reached.mean(), rtol=1e-6)
            np.testing.assert_array_equal(pub.followers[r, side], np.bincount(outlet, minlength=dims.n_media))
            np.testing.assert_allclose(pub.audience[r, side], np.bincount(outlet, weights=h, minlength=dims.n_media), rtol=1e-5, atol=1e-5)
