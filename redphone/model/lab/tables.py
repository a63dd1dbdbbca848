"""The summary table of a run or a sweep: one row per setting, each estimate with its 95% interval.

One table, three renderings: ``console`` (metrics down, settings across,
within 100 columns), ``markdown`` (a real Markdown table) and the CSV the
frame writes. A *setting* is one grid point of one job: a job run with
``+grid.…`` holds several, and each gets its own row (never pooled).
``scripts/report.py`` (``make run``) and a single run of ``scripts/run.py``
print the same table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from . import measures
from .stats import bootstrap_mean

SWITCH_PREFIX = "institutions."
WIDTH = 100
NOT_GRID = ("replicate", "day")
NOTE = "estimates with 95% intervals (Wilson for proportions, seeded bootstrap for means)"


@dataclass(frozen=True)
class Setting:
    """One setting's results: its summary rows and its daily series (grid dims selected away)."""

    frame: pd.DataFrame
    dataset: xr.Dataset


def grid_dims(ds: xr.Dataset) -> list[str]:
    return [d for d in ds["crisis_level"].dims if d not in NOT_GRID]


def split(ds: xr.Dataset, frame: pd.DataFrame) -> list[Setting]:
    """A job's result as its settings: one per grid point (setting k is grid point k in C order)."""
    dims = grid_dims(ds)
    if not dims:
        return [Setting(frame, ds)]
    sizes = [ds.sizes[d] for d in dims]
    out = []
    for k in range(int(np.prod(sizes))):
        index = dict(zip(dims, np.unravel_index(k, sizes)))
        out.append(Setting(frame[frame["setting"] == k].reset_index(drop=True), ds.isel({d: int(i) for d, i in index.items()})))
    return out


def label(row: pd.Series, varying: list[str]) -> str:
    parts = []
    for key in varying:
        value = row[key]
        name = key.removeprefix(SWITCH_PREFIX).replace("track2", "Track-II")
        if isinstance(value, (bool, np.bool_)):
            value = "on" if value else "off"
        elif isinstance(value, (float, np.floating)):
            value = f"{value:.6g}"  # 0.3, not 0.30000000000000004
        parts.append(f"{name} {value}")
    return ", ".join(parts) or "all replicates"


def fmt(estimate, digits=2) -> str:
    if not np.isfinite(estimate.value):
        return "n/a"
    return f"{estimate.value:.{digits}f} [{estimate.low:.{digits}f}, {estimate.high:.{digits}f}]"


def fmt_days(estimate) -> str:
    """Days to a tenth below 100, whole days above (a tenth of a day in 120 is noise, and the table must stay narrow)."""
    return fmt(estimate, digits=1 if np.isfinite(estimate.high) and estimate.high < 100 else 0)


def varying_columns(frames: list[pd.DataFrame]) -> list[str]:
    """Config columns (dotted keys) whose value differs between settings: what tells them apart."""
    config_cols = [c for c in frames[0].columns if "." in c]
    return [c for c in config_cols if len({str(f[c].iloc[0]) for f in frames}) > 1]


def settings_table(settings: list[Setting]) -> pd.DataFrame:
    """One row per setting: its label, replicate count and the estimates ``make run`` reports."""
    frames = [s.frame for s in settings]
    varying = varying_columns(frames)
    sides = [str(v) for v in settings[0].dataset["side"].values]
    rows = []
    for frame in frames:
        ceasefire = bootstrap_mean(frame["days_to_ceasefire"])
        row = {
            "setting": label(frame.iloc[0], varying),
            "replicates": len(frame),
            "P(peak rung >= 4)": fmt(measures.peak_interval(frame["peak_rung"], measures.STRIKES)),
            "mean peak rung": fmt(bootstrap_mean(frame["peak_rung"])),
            "crisis days": fmt_days(bootstrap_mean(frame["crisis_days"])),
            "days to ceasefire": fmt_days(ceasefire),
            "ceasefire replicates": ceasefire.n,  # the replicates the days-to-ceasefire mean is over
        }
        for i, side in enumerate(sides):
            row[f"end hostility, {side}"] = fmt(bootstrap_mean(frame[f"hostility_end_{'AB'[i]}"]))
        rows.append(row)
    return pd.DataFrame(rows)


def header(frame: pd.DataFrame, ds: xr.Dataset) -> str:
    return f"{frame['preset'].iloc[0]}, {int(ds.sizes['day'])} days\n{NOTE}"


def console(table: pd.DataFrame, header: str = "", width: int = WIDTH) -> str:
    """Settings numbered and named above; metrics down, settings across, in blocks that fit ``width`` columns."""
    lines = [header, ""] if header else []
    names = [f"[{i + 1}]" for i in range(len(table))]
    for name, (_, row) in zip(names, table.iterrows()):
        lines.append(f"{name} {row['setting']}")
    lines.append("")
    metrics = [c for c in table.columns if c != "setting"]
    label_w = max(len(m) for m in metrics)
    cell_w = max(max(len(str(v)) for v in table[m]) for m in metrics)
    cell_w = max(cell_w, max(len(n) for n in names))
    per_block = max(1, (width - label_w) // (cell_w + 2))
    for first in range(0, len(table), per_block):
        block = range(first, min(first + per_block, len(table)))
        lines.append(" " * label_w + "".join(f"  {names[i]:>{cell_w}}" for i in block))
        for m in metrics:
            lines.append(f"{m:<{label_w}}" + "".join(f"  {str(table[m].iloc[i]):>{cell_w}}" for i in block))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def markdown(table: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown table: header row, alignment row, one row per setting."""

    def cell(value) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    numeric = [pd.api.types.is_numeric_dtype(table[c]) for c in table.columns]
    lines = [
        "| " + " | ".join(cell(c) for c in table.columns) + " |",
        "|" + "|".join("---:" if n else "---" for n in numeric) + "|",
    ]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join(lines) + "\n"
