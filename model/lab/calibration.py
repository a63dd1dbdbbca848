"""Calibration of the status quo by patterns: approximate Bayesian computation over batched runs.

The record since 1990 (``model.lab.record``) gives six patterns. Five are fitted,
one (the length of the kinetic phase) is held out and only checked:

==================  =====================================  ==========================================
pattern             simulated from                          distance term
==================  =====================================  ==========================================
peak rungs          first episode of each hindcast preset   total-variation distance of the shares 2/3/4/5+
lag to kinetic      same, replicates that reach rung 3       |log mean simulated - log mean historical|
duration            same (trigger to last day at level >=2)  |log median simulated - log median historical|
third party         same (a mediator stepped in)             |simulated share - historical share|
frequency           ``long_run`` (decade-long runs)          |log crises per decade ratio| + share of runs reaching rung 5
kinetic (held out)  same as lag                              not fitted; reported
==================  =====================================  ==========================================

A crisis is the kernels' episode (``model.dyad``: the one definition), and
every statistic is read from ``dyad.summary``: an episode counts as a crisis
once its level reaches 2 (the record has no crisis below mobilisation).
Durations end on the last day at level >= 2: the model then needs
``dyad.crisis_end_days`` calm days to declare the end, which the record's end
dates do not include.

``abc`` draws parameter vectors uniformly within the ranges of ``FIT`` (from
a fixed seed), runs them as stacked settings in one compiled call per chunk
(``engine.run_settings``), scores each, and keeps the closest (rejection ABC
with a quantile tolerance). ``refine`` re-runs the accepted draws with more
replicates and picks the best: the fitted values.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import jax.numpy as jnp
import numpy as np

from ..config import build, compose
from ..params import Params
from . import record
from .progress import quiet
from .stats import bootstrap_mean, wilson


@dataclass(frozen=True)
class Free:
    """A fitted parameter: dotted key, range, and why that range."""

    key: str
    lo: float
    hi: float
    why: str
    levels: tuple = ()  # a discrete parameter: drawn uniformly among these


# The parameters fitted, with the ranges the literature and the record allow (docs/validation.md).
FIT = (
    Free("political.resolve_reward", 2.0, 30.0, "audience-cost and diversionary literature gives no scale; wide range around the hand-tuned 12"),
    Free("political.rationality", 1.0, 15.0, "logit QRE precisions in experimental games span about 1-15 on utilities of order 1-10 (McKelvey & Palfrey 1995)"),
    Free("political.step_cost", 0.1, 3.0, "escalation ladder climbed stepwise (Kahn 1965); 2016-2025: one to two rungs a day at most"),
    Free("political.war_cost", 2.0, 20.0, "convex war costs; rung 5 cost between 1.4 and 14 utility units"),
    Free("military.influence", 0.15, 0.6, "civil-military literature: Pakistani army stronger than Indian (side B keeps the preset's ratio 0.5/0.35)"),
    Free("military.doctrine", 0.3, 2.0, "'quid pro quo plus' after 2019: military advises up to two rungs above the rival"),
    Free("dyad.ceasefire_base", 0.005, 0.15, "unmediated kinetic phases of days to weeks (1999: 61 days; 2016: 16)"),
    Free("mediation.p_intervene", 0.02, 0.6, "US involvement within days to weeks of a crisis (1990, 1999, 2001, 2008, 2019, 2025)"),
    Free("mediation.ceasefire", 0.02, 0.5, "brokered ceasefires within days of active mediation (1999, 2019, 2025)"),
    Free("mediation.threshold", 2.0, 3.0, "third parties stepped in at mobilisation (1990, 2001, 2008) or at fire (1999, 2019, 2025)", levels=(2.0, 3.0)),
    Free("dyad.crisis_end_days", 7.0, 45.0, "days of calm before a crisis is over (stand-down announcements weeks after the fighting)"),
    Free("dyad.attack_rate", 0.05, 1.0, "severe attacks blamed on Pakistan per year (side A; side B keeps the preset's ratio 0.05/0.2)"),
    # Model v2
    Free("operation.plan_mean", 5.0, 25.0, "Indian strikes 11-23 days after the trigger (1999, 2016, 2019, 2025); Cold Start aims at days (Ladwig 2007)"),
    Free("political.precedent_cost", 0.0, 15.0, "post-2016 'new normal': not retaliating costly at home (Jacob 2017); no scale in the literature"),
    Free("political.retaliation_cost", 0.0, 15.0, "stability-instability paradox: the cost of limited force grows with what the rival can answer (Krepon 2003)"),
    Free("political.escalation_risk", 0.0, 40.0, "the nuclear shadow over rungs 3-5: limited strikes (2019, 2025) but no full war since 1990 (Kapur 2007)"),
    Free("political.mobilisation_cost", 0.0, 1.0, "ten months of Operation Parakram at a cost that ended it (Nayak & Krepon 2006)"),
    Free("dyad.ceasefire_exchange", 0.05, 0.6, "2019 and 2025 ended 1-3 days after the retaliation"),
    Free("standoff.comply_mediation", 0.0, 0.05, "compliance signals under US pressure after weeks to months (Jan and May 2002; 1999; 1990)"),
)
HELD_OUT = "kinetic"
FIT_DAYS = 365  # the hindcast presets over a year, so that long crises are seen to end
LONG_DAYS = 3650  # decade-long runs of the long_run preset (rates per decade)
WEIGHTS = dict(peak=1.0, lag=1.0, duration=1.0, third_party=1.0, frequency=1.0)


# --------------------------------------------------------------------------- settings


def ratios(cfg) -> dict:
    """Side B / side A in the preset, for per-side parameters that differ by side (B keeps the ratio)."""
    out = {}
    for free in FIT:
        group, name = free.key.split(".")
        value = cfg[group][name]
        if hasattr(value, "__len__") and len(value) == 2 and float(value[0]) > 0:
            out[free.key] = float(value[1]) / float(value[0])
    return out


def preset_values(values: dict, ratio: dict) -> dict:
    """Fitted values as preset entries: one number, or a pair [A, B] where side B keeps the preset's ratio."""
    out = {}
    for key, v in values.items():
        if key in ratio:
            out[key] = [round(float(v), 4), round(min(float(v) * ratio[key], 1.0 if key == "military.influence" else 1e9), 4)]
        else:
            out[key] = round(float(v), 4)
    return out


