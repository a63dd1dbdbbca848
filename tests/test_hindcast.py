"""The hindcast presets and `make hindcast`: the record replayed crisis by crisis."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from redphone.model.lab import hindcast, record
from redphone.model.config import build, compose

ROOT = Path(__file__).resolve().parent.parent


def test_every_crisis_since_1990_has_a_preset_that_extends_the_status_quo():
    era = record.nuclear_era(record.load())
    assert sorted(hindcast.HINDCASTS.values()) == sorted(era["id"].tolist())
    base = compose("india_pakistan_2025")
    for name in hindcast.HINDCASTS:
        cfg = compose(name)
        build(cfg)  # valid
        assert cfg.preset == name and cfg.days == hindcast.DAYS and len(cfg.events) >= 1
        assert cfg.political.resolve_reward == base.political.resolve_reward  # the calibrated values come from the status quo
    assert list(compose("uri_2016").political.precedent) == [0.0, 0.0]  # before the first publicised strike
    assert list(compose("pulwama_2019").political.precedent)[0] > 0.5
    assert bool(compose("kargil_1999").institutions.backchannel) and not bool(base.institutions.backchannel)
    assert len(compose("twin_peaks_2001").events) == 2  # Kaluchak re-peaks the stand-off


def test_historical_values_come_from_the_record():
    hist = hindcast.historical()
    assert hist["pahalgam_2025"] == dict(peak=4.0, lag=15.0, kinetic=3.0, duration=18.0, mediated=1.0)
    assert np.isnan(hist["twin_peaks_2001"]["lag"]) and hist["uri_2016"]["mediated"] == 0.0


def test_percentile_is_mid_rank_and_ranks_none_above_every_number():
    assert hindcast.percentile(np.array([1.0, 2.0, 3.0, 4.0]), 2.0) == pytest.approx(37.5)
    assert hindcast.percentile(np.array([1.0, np.nan]), np.nan) == pytest.approx(75.0)
    assert hindcast.percentile(np.array([5.0, 6.0]), np.nan) == 100.0
    assert np.isnan(hindcast.percentile(np.array([]), 1.0))


@pytest.mark.slow
def test_make_hindcast_quick_writes_the_figure_and_the_table(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "hindcast.py"), "--quick", "--replicates", "4", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    table = pd.read_csv(tmp_path / "hindcast.csv")
    assert len(table) == 7 * len(hindcast.STATISTICS) and table["percentile"].between(0, 100).all()
    assert (tmp_path / "hindcast.png").stat().st_size > 10_000 and "| crisis |" in (tmp_path / "hindcast.md").read_text()
