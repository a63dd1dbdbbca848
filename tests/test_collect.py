"""Batched sweeps and sweep aggregation (scripts/collect.py)."""

import os
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import ROOT


SMALL = {"population.public": 120, "population.media": 4, "replicates": 3, "days": 25}


def test_a_batched_grid_equals_its_settings_run_one_by_one():
    """grid: axes run in one compiled call; each grid point's results equal the same setting run alone."""
    from redphone.model.lab import batch, io
    from redphone.model.lab.schema import compose

    grid = {"track2": {"reach": [0.0, 0.3]}, "media": {"slant": [0.4, 0.8]}}
    cfg = compose("india_pakistan_2025", {**SMALL, "institutions.track2": True, "grid": grid})
    daily, summary, points = batch.run(cfg, progress=lambda _: None)
    together, table = io.to_dataset(daily, cfg), io.to_frame(summary, cfg, points)
    assert together["crisis_level"].dims == ("track2.reach", "media.slant", "replicate", "day")
    for reach in (0.0, 0.3):
        for slant in (0.4, 0.8):
            one = compose("india_pakistan_2025", {**SMALL, "institutions.track2": True, "track2.reach": reach, "media.slant": slant})
            d, s, p = batch.run(one, progress=lambda _: None)
            alone, alone_table = io.to_dataset(d, one), io.to_frame(s, one, p)
            point = together.sel({"track2.reach": reach, "media.slant": slant})
            for name in alone.data_vars:
                a, b = point[name].values, alone[name].values
                if np.issubdtype(a.dtype, np.integer) or name in ("crisis_level", "rung"):
                    np.testing.assert_array_equal(a, b, err_msg=name)
                else:
                    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6, err_msg=name)
            rows = table[(table["track2.reach"] == reach) & (table["media.slant"] == slant)]
            for column in ("peak_rung", "crisis_days", "crises", "institutions_created"):
                np.testing.assert_array_equal(rows[column].to_numpy(), alone_table[column].to_numpy(), err_msg=column)


def _app(args, env=None, check=True):
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "run.py"), *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, check=check, timeout=600)


@pytest.mark.slow
def test_collect_names_a_failed_a_killed_and_a_missing_job(tmp_path):
    from redphone.commands import collect

    sweep = tmp_path / "sweep"
    tiny = ["replicates=2", "days=5", "population.public=40", "population.media=2", "population.neighbours=4"]
    _app(["-m", *tiny, "seed=1,2,3,4", f"hydra.sweep.dir={sweep}"])
    assert [job.status for job in collect.jobs(sweep)] == ["complete"] * 4
    # job 1 fails for real: rerun in its folder with no usable JAX backend
    for name in ("results.nc", "summary.parquet"):
        (sweep / "1" / name).unlink()
    failed = _app([*tiny, "seed=2", f"hydra.run.dir={sweep / '1'}"], env={"JAX_PLATFORMS": "no_such_backend"}, check=False)
    assert failed.returncode != 0
    (sweep / "2" / "summary.parquet").unlink()  # job 2 killed while writing
    import shutil

    shutil.rmtree(sweep / "3")  # job 3 never started
    status = {job.num: job.status for job in collect.jobs(sweep)}
    assert status == {0: "complete", 1: "failed", 2: "incomplete", 3: "missing"}

    cli = subprocess.run([sys.executable, str(ROOT / "scripts" / "collect.py"), str(sweep)], capture_output=True, text=True)
    assert cli.returncode == 1
    for line in ("job 1 (", "failed", "job 2 (", "incomplete", "job 3 (", "missing", "seed=4"):
        assert line in cli.stderr, line
    assert not (sweep / "collected.nc").exists()

    partial = subprocess.run([sys.executable, str(ROOT / "scripts" / "collect.py"), str(sweep), "--partial"], capture_output=True, text=True)
    assert partial.returncode == 1 and "1 of 4 jobs complete" in partial.stderr
    dataset, table = collect.load(sweep)
    assert set(table["job"]) == {0} and len(table) == 2
    assert "1: failed" in dataset.attrs["jobs_not_complete"] and "3: missing" in dataset.attrs["jobs_not_complete"]


@pytest.mark.slow
def test_collect_turns_a_hydra_sweep_into_one_table_and_one_dataset(tmp_path):
    from redphone.commands import collect

    sweep = tmp_path / "sweep"
    tiny = ["replicates=2", "days=5", "population.public=40", "population.media=2", "population.neighbours=4"]
    _app(["-m", *tiny, "institutions.hotline=false,true", "+grid.dyad.strategic_culture=[0.1,0.9]", f"hydra.sweep.dir={sweep}"])
    table, dataset, jobs = collect.collect(sweep)
    assert all(job.complete for job in jobs)
    assert dataset["crisis_level"].dims == ("institutions.hotline", "dyad.strategic_culture", "replicate", "day")
    assert list(dataset["institutions.hotline"].values) == [False, True]
    assert len(table) == 2 * 2 * 2 and set(table["institutions.hotline"]) == {False, True}
    one = dataset.sel({"institutions.hotline": True, "dyad.strategic_culture": 0.9})
    from redphone.model.lab import io

    alone, _ = io.load(sweep / "1")
    np.testing.assert_array_equal(one["crisis_level"].values, alone["crisis_level"].sel({"dyad.strategic_culture": 0.9}).values)
