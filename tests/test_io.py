"""Results files: labelled, traceable, atomic."""

import numpy as np
import pytest
import xarray as xr

from redphone.model.lab import batch, io
from redphone.model.lab.schema import compose

pytestmark = pytest.mark.xdist_group("io")  # the module's run, made once (pytest-xdist)


@pytest.fixture(scope="module")
def run():
    cfg = compose("india_pakistan_2025", {"population.public": 200, "population.media": 4, "replicates": 3, "days": 12})
    daily, summary, points = batch.run(cfg, progress=lambda message: None)
    return cfg, daily, summary, points


def test_results_have_the_documented_dims_and_provenance(tmp_path, run):
    cfg, daily, summary, points = run
    io.write(tmp_path, io.to_dataset(daily, cfg), io.to_frame(summary, cfg, points))
    ds, frame = io.load(tmp_path)
    assert ds["crisis_level"].dims == ("replicate", "day")
    assert ds["rung"].dims == ("replicate", "day", "side")
    assert ds["hostility_mean"].dims == ("replicate", "day", "side")
    assert ds["readiness"].dims == ("replicate", "day", "side")
    assert ds["hostility_hist"].dims == ("replicate", "day", "side", "bin") and ds.sizes["bin"] == 20
    assert list(ds["side"].values) == ["India", "Pakistan"]
    for key in ("config", "seed", "git_revision", "packages"):
        assert ds.attrs[key]
    assert "public:" in ds.attrs["config"] and "jax==" in ds.attrs["packages"]
    assert len(frame) == 3 and list(frame["replicate"]) == [0, 1, 2]
    assert {"peak_rung", "crisis_days", "days_to_ceasefire", "nuclear_use", "crises", "institutions_created", "hostility_end_A"} <= set(frame)
    assert frame["institutions.hotline"].eq(False).all() and frame["seed"].eq(0).all() and frame["population.public"].eq(200).all()
    assert io.complete(tmp_path)


def test_a_write_that_dies_leaves_no_file_that_looks_complete(tmp_path, run):
    cfg, daily, summary, points = run
    frame = io.to_frame(summary, cfg, points)

    class Boom(RuntimeError):
        pass

    def dying_write(dataset, path, *args, **kwargs):
        with open(path, "wb") as f:
            f.write(b"half a file")
        raise Boom

    dataset = io.to_dataset(daily, cfg)
    original = xr.Dataset.to_netcdf
    xr.Dataset.to_netcdf = dying_write
    try:
        with pytest.raises(Boom):
            io.write(tmp_path, dataset, frame)
    finally:
        xr.Dataset.to_netcdf = original
    assert list(tmp_path.iterdir()) == []  # no results.nc, no temporary left behind
    assert not io.complete(tmp_path)


def test_a_grid_becomes_dims_and_columns(tmp_path):
    cfg = compose("india_pakistan_2025", {"population.public": 200, "population.media": 4, "replicates": 2, "days": 10,
                                          "grid": {"media": {"slant": [0.2, 0.8]}, "institutions": {"hotline": [False, True]}}})
    daily, summary, points = batch.run(cfg, progress=lambda message: None)
    ds = io.to_dataset(daily, cfg)
    frame = io.to_frame(summary, cfg, points)
    assert ds["crisis_level"].dims == ("media.slant", "institutions.hotline", "replicate", "day")
    assert list(ds["media.slant"].values) == [0.2, 0.8]
    assert len(frame) == 2 * 2 * 2 and sorted(frame["media.slant"].unique()) == [0.2, 0.8]
    # each grid point equals the same setting run alone
    lone = compose("india_pakistan_2025", {"population.public": 200, "population.media": 4, "replicates": 2, "days": 10,
                                           "media.slant": 0.8, "institutions.hotline": True})
    lone_daily, _, _ = batch.run(lone, progress=lambda message: None)
    np.testing.assert_array_equal(ds["crisis_level"].sel({"media.slant": 0.8, "institutions.hotline": 1.0}).values, lone_daily["crisis_level"][0])
    np.testing.assert_allclose(ds["hostility_mean"].sel({"media.slant": 0.8, "institutions.hotline": 1.0}).values, lone_daily["hostility_mean"][0], rtol=1e-5)


def test_a_figure_or_table_that_fails_midway_leaves_the_old_files_as_they_were(tmp_path):
    """Every command saves its figures and CSVs through one all-or-nothing write (io.atomic_savefig,
    io.atomic_write_csv): a figure whose write dies after part of the file was written leaves the files of the previous
    run byte for byte, and no temporary file beside them."""
    import pandas as pd

    from redphone.experiments import common

    table = pd.DataFrame(dict(x=[1, 2], y=[0.5, 0.25]))
    fig, ax = common.figure()
    ax.plot(table.x, table.y)
    paths = common.save(fig, table, tmp_path, "figure")
    before = {p: p.read_bytes() for p in paths}
    assert all(before.values())

    broken, ax = common.figure()
    ax.plot(table.x, table.y)

    def dies_midway(target, **options):  # as a full disk or a killed process would: part of the file, then an error
        with open(target, "wb") as f:
            f.write(b"\x89PNG partial")
        raise OSError("the write died midway")

    broken.savefig = dies_midway
    with pytest.raises(OSError, match="midway"):
        common.save(broken, table.assign(x=[3, 4]), tmp_path, "figure")
    assert {p: p.read_bytes() for p in paths} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)
