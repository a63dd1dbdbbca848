"""What docs/guarantees.md promises, fault by fault (issue 14's cases, numbered as there).

Faults are simulated, not argued: a kill between the two renames
(``os.replace`` patched to die), a full disk (``shutil.disk_usage`` patched,
or a writer raising ENOSPC), two runs in one folder (a second process), a
changed preset (a copy of configs/ with one value changed).
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml

from tests.conftest import ROOT


PY = sys.executable
TINY = ["replicates=2", "days=6", "population.public=40", "population.media=2", "population.neighbours=4"]


def hydra_compose(overrides: list[str], config_dir=None):
    """The config the Hydra app composes for these overrides (what the job gets)."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from redphone.model.config import CONFIG_DIR
    from redphone.model.lab.schema import register

    register()
    GlobalHydra.instance().clear()
    with initialize_config_dir(version_base="1.3", config_dir=str(config_dir or CONFIG_DIR)):
        cfg = compose(config_name="config", overrides=list(overrides))
    GlobalHydra.instance().clear()
    return cfg


def hydra_files(folder, overrides: list[str], job_num: int = 0) -> None:
    """The .hydra/ files Hydra writes into a job's folder before the job runs."""
    (folder / ".hydra").mkdir(parents=True, exist_ok=True)
    (folder / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(list(overrides)))
    (folder / ".hydra" / "hydra.yaml").write_text(yaml.safe_dump({"hydra": {"job": {"num": job_num}}}))


def app_run(folder, overrides: list[str], job_num: int = 0):
    """A run of ``scripts/run.py OVERRIDES hydra.run.dir=FOLDER`` in this process: Hydra's files, the run, its files."""
    from redphone.model.lab import batch, io

    hydra_files(folder, overrides, job_num)
    cfg = hydra_compose(overrides)
    daily, summary, points = batch.run(cfg, progress=lambda message: None)
    return io.write(folder, io.to_dataset(daily, cfg), io.to_frame(summary, cfg, points, extra={"job_num": job_num}))


def app_job(folder, overrides: list[str]):
    """The Hydra app's job itself (``redphone.cli.execute``, which scripts/run.py runs), in this process."""
    from redphone import cli as run

    hydra_files(folder, overrides)
    return run.execute(hydra_compose(overrides), folder, {"job_num": 0}, single=False)


def app(args, **kwargs):
    return subprocess.run([PY, str(ROOT / "scripts" / "run.py"), *args], cwd=kwargs.pop("cwd", ROOT), capture_output=True, text=True, timeout=600, **kwargs)


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    """A complete single-run folder of the tiny config (seed 1)."""
    folder = tmp_path_factory.mktemp("run") / "seed1"
    app_run(folder, [*TINY, "seed=1"])
    return folder


def _copy(folder, to):
    shutil.copytree(folder, to)
    return to


# --------------------------------------------------------------------------- 1. a config change is noticed


def test_1_a_result_of_a_changed_preset_is_stale_and_never_collected_or_reported(result, tmp_path, monkeypatch):
    from redphone.commands import collect
    from redphone.commands import report

    from redphone.model import config
    from redphone.model.lab import sweep

    folder = _copy(result, tmp_path / "run")
    assert [j.status for j in sweep.jobs(folder)] == ["complete"]
    # `make calibrate WRITE=1` changes a preset value: the same overrides now compose to another config
    configs = shutil.copytree(config.CONFIG_DIR, tmp_path / "configs")
    preset = configs / "preset" / "india_pakistan_2025.yaml"
    text = yaml.safe_load(preset.read_text())
    text.setdefault("media", {})["amplification"] = 1.5
    preset.write_text("# @package _global_\n" + yaml.safe_dump(text))
    monkeypatch.setattr(config, "CONFIG_DIR", configs)
    (job,) = sweep.jobs(folder)
    assert job.status == "stale" and "another config" in job.reason
    with pytest.raises(collect.JobsNotComplete, match="stale"):
        collect.collect(folder)
    assert report.main([str(folder)]) == 1 and not (folder / "report").exists()
    # the Hydra app does not skip it either: it reruns
    assert not sweep.done(folder, hydra_compose([*TINY, "seed=1"], configs))


