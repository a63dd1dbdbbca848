"""Sobol indices and PRIM on batched runs (small N), and PRIM on a known box."""

import numpy as np
import pandas as pd
import pytest

from redphone.model.lab import sensitivity


def test_prim_finds_a_known_box():
    rng = np.random.default_rng(0)
    names = ["a", "b", "c"]
    sample = rng.uniform(size=(400, 3))
    prob = dict(num_vars=3, names=names, bounds=[[0, 1]] * 3)
    hit = (sample[:, 0] > 0.7) & (sample[:, 1] < 0.4)
    results = pd.DataFrame({"p_rung5": hit.astype(float), "institutions.hotline": 0, "institutions.track2": 0})
    box, stats, share, _ = sensitivity.prim(sample, prob, results, threshold=0.5)
    assert share == pytest.approx(hit.mean())
    assert set(box.index) == {"a", "b"}
    assert float(box.loc["a", "min"]) == pytest.approx(0.7, abs=0.05) and float(box.loc["b", "max"]) == pytest.approx(0.4, abs=0.05)
    assert stats["density"] >= 0.75


def test_small_sobol_design_on_batched_runs():
    prob, sample, settings, dims, _ = sensitivity.design(2, seed=0, population=20, media=2, days=30)
    assert prob["num_vars"] == len(sensitivity.FACTORS) >= 12
    assert len(settings) == len(sample) * 4 == 2 * (len(sensitivity.FACTORS) + 2) * 4
    results = sensitivity.run(settings, dims, 30, 2, seed=0, chunk=len(settings))
    assert results[["institutions.hotline", "institutions.track2"]].drop_duplicates().shape[0] == 4
    assert results.p_rung4.between(0, 1).all() and (results.crisis_days >= 0).all()
    indices = sensitivity.sobol(prob, results, len(sample), seed=0)
    assert {"S1", "ST", "S1_conf", "ST_conf"} <= set(indices.columns)
    assert set(indices.parameter) == set(sensitivity.FACTORS)
