"""Collect a sweep folder into one tidy table and one dataset, naming every job that did not finish.

    python scripts/collect.py SWEEP_DIR [--out DIR] [--partial]

SWEEP_DIR is a Hydra multirun folder (``multirun.yaml`` and one numbered
folder per job), or a single run's folder. The jobs a sweep should hold are
recomputed from ``multirun.yaml`` exactly as Hydra's basic sweeper expands
them, and each job's status comes from ``model.lab.sweep`` (complete, stale,
failed, incomplete, missing, unexpected): a job that never started is named
as well as one that failed or was killed, and a job made with another config
than its overrides compose to now is named stale and never mixed in. Writes ``collected.parquet`` (one row per job x grid point x
replicate, with the job's sweep values as columns) and ``collected.nc`` (the
daily series with the sweep values as dimensions) into SWEEP_DIR (or --out).
Exit status 1 when a job is not complete, after naming it; with --partial the
complete jobs are still collected and the others listed in the dataset's
``jobs_not_complete`` attribute.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


import pandas as pd
import xarray as xr
import yaml
from omegaconf import OmegaConf

from redphone.model.lab import io
from redphone.model.lab.sweep import Job, expand, expected_jobs, jobs  # noqa: F401 (figures.py uses collect.jobs and collect.expected_jobs)

COLLECTED_NC, COLLECTED_PARQUET = "collected.nc", "collected.parquet"


def expected_jobs_of(experiment: str, overrides: list[str]) -> list[list[str]]:
    """The jobs `run.py -m +experiment=NAME OVERRIDES` will make, before it runs."""
    from redphone.model.config import CONFIG_DIR  # noqa: PLC0415

    cfg = OmegaConf.load(CONFIG_DIR / "experiment" / f"{experiment}.yaml")
    return expand(OmegaConf.select(cfg, "hydra.sweeper.params") or {}, [f"+experiment={experiment}", *overrides])


def sweep_values(all_jobs: list[Job]) -> dict[int, dict[str, object]]:
    """Per job, the overrides whose value differs between jobs, as {coordinate: value}."""
    parsed = {job.num: dict(_split(o) for o in job.overrides) for job in all_jobs}
    keys = sorted({k for values in parsed.values() for k in values})
    varying = [k for k in keys if len({str(values.get(k)) for values in parsed.values()}) > 1]
    return {num: {k: values.get(k) for k in varying} for num, values in parsed.items()}


def _split(override: str) -> tuple[str, object]:
    key, _, value = override.partition("=")
    key = key.lstrip("+~")
    if "/" in key:  # a config group such as experiment/framework: the coordinate is its last part
        key = key.rsplit("/", 1)[1]
    try:
        parsed = yaml.safe_load(value)
    except yaml.YAMLError:
        parsed = value
    return key, parsed if isinstance(parsed, (bool, int, float, str)) else value


def report(all_jobs: list[Job]) -> str:
    done = sum(job.complete for job in all_jobs)
    lines = [f"{done} of {len(all_jobs)} jobs complete"]
    for job in all_jobs:
        if not job.complete:
            lines.append(f"  job {job.num} ({' '.join(job.overrides) or 'no overrides'}): {job.status}: {job.reason} [{job.folder}]")
    return "\n".join(lines)


def collect(sweep_dir, partial: bool = False) -> tuple[pd.DataFrame, xr.Dataset, list[Job]]:
    """(tidy summary table, dataset with sweep dims, every job with its status); raises if a job is not complete unless partial."""
    all_jobs = jobs(sweep_dir)
    bad = [job for job in all_jobs if not job.complete]
    if bad and not partial:
        raise JobsNotComplete(report(all_jobs))
    good = [job for job in all_jobs if job.complete]
    if not good:
        raise JobsNotComplete(report(all_jobs))
    values = sweep_values(good if len(good) > 1 else all_jobs)
    frames, datasets = [], []
    for job in good:
        ds, frame = io.load(job.folder)
        coords = values.get(job.num, {})
        frame = frame.assign(job=job.num, **{k: [v] * len(frame) for k, v in coords.items()})
        frames.append(frame)
        datasets.append(ds.expand_dims({k: [v] for k, v in coords.items()}) if coords else ds)
    table = pd.concat(frames, ignore_index=True)
    table.attrs = {}
    if len(datasets) == 1:
        dataset = datasets[0]
    else:
        try:  # a full product of sweep values: one hypercube, dtypes kept
            dataset = xr.combine_by_coords(datasets, combine_attrs="drop_conflicts")
        except ValueError:  # jobs missing from the product: align, fill with NaN
            dataset = xr.merge(datasets, combine_attrs="drop_conflicts")
    dataset.attrs["jobs"] = len(all_jobs)
    dataset.attrs["jobs_not_complete"] = "; ".join(f"{j.num}: {j.status}" for j in bad)
    dataset.attrs["sweep_dims"] = " ".join(sorted({k for v in values.values() for k in v}))
    return table, dataset, all_jobs


class JobsNotComplete(RuntimeError):
    """A sweep with jobs that failed, were killed, or never started; the message names them."""


def write(table: pd.DataFrame, dataset: xr.Dataset, out) -> tuple[Path, Path]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    nc, parquet = out / COLLECTED_NC, out / COLLECTED_PARQUET
    io._atomic(nc, lambda tmp: dataset.to_netcdf(tmp, engine="h5netcdf"))
    io._atomic(parquet, lambda tmp: table.to_parquet(tmp, index=False, engine="pyarrow"))
    return nc, parquet


def load(out) -> tuple[xr.Dataset, pd.DataFrame]:
    out = Path(out)
    return xr.load_dataset(out / COLLECTED_NC, engine="h5netcdf"), pd.read_parquet(out / COLLECTED_PARQUET)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sweep_dir", type=Path)
    parser.add_argument("--out", type=Path, default=None, help="where to write collected.nc and collected.parquet (default: SWEEP_DIR)")
    parser.add_argument("--partial", action="store_true", help="collect the complete jobs even when others are not")
    args = parser.parse_args(argv)
    try:
        table, dataset, all_jobs = collect(args.sweep_dir, partial=args.partial)
    except (JobsNotComplete, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(report(all_jobs), file=sys.stderr)
    nc, parquet = write(table, dataset, args.out or args.sweep_dir)
    dims = ", ".join(f"{k}={v}" for k, v in dataset.sizes.items())
    print(f"wrote {parquet} ({len(table)} rows) and {nc} ({dims})", file=sys.stderr)
    return 1 if any(not job.complete for job in all_jobs) else 0


if __name__ == "__main__":
    sys.exit(main())
