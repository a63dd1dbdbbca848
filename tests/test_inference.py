"""The Bayesian calibration (issue 12): statistics, parameter batches, the sampler, the
posterior file's provenance, and runs drawing from a posterior (the paired policy design: tests/test_policy.py)."""

import hashlib
import subprocess
import sys
from pathlib import Path

import jax
import numpy as np
import pytest

from redphone.model.config import ConfigError, build, compose
from redphone.model.lab import schema
from redphone.model.lab import batch, calibration, inference, posterior, record
from redphone.model.params import stack

ROOT = Path(__file__).resolve().parents[1]
# one worker for the whole module: its tests share the quick calibration and its compiled programs
pytestmark = pytest.mark.xdist_group("inference")


def test_the_record_and_the_model_are_reduced_by_one_function():
    rec = inference.record_crises()
    pat = record.patterns(record.nuclear_era(record.load()))
    obs = inference.observed()
    s = dict(zip(inference.STATS, obs))
    assert s["crisis"] == 1.0  # every crisis of the record reached mobilisation
    # the shares agree with the record's own pattern code
    assert [s["peak_3"], s["peak_4"], s["peak_5"]] == pytest.approx(list(pat["peak_share"][1:]))
    assert s["third_party"] == pytest.approx(pat["third_party"])
    assert s["kinetic"] == pytest.approx(len(pat["lag"]) / pat["n"])
    assert np.expm1(s["lag"]) == pytest.approx(np.mean(pat["lag"]))
    assert np.expm1(s["duration"]) == pytest.approx(np.median(pat["duration"]))
    assert np.expm1(s["frequency"]) == pytest.approx(pat["per_decade"])
    # leaving a crisis out changes the statistics as leaving its row out of the record would
    mask = np.arange(7) != 1  # Kargil (peak 4)
    left = dict(zip(inference.STATS, inference.observed(mask)))
    assert left["peak_4"] == pytest.approx((rec["peak"][0, mask] == 4).mean())


def test_statistics_of_simulated_datasets():
    peak = np.array([[0, 2, 3, 4, 5, 3, 1]])
    lag = np.array([[np.nan, np.nan, 10.0, 20.0, 3.0, np.nan, np.nan]])
    duration = np.array([[np.nan, 30.0, 40.0, 50.0, 60.0, 70.0, np.nan]])
    mediated = np.array([[0, 1, 1, 0, 1, 0, 0]])
    s = dict(zip(inference.STATS, inference.statistics(peak, lag, duration, mediated, [2.0])[0]))
    assert s["crisis"] == pytest.approx(5 / 7)
    assert (s["peak_3"], s["peak_4"], s["peak_5"]) == pytest.approx((2 / 7, 1 / 7, 1 / 7))
    assert s["kinetic"] == pytest.approx(3 / 7) and np.expm1(s["lag"]) == pytest.approx(11.0)
    assert np.expm1(s["duration"]) == pytest.approx(50.0) and s["third_party"] == pytest.approx(3 / 7)
    # no kinetic action at all: the lag statistic is the whole year, not NaN
    none = inference.statistics(peak, np.full_like(lag, np.nan), duration, mediated, [2.0])[0]
    assert np.isfinite(none).all() and np.expm1(none[inference.STATS.index("lag")]) == pytest.approx(inference.DAYS)


def test_parameter_vectors_become_a_batch_axis_of_settings():
    cfg = compose("india_pakistan_2025", {"population.public": 20, "population.media": 2, "days": 10})
    base, _ = build(cfg)
    other, _ = build(compose("kargil_1999", {"population.public": 20, "population.media": 2, "days": 10}))
    ratio = calibration.ratios(cfg)
    rng = np.random.default_rng(0)
    theta = inference.PRIOR_BOX.draw(3, rng)
    out = inference.with_theta(stack([base, other]), theta, ratio)
    assert jax.tree.leaves(out)[0].shape[0] == 6  # vector-major: (vector 0: base, other), (vector 1: ...) ...
    for i in range(3):
        for k, setting in enumerate((base, other)):
            one = jax.tree.map(lambda leaf, j=2 * i + k: np.asarray(leaf[j]), out)
            values = {f.key: (min(f.levels, key=lambda lv, v=v: abs(lv - v)) if f.levels else v) for f, v in zip(inference.PRIOR, theta[i])}
            expected = calibration.with_values(setting, values, ratio)
            for key in inference.NAMES:
                group, name = key.split(".")
                got, want = getattr(getattr(one, group), name), np.asarray(getattr(getattr(expected, group), name))
                # with_values rounds preset entries to 4 decimals; the batch keeps every digit
                assert got == pytest.approx(want, rel=1e-3, abs=1e-3), key
            # what is not fitted stays the setting's own (the scripted trigger of each crisis)
            assert np.array_equal(one.scripted_day, np.asarray(setting.scripted_day))
            assert np.array_equal(one.institutions.hotline, np.asarray(setting.institutions.hotline))
    threshold = out.mediation.threshold
    assert set(np.unique(np.asarray(threshold))) <= {2.0, 3.0}  # a discrete parameter takes its nearest level


