"""Summarise a sweep (or a single run): one row per setting with 95% intervals, and crisis level over time.

    python scripts/report.py multirun/main/2026-11-25_17-00-00
    python scripts/report.py outputs/2026-11-25/17-00-00-000000

Reads each complete job's summary.parquet and results.nc (saved results
only); a job run with ``+grid.…`` gives one row per grid point. Prints the
table (within 100 columns) and writes table.md (Markdown), table.csv,
crisis_level.png and crisis_level.csv into SWEEP_DIR/report/, all at once
(a failure leaves the previous report as it was). Jobs that are not complete
(stale, failed, incomplete, missing) are named and left out, never mixed in:
the exit status is then 1.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path


import pandas as pd
import xarray as xr

from redphone.experiments.common import OKABE_ITO, figure, save
from redphone.model.lab import io, tables
from redphone.model.lab.stats import mean_band
from redphone.model.lab.sweep import jobs as sweep_jobs


def job_folders(sweep: Path) -> tuple[list[Path], list[str]]:
    """Complete job folders, and a line for each job that is not (model.lab.sweep decides which is which)."""
    all_jobs = sweep_jobs(sweep)
    complete = [job.folder for job in all_jobs if job.complete]
    problems = [f"job {job.num} ({' '.join(job.overrides) or 'no overrides'}): {job.status}: {job.reason}" for job in all_jobs if not job.complete]
    return complete, problems


def draw(datasets: list[xr.Dataset], labels: list[str], out: Path) -> None:
    """Crisis level over time per setting: the mean over replicates with its 95% band."""
    fig, ax = figure(height=3.2, width=6.0)
    colours = list(OKABE_ITO.values())
    rows = []
    for i, (ds, name) in enumerate(zip(datasets, labels)):
        mean, low, high, n = mean_band(ds["crisis_level"].values, axis=0)
        days = ds["day"].values
        colour = colours[i % len(colours)]
        ax.plot(days, mean, color=colour, label=f"{name} (n={int(n.max())})", lw=1.6, ls=("-", "--", "-.", ":")[i % 4])
        ax.fill_between(days, low, high, color=colour, alpha=0.2, lw=0)
        rows.append(pd.DataFrame({"setting": name, "day": days, "mean": mean, "low": low, "high": high, "replicates": n}))
    ax.set_xlabel("day")
    ax.set_ylabel("crisis level (higher side's rung)")
    ax.set_ylim(0, 6)
    ax.set_title("Crisis level over time: mean and 95% interval")
    ax.legend(frameon=False, loc="upper right")
    save(fig, pd.concat(rows), out, "crisis_level")


def write_report(settings: list[tables.Setting], summary: pd.DataFrame, out: Path) -> None:
    """Every report file into a fresh folder, then that folder in place of ``out``: all or nothing."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        summary.to_csv(staging / "table.csv", index=False)
        (staging / "table.md").write_text(tables.markdown(summary))
        draw([s.dataset for s in settings], list(summary["setting"]), staging)
        staging.chmod(0o777 & ~io.umask())  # mkdtemp makes 0700: a shared folder's colleagues could not read it
        old = out.with_name(f".{out.name}.old")
        if out.exists():
            shutil.rmtree(old, ignore_errors=True)
            out.rename(old)
        staging.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sweep", type=Path, help="a Hydra multirun folder, or a single run's folder")
    args = parser.parse_args(argv)
    if not args.sweep.is_dir():
        print(f"error: {args.sweep} is not a folder", file=sys.stderr)
        return 2
    folders, problems = job_folders(args.sweep)
    for line in problems:
        print(f"warning: {line}", file=sys.stderr)
    if not folders:
        print(f"error: no complete job in {args.sweep}", file=sys.stderr)
        return 1
    try:
        loaded = [io.load(f) for f in folders]
    except io.ResultError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    settings = [s for ds, frame in loaded for s in tables.split(ds, frame)]
    summary = tables.settings_table(settings)
    out = args.sweep / "report"
    write_report(settings, summary, out)
    print()
    print(tables.console(summary, header=tables.header(loaded[0][1], loaded[0][0])))
    print(f"results: {args.sweep}/<job>/results.nc, summary.parquet")
    print(f"table:   {out / 'table.md'} (and table.csv)\nfigure:  {out / 'crisis_level.png'} (data: crisis_level.csv)")
    if problems:
        print(f"error: {len(problems)} job(s) not complete, left out of the report (named above)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