def with_values(base: Params, values: dict, ratio: dict) -> Params:
    """A copy of the parameter pytree with the fitted keys set."""
    groups = {}
    for key, v in preset_values(values, ratio).items():
        group, name = key.split(".")
        groups.setdefault(group, {})[name] = v
    out = base
    for group, fields in groups.items():
        old = getattr(out, group)
        new = {}
        for name, v in fields.items():
            leaf = getattr(old, name)
            new[name] = jnp.broadcast_to(jnp.asarray(v, leaf.dtype), leaf.shape)
        out = dataclasses.replace(out, **{group: dataclasses.replace(old, **new)})
    return out


def draw(n: int, seed: int) -> list[dict]:
    """n parameter vectors drawn uniformly within FIT's ranges (discrete levels uniformly)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        one = {}
        for free in FIT:
            one[free.key] = float(rng.choice(free.levels)) if free.levels else float(rng.uniform(free.lo, free.hi))
        out.append(one)
    return out


def setup(preset: str, population: int, media: int, days: int, overrides: dict | None = None):
    cfg = compose(preset, {"population.public": population, "population.media": media, "days": days, **(overrides or {})})
    params, dims = build(cfg)
    return cfg, params, dims


def _patterns(daily, summary):
    """What the patterns need from each run (XLA drops the rest).

    Every statistic comes from ``dyad.summary``: the kernels' one definition of a crisis episode.
    """
    return dict(
        first_peak=summary["first_peak"], lag=summary["days_to_kinetic"], kinetic=summary["kinetic_days"],
        duration=summary["duration"], mediated=summary["first_mediated"], ended=summary["first_ended"],
        crises=summary["crises"], peak=summary["peak_rung"],
        hostility=summary["hostility_end_A"], hostility_B=summary["hostility_end_B"],
    )


def run_batched(params_list: list[Params], dims, days: int, replicates: int, seed: int, chunk: int, progress=None) -> dict:
    """Every setting x replicates, in compiled calls of `chunk` settings (``batch.run_stacked``, the one batched-run loop)."""
    from .batch import run_stacked  # noqa: PLC0415

    return run_stacked(params_list, dims, days, replicates, seed, keep=_patterns, block=chunk * replicates, chunk=chunk * replicates,
                       label="calibration", progress=progress or quiet)


# --------------------------------------------------------------------------- patterns of simulated crises


def first_crises(out: dict, i: int) -> list[dict]:
    """The first episode of each replicate of setting i (opened by the scripted day-0 attack), from ``dyad.summary``."""
    n = out["first_peak"].shape[1]
    return [
        dict(peak=int(out["first_peak"][i, r]), lag=float(out["lag"][i, r]), duration=float(out["duration"][i, r]),
             kinetic=float(out["kinetic"][i, r]) if out["ended"][i, r] else np.nan, mediated=bool(out["mediated"][i, r]))
        for r in range(n)
    ]


def crisis_patterns(crises: list) -> dict:
    """Simulated patterns over crises (first episodes of simulated histories that reached level 2)."""
    found = [c for c in crises if c is not None and c["peak"] >= 2]
    peaks = np.array([c["peak"] for c in found])
    lag = np.array([c["lag"] for c in found if np.isfinite(c["lag"])])
    kinetic = np.array([c["kinetic"] for c in found if np.isfinite(c["kinetic"])])
    duration = np.array([c["duration"] for c in found if np.isfinite(c["duration"])])
    return dict(
        n=len(crises), n_crises=len(found), peak=peaks, peak_share=record.peak_shares(peaks), lag=lag, kinetic=kinetic,
        duration=duration, third_party=float(np.mean([c["mediated"] for c in found])) if found else 0.0,
        third_party_n=int(sum(c["mediated"] for c in found)),
    )


def frequency_patterns(crises: np.ndarray, peak: np.ndarray, days: int) -> dict:
    """Long-run patterns of one setting: crises (``dyad.summary``'s count) per decade, share of runs reaching rung 5."""
    return dict(per_decade=np.asarray(crises, float) * 3650.0 / days, war=np.asarray(peak) >= 5)


# --------------------------------------------------------------------------- distance


def _log_gap(sim, hist, empty=2.0) -> float:
    return float(abs(np.log(max(sim, 0.5)) - np.log(hist))) if np.isfinite(sim) else empty


def distance(sim: dict, freq: dict, hist: dict, weights: dict = WEIGHTS) -> tuple[float, dict]:
    """Weighted sum of pattern distances (0 is a perfect fit), and each term."""
    terms = dict(
        peak=0.5 * float(np.abs(sim["peak_share"] - hist["peak_share"]).sum()) if sim["n_crises"] else 1.0,
        lag=_log_gap(np.mean(sim["lag"]) if len(sim["lag"]) else np.nan, np.mean(hist["lag"])),
        duration=_log_gap(np.median(sim["duration"]) if len(sim["duration"]) else np.nan, np.median(hist["duration"])),
        third_party=abs(sim["third_party"] - hist["third_party"]),
        frequency=_log_gap(float(np.mean(freq["per_decade"])), hist["per_decade"]) + float(np.mean(freq["war"])),
    )
    return sum(weights[k] * v for k, v in terms.items()), terms


# --------------------------------------------------------------------------- ABC


@dataclass
class Scale:
    """How big the runs are: citizens and outlets per side, replicates, chunk of settings per compiled call."""

    population: int = 200
    media: int = 8
    replicates: int = 16
    long_population: int = 200
    long_replicates: int = 4
    long_days: int = LONG_DAYS
    chunk: int = 64


def evaluate(values_list: list[dict], scale: Scale, seed: int, progress=None) -> list[dict]:
    """Patterns and distance of each parameter vector: simulated histories and decade-long long_run runs.

    A simulated history is the first episode of each of the seven hindcast
    presets (``model.lab.hindcast``: one per crisis since 1990, with its own
    trigger, era, channels and third parties), as the record is seven crises;
    ``scale.replicates`` histories per vector. Every (vector, preset) pair is
    one stacked setting of the same compiled calls.
    """
    from . import hindcast  # noqa: PLC0415

    hist = record.patterns(record.nuclear_era(record.load()))
    bases, dims = hindcast.presets_params(scale.population, scale.media, days=FIT_DAYS)
    ratio = ratios(compose("india_pakistan_2025"))
    k = len(bases)
    settings = [with_values(base, v, ratio) for v in values_list for base in bases]
    out = run_batched(settings, dims, FIT_DAYS, scale.replicates, seed, scale.chunk * k, progress)
    lcfg, lbase, ldims = setup("long_run", scale.long_population, scale.media, scale.long_days)
    lratio = ratios(lcfg)
    lout = run_batched([with_values(lbase, v, lratio) for v in values_list], ldims, scale.long_days, scale.long_replicates, seed, scale.chunk, progress)
    results = []
    for i, values in enumerate(values_list):
        crises = [c for j in range(i * k, (i + 1) * k) for c in first_crises(out, j)]
        sim = crisis_patterns(crises)
        freq = frequency_patterns(lout["crises"][i], lout["peak"][i], scale.long_days)
        d, terms = distance(sim, freq, hist)
        last = (i + 1) * k - 1  # the status quo (pahalgam_2025) is the last hindcast preset
        results.append(dict(values=values, distance=d, terms=terms, sim=sim, freq=freq,
                            hostility=np.concatenate([out["hostility"][last], out["hostility_B"][last]])))
    return results


def abc(n_draws: int, accept: int, scale: Scale, seed: int = 0, progress=None) -> dict:
    """Rejection ABC: n_draws vectors from the ranges, the `accept` closest kept (tolerance = their largest distance)."""
    started = time.perf_counter()
    draws = draw(n_draws, seed)
    results = evaluate(draws, scale, seed, progress)
    order = np.argsort([r["distance"] for r in results])
    accepted = [results[i] for i in order[:accept]]
    return dict(all=results, accepted=accepted, tolerance=accepted[-1]["distance"], seconds=time.perf_counter() - started)


def refine(accepted: list[dict], scale: Scale, seed: int, progress=None) -> list[dict]:
    """Re-run the accepted vectors with a larger scale (new replicates) and sort them by distance."""
    results = evaluate([r["values"] for r in accepted], scale, seed, progress)
    return sorted(results, key=lambda r: r["distance"])


def report_rows(sim: dict, freq: dict, hist: dict) -> list[dict]:
    """Each pattern: historical value, simulated value with its 95% interval, whether the historical value lies in it."""
    rows = []

    def add(name, label, h, est, lo, hi, fitted=True, note=""):
        rows.append(dict(pattern=name, label=label, historical=h, simulated=est, low=lo, high=hi,
                         match=bool(lo - 1e-9 <= h <= hi + 1e-9) if np.isfinite(lo) else False, fitted=fitted, note=note))

    n = sim["n_crises"]
    for j, rung in enumerate(record.PEAK_BINS):
        k = int(round(sim["peak_share"][j] * n))
        est, lo, hi, _ = wilson(k, n)
        # the record has 7 crises: its own sampling interval matters as much as the model's
        add(f"peak_{rung}", f"share of crises peaking at rung {rung}", float(hist["peak_share"][j]), est, lo, hi)
    m, lo, hi, _ = bootstrap_mean(sim["lag"])
    add("lag", "days from trigger to first kinetic action (mean)", float(np.mean(hist["lag"])), m, lo, hi)
    q = _median_ci(sim["duration"])
    add("duration", "crisis duration, days (median)", float(np.median(hist["duration"])), *q)
    est, lo, hi, _ = wilson(sim["third_party_n"], n)
    add("third_party", "share of crises with third-party involvement", hist["third_party"], est, lo, hi)
    m, lo, hi, _ = bootstrap_mean(freq["per_decade"])
    add("frequency", "crises (level >= 2) per decade, long_run", hist["per_decade"], m, lo, hi)
    est, lo, hi, _ = wilson(int(np.sum(freq["war"])), len(freq["war"]))
    add("no_war", "share of decade-long runs reaching full war (rung >= 5)", 0.0, est, lo, hi)
    q = _median_ci(sim["kinetic"])
    add("kinetic", "kinetic phase, days (median), HELD OUT", float(np.median(hist["kinetic"])), *q, fitted=False)
    return rows


def _median_ci(x, z: float = 1.959963984540054):
    """Median with a distribution-free 95% interval (order statistics)."""
    x = np.sort(np.asarray(x, float))
    n = len(x)
    if n == 0:
        return float("nan"), float("nan"), float("nan")
    lo = int(np.floor(n / 2 - z * np.sqrt(n) / 2))
    hi = int(np.ceil(n / 2 + z * np.sqrt(n) / 2))
    return float(np.median(x)), float(x[max(lo, 0)]), float(x[min(hi, n - 1)])
