"""The hindcast presets and `make hindcast`: the record replayed crisis by crisis."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from redphone.model.lab import hindcast, record, scores
from redphone.model.config import build, compose

ROOT = Path(__file__).resolve().parent.parent


def test_every_crisis_since_1990_has_a_preset_that_extends_the_status_quo():
    era = record.nuclear_era(record.load())
    assert sorted(hindcast.HINDCASTS.values()) == sorted(era["id"].tolist())
    base = compose("india_pakistan_2025")
    for name in hindcast.HINDCASTS:
        cfg = compose(name)
        build(cfg)  # valid
        assert cfg.preset == name and cfg.days == hindcast.DAYS and len(cfg.events) >= 1
        assert cfg.political.resolve_reward == base.political.resolve_reward  # the calibrated values come from the status quo
    assert list(compose("uri_2016").political.precedent) == [0.0, 0.0]  # before the first publicised strike
    assert list(compose("pulwama_2019").political.precedent)[0] > 0.5
    assert bool(compose("kargil_1999").institutions.backchannel) and not bool(base.institutions.backchannel)
    assert len(compose("twin_peaks_2001").events) == 2  # Kaluchak re-peaks the stand-off


def test_historical_values_come_from_the_record():
    hist = hindcast.historical()
    assert hist["pahalgam_2025"] == dict(peak=4.0, lag=15.0, strike=15.0, kinetic=3.0, duration=18.0, mediated=1.0)
    assert np.isnan(hist["twin_peaks_2001"]["lag"]) and hist["uri_2016"]["mediated"] == 0.0


def test_percentile_is_mid_rank_and_ranks_none_above_every_number():
    assert hindcast.percentile(np.array([1.0, 2.0, 3.0, 4.0]), 2.0) == pytest.approx(37.5)
    assert hindcast.percentile(np.array([1.0, np.nan]), np.nan) == pytest.approx(75.0)
    assert hindcast.percentile(np.array([5.0, 6.0]), np.nan) == 100.0
    assert np.isnan(hindcast.percentile(np.array([]), 1.0))


@pytest.mark.slow
def test_make_hindcast_quick_writes_the_figure_and_the_table(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "hindcast.py"), "--quick", "--replicates", "4", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    table = pd.read_csv(tmp_path / "hindcast.csv")
    assert len(table) == 7 * len(hindcast.STATISTICS) and table["percentile"].between(0, 100).all()
    assert (tmp_path / "hindcast.png").stat().st_size > 10_000 and "| crisis |" in (tmp_path / "hindcast.md").read_text()
    # the ranking test beside it: scores per crisis against the null, the rank correlations and the goal's verdict
    ranking = pd.read_csv(tmp_path / "hindcast_ranking.csv")
    assert len(ranking) == 7 * len(hindcast.SCORED) and np.isfinite(ranking[["model", "null"]].to_numpy()).all()
    text = (tmp_path / "hindcast_scores.md").read_text()
    assert "rank correlation" in text and ("**met**" in text or "**not met**" in text)
    assert (tmp_path / "hindcast_ranking.png").stat().st_size > 10_000


def test_the_record_tells_a_strike_on_territory_from_the_first_force():
    hist = hindcast.historical()
    assert hist["pulwama_2019"]["strike"] == 12.0 and hist["pahalgam_2025"]["strike"] == 15.0  # Balakot, Sindoor
    assert np.isnan(hist["kargil_1999"]["strike"]) and np.isnan(hist["uri_2016"]["strike"])  # force, no strike on territory
    for values in hist.values():  # one crisis end: the kinetic phase runs to the end the duration ends on
        if np.isfinite(values["lag"]):
            assert values["kinetic"] == values["duration"] - values["lag"]


def test_the_model_measures_the_kinetic_phase_and_the_first_strike_as_the_record_does():
    sim = hindcast.simulate(3, seed=5, population=20, media=2)
    for runs in sim.values():
        lag, strike, kinetic, duration, peak = (runs[k] for k in ("lag", "strike", "kinetic", "duration", "peak"))
        forced = np.isfinite(lag)
        np.testing.assert_array_equal(kinetic[forced], duration[forced] - lag[forced])
        assert np.isnan(kinetic[~forced]).all()
        np.testing.assert_array_equal(np.isfinite(strike), peak >= 4)  # a strike on territory is the first day at >= 4
        assert (strike[np.isfinite(strike)] >= lag[np.isfinite(strike)]).all()  # never before the first force


def test_crps_against_hand_computed_samples():
    # E|X - 2| = 1, E|X - X'| = 20 / 16 over the 16 ordered pairs: 1 - 0.625
    assert scores.crps([1.0, 2.0, 3.0, 4.0], 2.0) == pytest.approx(0.375)
    assert scores.crps([4.0, 1.0, 3.0, 2.0], 2.0) == pytest.approx(0.375)  # order does not matter
    assert scores.crps([5.0], 2.0) == pytest.approx(3.0)  # a point forecast: the absolute error
    assert np.isnan(scores.crps([], 1.0))
    # a lag that never came is the horizon (365): draws [none, 10] against none: 355 / 2 - (2 * 355 / 4) / 2
    assert scores.score("lag", [np.nan, 10.0], np.nan) == pytest.approx(88.75)
    assert scores.score("duration", [np.nan, 4.0], 0.0) == pytest.approx(2.0 - 1.0)  # no crisis: 0 days


def test_log_loss_is_smoothed_by_one_draw_per_rung_and_brier_is_the_squared_miss():
    # rungs 0-6 with one draw added to each: 2 -> 3, 3 -> 2, the other five -> 1, of 10
    assert scores.log_loss([2, 2, 3], 2, range(7)) == pytest.approx(-np.log(0.3))
    assert scores.score("peak", [2, 2, 3], 5) == pytest.approx(-np.log(0.1))  # never simulated: finite
    with pytest.raises(ValueError):
        scores.log_loss([1, 2], 9, range(7))
    assert scores.brier([1, 0, 1, 1], 1) == pytest.approx(0.0625)
    assert scores.event_score("strikes", [4, 4, 2, 5], 3) == pytest.approx(0.75**2)  # peak >= 4 forecast 3/4; it did not


def test_spearman_ranks_never_above_every_number_and_shares_ties():
    np.testing.assert_array_equal(scores.ranks([5.0, np.nan, 1.0]), [2.0, 3.0, 1.0])
    np.testing.assert_array_equal(scores.ranks([1.0, 1.0, 2.0]), [1.5, 1.5, 3.0])
    assert scores.spearman([1, 2, 3], [10, 20, 30]) == pytest.approx(1.0)
    assert scores.spearman([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert scores.spearman([1, np.nan, 2, 3], [10, 400, 20, 30]) == pytest.approx(1.0)
    # ranks (1, 2, 3) against (1.5, 1.5, 3): Pearson's r of the ranks
    assert scores.spearman([1, 2, 3], [7, 7, 9]) == pytest.approx(np.corrcoef([1, 2, 3], [1.5, 1.5, 3])[0, 1])
    assert np.isnan(scores.spearman([1, 1, 1], [1, 2, 3]))


def test_the_null_pools_every_crisis_and_a_model_that_tells_them_apart_beats_it():
    sim = dict(a=dict(peak=np.array([2.0, 2.0])), b=dict(peak=np.array([4.0, 4.0])))
    hist = dict(a=dict(peak=2.0), b=dict(peak=4.0))
    np.testing.assert_array_equal(scores.pooled(sim, "peak"), [2, 2, 4, 4])
    rows = scores.against_null(sim, hist, ["peak"])
    # model: 3 of 9 (two draws + seven smoothing); null: 3 of 11
    assert rows[0]["model"] == pytest.approx(-np.log(3 / 9)) and rows[0]["null"] == pytest.approx(-np.log(3 / 11))
    assert all(r["model"] < r["null"] for r in rows)
    swapped = scores.against_null(dict(a=sim["b"], b=sim["a"]), hist, ["peak"])  # the crises told apart the wrong way
    assert all(r["model"] > r["null"] for r in swapped)


def test_the_ranking_verdict_needs_both_scores_and_the_rank_correlation():
    ranks = [dict(measure="duration", rho=0.71), dict(measure="peak", rho=0.2), dict(measure="lag", rho=-1.0)]
    rows = [dict(measure=m, model=1.0, null=2.0) for m in hindcast.SCORED]
    assert hindcast.verdict(ranks, rows)["met"]
    assert not hindcast.verdict([dict(r, rho=0.69) if r["measure"] == "duration" else r for r in ranks], rows)["met"]
    worse_peak = [dict(r, model=3.0) if r["measure"] == "peak" else r for r in rows]
    assert not hindcast.verdict(ranks, worse_peak)["met"]
    # lag may lose to the null: the goal does not ask about it
    assert hindcast.verdict(ranks, [dict(r, model=3.0) if r["measure"] == "lag" else r for r in rows])["met"]
