"""Property tests over every allowed value of the schema (issue 14, case 4): outputs finite, rungs reachable.

A seeded sampler over the ranges that ``model.params`` declares for each
field (its metadata: lo, hi, kind, per side): every field at each end of its
range with the others at the preset's values, then random combinations of
all of them. All settings run in one compiled call (settings are leaves), so
the whole schema is covered in one compile.

Reachable rungs, from the ladder's rules (docs/ODD.md): a leader climbs at
most two rungs a day and an incident one more (so at most three); nuclear use
(rung 6) needs the crisis to have stood at rung 2 or above the day before
(full war by choice or incident, then inadvertent use), and at rung 5 or
above when inadvertent use is off (``dyad.nuclear_risk = 0``: a leader may
choose rung 6 only from full war); rung 6 is absorbing.
"""

from __future__ import annotations

import dataclasses

import jax.numpy as jnp
import numpy as np
import pytest

from redphone.model import dyad, engine
from redphone.model.config import FIELDS, build, compose
from redphone.model.params import GROUPS, stack

SIZES = {"population.public": 40, "population.media": 3, "population.neighbours": 4}
DAYS, REPLICATES = 60, 2
# integer-valued fields written as floats in the schema are still sampled as floats: the kernels take floats
FLOAT_OUTPUTS_MAY_BE_NAN = dyad.NEVER_IS_NAN  # NaN: the event never happened
pytestmark = pytest.mark.xdist_group("properties")  # the module's one compiled run, made once (pytest-xdist)


def _value(meta, rng, where: str):
    lo, hi = meta["lo"], meta["hi"]
    if meta["kind"] is bool:
        return bool(rng.integers(2)) if where == "random" else (where == "hi")
    if where == "lo":
        return float(lo)
    if where == "hi":
        return float(hi)
    draw = lambda: float(rng.uniform(lo, hi))  # noqa: E731
    return [draw(), draw()] if meta["side"] else draw()


def _consistent(overrides: dict) -> dict:
    """The cross-field rules of the schema: evidence_min <= evidence_max, severity_min <= crisis_severity (a pair
    out of order is swapped, so each drawn value is still tested)."""
    defaults = compose("india_pakistan_2025").dyad
    for low, high in (("evidence_min", "evidence_max"), ("severity_min", "crisis_severity")):
        lo, hi = overrides.get(f"dyad.{low}"), overrides.get(f"dyad.{high}")
        lo = defaults[low] if lo is None else lo
        hi = defaults[high] if hi is None else hi
        if lo > hi:
            overrides = {**overrides, f"dyad.{low}": hi, f"dyad.{high}": lo}
    return overrides


def settings(n_random: int = 24, seed: int = 0, skip=()) -> list[dict]:
    """Overrides: every field at each end of its range, one at a time; then n_random draws of every field at once."""
    rng = np.random.default_rng(seed)
    out = []
    for key, meta in FIELDS.items():
        for where in ("lo", "hi"):
            value = _value(meta, rng, where)
            if (key, value) not in skip:
                out.append(_consistent({key: value}))
    for _ in range(n_random):
        out.append(_consistent({key: _value(meta, rng, "random") for key, meta in FIELDS.items()}))
    return out


def run(overrides: list[dict], preset: str = "india_pakistan_2025"):
    """(daily outputs, summaries, each setting's inadvertent nuclear risk): leading axes (setting, replicate)."""
    built = [build(compose(preset, {**SIZES, **o})) for o in overrides]
    dims, stacked = built[0][1], stack([p for p, _ in built])
    daily, summary = engine.run_settings(jnp.int32(7), jnp.arange(REPLICATES, dtype=jnp.int32), stacked, dims, DAYS)
    return daily, summary, np.asarray(stacked.dyad.nuclear_risk)


