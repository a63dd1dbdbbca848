"""Calibration by patterns: crisis episodes, the distance, and a quick ABC on batched runs."""

import numpy as np
import pytest

from model.lab import calibration, record


def test_first_crises_are_read_from_the_kernels_summary():
    nan = np.nan
    out = dict(first_peak=np.array([[4, 1]]), lag=np.array([[12.0, nan]]), kinetic=np.array([[3.0, nan]]),
               duration=np.array([[18.0, nan]]), mediated=np.array([[True, False]]), ended=np.array([[True, False]]))
    first, alert = calibration.first_crises(out, 0)
    assert first == dict(peak=4, lag=12.0, duration=18.0, kinetic=3.0, mediated=True)
    sim = calibration.crisis_patterns([first, alert])
    assert sim["n_crises"] == 1 and sim["third_party_n"] == 1  # an alert (peak below 2) is not a crisis


def test_distance_is_zero_at_the_record():
    hist = record.patterns(record.nuclear_era(record.load()))
    sim = dict(n_crises=7, peak_share=hist["peak_share"], lag=hist["lag"], duration=hist["duration"], third_party=hist["third_party"])
    freq = dict(per_decade=np.array([hist["per_decade"]]), war=np.array([False]))
    d, terms = calibration.distance(sim, freq, hist)
    assert d == pytest.approx(0.0, abs=1e-12) and set(terms) == set(calibration.WEIGHTS)
    worse = dict(sim, peak_share=np.array([0, 0, 0, 1.0]))
    assert calibration.distance(worse, freq, hist)[0] == pytest.approx(1.0)


def test_draws_stay_in_the_ranges_and_write_as_presets():
    draws = calibration.draw(50, seed=1)
    for free in calibration.FIT:
        v = np.array([d[free.key] for d in draws])
        assert (v >= free.lo).all() and (v <= free.hi).all()
    assert calibration.draw(3, seed=1) == draws[:3]  # fixed seed, same draws
    cfg, base, _ = calibration.setup("india_pakistan_2025", 20, 2, 10)
    ratio = calibration.ratios(cfg)
    entries = calibration.preset_values(draws[0], ratio)
    assert entries["military.influence"][1] == pytest.approx(min(1.0, round(draws[0]["military.influence"] * 0.5 / 0.35, 4)), abs=1e-4)
    params = calibration.with_values(base, draws[0], ratio)
    assert float(params.political.step_cost[0]) == pytest.approx(draws[0]["political.step_cost"], rel=1e-4)


@pytest.mark.slow
def test_quick_abc_runs_and_ranks():
    scale = calibration.Scale(population=20, media=2, replicates=2, long_population=20, long_replicates=1, long_days=120, chunk=3)
    fit = calibration.abc(3, 2, scale, seed=0)
    assert len(fit["all"]) == 3 and len(fit["accepted"]) == 2
    assert fit["accepted"][0]["distance"] <= fit["tolerance"]
    rows = calibration.report_rows(fit["accepted"][0]["sim"], fit["accepted"][0]["freq"], record.patterns(record.nuclear_era(record.load())))
    assert {r["pattern"] for r in rows} >= {"lag", "duration", "third_party", "frequency", "kinetic"}
    assert [r for r in rows if r["pattern"] == "kinetic"][0]["fitted"] is False
