"""The fitted keys and how fitted values enter presets and parameter pytrees (model.lab.calibration)."""

import numpy as np
import pytest

from redphone.model.config import build, compose
from redphone.model.lab import calibration, inference


def test_every_fitted_key_is_a_parameter_with_a_documented_range():
    cfg = compose("india_pakistan_2025")
    for free in calibration.FIT:
        group, name = free.key.split(".")
        assert name in cfg[group], free.key
        assert free.lo < free.hi and free.why.strip(), free.key
        assert all(free.lo <= lv <= free.hi for lv in free.levels)


def test_fitted_values_write_as_presets_with_side_b_keeping_its_ratio():
    values = dict(zip(inference.NAMES, inference.PRIOR_BOX.draw(1, np.random.default_rng(1))[0]))
    cfg, base, _ = calibration.setup("india_pakistan_2025", 20, 2, 10)
    ratio = calibration.ratios(cfg)
    entries = calibration.preset_values(values, ratio)
    b_over_a = cfg.military.influence[1] / cfg.military.influence[0]
    assert entries["military.influence"][1] == pytest.approx(min(1.0, round(values["military.influence"] * b_over_a, 4)), abs=1e-4)
    params = calibration.with_values(base, values, ratio)
    assert float(params.political.step_cost[0]) == pytest.approx(values["political.step_cost"], rel=1e-4)
    # the entries are a valid preset
    over = {k: v for k, v in entries.items()}
    build(compose("india_pakistan_2025", over))
