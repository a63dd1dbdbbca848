import numpy as np

from model import record


def test_the_record_loads_with_parsed_dates_and_rungs():
    table = record.load()
    assert len(table) == 11
    assert table["start"].dt.year.tolist()[0] == 1947 and table["id"].iloc[-1] == "2025"
    assert table["peak_rung"].between(0, 6).all()
    # no crisis since both sides went nuclear reached full war (rung 5)
    assert record.nuclear_era(table)["peak_rung"].max() == 4
    assert (table["end"] >= table["start"]).all()
    # crises that never turned kinetic have no first_kinetic date
    assert table.loc[table["id"] == "2001", "first_kinetic"].isna().all()


def test_crisis_frequency_and_peak_rungs():
    table = record.load()
    era = record.nuclear_era(table)
    assert len(era) == 7
    assert record.crises_per_decade(table, 1990, 2025) == 10 * 7 / 36
    shares = record.peak_rung_shares(era)
    assert abs(shares.sum() - 1.0) < 1e-12 and shares[2] == 3 / 7 and shares[4] == 2 / 7 and shares[5] == 0
    lags = record.kinetic_lag_days(era)
    assert np.all(lags >= 0) and len(lags) == 4
