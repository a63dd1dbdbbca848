"""The India-Pakistan crisis record (``data/india_pakistan_crises.csv``) and the patterns taken from it.

Eleven crises, 1947-2025: trigger, start (trigger date), first kinetic action
(empty when there was none), first strike on the other's territory (rung 4;
empty when there was none: 1999's air strikes and 2016's raids stayed on or
just across the Line of Control, and 1947-48 was fought inside Jammu and
Kashmir), end, length in days, peak rung on the model's
ladder, whether both sides were nuclear (``nuclear_era``: 1990 on), third-party
mediation (yes / informal / contested / no), the mediator, the channel used,
the certainty of the coding and sources.

``patterns(crises)`` turns a set of crises into the numbers the model is
calibrated and validated against (see ``model.lab.calibration``):

* ``peak_share``: share of crises peaking at rungs 2, 3, 4 and >= 5;
* ``lag``: days from the trigger to the first kinetic action, crises with one;
* ``kinetic``: days from the first kinetic action to the end of the crisis
  (``kinetic_days = duration - lag_kinetic``, the model's convention too);
* ``lag_strike`` (per crisis, in ``load``): days from the trigger to the first
  strike on territory, NaN without one;
* ``duration``: days from the trigger to the end;
* ``third_party``: share of crises with third-party involvement (mediation
  ``yes``, ``informal`` or ``contested``); ``mediated_strict`` counts ``yes`` only;
* ``per_decade``: crises per ten years over the period covered.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ... import HOME
from .measures import peak_shares, record_per_decade

PATH = HOME / "data" / "india_pakistan_crises.csv"
THIRD_PARTY = ("yes", "informal", "contested")
NUCLEAR_ERA_START = 1990  # both sides nuclear-capable (ICB: Kashmir III, 1990)


def load(path: Path | str = PATH) -> pd.DataFrame:
    """The record with dates parsed, numbers as numbers and derived lags (days)."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for col in ("start", "first_kinetic", "first_strike", "end"):
        df[col] = pd.to_datetime(df[col].replace("", None), format="%Y-%m-%d")
    df["id"] = df["id"].astype(int)
    df["days"] = df["days"].astype(int)
    df["peak_rung"] = df["peak_rung"].astype(int)
    df["nuclear_era"] = df["nuclear_era"].map({"yes": True, "no": False}).astype(bool)
    df["mediation"] = df["mediation"].str.strip().str.lower()
    df["third_party"] = df["mediation"].isin(THIRD_PARTY)
    df["lag_kinetic"] = (df["first_kinetic"] - df["start"]).dt.days  # NaN without kinetic action
    df["lag_strike"] = (df["first_strike"] - df["start"]).dt.days  # NaN without a strike on territory
    df["kinetic_days"] = (df["end"] - df["first_kinetic"]).dt.days
    df["duration"] = (df["end"] - df["start"]).dt.days
    return df


def nuclear_era(df: pd.DataFrame) -> pd.DataFrame:
    """Crises since both sides went nuclear (1990 on): the record the status quo is calibrated to."""
    return df[df["nuclear_era"]].reset_index(drop=True)


def patterns(df: pd.DataFrame, first_year: int = NUCLEAR_ERA_START, last_year: int | None = None) -> dict:
    """The calibration patterns of a set of crises (by default: as if covering first_year to the latest crisis's year)."""
    last_year = int(df["start"].dt.year.max()) if last_year is None else last_year
    years = last_year - first_year + 1
    kinetic = df[df["first_kinetic"].notna()]
    return dict(
        n=len(df),
        peak=df["peak_rung"].to_numpy(),
        peak_share=peak_shares(df["peak_rung"]),
        lag=kinetic["lag_kinetic"].to_numpy(dtype=float),
        kinetic=kinetic["kinetic_days"].to_numpy(dtype=float),
        duration=df["duration"].to_numpy(dtype=float),
        third_party=float(df["third_party"].mean()),
        third_party_n=int(df["third_party"].sum()),
        mediated_strict=float((df["mediation"] == "yes").mean()),
        per_decade=record_per_decade(len(df), years),
        by_decade={int(d): int(n) for d, n in (df["start"].dt.year // 10 * 10).value_counts().sort_index().items()},
        years=years,
    )