@pytest.mark.slow
def test_1_a_sweep_rerun_with_another_config_and_interrupted_in_job_1_is_not_mixed(tmp_path):
    """The issue's steps: sweep into S; rerun it into S with a changed value, stopped in job 1; collect and report refuse to mix."""
    from redphone.commands import collect

    from redphone.model.lab import sweep

    folder = tmp_path / "sweep"
    first = app(["-m", *TINY, "seed=1,2", f"hydra.sweep.dir={folder}"])
    assert first.returncode == 0, first.stderr[-2000:]
    held = sweep.lock(folder / "1")  # job 1 of the rerun stops at once, as if interrupted there
    again = app(["-m", *TINY, "seed=1,2", "media.amplification=1.5", f"hydra.sweep.dir={folder}"])
    held.close()
    assert again.returncode != 0
    status = {job.num: job.status for job in collect.jobs(folder)}
    assert status == {0: "complete", 1: "stale"}, status
    cli = subprocess.run([PY, str(ROOT / "scripts" / "collect.py"), str(folder)], capture_output=True, text=True, timeout=300)
    assert cli.returncode == 1 and "1 of 2 jobs complete" in cli.stderr and "stale" in cli.stderr
    rep = subprocess.run([PY, str(ROOT / "scripts" / "report.py"), str(folder)], capture_output=True, text=True, timeout=300)
    assert rep.returncode == 1 and "stale" in rep.stderr
    table = pd.read_csv(folder / "report" / "table.csv")
    assert list(table["replicates"]) == [2]  # job 0 alone: the stale job is not in the table


def test_one_definition_of_a_jobs_status():
    """issue 15: collect, report and figures use model.lab.sweep's statuses, not their own."""
    from redphone.commands import collect
    from redphone.commands import figures
    from redphone.commands import report

    from redphone.model.lab import sweep

    assert collect.Job is sweep.Job and collect.jobs is sweep.jobs and report.sweep_jobs is sweep.jobs
    assert figures.collect.jobs is sweep.jobs
    assert sweep.STATUSES == ("complete", "stale", "failed", "incomplete", "missing", "unexpected")
    for status in sweep.STATUSES:
        assert f"``{status}``" in sweep.__doc__


# --------------------------------------------------------------------------- 2. complete together or not at all


def test_2_a_job_killed_between_its_two_renames_is_not_complete(result, tmp_path, monkeypatch):
    from redphone.model.lab import io, sweep

    folder = _copy(result, tmp_path / "run")
    seed1 = pd.read_parquet(folder / io.SUMMARY)
    real_replace, calls = os.replace, []

    class Killed(BaseException):
        pass

    def replace_then_die(src, dst):
        calls.append(dst)
        if str(dst).endswith(io.SUMMARY):  # results.nc already holds seed 2: die before the summary's rename
            raise Killed
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace_then_die)
    with pytest.raises(Killed):
        app_run(folder, [*TINY, "seed=2"])
    monkeypatch.setattr(os, "replace", real_replace)
    assert str(calls[0]).endswith(io.RESULTS)
    with xr.open_dataset(folder / io.RESULTS, engine="h5netcdf") as ds:
        assert ds.attrs["seed"] == "2"
    assert pd.read_parquet(folder / io.SUMMARY).equals(seed1)  # the mismatched pair the issue describes
    assert not io.complete(folder)
    assert not sweep.done(folder, hydra_compose([*TINY, "seed=2"])) and not sweep.done(folder, hydra_compose([*TINY, "seed=1"]))
    assert [j.status for j in sweep.jobs(folder)] == ["incomplete"]


def test_2_a_pair_from_two_complete_runs_never_passes(result, tmp_path):
    from redphone.model.lab import io

    one = _copy(result, tmp_path / "one")
    two = tmp_path / "two"
    app_run(two, [*TINY, "seed=2"])
    assert io.complete(one) and io.complete(two)
    shutil.copy(two / io.RESULTS, one / io.RESULTS)  # same shapes, same size class: another run's file
    assert not io.complete(one)
    assert "not the file COMPLETE names" in io.why_not_complete(one)


# --------------------------------------------------------------------------- 3 and 13. report: grid points, single runs


def test_3_report_gives_one_row_per_grid_point_never_pooled(tmp_path, capsys):
    from redphone.commands import report

    folder = tmp_path / "grid"
    app_run(folder, [*TINY, "+grid.dyad.strategic_culture=[0.1,0.9]"])
    assert report.main([str(folder)]) == 0
    table = pd.read_csv(folder / "report" / "table.csv")
    assert list(table["replicates"]) == [2, 2]  # not one row of 4
    assert list(table["setting"]) == ["dyad.strategic_culture 0.1", "dyad.strategic_culture 0.9"]
    plotted = pd.read_csv(folder / "report" / "crisis_level.csv")
    assert set(plotted["setting"]) == set(table["setting"]) and set(plotted["replicates"]) == {2}
    assert "[2] dyad.strategic_culture 0.9" in capsys.readouterr().out


