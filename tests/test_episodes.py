"""A crisis episode's own record (issue 22): what the summary says of the first episode belongs to it.

Each test failed on the code before the fix it names.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest

from redphone.model import engine
from redphone.model.config import ConfigError, build, compose, errors, validate

ROOT = Path(__file__).resolve().parent.parent
SMALL = {"population.public": 200, "population.media": 6}


def _run(preset: str, overrides: dict, replicates: int, days: int):
    params, dims = build(compose(preset, {**SMALL, **overrides, "days": days}))
    daily, summary = engine.run_replicates(jnp.int32(5), jnp.arange(replicates, dtype=jnp.int32), params, dims, days)
    return {k: np.asarray(v) for k, v in daily.items()}, {k: np.asarray(v) for k, v in summary.items()}


def _first_episode(in_crisis: np.ndarray) -> tuple[int, int] | None:
    """(first day, end day) of the first episode from the daily in_crisis (end: the first day it is 0 again)."""
    open_days = np.flatnonzero(in_crisis > 0.5)
    if not open_days.size:
        return None
    start = int(open_days[0])
    after = np.flatnonzero(in_crisis[start:] < 0.5)
    return start, start + int(after[0]) if after.size else len(in_crisis)


def test_days_to_ceasefire_belongs_to_the_first_episode():
    """A run whose first episode ends without a ceasefire has no days_to_ceasefire, whatever later crises do
    (it came from a later crisis in about 20 of 291 runs)."""
    daily, summary = _run("india_pakistan_2025", {"dyad.attack_rate": 6.0}, replicates=96, days=365)
    later, checked = 0, 0
    for r in range(96):
        episode = _first_episode(daily["in_crisis"][r])
        if episode is None:
            continue
        start, end = episode
        ceasefires = np.flatnonzero(daily["ceasefire"][r][start:end + 1] > 0.5)
        expected = float(ceasefires[0]) if ceasefires.size else np.nan
        later += bool(np.isnan(expected) and np.flatnonzero(daily["ceasefire"][r] > 0.5).size)
        checked += 1
        np.testing.assert_equal(float(summary["days_to_ceasefire"][r]), expected, err_msg=f"replicate {r}")
    assert checked > 50 and later > 0, (checked, later)  # the case the bug was about occurs in this batch


def test_the_opening_day_of_an_escalation_has_its_own_third_party():
    """A crisis opened by escalation (no severe attack) draws its third party before the day's channels: with
    a third party always willing and stepping in at level 2, it mediates on the opening day (the previous
    episode's willingness, none at the start, applied that day)."""
    overrides = {
        "dyad.crisis_severity": 1.0,  # no attack is severe: every episode opens by escalation
        "dyad.attack_rate": 8.0,
        "institutions.mediation": True,
        "mediation.p_willing": 1.0, "mediation.p_intervene": 1.0, "mediation.threshold": 2.0, "mediation.refuse": [0.0, 0.0],
    }
    daily, _ = _run("india_pakistan_2025", overrides, replicates=32, days=200)
    opened = (daily["in_crisis"] > 0.5) & (np.pad(daily["in_crisis"], ((0, 0), (1, 0)))[:, :-1] < 0.5)
    assert opened.sum() > 10
    assert np.all(daily["mediation"][opened] > 0.5), f"{int((daily['mediation'][opened] < 0.5).sum())} of {int(opened.sum())} opening days unmediated"


@pytest.mark.parametrize("value", [0.0, 0.2])
def test_crisis_severity_below_the_weakest_attack_is_refused(value):
    (problem,) = errors(compose("india_pakistan_2025", {"dyad.crisis_severity": value}))
    assert problem.startswith(f"dyad.crisis_severity = {value}: expected a number in [dyad.severity_min = 0.3, 1]"), problem
    with pytest.raises(ConfigError, match="dyad.crisis_severity"):
        validate(compose("india_pakistan_2025", {"dyad.crisis_severity": value}))


def test_crisis_severity_is_refused_on_the_command_line_in_one_line():
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "run.py"), "dyad.crisis_severity=0", "replicates=1", "days=2"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("error: dyad.crisis_severity = 0") and "Traceback" not in done.stderr


def test_a_day_without_an_attack_opens_no_crisis():
    """With every attack severe (both thresholds 0) and no attacks, nothing happens (a never-ending crisis before)."""
    daily, summary = _run("india_pakistan_2025", {"dyad.severity_min": 0.0, "dyad.crisis_severity": 0.0, "dyad.attack_rate": 0.0, "events": []}, 4, 60)
    assert not daily["in_crisis"].any() and not summary["crises"].any()