def test_the_flow_recovers_known_parameters_of_a_synthetic_problem():
    """NPE through our transforms (logit box, standardised statistics) on a problem whose answer is known:
    x = A theta + noise. The true values must fall inside their 90% intervals, and informative directions contract."""
    rng = np.random.default_rng(1)
    d = len(inference.NAMES)
    box = inference.PRIOR_BOX
    a = rng.normal(size=(d, 9))
    a[:, :3] = 0.0
    a[0, 0], a[13, 1], a[5, 2] = 4.0, 4.0, 4.0  # three parameters observed sharply (columns 0-2), the rest faintly

    def simulate(theta):
        u = (theta - box.low) / (box.high - box.low)
        return u @ a + rng.normal(scale=0.05, size=(len(theta), 9))

    theta = box.draw(2000, rng)
    post = inference.fit_npe(theta, simulate(theta), box, seed=0, epochs=40)
    truth = box.draw(12, rng)
    x = simulate(truth)
    cov = inference.coverage(post, truth, x, n=300, seed=3, levels=(0.9,))[0.9]
    assert cov.mean() >= 0.75, cov
    draws = post.sample(x[0], 500, seed=4)
    shrink = inference.contraction(draws, box)
    assert min(shrink[0], shrink[13], shrink[5]) > 0.8, shrink  # the sharply observed ones are pinned down
    for j in (0, 13, 5):
        lo, hi = np.quantile(draws[:, j], [0.05, 0.95])
        assert lo <= truth[0, j] <= hi


def test_simulated_datasets_are_independent_and_reproducible(quick):
    scale = inference.Budget.quick().scale  # the quick calibration's shapes: its compiled programs are reused
    theta = np.repeat(inference.PRIOR_BOX.draw(1, np.random.default_rng(2)), 4, axis=0)
    a = inference.Simulator(scale, seed=5).datasets(theta)
    b = inference.Simulator(scale, seed=5).datasets(theta)
    for key in a:
        assert np.array_equal(a[key], b[key], equal_nan=True), key
    # the same vector four times: four datasets of their own (replicate indices never repeat)
    sim = inference.Simulator(scale, seed=5)
    first, second = sim.datasets(theta[:2]), sim.datasets(theta[:2])
    assert not np.array_equal(first["duration"], second["duration"], equal_nan=True)


# --------------------------------------------------------------------------- the quick pipeline, end to end


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    """make calibrate QUICK=1, in this process (make policy QUICK=1 is tested as typed: tests/test_policy.py)."""
    from redphone.commands import calibrate as calibrate_script

    out = tmp_path_factory.mktemp("calibration")
    assert calibrate_script.main(["--quick", "--out", str(out)]) == 0
    return out


def test_the_quick_calibration_writes_every_diagnostic(quick):
    for name in ("coverage", "posterior_sbc", "ppc", "loo", "identifiability", "misspecification"):
        assert (quick / f"calibration_{name}.csv").stat().st_size > 0
    for name in ("coverage", "posterior_sbc", "ppc", "loo", "identifiability"):
        assert (quick / f"calibration_{name}.png").stat().st_size > 10_000
    import pandas as pd  # noqa: PLC0415

    loo = pd.read_csv(quick / "calibration_loo.csv")
    assert list(loo["crisis"]) == list(inference.CRISES)
    psbc = pd.read_csv(quick / "calibration_posterior_sbc.csv")  # posterior SBC: every parameter, the discrete one marked
    assert list(psbc["parameter"]) == list(inference.NAMES) and (psbc["kind"] != "continuous").sum() == sum(bool(f.levels) for f in inference.PRIOR)
    assert "Posterior SBC (conditional on the record)" in (quick / "calibration_report.md").read_text()
    ppc = pd.read_csv(quick / "calibration_ppc.csv")
    assert set(ppc["statistic"]) == set(inference.STATS) | {"kinetic_days"}
    assert not ppc.loc[ppc.statistic == "kinetic_days", "fitted"].item()  # held out


