"""One implementation of each mechanism: the Mesa driver and the batched engine
give the same trajectory for the same seed; a replicate does not depend on its batch."""

import jax
import numpy as np
import pytest

from redphone.model import CrisisModel, engine
from redphone.model.params import stack

DAYS = 60
INTEGER = ("crisis_level", "rung", "hotline_call", "dgmo_call", "mediation", "ceasefire", "in_crisis")


@pytest.mark.parametrize(
    "seed, switches, activation",
    [
        (0, {}, "agent"),
        (0, {}, "sector"),
        (11, {"hotline": True, "track2": True, "backchannel": True, "cbm": True}, "sector"),
        (11, {"hotline": True, "track2": True, "backchannel": True, "cbm": True}, "agent"),
    ],
)
def test_mesa_driver_and_batched_engine_agree(seed, switches, activation):
    """Both ways of activating a sector's agents (one call over both sides, or each agent's own step) follow the batched engine."""
    model = CrisisModel(rng=seed, n_public=400, n_media=6, replicate=2, activation=activation, **switches)
    model.run_for(DAYS)
    assert model.day == DAYS and model.steps == DAYS
    mesa_daily = model.daily()
    daily, summary = jax.device_get(engine.run_replicates(seed, np.array([2]), model.params, model.dims, DAYS))
    assert set(mesa_daily) == set(daily)
    for name, value in daily.items():
        if name in INTEGER:
            np.testing.assert_array_equal(mesa_daily[name], value[0], err_msg=name)
        else:
            np.testing.assert_allclose(mesa_daily[name], value[0], rtol=1e-4, atol=1e-5, err_msg=name)
    mesa_summary = model.summary()
    for name in ("peak_rung", "crisis_days", "crises", "institutions_created", "nuclear_use"):
        assert mesa_summary[name] == summary[name][0], name
    # the DataCollector reports the same series
    frame = model.datacollector.get_model_vars_dataframe()
    np.testing.assert_array_equal(frame["crisis_level"].to_numpy(), daily["crisis_level"][0])
    np.testing.assert_allclose(frame["hostility_A"].to_numpy(), daily["hostility_mean"][0, :, 0], rtol=1e-4)


def test_replicate_of_a_batch_equals_a_lone_run(small):
    _, params, dims = small
    batch, _ = jax.device_get(engine.simulate(5, 6, params, dims, 30))
    lone, _ = jax.device_get(engine.simulate(5, 1, params, dims, 30, first=4))
    for name in batch:
        np.testing.assert_allclose(batch[name][4], lone[name][0], rtol=1e-5, atol=1e-6, err_msg=name)


def test_stacked_settings_equal_settings_run_one_by_one(small):
    cfg, params, dims = small
    from redphone.model.config import build, compose

    other, _ = build(compose("india_pakistan_2025", {"population.public": 300, "population.media": 8, "institutions.hotline": True}))
    reps = np.arange(3)
    together, _ = jax.device_get(engine.run_settings(1, reps, stack([params, other]), dims, 30))
    for i, setting in enumerate([params, other]):
        alone, _ = jax.device_get(engine.run_replicates(1, reps, setting, dims, 30))
        np.testing.assert_array_equal(together["crisis_level"][i], alone["crisis_level"])
        np.testing.assert_allclose(together["hostility_mean"][i], alone["hostility_mean"], rtol=1e-5, atol=1e-6)


def test_scripted_attack_arrives_on_its_day_in_both_engines():
    model = CrisisModel(rng=1, n_public=200, n_media=4, overrides={"events": [{"day": 3, "target": "B", "severity": 0.95, "evidence": 0.5}], "dyad.attack_rate": 0.0})
    model.run_for(6)
    attack = model.daily()["attack"]
    assert attack[3, 1] == pytest.approx(0.95) and attack[3, 0] == 0
    assert np.all(attack[[0, 1, 2, 4, 5]] == 0)
    daily, _ = jax.device_get(engine.simulate(1, 1, model.params, model.dims, 6))
    np.testing.assert_array_equal(daily["attack"][0], attack)


def test_crisis_model_runs_under_mesa_batch_run():
    import mesa

    results = mesa.batch_run(
        CrisisModel, parameters={"hotline": [False, True], "n_public": 200, "n_media": 4},
        rng=[1, 2], max_steps=10, number_processes=1, data_collection_period=1, display_progress=False,
    )
    assert len(results) == 2 * 2 * 10
    assert [r["Step"] for r in results[:10]] == list(range(10))  # day numbers, as in results.nc
    row = results[-1]
    assert {"crisis_level", "hostility_A", "hostility_B", "hotline"} <= set(row)
    assert 0 <= row["crisis_level"] <= 6


def test_crisis_model_needs_no_arguments():
    model = CrisisModel()
    assert model.dims.n_public == 10_000 and model.dims.n_media == 50
    assert len(model.agents) == 8
