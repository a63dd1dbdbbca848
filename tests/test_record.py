"""The India-Pakistan record: the reader on the real file, and the patterns taken from it."""

import numpy as np
import pandas as pd

from redphone.model.lab import record


def test_reads_the_real_file():
    df = record.load()
    assert len(df) == 11
    assert df["id"].tolist() == [1947, 1965, 1971, 1987, 1990, 1999, 2001, 2008, 2016, 2019, 2025]
    assert pd.api.types.is_datetime64_any_dtype(df["start"]) and pd.api.types.is_datetime64_any_dtype(df["end"])
    assert df["peak_rung"].between(0, 6).all()
    # the days column agrees with the dates
    assert (df["duration"] == df["days"]).all()
    # kinetic action never before the trigger, nor after the end
    kin = df[df["first_kinetic"].notna()]
    assert (kin["lag_kinetic"] >= 0).all() and (kin["kinetic_days"] >= 0).all()
    assert set(df["certainty"]) <= {"high", "medium", "low"}
    assert df["sources"].str.len().gt(0).all()


def test_nuclear_era_patterns():
    pat = record.patterns(record.nuclear_era(record.load()))
    assert pat["n"] == 7
    np.testing.assert_allclose(pat["peak_share"], [3 / 7, 2 / 7, 2 / 7, 0])  # none reached full war
    assert pat["lag"].tolist() == [23, 11, 12, 15]  # Kargil, Uri, Pulwama-Balakot, Pahalgam-Sindoor
    assert pat["kinetic"].tolist() == [61, 16, 3, 3]
    assert np.median(pat["duration"]) == 42
    assert pat["third_party_n"] == 6 and abs(pat["mediated_strict"] - 4 / 7) < 1e-12
    assert pat["by_decade"] == {1990: 2, 2000: 2, 2010: 2, 2020: 1}
    assert abs(pat["per_decade"] - 70 / 36) < 1e-12


def test_before_1990_three_wars():
    df = record.load()
    assert (df.loc[~df["nuclear_era"], "peak_rung"] >= 5).sum() == 3
    assert (df.loc[df["nuclear_era"], "start"].dt.year >= 1990).all()
