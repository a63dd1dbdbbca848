"""Summarise a sweep: one row per setting with 95% intervals, and crisis level over time.

    python scripts/report.py multirun/main/2026-11-25_17-00-00

Reads each job's summary.parquet and results.nc (saved results only), prints
a table, and writes table.md, table.csv, crisis_level.png and
crisis_level.csv into SWEEP_DIR/report/. Jobs that are missing or incomplete
are named, never dropped silently.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import xarray as xr  # noqa: E402

from experiments.common import OKABE_ITO, figure, save  # noqa: E402
from model import io  # noqa: E402
from model.sweep import jobs as sweep_jobs  # noqa: E402
from model.stats import bootstrap_mean, mean_band, proportion  # noqa: E402

SWITCH_PREFIX = "institutions."


def job_folders(sweep: Path) -> tuple[list[Path], list[str]]:
    """Complete job folders, and a line for each job that is not (model.sweep decides which is which)."""
    all_jobs = sweep_jobs(sweep)
    complete = [job.folder for job in all_jobs if job.status == "complete"]
    problems = [f"job {job.num} ({' '.join(job.overrides)}): {job.status}: {job.detail}" for job in all_jobs if job.status != "complete"]
    return complete, problems


def label(row: pd.Series, varying: list[str]) -> str:
    parts = []
    for key in varying:
        value = row[key]
        name = key.removeprefix(SWITCH_PREFIX).replace("track2", "Track-II")
        if isinstance(value, (bool, np.bool_)):
            value = "on" if value else "off"
        parts.append(f"{name} {value}")
    return ", ".join(parts) or "all jobs"


def fmt(estimate, digits=2) -> str:
    if not np.isfinite(estimate.value):
        return "n/a"
    return f"{estimate.value:.{digits}f} [{estimate.low:.{digits}f}, {estimate.high:.{digits}f}]"


def table(frames: list[pd.DataFrame], sides: list[str]) -> pd.DataFrame:
    config_cols = [c for c in frames[0].columns if "." in c]
    varying = [c for c in config_cols if len({str(f[c].iloc[0]) for f in frames}) > 1]
    rows = []
    for frame in frames:
        ceasefire = bootstrap_mean(frame["days_to_ceasefire"])
        row = {
            "setting": label(frame.iloc[0], varying),
            "replicates": len(frame),
            "P(peak rung >= 4)": fmt(proportion(frame["peak_rung"] >= 4)),
            "mean peak rung": fmt(bootstrap_mean(frame["peak_rung"])),
            "crisis days": fmt(bootstrap_mean(frame["crisis_days"]), digits=1),
            "days to ceasefire": fmt(ceasefire, digits=1) + f" (n={ceasefire.n})",
        }
        for i, side in enumerate(sides):
            row[f"hostility at end, {side}"] = fmt(bootstrap_mean(frame[f"hostility_end_{'AB'[i]}"]))
        rows.append(row)
    return pd.DataFrame(rows)


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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sweep", type=Path, help="a Hydra multirun folder")
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
    loaded = [io.load(f) for f in folders]
    datasets, frames = [d for d, _ in loaded], [f for _, f in loaded]
    sides = list(datasets[0]["side"].values)
    summary = table(frames, sides)
    out = args.sweep / "report"
    out.mkdir(exist_ok=True)
    shown = summary
    preset, days = frames[0]["preset"].iloc[0], int(datasets[0].sizes["day"])
    print(f"\n{preset}, {days} days; estimates with 95% intervals (Wilson for proportions, seeded bootstrap for means)\n")
    print(shown.to_string(index=False))
    shown.to_csv(out / "table.csv", index=False)
    (out / "table.md").write_text(shown.to_markdown(index=False) if hasattr(shown, "to_markdown") and _has_tabulate() else shown.to_string(index=False))
    draw(datasets, list(summary["setting"]), out)
    print(f"\nresults: {args.sweep}/<job>/results.nc, summary.parquet")
    print(f"table:   {out / 'table.csv'}\nfigure:  {out / 'crisis_level.png'} (data: crisis_level.csv)")
    return 0


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401, PLC0415

        return True
    except ImportError:
        return False


if __name__ == "__main__":
    sys.exit(main())