def test_3_a_report_that_fails_while_drawing_leaves_the_earlier_report_as_it_was(result, tmp_path, monkeypatch):
    from redphone.commands import report

    folder = _copy(result, tmp_path / "run")
    assert report.main([str(folder)]) == 0
    before = {p.name: p.read_bytes() for p in (folder / "report").iterdir()}

    def broken(*args, **kwargs):
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(report, "draw", broken)
    with pytest.raises(RuntimeError):
        report.main([str(folder)])
    assert {p.name: p.read_bytes() for p in (folder / "report").iterdir()} == before
    assert [p.name for p in folder.iterdir() if p.name.startswith(".report")] == []


def test_13_report_reads_a_single_run_folder(result, tmp_path, capsys):
    from redphone.commands import report

    folder = _copy(result, tmp_path / "run")
    assert report.main([str(folder)]) == 0
    out = capsys.readouterr().out
    assert "[1] all replicates" in out and "P(peak rung >= 4)" in out


# --------------------------------------------------------------------------- issue 15: the table, readable


def _table(n_settings: int, sides=("India", "Pakistan")):
    """A summary table as tables.settings_table makes it, with values as wide as real ones."""
    from redphone.model.lab import tables

    frames = []
    for i in range(n_settings):
        frame = pd.DataFrame({"peak_rung": [4, 2, 5], "crisis_days": [112.0, 98.0, 120.0], "days_to_ceasefire": [21.0, np.nan, 33.0],
                              "hostility_end_A": [0.61, 0.7, 0.66], "hostility_end_B": [0.6, 0.5, 0.55],
                              "institutions.hotline": i % 2 == 1, "institutions.track2": i // 2 % 2 == 1, "media.slant": 0.1 * i})
        frames.append(tables.Setting(frame, xr.Dataset(coords={"side": list(sides)})))
    table = tables.settings_table(frames)
    table.loc[0, "setting"] += " | a pipe"
    return table


@pytest.mark.parametrize("n_settings, sides", [(1, ("India", "Pakistan")), (4, ("India", "Pakistan")), (9, ("Democratic Republic A", "Islamic Republic B"))])
def test_console_table_fits_100_columns_and_shows_every_value(n_settings, sides):
    from redphone.model.lab import tables

    table = _table(n_settings, sides=sides)
    text = tables.console(table, header=f"india_pakistan_2025, 120 days\n{tables.NOTE}")
    assert max(len(line) for line in text.splitlines()) <= 100, text
    for i in range(n_settings):
        assert f"[{i + 1}] {table['setting'][i]}" in text
    for column in table.columns[1:]:
        assert text.count(str(table[column][0])) >= 1
    if n_settings == 4:  # make run's four settings side by side, in one block
        assert sum(line.startswith("P(peak rung >= 4)") for line in text.splitlines()) == 1


def test_markdown_table_is_markdown():
    from redphone.model.lab import tables

    table = _table(3)
    lines = tables.markdown(table).splitlines()
    assert len(lines) == 2 + 3
    cells = [len(line.replace("\\|", "").strip("|").split("|")) for line in lines]
    assert set(cells) == {len(table.columns)}
    assert all(line.startswith("| ") and line.endswith(" |") for line in lines[:1] + lines[2:])
    assert set(lines[1].strip("|").split("|")) <= {"---", "---:"}
    assert "a pipe" in lines[2] and "\\| a pipe" in lines[2]  # a pipe in a value does not break the row


@pytest.mark.slow
def test_a_single_run_prints_the_summary_table_and_report_reads_its_folder(tmp_path):
    out = tmp_path / "run"
    done = app([*TINY, "seed=3", f"hydra.run.dir={out}"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "[1] all replicates" in done.stdout and "P(peak rung >= 4)" in done.stdout
    rep = subprocess.run([PY, str(ROOT / "scripts" / "report.py"), str(out)], capture_output=True, text=True, timeout=300)
    assert rep.returncode == 0, rep.stderr
    assert "no complete job" not in rep.stderr
    single = [line for line in done.stdout.splitlines() if line.startswith("P(peak")]
    assert single and single[0] in rep.stdout  # the same table


# --------------------------------------------------------------------------- 5, 6. silent wrong answers refused


def test_5_two_sides_with_one_name_are_refused():
    from redphone.model.config import compose, errors

    problems = errors(compose("india_pakistan_2025", {"sides": ["A", "A"]}))
    assert problems == ["sides = ['A', 'A']: expected two different, non-empty names"]


@pytest.mark.parametrize("n", [2.5, 0, -1, True, "3"])
def test_6_simulate_refuses_a_number_of_replicates_that_is_not_whole(small, n):
    from redphone.model import engine

    _, params, dims = small
    with pytest.raises(ValueError, match="n_replicates"):
        engine.simulate(seed=1, n_replicates=n, params=params, dims=dims, days=3)


# --------------------------------------------------------------------------- 7. one folder, one run


def test_7_two_make_runs_started_in_the_same_second_get_their_own_folders(tmp_path):
    fake = tmp_path / "python"
    fake.write_text('#!/bin/bash\necho "$@" >> "$(dirname "$0")/calls"\n')
    fake.chmod(0o755)
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    make = ["make", "-s", "run", f"PY={fake}", "STAMP="]
    runs = [subprocess.Popen(make, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    outputs = [r.communicate(timeout=60)[0] for r in runs]
    assert all(r.returncode == 0 for r in runs), outputs
    folders = sorted(p.name for p in (tmp_path / "multirun" / "main").iterdir())
    assert len(folders) == 2 and folders[0] != folders[1]
    for output in outputs:
        assert "resume with: make run SWEEP=multirun/main/" in output
    calls = (tmp_path / "calls").read_text().splitlines()
    assert len({c.split("hydra.sweep.dir=")[1] for c in calls if "hydra.sweep.dir=" in c}) == 2
    # SWEEP= resumes in the given folder
    subprocess.run([*make, f"SWEEP=multirun/main/{folders[0]}"], cwd=tmp_path, check=True, capture_output=True, timeout=60)
    assert (tmp_path / "calls").read_text().splitlines()[-2].endswith(f"hydra.sweep.dir=multirun/main/{folders[0]}")


def test_7_a_second_run_in_a_folder_in_use_stops_with_one_line_and_touches_nothing(tmp_path):
    from redphone.model.lab import sweep

    folder = tmp_path / "run"
    held = sweep.lock(folder)
    theirs = folder / ".results.nc.abc123.tmp"  # the first run's file being written
    theirs.write_bytes(b"half")
    done = app([*TINY, f"hydra.run.dir={folder}"])
    held.close()
    assert done.returncode == 2, done.stderr[-2000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "is in use by pid" in lines[0] and "Traceback" not in done.stderr
    assert theirs.exists() and not (folder / sweep.FAILED).exists()


# --------------------------------------------------------------------------- 8. a full disk


def _small_dataset(result):
    from redphone.model.lab import io

    return io.load(result)


def test_8_a_full_disk_gives_one_line_and_leaves_no_partial_file(result, tmp_path, monkeypatch):
    from redphone.model.lab import io

    ds, frame = _small_dataset(result)
    folder = tmp_path / "full"
    folder.mkdir()
    monkeypatch.setattr(shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(10**9, 10**9 - 2**20, 2**20))
    with pytest.raises(io.DiskFull) as caught:
        io.write(folder, ds, frame)
    assert caught.value.errno == errno.ENOSPC
    assert str(caught.value).startswith(f"no space left on {folder}: ") and " MB needed, 1 MB free" in str(caught.value)
    assert list(folder.iterdir()) == []


def test_8_a_disk_that_fills_while_writing_leaves_no_partial_file(result, tmp_path, monkeypatch):
    from redphone.model.lab import io

    ds, frame = _small_dataset(result)
    folder = tmp_path / "fills"

    def no_space(self, path, *args, **kwargs):
        with open(path, "wb") as f:
            f.write(b"\x89HDF\r\n" + b"0" * 100)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(xr.Dataset, "to_netcdf", no_space)
    with pytest.raises(io.DiskFull, match="no space left on"):
        io.write(folder, ds, frame)
    assert list(folder.iterdir()) == []


def test_8_the_app_checks_the_space_before_computing_and_leaves_failed(tmp_path, monkeypatch):
    from redphone import cli as run

    from redphone.model.lab import batch, sweep

    def not_to_be_called(cfg):
        raise AssertionError("computed although the results could not be written")

    monkeypatch.setattr(batch, "run", not_to_be_called)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(10**9, 10**9 - 2**10, 2**10))
    folder = tmp_path / "run"
    from redphone.model.lab import io

    with pytest.raises(io.DiskFull):
        app_job(folder, TINY)
    assert (folder / sweep.FAILED).read_text().startswith("no space left on")
    assert not [p for p in folder.iterdir() if p.name not in (".hydra", sweep.FAILED, sweep.LOCK)]
    assert run.FAULT == 1


# --------------------------------------------------------------------------- 9. permissions


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_9_result_files_respect_the_umask(result, tmp_path, umask, mode):
    from redphone.model.lab import io

    ds, frame = _small_dataset(result)
    old = os.umask(umask)
    try:
        io.write(tmp_path, ds, frame)
    finally:
        os.umask(old)
    for name in (io.RESULTS, io.SUMMARY, io.MARKER):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == mode, name


# --------------------------------------------------------------------------- 10. one line, exit 2, no traceback


@pytest.mark.parametrize(
    "args, start",
    [
        (["batch.memory_gb=0.0001"], "batch.memory_gb"),
        (["batch.devices=8"], "batch.devices"),
        (["population.media=100000000"], "population.media"),
        (["population.public=16000000", "population.media=2", "batch.block=100000"], "population.public"),  # more than any machine
        (["institutions.hotlin=true"], "institutions.hotlin: unknown key; did you mean 'institutions.hotline'?"),
        (["days=-5"], "days"),
        (["population.public=3"], "population.public = 3"),
        (["jax.compilation_cache_dir=/dev/null/cache"], "jax.compilation_cache_dir"),
    ],
)
def test_10_problems_are_one_line_and_exit_2(tmp_path, args, start):
    from redphone.model.lab import sweep

    out = tmp_path / "out"
    done = app([*TINY[:1], *args, f"hydra.run.dir={out}"], cwd=tmp_path)
    assert done.returncode == 2, done.stderr[-3000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {start}"), done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    results = [p.name for p in out.rglob("*") if p.is_file() and not p.name.startswith(".")] if out.exists() else []
    assert set(results) <= {sweep.FAILED, "overrides.yaml", "config.yaml", "hydra.yaml", "run.log"}, results


def test_10_an_unwritable_output_folder_is_one_line_and_exit_2(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    done = app([*TINY[:1], f"hydra.run.dir={blocker}/out"], cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: hydra.run.dir"), done.stderr


# --------------------------------------------------------------------------- 11. make sensitivity QUICK=1


def test_11_the_prim_figure_draws_with_its_colorbar(tmp_path):
    from redphone.commands import sensitivity as script

    trajectory = pd.DataFrame({"coverage": [1.0, 0.8, 0.5], "density": [0.2, 0.4, 0.7], "res_dim": [0, 1, 2]})
    box = pd.DataFrame({"min": [0.2, 0.0], "max": [1.0, 0.5]}, index=["dyad.strategic_culture", "institutions.hotline"])
    prob = {"names": ["dyad.strategic_culture"], "bounds": [[0.0, 1.0]]}
    script.prim_figure(trajectory, box, prob, 2, tmp_path / "prim.png")
    assert (tmp_path / "prim.png").stat().st_size > 0


@pytest.mark.slow
def test_11_make_sensitivity_quick_runs_to_its_end(tmp_path):
    done = subprocess.run([PY, str(ROOT / "scripts" / "sensitivity.py"), "--quick", "--out", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    for name in ("sobol.png", "sobol.csv", "sensitivity_runs.csv"):
        assert (tmp_path / name).stat().st_size > 0, name


@pytest.mark.slow
def test_11_make_run_runs_to_its_end_at_a_small_size(tmp_path):
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    for name in ("scripts", "configs", "data", "posteriors"):
        (tmp_path / name).symlink_to(ROOT / name)
    done = subprocess.run(["make", "-s", "run", f"PY={PY}", "STAMP=", "REPLICATES=2", "DAYS=5"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    (sweep,) = (tmp_path / "multirun" / "main").iterdir()
    assert (sweep / "report" / "table.md").read_text().startswith("| setting |")
    assert len(pd.read_csv(sweep / "report" / "table.csv")) == 4


# --------------------------------------------------------------------------- 12. the schema of what is loaded


def test_12_a_loadable_result_missing_variables_is_not_complete_and_not_loaded(result, tmp_path):
    from redphone.commands import collect
    from redphone.commands import report

    from redphone.model.lab import io

    folder = _copy(result, tmp_path / "run")
    ds, frame = io.load(folder)
    io.write(folder, ds.drop_vars(["crisis_level", "hostility_hist"]), frame)  # a whole, loadable pair of another schema
    reason = io.why_not_complete(folder)
    assert reason and "lacks crisis_level, hostility_hist" in reason
    (job,) = collect.jobs(folder)
    assert job.status == "incomplete" and "lacks crisis_level" in job.reason
    with pytest.raises(collect.JobsNotComplete, match="lacks crisis_level"):
        collect.collect(folder)
    assert report.main([str(folder)]) == 1
    with pytest.raises(io.ResultError, match="crisis_level"):
        io.load(folder)


# --------------------------------------------------------------------------- 14. figures --only keeps the other rows


def test_14_figures_only_keeps_the_other_figures_findings(tmp_path, monkeypatch):
    from redphone.commands import figures

    from redphone.experiments import FIGURES

    data, out = tmp_path / "data", tmp_path / "figures"
    calls = []

    def fake_build(name, data_root, out, quick, fresh):
        calls.append(name)
        return 1.0, f"finding of {name}, run {len(calls)}", "0 of 1"

    monkeypatch.setattr(figures, "build", fake_build)
    assert figures.main(["--quick", "--data", str(data), "--out", str(out)]) == 0
    first = (data / "report.md").read_text()
    assert all(f"| {name} |" in first for name in FIGURES)
    only = FIGURES[:2]
    assert figures.main(["--quick", "--data", str(data), "--out", str(out), "--only", *only]) == 0
    second = (data / "report.md").read_text()
    for name in FIGURES:
        assert f"| {name} |" in second, name
    for i, name in enumerate(FIGURES):
        run_number = len(FIGURES) + 1 + i if name in only else i + 1
        assert f"finding of {name}, run {run_number} |" in second, (name, second)
    rows = [line.split("|")[1].strip() for line in second.splitlines() if line.startswith("| ") and not line.startswith("| figure")]
    assert rows == list(FIGURES)  # in figure order, once each


# --------------------------------------------------------------------------- 15, 16. CrisisModel


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(rng=1.7), "rng = 1.7"),
        (dict(rng=2**40), "rng = 1099511627776"),
        (dict(rng=-1), "rng = -1"),
        (dict(rng="7"), "rng = '7'"),
        (dict(replicate=-1), "replicate = -1"),
        (dict(replicate=0.5), "replicate = 0.5"),
    ],
)
def test_15_crisis_model_refuses_seeds_and_replicates_it_cannot_honour(kwargs, match):
    from redphone.model import CrisisModel

    with pytest.raises(ValueError, match=match.replace("[", r"\[")):
        CrisisModel(n_public=40, n_media=2, **kwargs)


def test_15_a_numpy_generator_is_a_seed_source_and_run_for_takes_whole_days():
    from redphone.model import CrisisModel

    a = CrisisModel(rng=np.random.default_rng(11), n_public=40, n_media=2, overrides={"population.neighbours": 4})
    b = CrisisModel(rng=np.random.default_rng(11), n_public=40, n_media=2, overrides={"population.neighbours": 4})
    assert a.seed == b.seed == int(np.random.default_rng(11).integers(2**31))
    with pytest.raises(ValueError, match="whole number"):
        a.run_for(1.5)
    assert a.time == 0 and a.day == 0
    a.run_for(3)
    b.run_for(3)
    assert a.day == 3 and a.time == 3
    assert list(a.datacollector.get_model_vars_dataframe()["crisis_level"]) == list(b.datacollector.get_model_vars_dataframe()["crisis_level"])


@pytest.mark.parametrize("activation", ["sector", "agent"])
def test_16_a_saved_state_stays_valid_after_later_steps(activation):
    from redphone.model import CrisisModel

    m = CrisisModel(rng=4, n_public=40, n_media=2, overrides={"population.neighbours": 4}, activation=activation)
    m.step()
    saved = m.state
    before = np.asarray(saved.public.hostility).copy()
    m.run_for(3)
    np.testing.assert_array_equal(np.asarray(saved.public.hostility), before)  # no "Array has been deleted"
    assert not np.array_equal(np.asarray(m.state.public.hostility), before)
    # and the model's trajectory does not depend on whether its state was read
    other = CrisisModel(rng=4, n_public=40, n_media=2, overrides={"population.neighbours": 4}, activation=activation)
    other.run_for(4)
    np.testing.assert_array_equal(np.asarray(other.state.public.hostility), np.asarray(m.state.public.hostility))
