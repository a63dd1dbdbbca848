import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("JAX_ENABLE_X64", "0")


@pytest.fixture(scope="session")
def small():
    """A small status-quo setting: (config, params, dims)."""
    from model.config import build, compose

    cfg = compose("india_pakistan_2025", {"population.public": 300, "population.media": 8})
    params, dims = build(cfg)
    return cfg, params, dims
