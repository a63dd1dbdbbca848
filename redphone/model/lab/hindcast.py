"""Replay of the record: one hindcast preset per India-Pakistan crisis since 1990.

Each preset (``configs/preset/<name>.yaml``) carries its crisis's trigger, era
(precedent), channels and third parties, and extends the status quo. A
simulated *history* is one first episode per preset; its statistics are the
first episode's measures (``lab.measures.episode``, from ``dyad.summary``, the
one definition of an episode), compared with the same measures of the record
row of the same crisis (``lab.measures.record_episode``).
The table of measures, model side and record side, is in ``lab.measures``.

All presets of a call run as stacked settings of one compiled call
(``engine.run_settings``); they share population sizes and days.

**The ranking test** (``ranking``, ``scored``, ``verdict``): do the crises
differ in the model as they do in the record? Spearman's rank correlation
between the presets' simulated medians and the record's values, for the
duration, peak and lag (``RANKED``; "no kinetic action" above every lag),
and a proper score per crisis (``lab.scores``: CRPS for the duration and lag,
log loss for the peak) against the null that gives every crisis the seven
presets' draws pooled. The goal (issue 21): the model beats the null on the
duration and the peak (a lower mean score) and the durations' rank
correlation is at least ``GOAL_RANK``.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from .. import engine
from ..config import build, compose
from ..params import Params, stack
from . import measures, record, scores

# preset -> record id (data/india_pakistan_crises.csv)
HINDCASTS = dict(
    kashmir_1990=1990, kargil_1999=1999, twin_peaks_2001=2001, mumbai_2008=2008,
    uri_2016=2016, pulwama_2019=2019, pahalgam_2025=2025,
)
DAYS = measures.HORIZON
STATISTICS = tuple(measures.EPISODE)  # the first episode's measures (lab.measures), against the record's
LABELS = measures.LABELS


def presets_params(population: int = 500, media: int = 10, overrides: dict | None = None, days: int = DAYS):
    """(list of Params, one per hindcast preset, in HINDCASTS order; the shared Dims)."""
    params, dims = [], None
    for name in HINDCASTS:
        cfg = compose(name, {"population.public": population, "population.media": media, "days": days, **(overrides or {})})
        p, dims = build(cfg)
        params.append(p)
    return params, dims


_stats = jax.jit(measures.episode)


def run(params: list[Params], dims, replicates: int, seed: int, days: int = DAYS) -> dict:
    """Each setting x replicates in one compiled call: {statistic: array (setting, replicate)}."""
    reps = jnp.arange(replicates, dtype=jnp.int32)
    _, summary = engine.run_settings(jnp.int32(seed), reps, stack(params), dims, days)
    return {k: np.asarray(v, dtype=float) for k, v in jax.device_get(_stats(summary)).items()}


def simulate(replicates: int, seed: int, population: int = 500, media: int = 10, overrides: dict | None = None) -> dict:
    """{preset: {statistic: array (replicate,)}} for the seven hindcast presets."""
    params, dims = presets_params(population, media, overrides)
    out = run(params, dims, replicates, seed)
    return {name: {k: v[i] for k, v in out.items()} for i, name in enumerate(HINDCASTS)}


def historical() -> dict:
    """{preset: {statistic: value}} from the record (NaN where the crisis had no kinetic action)."""
    rows = record.load().set_index("id").loc[list(HINDCASTS.values())]
    values = measures.record_episode(rows)
    return {name: {k: float(v[i]) for k, v in values.items()} for i, name in enumerate(HINDCASTS)}


def percentile(simulated: np.ndarray, value: float) -> float:
    """Mid-rank percentile of a historical value among simulated ones: 100 x (P(X < x) + P(X = x) / 2).

    "None" (NaN: no kinetic action) is a value of its own, ranked above every
    number (a crisis without a strike is one whose strike never came). NaN
    when there are no simulated values.
    """
    x = np.asarray(simulated, float)
    if len(x) == 0:
        return float("nan")
    big = np.inf
    x = np.where(np.isnan(x), big, x)
    v = big if np.isnan(value) else value
    return float(100.0 * (np.mean(x < v) + 0.5 * np.mean(x == v)))


def table(sim: dict, hist: dict | None = None) -> list[dict]:
    """One row per crisis and statistic: historical value, simulated median and 90% range, share with none, percentile."""
    hist = hist or historical()
    rows = []
    for name in HINDCASTS:
        for stat in STATISTICS:
            x = sim[name][stat]
            finite = x[~np.isnan(x)]
            rows.append(dict(
                crisis=name, statistic=stat, historical=hist[name][stat],
                median=float(np.median(finite)) if len(finite) else float("nan"),
                low=float(np.percentile(finite, 5)) if len(finite) else float("nan"),
                high=float(np.percentile(finite, 95)) if len(finite) else float("nan"),
                none_share=float(np.mean(np.isnan(x))), n=len(x), percentile=percentile(x, hist[name][stat]),
            ))
    return rows


RANKED = ("duration", "peak", "lag")  # the measures whose order across crises the ranking test compares
SCORED = ("duration", "peak", "lag")  # scored per crisis against the pooled null
BEAT_NULL = ("duration", "peak")  # where the goal asks the model to beat the null
GOAL_RANK = 0.7  # the durations' rank correlation the goal asks for


def median(stat: str, x) -> float:
    """A sample's median as ranked and scored: "never" as ``measures.NEVER`` gives it (a lag never seen: the horizon)."""
    return float(np.median(measures.as_number(stat, x))) if len(x) else float("nan")


def ranking(sim: dict, hist: dict | None = None) -> list[dict]:
    """Per ``RANKED`` measure: Spearman's rho between the presets' simulated medians and the record, over the crises."""
    hist = hist or historical()
    rows = []
    for stat in RANKED:
        model = [median(stat, sim[name][stat]) for name in HINDCASTS]
        rec = [hist[name][stat] for name in HINDCASTS]
        rows.append(dict(measure=stat, rho=scores.spearman(model, rec), crises=len(model)))
    return rows


def scored(sim: dict, hist: dict | None = None) -> list[dict]:
    """Per crisis and ``SCORED`` measure: the model's proper score and the pooled null's (``lab.scores``; lower is better)."""
    return scores.against_null({name: sim[name] for name in HINDCASTS}, hist or historical(), SCORED)


def verdict(ranks: list[dict], rows: list[dict]) -> dict:
    """Mean scores of model and null per measure, whether the model beats the null, and whether the goal is met."""
    mean = {m: (float(np.mean([r["model"] for r in rows if r["measure"] == m])), float(np.mean([r["null"] for r in rows if r["measure"] == m])))
            for m in SCORED}
    rho = {r["measure"]: r["rho"] for r in ranks}
    beats = {m: mean[m][0] < mean[m][1] for m in SCORED}
    met = all(beats[m] for m in BEAT_NULL) and bool(rho["duration"] >= GOAL_RANK)
    return dict(mean=mean, beats=beats, rho=rho, met=met)