def test_the_posterior_file_carries_its_provenance(quick):
    tree, path = posterior.load(quick / "status_quo.nc")
    attrs = tree.attrs
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    assert attrs["git_revision"].split("+")[0] == head
    assert attrs["record_sha256"] == hashlib.sha256(record.PATH.read_bytes()).hexdigest()
    assert attrs["seed"] == 20250422 and attrs["budget_npe_datasets"] == inference.Budget.quick().npe
    assert attrs["budget_datasets"] > attrs["budget_npe_datasets"]
    for lib in ("jax", "sbijax", "arviz", "numpy"):
        assert attrs[f"version_{lib}"] not in ("", "not installed")
    draws = posterior.draws(path, inference.NAMES)
    assert draws.shape == (inference.Budget.quick().draws, len(inference.NAMES))
    assert (draws >= inference.LOW - 1e-9).all() and (draws <= inference.HIGH + 1e-9).all()
    assert set(tree["observed_data"].data_vars) == set(inference.STATS)
    with pytest.raises(ValueError, match="no posterior draws of"):
        posterior.draws(path, inference.NAMES + ("political.not_a_parameter",))


def test_runs_draw_their_parameters_from_a_posterior(quick):
    file = quick / "status_quo.nc"
    over = {"population.public": 50, "population.media": 4, "days": 365, "replicates": 3, "posterior.file": str(file),
            "posterior.first": 2, "batch.block": 64}
    cfg = schema.compose("india_pakistan_2025", over)
    _, summary, _ = batch.run(cfg, progress=lambda m: None)
    # replicate r took draw first + r, with the random numbers of replicate r
    draws = posterior.draws(file, inference.NAMES)
    params, dims = build(cfg)
    one = inference.with_theta(stack([params]), draws[2 + 1 : 2 + 2], calibration.ratios(cfg))
    alone = batch.run_stacked(one, dims, 365, 1, 0, block=64, progress=lambda m: None, replicate_from=[1])[1]
    for key in ("peak_rung", "crisis_days", "hostility_end_A"):
        assert np.array_equal(np.asarray(summary[key])[0, 1], np.asarray(alone[key])[0, 0]), key
    with pytest.raises(ConfigError, match="posterior.file = 'nowhere.nc': no such file"):
        schema.validate(schema.compose("india_pakistan_2025", {"posterior.file": "nowhere.nc"}))
    with pytest.raises(ConfigError, match="posterior.first = -1"):
        schema.validate(schema.compose("india_pakistan_2025", {"posterior.file": str(file), "posterior.first": -1}))


def test_the_app_composes_the_posterior_group():
    from hydra import compose as hydra_compose  # noqa: PLC0415
    from hydra import initialize_config_dir  # noqa: PLC0415

    from redphone.model.config import CONFIG_DIR  # noqa: PLC0415
    from redphone.model.lab.schema import register  # noqa: PLC0415

    register()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base=None):
        cfg = hydra_compose("config", overrides=["+posterior=status_quo"])
    assert cfg.posterior.file == "posteriors/status_quo.nc" and cfg.posterior.first == 0


@pytest.mark.slow
def test_simulation_rounds_sent_to_slurm_give_the_local_datasets(slurm, tmp_path):
    """A round as a SLURM job array (submitit, the launcher's settings): the same datasets as run here, in order."""
    scale = inference.Scale(population=20, media=2, long_population=20, long_days=30, block=16)
    theta = inference.PRIOR_BOX.draw(5, np.random.default_rng(7))
    local = inference.Simulator(scale, seed=9)
    local.datasets(theta[:1])  # the counter moves on: the remote round must continue from it
    want = local.datasets(theta)
    remote = inference.Simulator(scale, seed=9)
    remote.datasets(theta[:1])
    lines = []
    remote.remote = inference.Remote(folder=str(tmp_path / "submitit"), chunk=2, say=lines.append,
                                     settings=dict(partition="debug", timeout_min=10, mem_gb=1))
    got = remote.datasets(theta)
    assert set(got) == set(want)
    for key in want:
        assert np.array_equal(got[key], want[key], equal_nan=True), key
    assert any("3/3 jobs done" in line for line in lines)  # three jobs of at most two vectors, with progress
