"""Sweeps that lose nothing: batching across devices and chunks, atomic results, resumable jobs, launchers.

The SLURM tests run against a SLURM cluster that is up, else the single-node one of
scripts/slurm/local-cluster.sh, started (as root) by the `slurm` fixture in conftest.py and stopped
at the end; as non-root without a cluster they skip loudly (fail with REDPHONE_SYSTEM_TESTS=required).
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from redphone.model.lab import io, sweep
from redphone.model.config import ConfigError
from redphone.model.lab.schema import compose, errors

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
# one shape for every run here, so the compiled rollout is shared (and cached across processes)
SMALL = {"population.public": 100, "population.media": 4, "days": 10, "batch.block": 2}
SMALL_ARGS = [f"{k}={v}" for k, v in SMALL.items()]
GRID = {"grid": {"track2.reach": [0.0, 0.1]}}
# one worker (make test runs two under pytest-xdist) for the cluster's fixtures and the uninterrupted sweep the rerun compares with
pytestmark = pytest.mark.xdist_group("slurm")


def _equal(a: dict, b: dict):
    for part in (0, 1):
        for k in a[part]:
            np.testing.assert_array_equal(a[part][k], b[part][k], err_msg=k)


def _run(overrides):
    from redphone.model.lab import batch

    daily, summary, _ = batch.run(compose("india_pakistan_2025", {**SMALL, **GRID, "replicates": 5, **overrides}), progress=lambda _: None)
    return daily, summary


# --------------------------------------------------------------------------- batching


def test_new_batch_and_jax_keys_are_checked_one_line_each():
    cfg = compose("india_pakistan_2025", {"batch.devices": -1, "batch.memory_gb": -1.0, "batch.block": 0, "jax.memory_fraction": 1.5})
    problems = errors(cfg)
    assert [p.split(" ")[0] for p in problems] == ["batch.block", "batch.memory_gb", "batch.devices", "jax.memory_fraction"]


def test_memory_budget_splits_a_batch_into_chunks_with_identical_results():
    from redphone.model.lab import batch
    from redphone.model.config import build

    cfg = compose("india_pakistan_2025", {**SMALL, **GRID, "replicates": 5})
    running, kept = batch.replicate_bytes(*build(cfg), cfg.days)
    block = int(cfg.batch.block)
    budget = (block * running + 2.5 * block * kept) / 2**30  # GB: two blocks of this small setting per chunk
    cfg = compose("india_pakistan_2025", {**SMALL, **GRID, "replicates": 5, "batch.memory_gb": budget})
    assert batch.chunk_size(cfg, 10, (running, kept), 1) == 2 * block  # the budget splits the 10 runs
    whole = _run({})
    _equal(whole, _run({"batch.memory_gb": budget}))
    _equal(whole, _run({"batch.chunk": 3}))


def test_a_budget_below_one_block_is_one_line_naming_the_key():
    with pytest.raises(ConfigError, match=r"^batch.memory_gb = 1e-06: a block of 2 runs needs about"):
        _run({"batch.memory_gb": 1e-6})


SHARDED = """
import sys, numpy as np, jax
from redphone.model.lab import batch
from redphone.model.lab.schema import compose
assert len(jax.devices()) == 4, jax.devices()
cfg = compose("india_pakistan_2025", {**%r, **%r, "replicates": 5})
daily, summary, _ = batch.run(cfg, progress=print)
np.savez(sys.argv[1], **{"d_" + k: v for k, v in daily.items()}, **{"s_" + k: v for k, v in summary.items()})
"""


@pytest.mark.slow
def test_replicates_sharded_across_four_devices_equal_the_single_device_run(tmp_path):
    out = tmp_path / "sharded.npz"
    env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=4"}
    done = subprocess.run([PY, "-c", SHARDED % (SMALL, GRID), str(out)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "on 4 cpu device(s)" in done.stdout
    sharded = np.load(out)
    single = _run({"batch.devices": 1})
    _equal(single, ({k[2:]: sharded[k] for k in sharded if k.startswith("d_")}, {k[2:]: sharded[k] for k in sharded if k.startswith("s_")}))


# --------------------------------------------------------------------------- results on disk


KILLED_MID_WRITE = """
import os, signal, sys
from redphone.model.lab import io
def half(tmp):
    with open(tmp, "wb") as f:
        f.write(b"\\x89HDF\\r\\n" + b"0" * 1000)
        f.flush()
        os.kill(os.getpid(), signal.SIGKILL)
