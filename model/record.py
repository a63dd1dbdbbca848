"""The India-Pakistan crisis record (data/india_pakistan_crises.csv): eleven crises, 1947-2025.

The patterns the model is judged by (MODEL.md) come from this file: how often
crises come, how high they climb, how long they last. Dates are parsed; the
`first_kinetic` date is missing for crises that never turned kinetic.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

RECORD = Path(__file__).resolve().parent.parent / "data" / "india_pakistan_crises.csv"
DATES = ("start", "first_kinetic", "end")
NUCLEAR_ERA_START = 1990  # both sides nuclear-capable: the crises the model's status quo is calibrated to


def load(path=RECORD) -> pd.DataFrame:
    """The record, one row per crisis, dates parsed, peak_rung an integer, nuclear_era a boolean."""
    table = pd.read_csv(path, dtype={"id": str}, keep_default_na=False, na_values={"first_kinetic": [""]})
    for column in DATES:
        table[column] = pd.to_datetime(table[column], format="%Y-%m-%d")
    table["peak_rung"] = table["peak_rung"].astype(int)
    table["days"] = table["days"].astype(int)
    table["nuclear_era"] = table["nuclear_era"].map({"yes": True, "no": False}).astype(bool)
    return table


def crises_per_decade(table: pd.DataFrame, first_year: int, last_year: int) -> float:
    """Crises that started in [first_year, last_year], per ten years of that span."""
    years = table["start"].dt.year
    count = int(((years >= first_year) & (years <= last_year)).sum())
    return 10.0 * count / (last_year - first_year + 1)


def peak_rung_shares(table: pd.DataFrame, rungs=range(7)) -> pd.Series:
    """Share of crises by peak rung (0-6), zeros included."""
    counts = table["peak_rung"].value_counts().reindex(list(rungs), fill_value=0)
    return counts / max(len(table), 1)


def nuclear_era(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["nuclear_era"]].reset_index(drop=True)


def kinetic_lag_days(table: pd.DataFrame) -> np.ndarray:
    """Days from trigger to first kinetic action, for the crises that had one."""
    lag = (table["first_kinetic"] - table["start"]).dt.days
    return lag.dropna().to_numpy()