def violations(daily: dict, summary: dict, overrides: list[dict], nuclear_risk) -> list[str]:
    """One line per setting that breaks a property, naming the setting."""
    problems = []
    rung = np.asarray(daily["rung"])  # (setting, replicate, day, side)
    level = np.asarray(daily["crisis_level"])  # (setting, replicate, day)
    for s, setting in enumerate(overrides):
        name = ", ".join(f"{k}={v}" for k, v in setting.items()) if len(setting) < 4 else f"random combination #{s}"
        name = name or "the preset's values"
        for key, value in daily.items():
            v = np.asarray(value[s])
            if np.issubdtype(v.dtype, np.floating) and not np.isfinite(v).all():
                problems.append(f"{name}: daily {key} is not finite")
        for key, value in summary.items():
            v = np.asarray(value[s])
            if np.issubdtype(v.dtype, np.floating):
                bad = np.isinf(v) if key in FLOAT_OUTPUTS_MAY_BE_NAN else ~np.isfinite(v)
                if bad.any():
                    problems.append(f"{name}: summary {key} is not finite")
        r, lv = rung[s], level[s]
        if r.min() < 0 or r.max() > 6 or not (lv == r.max(axis=-1)).all():
            problems.append(f"{name}: rungs outside 0-6, or crisis level is not the higher rung")
            continue
        previous = np.concatenate([np.zeros_like(r[:, :1]), r[:, :-1]], axis=1)
        previous_level = np.concatenate([np.zeros_like(lv[:, :1]), lv[:, :-1]], axis=1)
        jumped = (r < 6) & (r > previous + 3)
        if jumped.any():
            problems.append(f"{name}: a rung climbed more than 3 in a day")
        lowest = 2 if nuclear_risk[s] > 0 else 5  # inadvertent use (from full war reached today), else by choice only
        nuclear = (r == 6) & (previous < 6) & (previous_level[..., None] < lowest)
        if nuclear.any():
            problems.append(f"{name}: nuclear use from a crisis level below {lowest} the day before")
        if ((previous_level == 6) & (lv < 6)).any():
            problems.append(f"{name}: rung 6 left (it is absorbing)")
    return problems


# the lead fixes rationality = 0 in the kernel (Model v2, on main): it is tested on its own below
RATIONALITY_ZERO = ("political.rationality", 0.0)
# with and without inadvertent nuclear use: a random choice must still respect the ladder
RATIONALITY_ZERO_SETTINGS = [{RATIONALITY_ZERO[0]: RATIONALITY_ZERO[1]}, {RATIONALITY_ZERO[0]: RATIONALITY_ZERO[1], "dyad.nuclear_risk": 0.0}]


@pytest.fixture(scope="module")
def runs():
    """The three groups of settings below as slices of one compiled call (one compile, not three):
    name -> (overrides, daily, summary, nuclear risk), each with leading axes (setting, replicate)."""
    groups = {"schema": settings(skip={RATIONALITY_ZERO}), "rationality_zero": RATIONALITY_ZERO_SETTINGS, "preset": [{}]}
    daily, summary, risk = run([o for overrides in groups.values() for o in overrides])
    daily, summary = ({k: np.asarray(v) for k, v in part.items()} for part in (daily, summary))
    out, start = {}, 0
    for name, overrides in groups.items():
        part = slice(start, start + len(overrides))
        out[name] = (overrides, {k: v[part] for k, v in daily.items()}, {k: v[part] for k, v in summary.items()}, risk[part])
        start += len(overrides)
    return out


def test_every_allowed_value_gives_finite_outputs_and_reachable_rungs(runs):
    overrides, daily, summary, risk = runs["schema"]
    assert len(overrides) >= 2 * len(FIELDS) - 1 + 24
    covered = {key for o in overrides for key in o}
    assert covered == set(FIELDS)  # every field of the schema is varied
    problems = violations(daily, summary, overrides, risk)
    assert not problems, "\n".join(problems[:20])


def test_rationality_zero_gives_finite_outputs_and_reachable_rungs(runs):
    overrides, daily, summary, risk = runs["rationality_zero"]
    problems = violations(daily, summary, overrides, risk)
    assert not problems, "\n".join(problems)


def test_the_properties_can_fail(runs):
    """The checks catch what they claim to: a rung that jumps, nuclear use from calm, a NaN."""
    overrides, daily, summary, risk = runs["preset"]
    daily = {k: np.array(v) for k, v in daily.items()}
    assert violations(daily, summary, overrides, risk) == []
    broken = {k: v.copy() for k, v in daily.items()}
    broken["rung"][0, 0, 5:, :] = 6
    broken["crisis_level"][0, 0, 5:] = 6
    broken["rung"][0, 0, 4, :] = 0
    broken["crisis_level"][0, 0, 4] = 0
    assert any("nuclear use" in p for p in violations(broken, summary, overrides, risk))
    broken["rung"][0, 0, 4, :] = 3
    broken["crisis_level"][0, 0, 4] = 3
    assert violations(broken, summary, overrides, risk) == [] and violations(broken, summary, overrides, risk * 0) != []
    broken = {k: v.copy() for k, v in daily.items()}
    broken["hostility_mean"][0, 1, 3, 1] = np.nan
    assert any("hostility_mean is not finite" in p for p in violations(broken, summary, overrides, risk))


def test_the_sampler_covers_each_field_s_range():
    rng = np.random.default_rng(1)
    for name, cls in GROUPS.items():
        for f in dataclasses.fields(cls):
            meta = f.metadata
            if meta["kind"] is bool:
                continue
            values = np.ravel([_value(meta, rng, "random") for _ in range(50)])
            assert meta["lo"] <= values.min() and values.max() <= meta["hi"], f"{name}.{f.name}"
