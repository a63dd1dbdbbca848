"""make policy (issue 20, item 6): per-draw expected effects and their replicate noise, the variance decomposition
over the fitted parameters, thresholds of the unpinned ones, long-run metrics, and the Makefile target end to end."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from redphone.model.config import build, compose
from redphone.model.lab import batch, calibration, inference, policy, posterior
from redphone.model.params import stack

ROOT = Path(__file__).resolve().parents[1]
POSTERIOR = ROOT / "posteriors" / "status_quo.nc"


def _runs(effect_per_draw, sd_noise, r, rng, base_p=None):
    """Synthetic paired runs (draw, setting, replicate): setting 0 the baseline, setting 1 = baseline + the draw's
    effect + replicate noise."""
    n = len(effect_per_draw)
    base = rng.normal(size=(n, r)) if base_p is None else (rng.uniform(size=(n, r)) < base_p).astype(float)
    other = base + effect_per_draw[:, None] + rng.normal(scale=sd_noise, size=(n, r))
    num = np.stack([base, other], axis=1)
    return num, np.ones_like(num)


# --------------------------------------------------------------------------- per-draw effects and noise


def test_the_noise_share_is_the_replicate_variance_over_the_variance_across_draws():
    rng = np.random.default_rng(0)
    n, r, s, sigma = 4000, 16, 0.3, 0.6
    num, den = _runs(rng.normal(scale=s, size=n), sigma, r, rng)
    effect, noise = policy.paired(num, den, 1, 0)
    # for a mean, the jackknife is exactly the paired differences' variance / R
    d = num[:, 1] - num[:, 0]
    assert noise == pytest.approx(d.var(axis=1, ddof=1) / r)
    assert effect == pytest.approx(d.mean(axis=1))
    want = sigma**2 / r / (s**2 + sigma**2 / r)
    assert policy.noise_share(effect, noise) == pytest.approx(want, abs=0.03)
    # no variation between draws: the spread is all noise; no noise: none of it
    num0, den0 = _runs(np.zeros(n), sigma, r, rng)
    assert policy.noise_share(*policy.paired(num0, den0, 1, 0)) == pytest.approx(1.0, abs=0.06)
    num1, den1 = _runs(rng.normal(scale=s, size=n), 0.0, r, rng)
    assert policy.noise_share(*policy.paired(num1, den1, 1, 0)) == pytest.approx(0.0, abs=1e-9)


def test_the_interval_without_replicate_noise_has_the_parameters_spread():
    rng = np.random.default_rng(7)
    n, r, s, sigma = 4000, 16, 0.3, 0.6
    num, den = _runs(rng.normal(scale=s, size=n), sigma, r, rng)
    sim = dict(settings=["status quo", "x"], runs={"p_rung4": (num, den)})
    sim["values"] = policy.per_draw(sim["runs"])
    row = policy.effects(sim)[0]
    z = 1.6449
    assert row["high"] - row["low"] == pytest.approx(2 * z * np.sqrt(s**2 + sigma**2 / r), rel=0.06)  # noise and all
    assert row["high_signal"] - row["low_signal"] == pytest.approx(2 * z * s, rel=0.06)  # the parameters' part


def test_a_ratio_metric_is_a_ratio_of_sums_and_its_jackknife_leaves_the_pair_out():
    # days to the first strike: the mean over the runs with one; replicate 2 of draw 0 has none in either setting
    num = np.array([[[10.0, 20.0, 0.0], [12.0, 26.0, 0.0]]])
    den = np.array([[[1.0, 1.0, 0.0], [1.0, 1.0, 0.0]]])
    effect, noise = policy.paired(num, den, 1, 0)
    assert effect[0] == pytest.approx(19.0 - 15.0)
    loo = np.array([26.0 - 20.0, 12.0 - 10.0, 4.0])  # leaving replicate 0, 1, 2 out
    assert noise[0] == pytest.approx(2 / 3 * np.sum((loo - loo.mean()) ** 2))


def test_the_effect_on_a_probability_is_the_posterior_of_per_draw_expectations_not_of_coin_flips():
    rng = np.random.default_rng(1)
    n, r = 600, 16
    p0 = rng.uniform(0.2, 0.8, n)
    p1 = p0 - 0.2
    base = (rng.uniform(size=(n, r)) < p0[:, None]).astype(float)
    other = (rng.uniform(size=(n, r)) < p1[:, None]).astype(float)
    num = np.stack([base, other], 1)
    sim = dict(settings=["status quo", "x"], runs={"p_rung4": (num, np.ones_like(num))})
    sim["values"] = policy.per_draw(sim["runs"])
    row = policy.effects(sim)[0]
    assert row["replicates"] == r and row["draws"] == n
    assert row["mean"] == pytest.approx(-0.2, abs=0.02)
    assert len(np.unique(sim["values"]["p_rung4"][:, 1] - sim["values"]["p_rung4"][:, 0])) > 5  # steps of 1/16, not -1..1
    assert 0.5 < row["noise_share"] <= 1.2  # independent coins: most of the spread is noise, and it is said


# --------------------------------------------------------------------------- variance decomposition


def test_first_order_indices_are_recovered_on_known_functions():
    rng = np.random.default_rng(2)
    n = 6000
    x = rng.uniform(size=(n, 3))
    noise_var = 0.05
    y = x[:, 0] + 2 * x[:, 1] + rng.normal(scale=np.sqrt(noise_var), size=n)  # Var: 1/12 + 4/12 (+ noise)
    noise = np.full(n, noise_var)
    s = [policy.first_order(x[:, j], y, noise) for j in range(3)]
    assert s[0] == pytest.approx(0.2, abs=0.04) and s[1] == pytest.approx(0.8, abs=0.05) and s[2] == pytest.approx(0.0, abs=0.02)
    # a non-monotone dependence that a linear regression would miss
    y2 = np.sin(2 * np.pi * x[:, 0]) + x[:, 1]
    want = 0.5 / (0.5 + 1 / 12)
    assert policy.first_order(x[:, 0], y2) == pytest.approx(want, abs=0.04)
    # a discrete parameter is binned by its levels
    lv = rng.choice([2.0, 3.0], n)
    y3 = (lv == 3.0) * 1.0 + rng.normal(scale=0.5, size=n)
    assert policy.first_order(lv, y3, np.full(n, 0.25), levels=(2.0, 3.0)) == pytest.approx(1.0, abs=0.06)
    # nothing beyond noise: no index
    assert np.isnan(policy.first_order(x[:, 0], np.zeros(n)))


def test_decompose_is_generic_over_the_fitted_parameters():
    """Whatever FIT holds, every parameter in the draws gets an index, and the one that drives the effect the largest."""
    rng = np.random.default_rng(3)
    names = inference.NAMES
    n, r = 800, 16
    theta = inference.PRIOR_BOX.draw(n, rng)
    driver = names.index("political.escalation_risk")
    u = (theta[:, driver] - inference.LOW[driver]) / (inference.HIGH[driver] - inference.LOW[driver])
    num, den = _runs(-0.5 * u, 0.2, r, rng)
    sim = dict(settings=["status quo", "x"], names=names, theta=theta, runs={"p_rung4": (num, den), "p_rung5": (num, den)})
    rows = pd.DataFrame(policy.decompose(sim))
    assert set(rows["parameter"]) == set(names)
    top = rows[rows.metric == "p_rung4"].sort_values("index").iloc[-1]
    assert top["parameter"] == "political.escalation_risk" and top["index"] > 0.8


# --------------------------------------------------------------------------- thresholds


def test_the_threshold_is_found_where_a_noisy_effect_crosses_zero():
    rng = np.random.default_rng(4)
    x = rng.uniform(0.0, 10.0, 3000)
    y = 0.05 * (3.0 - x) + rng.normal(scale=0.05, size=len(x))  # helps (negative) above 3
    t = policy.threshold(x, y, 0.0, 10.0, bins=10)
    assert t["helps"] == "above" and t["value"] == pytest.approx(3.0, abs=0.4)
    assert t["significant"] == "above" and t["value"] <= t["significant_value"] < 5.0
    t = policy.threshold(x, -y, 0.0, 10.0, bins=10)
    assert t["helps"] == "below" and t["value"] == pytest.approx(3.0, abs=0.4)
    assert policy.threshold(x, y - 1.0, 0.0, 10.0)["helps"] == "everywhere"
    assert policy.threshold(x, y + 1.0, 0.0, 10.0)["helps"] == "nowhere"


def test_unpinned_parameters_are_those_whose_posterior_is_as_wide_as_the_prior():
    rng = np.random.default_rng(5)
    theta = inference.PRIOR_BOX.draw(2000, rng)
    j = 0
    theta[:, j] = np.clip(rng.normal(np.mean(calibration.FIT[j].lo + calibration.FIT[j].hi) / 2, 0.3, 2000), calibration.FIT[j].lo, calibration.FIT[j].hi)
    loose = policy.unpinned(theta, inference.NAMES)
    assert calibration.FIT[j].key not in loose
    assert set(loose) == set(inference.NAMES) - {calibration.FIT[j].key}
    used, missing, extra = policy.parameters(list(inference.NAMES[1:]) + ["political.retired"])
    assert used == inference.NAMES[1:] and missing == inference.NAMES[:1] and extra == ("political.retired",)


# --------------------------------------------------------------------------- simulation


def test_common_random_numbers_give_exactly_zero_effect_and_long_runs_count_force():
    draws = posterior.draws(POSTERIOR, inference.NAMES)[:3]
    scale = policy.Scale(population=20, media=2, replicates=2, long_draws=2, long_replicates=2, long_population=20, long_days=400, block=32)
    settings = {"status quo": {}, "the same again": {}, "automatic hotline": policy.SETTINGS["automatic hotline"]}
    sim = policy.simulate(draws, scale, seed=3, settings=settings)
    assert set(sim["runs"]) == set(policy.METRICS)
    rows = [r for r in policy.effects(sim) if r["setting"] == "the same again"]
    assert len(rows) == len(policy.METRICS)
    for r in rows:
        if r["draws"]:
            assert r["median"] == 0.0 and r["low"] == 0.0 and r["high"] == 0.0 and r["p_zero"] == 1.0, r
    num, den = sim["runs"]["force_share"]
    assert (num <= den).all() and num.shape == (2, 3, 2)
    # crises with force, counted on device (policy.long_keep), agree with the daily series: episodes whose level reached 3
    # (the 2025 preset, whose trigger makes a crisis in every run, so that crises with force are seen)
    cfg = compose(policy.PRESET, {"population.public": 20, "population.media": 2, "days": 400})
    params, dims = build(cfg)
    stacked = inference.with_theta(stack([params]), draws[:3], calibration.ratios(cfg))
    daily, summary = batch.run_stacked(stacked, dims, 400, 4, 3, block=32, progress=lambda m: None)
    level, inside = np.asarray(daily["crisis_level"]), np.asarray(daily["in_crisis"]) > 0.5
    forced = 0
    for i in range(3):
        for r in range(4):
            cuts = np.flatnonzero(np.diff(inside[i, r].astype(int)) != 0) + 1
            spells = [e for e in np.split(np.arange(400), cuts) if inside[i, r, e[0]]]
            assert sum(level[i, r, e].max() >= 2 for e in spells) == int(summary["crises"][i, r])
            kept = policy.long_keep({k: v[i, r] for k, v in daily.items()}, {k: v[i, r] for k, v in summary.items()})
            assert int(kept["force"]) == sum(level[i, r, e].max() >= 3 for e in spells)
            forced += int(kept["force"])
    assert forced > 0  # the check saw crises with force


# --------------------------------------------------------------------------- the command a user types


def test_make_policy_quick_runs_end_to_end_and_renders_again_from_the_saved_runs(tmp_path):
    out = tmp_path / "policy"
    done = subprocess.run(["make", "--no-print-directory", "policy", "QUICK=1", f"OUT={out}"], cwd=ROOT, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert "[policy crisis year]" in done.stderr and "[policy long_run]" in done.stderr  # progress lines
    for name in ("policy_runs.npz", "policy_effects.csv", "policy_effects.md", "policy_drivers.csv", "policy_thresholds.csv",
                 "policy_threshold_curves.csv"):
        assert (out / name).stat().st_size > 0, name
    for name in ("policy_effects.png", "policy_drivers.png"):
        assert (out / name).stat().st_size > 10_000, name
    df = pd.read_csv(out / "policy_effects.csv")
    assert set(df["metric"]) == set(policy.METRICS) and set(df["setting"]) == set(policy.SETTINGS) - {policy.BASELINE}
    assert {"noise_share", "median", "low", "high", "p_negative", "replicates"} <= set(df.columns)
    # every effect has draws, except one conditional on a strike in both runs of a pair, which may have none (a setting
    # that prevents every strike at the quick posterior): its cell reads n/a, never a number made of nothing
    conditional = df["metric"] == "days_to_strike"
    assert (df.loc[~conditional, "draws"] > 0).all() and np.isfinite(df.loc[df.metric == "p_rung4", "mean"]).all()
    assert df.loc[conditional & (df["draws"] == 0), "median"].isna().all()
    drivers = pd.read_csv(out / "policy_drivers.csv")
    assert set(drivers["parameter"]) == set(inference.NAMES)  # every fitted parameter the posterior holds
    text = (out / "policy_effects.md").read_text()
    assert "median [90% interval]" in text and "replicate noise" in text and "institutions created over 30 years" in text
    assert not list(out.glob(".*.tmp"))  # atomic writes leave no temporary file behind
    # the tables and figures come back from the saved runs alone, identical
    (out / "policy_effects.png").unlink()
    again = subprocess.run(["make", "--no-print-directory", "policy", "RENDER=1", f"OUT={out}"], cwd=ROOT, capture_output=True, text=True,
                           timeout=300)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "[policy crisis year]" not in again.stderr  # nothing simulated
    assert (out / "policy_effects.md").read_text() == text and (out / "policy_effects.png").stat().st_size > 10_000


@pytest.mark.parametrize("args, message", [
    (["--draws", "1"], "--draws = 1: expected a whole number >= 2"),
    (["--draws", "999999"], "the posterior file holds"),
    (["--render-only", "--out", "/nonexistent-redphone"], "--render-only: no /nonexistent-redphone/policy_runs.npz"),
    (["--posterior", "nowhere.nc"], "no posterior file nowhere.nc"),
])
def test_bad_input_is_refused_with_one_line(args, message):
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "policy.py"), *args], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert len(done.stderr.strip().splitlines()) == 1


def test_make_policy_estimate_times_a_fraction_and_writes_nothing(tmp_path):
    out = tmp_path / "nothing"
    done = subprocess.run(["make", "--no-print-directory", "policy", "QUICK=1", "ESTIMATE=1", f"OUT={out}"], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("estimated: "))
    minutes = float(line.split()[1])
    assert 0 < minutes < 60 and "crisis" in line and "long" in line
    assert not out.exists()