io._atomic(sys.argv[1] + "/results.nc", half)
"""


def test_a_job_killed_mid_write_leaves_nothing_that_looks_complete(tmp_path):
    done = subprocess.run([PY, "-c", KILLED_MID_WRITE, str(tmp_path)], cwd=ROOT, capture_output=True, timeout=120)
    assert done.returncode == -signal.SIGKILL
    assert not (tmp_path / io.RESULTS).exists() and list(tmp_path.glob(".results.nc.*.tmp"))
    assert not io.complete(tmp_path)
    # a truncated pair of files (a copy cut short by hand) does not look complete either
    (tmp_path / io.RESULTS).write_bytes(b"\x89HDF\r\n")
    pd.DataFrame({"peak_rung": [1]}).to_parquet(tmp_path / io.SUMMARY)
    assert not io.complete(tmp_path)
    sweep.start(tmp_path)  # the next attempt clears the half-written temporary file
    assert not list(tmp_path.glob(".*.tmp"))


def test_two_sweeps_started_in_the_same_second_get_different_folders():
    cmd = [PY, "scripts/run.py", "--cfg", "hydra", "--resolve", "--package", "hydra.sweep"]
    procs = [subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    dirs = [next(line for line in p.communicate(timeout=120)[0].splitlines() if line.strip().startswith("dir:")) for p in procs]
    assert dirs[0] != dirs[1], dirs


# --------------------------------------------------------------------------- launchers


FOUR_JOBS = ("institutions.hotline=false,true", "institutions.track2=false,true")


def _sweep(sweep_dir, *extra, axes=FOUR_JOBS, env=None, wait=True):
    cmd = [PY, "scripts/run.py", "-m", *SMALL_ARGS, "replicates=2", *axes, f"hydra.sweep.dir={sweep_dir}", *extra]
    run = subprocess.run if wait else subprocess.Popen
    kwargs = dict(cwd=ROOT, env=env or _slurm_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return run(cmd, timeout=600, **kwargs) if wait else run(cmd, **kwargs)


def _slurm_env():
    return {**os.environ, "PATH": f"{ROOT / 'scripts/slurm/shims'}:{os.environ['PATH']}"}


def _results(sweep_dir):
    out = {}
    for job in sweep.jobs(sweep_dir):
        ds, frame = io.load(job.folder)
        out[job.num] = (ds, frame)
    return out


def _same_results(a, b):
    assert sorted(a) == sorted(b)
    for num in a:
        (ds_a, fr_a), (ds_b, fr_b) = a[num], b[num]
        xr.testing.assert_identical(ds_a.drop_attrs(), ds_b.drop_attrs())
        job_columns = [c for c in fr_a if c.startswith("slurm_") or c == "job_num"]  # where it ran, not what it computed
        pd.testing.assert_frame_equal(fr_a.drop(columns=job_columns), fr_b.drop(columns=job_columns))


def test_launcher_presets_compose():
    for launcher, key in (("slurm", "array_parallelism"), ("local", "timeout_min"), ("processes", "n_jobs"), ("submitit_slurm", "setup")):
        done = subprocess.run([PY, "scripts/run.py", f"hydra/launcher={launcher}", "--cfg", "hydra", "--package", "hydra.launcher"], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and f"{key}:" in done.stdout, (launcher, done.stderr[-2000:])


SLURM_ARGS = ["hydra/launcher=submitit_slurm", "hydra.launcher.partition=debug", "hydra.launcher.timeout_min=10", "hydra.launcher.cpus_per_task=1", "hydra.launcher.mem_gb=1"]


@pytest.fixture(scope="module")
def slurm_sweep(slurm, tmp_path_factory):
    """An uninterrupted 4-job sweep through hydra/launcher=submitit_slurm: (folder, seconds, output)."""
    folder = tmp_path_factory.mktemp("slurm") / "sweep"
    started = time.perf_counter()
    done = _sweep(folder, *SLURM_ARGS)
    seconds = time.perf_counter() - started
    assert done.returncode == 0, done.stdout[-4000:]
    return folder, seconds, done.stdout


@pytest.mark.slow
def test_a_four_job_sweep_runs_under_slurm_and_every_result_is_found(slurm_sweep):
    folder, seconds, _ = slurm_sweep
    print(f"\n4-job sweep through SLURM: {seconds:.1f} s")
    jobs = sweep.jobs(folder)
    assert [(j.num, j.status) for j in jobs] == [(i, "complete") for i in range(4)]
    ids = []
    for job in jobs:
        ds, frame = io.load(job.folder)
        assert ds.attrs["slurm_job_id"] and (frame["slurm_job_id"] == ds.attrs["slurm_job_id"]).all()
        assert int(frame["slurm_array_task_id"].iloc[0]) == job.num == int(frame["job_num"].iloc[0])
        ids.append((ds.attrs["slurm_job_id"], ds.attrs["slurm_array_job_id"]))
    assert len({job_id for job_id, _ in ids}) == 4 and len({array for _, array in ids}) == 1


def _squeue(name):
    out = subprocess.run(["squeue", "-h", "-n", name, "-o", "%i %T"], capture_output=True, text=True).stdout
    return dict(line.split() for line in out.splitlines() if line.strip())


@pytest.mark.slow
def test_a_job_cancelled_mid_run_is_redone_by_a_rerun_with_identical_results(slurm_sweep, tmp_path):
    reference, _, _ = slurm_sweep
    folder, name = tmp_path / "sweep", f"redphone-test-{uuid.uuid4().hex[:8]}"
    args = [*SLURM_ARGS, f"hydra.launcher.name={name}"]
    axes = ("institutions.hotline=false,true", "institutions.track2=false")  # two jobs, run side by side
    first = _sweep(folder, *args, axes=axes, wait=False)
    target, deadline = None, time.time() + 300
    while target is None and time.time() < deadline:  # cancel array task 1 as soon as it runs
        target = next((job for job, state in _squeue(name).items() if job.endswith("_1") and state == "RUNNING"), None)
        time.sleep(0.2)
    assert target, "array task 1 never ran"
    subprocess.run(["scancel", target], check=True)
    output = first.communicate(timeout=300)[0]
    assert first.returncode != 0, output[-3000:]  # the launcher reports the cancelled job (no hang: shims/sacct)
    status = {j.num: j.status for j in sweep.jobs(folder)}
    # cancelled before it wrote its results: before Hydra made its folder (missing) or after (incomplete)
    assert status[0] == "complete" and status[1] in ("incomplete", "missing"), (status, "task 1 must be cancelled before it wrote its results")

    again = _sweep(folder, *args, axes=axes)
    assert again.returncode == 0, again.stdout[-4000:]
    logs = "".join(p.read_text() for p in folder.glob(".submitit/*/*.err"))
    assert logs.count("skipped:") == 1  # the complete job was not run again
    assert [j.status for j in sweep.jobs(folder)] == ["complete"] * 2
    # the same jobs of the uninterrupted 4-job sweep: hotline false and true with track2 false
    def hotline(job):
        return next(o.split("=")[1].lower() for o in job.overrides if o.startswith("institutions.hotline="))

    same = {hotline(j): j.num for j in sweep.jobs(reference) if "institutions.track2=False" in j.overrides}
    everything = _results(reference)
    _same_results({j.num: everything[same[hotline(j)]] for j in sweep.jobs(folder)}, _results(folder))


@pytest.mark.slow
def test_joblib_launcher_runs_jobs_in_parallel_processes(tmp_path):
    done = _sweep(tmp_path / "sweep", "hydra/launcher=processes", "hydra.launcher.n_jobs=2", axes=FOUR_JOBS[:1])
    assert done.returncode == 0, done.stdout[-3000:]
    assert [j.status for j in sweep.jobs(tmp_path / "sweep")] == ["complete", "complete"]
