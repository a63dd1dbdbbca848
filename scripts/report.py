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

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import xarray as xr  # noqa: E402

from experiments.okabe_ito import OKABE_ITO  # noqa: E402
from model import io  # noqa: E402
from model.stats import mean_ci, wilson  # noqa: E402

SWITCH_PREFIX = "institutions."


def job_folders(sweep: Path) -> tuple[list[Path], list[str]]:
    """Complete job folders, and a line for each job that is not."""
    folders = sorted((p for p in sweep.iterdir() if p.is_dir() and p.name.isdigit()), key=lambda p: int(p.name))
    complete, problems = [], []
    for folder in folders:
        if io.complete(folder):
            complete.append(folder)
        else:
            problems.append(f"job {folder.name}: incomplete or failed (see {folder / 'run.log'})")
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


def fmt(estimate, low, high, digits=2) -> str:
    if not np.isfinite(estimate):
        return "n/a"
    if not np.isfinite(low):
        return f"{estimate:.{digits}f}"
    return f"{estimate:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"


def table(frames: list[pd.DataFrame], sides: list[str]) -> pd.DataFrame:
    config_cols = [c for c in frames[0].columns if "." in c]
    varying = [c for c in config_cols if len({str(f[c].iloc[0]) for f in frames}) > 1]
    rows = []
    for frame in frames:
        n = len(frame)
        p4 = wilson(int((frame["peak_rung"] >= 4).sum()), n)
        peak = mean_ci(frame["peak_rung"])
        days = mean_ci(frame["crisis_days"])
        ceasefire = mean_ci(frame["days_to_ceasefire"])
        row = {
            "setting": label(frame.iloc[0], varying),
            "replicates": n,
            "P(peak rung >= 4)": fmt(*p4),
            "mean peak rung": fmt(*peak[:3]),
            "crisis days": fmt(*days[:3], digits=1),
            "days to ceasefire": fmt(*ceasefire[:3], digits=1) + f" (n={ceasefire[3]})",
        }
        for i, side in enumerate(sides):
            row[f"hostility at end, {side}"] = fmt(*mean_ci(frame[f"hostility_end_{'AB'[i]}"])[:3])
        row["_p4"] = p4[0]
        rows.append(row)
    return pd.DataFrame(rows)


def figure(datasets: list[xr.Dataset], labels: list[str], out: Path) -> None:
    style = Path(__file__).resolve().parent.parent / "experiments" / "redphone.mplstyle"
    with plt.style.context(str(style)) if style.exists() else plt.style.context("default"):
        fig, ax = plt.subplots(figsize=(6.5, 3.6))
        rows = []
        for i, (ds, name) in enumerate(zip(datasets, labels)):
            level = ds["crisis_level"].values.astype(float)  # (replicate, day)
            n = level.shape[0]
            mean = level.mean(axis=0)
            half = 1.96 * level.std(axis=0, ddof=1) / np.sqrt(n) if n > 1 else np.zeros_like(mean)
            days = ds["day"].values
            colour = OKABE_ITO[i % len(OKABE_ITO)]
            ax.plot(days, mean, color=colour, label=f"{name} (n={n})", lw=1.6, ls=("-", "--", "-.", ":")[i % 4])
            ax.fill_between(days, mean - half, mean + half, color=colour, alpha=0.2, lw=0)
            rows.append(pd.DataFrame({"setting": name, "day": days, "mean": mean, "low": mean - half, "high": mean + half, "replicates": n}))
        ax.set_xlabel("day")
        ax.set_ylabel("crisis level (rung of the higher side)")
        ax.set_ylim(0, 6)
        ax.set_title("Crisis level over time: mean and 95% interval", fontsize=10)
        ax.legend(fontsize=7, frameon=False, loc="upper right")
        fig.tight_layout()
        fig.savefig(out / "crisis_level.png", dpi=150, metadata={"Software": None})
        plt.close(fig)
    pd.concat(rows).to_csv(out / "crisis_level.csv", index=False)


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
    shown = summary.drop(columns="_p4")
    preset, days = frames[0]["preset"].iloc[0], int(datasets[0].sizes["day"])
    print(f"\n{preset}, {days} days; estimates with 95% intervals (Wilson for proportions, normal for means)\n")
    print(shown.to_string(index=False))
    shown.to_csv(out / "table.csv", index=False)
    (out / "table.md").write_text(shown.to_markdown(index=False) if hasattr(shown, "to_markdown") and _has_tabulate() else shown.to_string(index=False))
    figure(datasets, list(summary["setting"]), out)
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
