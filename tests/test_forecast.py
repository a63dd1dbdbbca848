"""Leave-future-out forecasts (make forecast): the holdouts, the report of what misses, and the quick command."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from redphone.commands import forecast
from redphone.model.lab import hindcast, inference, scores

ROOT = Path(__file__).resolve().parent.parent


def test_the_holdouts_are_the_future_of_what_is_fitted():
    order = list(inference.CRISES)
    for name, held in forecast.HOLDOUTS.items():
        fitted = [c for c in order if c not in held]
        # every crisis held out comes after every crisis fitted: a forecast, never a backcast
        assert max(order.index(c) for c in fitted) < min(order.index(c) for c in held), name
    assert forecast.HOLDOUTS["fit to 2016"] == ("pulwama_2019", "pahalgam_2025")
    assert forecast.HOLDOUTS["fit to 2019"] == ("pahalgam_2025",)


def test_the_fit_refuses_a_holdout_that_is_no_crisis():
    with pytest.raises(ValueError, match="not hindcast crises"):
        inference.fit(None, inference.Budget.quick(), 0, np.random.default_rng(0), holdout=("atlantis_2030",))


def test_the_held_out_crises_leave_the_record_statistics_the_fit_is_conditioned_on():
    mask = np.array([c != "pahalgam_2025" for c in inference.CRISES])
    rec = inference.record_crises()
    # 2025 peaked at 4: without it one of six crises peaked at 4, with it two of seven
    peak_4 = inference.STATS.index("peak_4")
    assert inference.observed()[peak_4] == pytest.approx(2 / 7) and inference.observed(mask)[peak_4] == pytest.approx(1 / 6)
    assert rec["peak"].shape == (1, 7)


def _results(model_draws: dict) -> dict:
    """Forecast results as forecast.forecast returns them, from given draws of every crisis (the null pools them)."""
    per = {c: {m: np.asarray(model_draws.get(c, model_draws["other"])[m], float) for m in ("peak", "lag", "duration", "mediated")}
           for c in inference.CRISES}
    out = {}
    for name, held in forecast.HOLDOUTS.items():
        rows = scores.against_null({c: per[c] for c in held}, hindcast.historical(), forecast.MEASURES, forecast.EVENTS, null_from=per)
        out[name] = dict(per=per, rows=rows)
    return out


def test_the_report_names_every_score_no_better_than_the_null():
    right = dict(peak=[4, 4, 4, 3], lag=[12, 14, 15, 13], duration=[15, 18, 20, 16], mediated=[1, 1, 1, 0])
    other = dict(peak=[2, 2, 3, 2], lag=[np.nan, 30, np.nan, 25], duration=[15, 18, 20, 16], mediated=[1, 1, 1, 0])
    results = _results(dict(pulwama_2019=right, pahalgam_2025=right, other=other))
    text = forecast.markdown(results, 4)
    assert text.count("| fit to 2016 | pulwama_2019 |") == 1 + len(forecast.MEASURES) + len(forecast.EVENTS)
    # the durations are drawn alike everywhere: the forecast cannot beat the null there, and the report says so
    assert "No better than the null:" in text and "pahalgam_2025 duration (fit to 2019)" in text
    assert "pahalgam_2025 peak (" not in text.split("No better than the null:")[1]
    table = forecast.table(results)
    assert set(table["fit"]) == set(forecast.HOLDOUTS) and len(table) == 3 * (len(forecast.MEASURES) + len(forecast.EVENTS))


@pytest.mark.slow
def test_make_forecast_quick_writes_the_table_the_figure_and_the_doc_block(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "forecast.py"), "--quick", "--draws", "8", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=900, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    table = pd.read_csv(tmp_path / "forecast.csv")
    assert len(table) == 3 * (len(forecast.MEASURES) + len(forecast.EVENTS))
    assert np.isfinite(table[["model", "null"]].to_numpy()).all()
    text = (tmp_path / "forecast.md").read_text()
    assert "| fit to 2016 | pulwama_2019 |" in text and "beat the pooled null on" in text
    assert (tmp_path / "forecast.png").stat().st_size > 10_000 and not list(tmp_path.glob(".*.tmp"))
