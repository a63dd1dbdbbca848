"""Policy effects under parameter uncertainty (``make policy``): paired differences from the status quo.

Each setting is the status quo (``india_pakistan_2025``, its 2025 trigger) with
institution switches changed. Every setting runs on the same posterior draws
with the same random numbers: draw d's replicates are indices d * R .. d * R + R - 1
in every setting (common random numbers), so a setting identical to the status
quo has an effect of exactly zero, and the difference measures the switch, not
the noise. An effect is, per draw, the setting's mean over its R replicates
minus the status quo's; over draws it is summarised by the median, the 90%
interval and P(effect < 0): parameter uncertainty and the replicates' noise
together; and by its mean over draws, the expected effect (with few replicates
per draw the median moves in steps of 1/R).

Crisis metrics come from one year after the trigger (``dyad.summary``);
crises per decade from a decade of ``long_run`` with the same switches.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import build, compose
from ..params import stack
from . import calibration, inference

PRESET = "india_pakistan_2025"
DAYS = 365
# Each institution switch alone, then the essay's packages, each adding to the one before.
SETTINGS = {
    "status quo": {},
    "ad hoc hotline": {"institutions.hotline": True, "hotline.automatic": False},
    "automatic hotline": {"institutions.hotline": True, "hotline.automatic": True},
    "backchannel": {"institutions.backchannel": True},
    "Track-II": {"institutions.track2": True},
    "CBMs": {"institutions.cbm": True},
    "responsible media": {"institutions.responsible_media": True},
    "no DGMO line": {"institutions.dgmo": False},
    "no third party": {"institutions.mediation": False},
    "hotline + backchannel": {"institutions.hotline": True, "hotline.automatic": True, "institutions.backchannel": True},
    "+ CBMs": {"institutions.hotline": True, "hotline.automatic": True, "institutions.backchannel": True, "institutions.cbm": True},
    "+ Track-II (the essay's framework)": {"institutions.hotline": True, "hotline.automatic": True, "institutions.backchannel": True,
                                           "institutions.cbm": True, "institutions.track2": True},
    "+ responsible media (everything)": {"institutions.hotline": True, "hotline.automatic": True, "institutions.backchannel": True,
                                         "institutions.cbm": True, "institutions.track2": True, "institutions.responsible_media": True},
}
BASELINE = "status quo"
METRICS = {  # name: (label, unit)
    "p_rung4": ("P(peak rung >= 4: strikes on territory)", "probability"),
    "p_rung5": ("P(peak rung >= 5: war)", "probability"),
    "days_to_strike": ("days from trigger to first strike (runs with one)", "days"),
    "p_rescinded": ("P(a strike order is rescinded)", "probability"),
    "crisis_days": ("crisis days in the year", "days"),
    "hostility_A": ("post-crisis hostility, side A", "0-1"),
    "hostility_B": ("post-crisis hostility, side B", "0-1"),
    "p_institution": ("P(a new institution is created after the crisis)", "probability"),
    "per_decade": ("crises per decade (long_run)", "crises"),
}


@dataclass
class Scale:
    population: int = 200
    media: int = 8
    replicates: int = 2  # per draw and setting
    long_draws: int = 250  # draws that also run a decade of long_run per setting (a decade costs ten crisis-years)
    long_population: int = 100
    long_days: int = 3650
    block: int = 256


def simulate(draws: np.ndarray, scale: Scale, seed: int, settings: dict = SETTINGS, say=None) -> dict:
    """{metric: (draw, setting) per-draw means}: every setting on every draw, the same random numbers in each."""
    from .batch import run_stacked  # noqa: PLC0415
    from .progress import quiet  # noqa: PLC0415

    say = say or quiet
    names = list(settings)
    n, k, r = len(draws), len(names), scale.replicates
    out = {}
    for label, preset, days, pop, reps, keep in (("policy", PRESET, DAYS, scale.population, r, inference.crisis_keep),
                                                 ("policy long_run", "long_run", scale.long_days, scale.long_population, 1, inference.long_keep)):
        theta = draws if keep is inference.crisis_keep else draws[: scale.long_draws]
        n = len(theta)
        cfgs = [compose(preset, {"population.public": pop, "population.media": scale.media, "days": days, **settings[s]}) for s in names]
        built = [build(c) for c in cfgs]
        dims = built[0][1]
        runs = inference.with_theta(stack([p for p, _ in built]), theta, calibration.ratios(cfgs[0]))  # (draw, setting), draw-major
        res = run_stacked(runs, dims, days, reps, seed, keep=keep, block=scale.block, label=label, progress=say,
                          replicate_from=np.repeat(np.arange(n) * reps, k))
        res = {key: np.asarray(v, float).reshape(n, k, reps) for key, v in res.items()}
        if keep is inference.long_keep:
            out["per_decade"] = res["crises"].mean(2) * 3650.0 / days
            continue
        with np.errstate(invalid="ignore"):
            out["p_rung4"] = (res["peak_rung"] >= 4).mean(2)
            out["p_rung5"] = (res["peak_rung"] >= 5).mean(2)
            struck = np.isfinite(res["lag"])
            out["days_to_strike"] = np.where(struck.any(2), np.where(struck, res["lag"], 0.0).sum(2) / np.maximum(struck.sum(2), 1), np.nan)
            out["p_rescinded"] = (res["rescinded"] > 0).mean(2)
            out["crisis_days"] = res["crisis_days"].mean(2)
            out["hostility_A"] = res["hostility_A"].mean(2)
            out["hostility_B"] = res["hostility_B"].mean(2)
            out["p_institution"] = (res["created"] > 0).mean(2)
    return dict(settings=names, values=out)


def effects(sim: dict, baseline: str = BASELINE, level: float = 0.9) -> list[dict]:
    """Paired effects of every setting against the baseline: per-draw difference, then median, interval, P(< 0)."""
    names = sim["settings"]
    b = names.index(baseline)
    lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
    rows = []
    for j, name in enumerate(names):
        if j == b:
            continue
        for metric, values in sim["values"].items():
            diff = values[:, j] - values[:, b]
            ok = np.isfinite(diff)
            d = diff[ok]
            row = dict(setting=name, metric=metric, label=METRICS[metric][0], draws=int(ok.sum()),
                       baseline=float(np.nanmean(values[:, b])), value=float(np.nanmean(values[:, j])))
            if len(d):
                row.update(mean=float(np.mean(d)), median=float(np.median(d)), low=float(np.quantile(d, lo_q)), high=float(np.quantile(d, hi_q)),
                           p_negative=float(np.mean(d < 0)), p_zero=float(np.mean(d == 0)))
            else:
                row.update(mean=np.nan, median=np.nan, low=np.nan, high=np.nan, p_negative=np.nan, p_zero=np.nan)
            rows.append(row)
    return rows
