"""Policy effects under parameter uncertainty (``make policy``): per-draw expected effects against the status quo.

Each setting is the status quo (``india_pakistan_2025``, its 2025 trigger) with
institution switches changed. Every setting runs on the same posterior draws
with the same random numbers: draw d's replicates are indices d * R .. d * R + R - 1
in every setting (common random numbers), so a setting identical to the status
quo has an effect of exactly zero, and the difference measures the switch, not
the noise.

**The effect of a setting on draw d** is its *expected* effect at that draw's
parameters: the setting's metric over the draw's R replicates minus the status
quo's (a probability is the share of the R runs; a conditional mean, such as
days to the first strike, the ratio of sums over the runs that have one). The
posterior of an effect is the distribution of that per-draw expected effect
over the posterior draws: median, 90% interval, P(effect < 0). What is left of
the replicates' noise in it is measured, per draw, by the jackknife over its
replicates (for a plain mean, the paired differences' variance / R), and
reported as the **noise share**: mean noise variance / variance across draws,
and taken out by moments for a second interval (``low_signal``, ``high_signal``:
the spread that parameter uncertainty alone gives, ``signal_interval``).

Three analyses of the per-draw effects, all generic over the fitted parameters
the posterior holds (``calibration.FIT``, matched by name):

* ``decompose``: first-order indices, the posterior's own regression: for each
  parameter, the variance of the binned conditional mean of the per-draw effect
  (bias-corrected for the bins' own sampling noise) over the effect's variance
  less the replicate noise (Saltelli et al. 2008, ch. 1; with correlated
  posterior parameters the indices need not sum to 1);
* ``unpinned``: the parameters the record cannot pin: posterior sd / prior sd
  above ``UNPINNED`` (uniform priors on the FIT ranges);
* ``threshold``: for those, the effect as a binned curve over the parameter's
  range (the posterior spans nearly all of the prior there), and the value where
  it crosses zero: the institution helps (lowers the probability) above it, or
  below it; and where the curve's 90% upper bound crosses zero (helps
  significantly).

Crisis metrics come from one year after the trigger (``dyad.summary``);
long-run metrics (crises per decade, share of crises with force, institutions
created over 30 years) from ``long_run`` with the same switches, on the first
``Scale.long_draws`` draws.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import jax
import jax.numpy as jnp
import numpy as np

from ..config import build, compose
from ..params import stack
from . import calibration, inference, measures, packages


PRESET = "india_pakistan_2025"
DAYS = 365
# Each institution switch alone, then the essay's packages, each adding to the one before: defined once, in
# configs/policy/settings.yaml (lab.packages)
SETTINGS = packages.settings()
BASELINE = packages.baseline()
SINGLE = ("ad hoc hotline", "automatic hotline", "backchannel", "Track-II", "CBMs", "responsible media")  # one switch each
# name: (label, short label for a panel title, unit, source: crisis year or long_run)
METRICS = {
    "p_rung4": ("P(peak rung >= 4: strikes on territory)", "P(rung >= 4): strikes", "probability", "crisis"),
    "p_rung5": ("P(peak rung >= 5: war)", "P(rung >= 5): war", "probability", "crisis"),
    "days_to_strike": ("days from trigger to first strike on territory, level >= 4 (runs with one)", "days to first strike", "days", "crisis"),
    "p_rescinded": ("P(a strike order is rescinded)", "P(order rescinded)", "probability", "crisis"),
    "crisis_days": ("crisis days in the year", "crisis days in the year", "days", "crisis"),
    "hostility_A": ("post-crisis hostility, side A", "hostility after, A", "0-1", "crisis"),
    "hostility_B": ("post-crisis hostility, side B", "hostility after, B", "0-1", "crisis"),
    "p_institution": ("P(a new institution is created after the crisis)", "P(new institution)", "probability", "crisis"),
    "per_decade": ("crises per decade (long_run)", "crises per decade (long run)", "crises", "long"),
    "force_share": ("share of crises with force, peak >= 3 (long_run)", "share of crises with force (long run)", "share", "long"),
    "force_per_decade": ("crises with force (peak >= 3) per decade (long_run)", "crises with force per decade (long run)", "crises", "long"),
    "institutions_30y": ("institutions created over 30 years (long_run)", "institutions created in 30 years", "count", "long"),
}
# the effects decomposed and whose thresholds are sought (negative = the institution helps): force inside the crisis
# year, and the long run's share of crises with force (Track-II's effect is there, not in the crisis year)
PROBABILITIES = ("p_rung4", "p_rung5", "force_share")
UNPINNED = 0.8  # posterior sd / prior sd above this: the record does not pin the parameter
MOSTLY_NOISE = 0.25  # an effect whose variance across draws is more than 75% replicate noise gets no first-order indices


@dataclass
class Scale:
    population: int = 100
    media: int = 8
    replicates: int = 16  # per draw and setting (common random numbers)
    long_draws: int = 128  # draws that also run long_run per setting (30 years cost 30 crisis-years: fewer draws)
    long_replicates: int = 4  # per long draw (13 settings x 128 x 4 = 52 blocks of 128)
    long_population: int = 50
    long_days: int = 10950  # 30 years
    block: int = 128


# --------------------------------------------------------------------------- the posterior's parameters


def parameters(available) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(used, fitted but missing from the posterior, in the posterior but not fitted): FIT matched by name."""
    available = tuple(available)
    fit = tuple(f.key for f in calibration.FIT)
    return (tuple(k for k in fit if k in available), tuple(k for k in fit if k not in available),
            tuple(k for k in available if k not in fit))


def prior_sd(key: str) -> float:
    """The prior's standard deviation of a fitted parameter: uniform on its range, or on its levels."""
    free = next(f for f in calibration.FIT if f.key == key)
    if free.levels:
        return float(np.std(np.asarray(free.levels, float)))
    return (free.hi - free.lo) / np.sqrt(12.0)


def prior_range(key: str) -> tuple[float, float]:
    free = next(f for f in calibration.FIT if f.key == key)
    return float(free.lo), float(free.hi)


def unpinned(theta: np.ndarray, names, limit: float = UNPINNED) -> dict:
    """{name: posterior sd / prior sd} of the parameters whose ratio exceeds ``limit``: the record cannot pin them."""
    theta = np.asarray(theta, float)
    levels = {f.key: f.levels for f in calibration.FIT if f.levels}
    ratio = {}
    for j, k in enumerate(names):
        x = theta[:, j]
        if k in levels:  # a discrete parameter acts at its nearest level: its spread there is what the model sees
            lv = np.asarray(levels[k], float)
            x = lv[np.argmin(np.abs(x[:, None] - lv[None]), axis=1)]
        ratio[k] = float(np.std(x) / prior_sd(k))
    return {k: r for k, r in ratio.items() if r > limit}


# --------------------------------------------------------------------------- simulation


def long_keep(daily, summary):
    """What a long run brings back: crises, crises with force (an episode reaching rung >= 3), institutions created.

    An episode is a stretch of days in crisis; it used force when its level reached 3 on one of them. Counted
    on device from the daily series, so the decades' daily outputs never leave it."""
    inside = daily["in_crisis"] > 0.5
    starts = inside & ~jnp.concatenate([jnp.zeros(1, bool), inside[:-1]])
    episode = jnp.cumsum(starts.astype(jnp.int32)) * inside
    forced = inside & (daily["crisis_level"] >= measures.KINETIC)
    seen = jnp.where(forced, episode, 0)
    before = jnp.concatenate([jnp.zeros(1, jnp.int32), jax.lax.cummax(seen)[:-1]])
    first_force = forced & (before < episode)
    return dict(crises=summary["crises"], force=jnp.sum(first_force.astype(jnp.int32)), created=summary["institutions_created"],
                peak=summary["peak_rung"])


def crisis_fields(res: dict) -> dict:
    """{metric: (numerator, denominator)} per run of a crisis year: a metric over runs is sum(num) / sum(den)."""
    ones = np.ones_like(np.asarray(res["peak_rung"], float))
    strike = np.asarray(res["strike"], float)  # lab.measures: the first strike on territory, not the first force
    struck = np.isfinite(strike)
    return {
        "p_rung4": (measures.reached(res["peak_rung"], measures.STRIKES).astype(float), ones), "p_rung5": (measures.reached(res["peak_rung"], measures.WAR).astype(float), ones),
        "days_to_strike": (np.where(struck, strike, 0.0), struck.astype(float)),
        "p_rescinded": ((res["rescinded"] > 0).astype(float), ones), "crisis_days": (np.asarray(res["crisis_days"], float), ones),
        "hostility_A": (np.asarray(res["hostility_A"], float), ones), "hostility_B": (np.asarray(res["hostility_B"], float), ones),
        "p_institution": ((res["created"] > 0).astype(float), ones),
    }


def long_fields(res: dict, days: int) -> dict:
    crises, force = np.asarray(res["crises"], float), np.asarray(res["force"], float)
    ones = np.ones_like(crises)
    return {"per_decade": (measures.per_decade(crises, days), ones), "force_share": (force, crises),
            "force_per_decade": (measures.per_decade(force, days), ones),
            "institutions_30y": (3 * measures.per_decade(res["created"], days), ones)}


def simulate(draws: np.ndarray, scale: Scale, seed: int, settings: dict = SETTINGS, names=None, say=None,
             stages=("crisis", "long")) -> dict:
    """Every setting on every draw, the same random numbers in each: per-run values of every metric.

    ``draws`` (draw, parameter), columns named by ``names`` (default: all of ``calibration.FIT``). Returns
    dict(settings, names, theta, runs={metric: (num, den), each (draw, setting, replicate)}, values={metric:
    (draw, setting) per-draw expected values}, scale)."""
    from .runs import run_stacked  # noqa: PLC0415
    from .progress import quiet  # noqa: PLC0415

    say = say or quiet
    names = tuple(names or inference.NAMES)
    draws = np.asarray(draws, np.float64)
    labels = list(settings)
    k = len(labels)
    runs = {}
    plan = (("crisis", "crisis year", PRESET, DAYS, scale.population, scale.replicates, inference.crisis_keep, len(draws)),
            ("long", "long_run", "long_run", scale.long_days, scale.long_population, scale.long_replicates, long_keep,
             min(scale.long_draws, len(draws))))
    for stage, label, preset, days, pop, reps, keep, n in plan:
        if n == 0 or stage not in stages:
            continue
        cfgs = [compose(preset, {"population.public": pop, "population.media": scale.media, "days": days, **settings[s]}) for s in labels]
        built = [build(c) for c in cfgs]
        dims = built[0][1]
        stacked = inference.with_theta(stack([p for p, _ in built]), draws[:n], calibration.ratios(cfgs[0]), keys=names)  # draw-major
        say(f"{label}: {k} settings x {n} draws x {reps} replicates x {days} days = {k * n * reps} runs")
        res = run_stacked(stacked, dims, days, reps, seed, keep=keep, block=scale.block, label=f"policy {label}", progress=say,
                          replicate_from=np.repeat(np.arange(n) * reps, k))
        res = {key: np.asarray(v).reshape(n, k, reps) for key, v in res.items()}
        fields = crisis_fields(res) if keep is inference.crisis_keep else long_fields(res, days)
        runs.update(fields)
    sim = dict(settings=labels, names=names, theta=draws, runs=runs, scale=asdict(scale))
    sim["values"] = per_draw(runs)
    return sim


def estimate(draws: np.ndarray, scale: Scale, seed: int, n: int, settings: dict = SETTINGS, names=None, say=None) -> dict:
    """Seconds a run of ``n`` draws at ``scale`` would take here, from a small fraction at the same shapes: per stage,
    one draw (the compile, and its blocks), then a few draws (compiled calls only: seconds per block of runs),
    extrapolated to the stage's number of blocks. {stage: dict(compile, per_block, blocks, seconds)}."""
    import time  # noqa: PLC0415

    from .progress import quiet  # noqa: PLC0415

    say = say or quiet
    k = len(settings)
    out = {}
    for stage, reps, full, few in (("crisis", scale.replicates, n, 4), ("long", scale.long_replicates, min(scale.long_draws, n), 3)):
        if full == 0:
            continue
        few = min(few, len(draws))
        blocks = lambda m, reps=reps: -(-k * m * reps // scale.block)  # noqa: E731
        times = []
        for m in (1, few):
            started = time.perf_counter()
            simulate(draws[:m], scale, seed, settings, names, stages=(stage,))
            times.append(time.perf_counter() - started)
        per_block = times[1] / blocks(few)
        compile_s = max(times[0] - blocks(1) * per_block, 0.0)
        out[stage] = dict(compile=compile_s, per_block=per_block, blocks=blocks(full), seconds=compile_s + blocks(full) * per_block)
        say(f"estimate, {stage}: {blocks(full)} blocks of {scale.block} runs x {per_block:.1f} s + {compile_s:.0f} s compile = "
            f"{out[stage]['seconds'] / 60:.1f} min")
    return out


# --------------------------------------------------------------------------- per-draw effects and their noise


def _ratio(num, den):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def per_draw(runs: dict) -> dict:
    """{metric: (draw, setting)}: each draw's expected value, sum over its replicates of num / of den."""
    return {m: _ratio(num.sum(-1), den.sum(-1)) for m, (num, den) in runs.items()}


def paired(num, den, j: int, b: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-draw effect of setting j against b (draw,) and its replicate-noise variance by the jackknife over replicates
    (the replicates are paired across settings: leaving replicate r out leaves it out of both). For a plain mean the
    jackknife is the paired differences' variance / R. NaN where a draw has fewer than two replicates."""
    num, den = np.asarray(num, float), np.asarray(den, float)
    effect = _ratio(num[:, j].sum(-1), den[:, j].sum(-1)) - _ratio(num[:, b].sum(-1), den[:, b].sum(-1))
    r = num.shape[-1]
    if r < 2:
        return effect, np.full(len(effect), np.nan)
    loo = lambda s: _ratio(num[:, s].sum(-1, keepdims=True) - num[:, s], den[:, s].sum(-1, keepdims=True) - den[:, s])  # noqa: E731
    d = loo(j) - loo(b)  # (draw, replicate): the effect without replicate r
    whole = np.isfinite(d).all(-1)
    noise = np.full(len(effect), np.nan)
    noise[whole] = (r - 1) / r * np.sum((d[whole] - d[whole].mean(-1, keepdims=True)) ** 2, -1)
    return effect, noise


def noise_share(effect, noise) -> float:
    """Share of the across-draw variance of per-draw effects that is replicate noise: mean noise variance / variance."""
    ok = np.isfinite(effect) & np.isfinite(noise)
    if ok.sum() < 3:
        return np.nan
    total = np.var(effect[ok], ddof=1)
    return float(np.mean(noise[ok]) / total) if total > 0 else (0.0 if np.all(noise[ok] == 0) else np.nan)


def signal_interval(d, share: float, lo_q: float, hi_q: float) -> tuple[float, float]:
    """The interval of the per-draw effects with the replicate noise taken out by moments: each draw's effect shrunk
    towards the mean by sqrt(1 - noise share), so that the spread left is the parameters' (exact for Gaussian
    effects and noise). NaN without a noise estimate; the mean twice when the spread is all noise."""
    d = np.asarray(d, float)
    if not np.isfinite(share):
        return np.nan, np.nan
    shrunk = d.mean() + (d - d.mean()) * np.sqrt(max(1.0 - share, 0.0))
    return float(np.quantile(shrunk, lo_q)), float(np.quantile(shrunk, hi_q))


def effects(sim: dict, baseline: str = BASELINE, level: float = 0.9) -> list[dict]:
    """Every setting against the baseline, per metric: the posterior of the per-draw expected effect (mean, median,
    interval, P(< 0), P(= 0)) and how much of its spread is replicate noise."""
    names = sim["settings"]
    b = names.index(baseline)
    lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
    rows = []
    for j, name in enumerate(names):
        if j == b:
            continue
        for metric, (num, den) in sim["runs"].items():
            values = sim["values"][metric]
            diff, noise = paired(num, den, j, b)
            ok = np.isfinite(diff)
            d = diff[ok]
            row = dict(setting=name, metric=metric, label=METRICS[metric][0], draws=int(ok.sum()), replicates=int(num.shape[-1]),
                       baseline=float(np.nanmean(values[:, b])) if np.isfinite(values[:, b]).any() else np.nan,
                       value=float(np.nanmean(values[:, j])) if np.isfinite(values[:, j]).any() else np.nan)
            if len(d):
                share = noise_share(diff, noise)
                lo_s, hi_s = signal_interval(d, share, lo_q, hi_q)
                row.update(mean=float(np.mean(d)), median=float(np.median(d)), low=float(np.quantile(d, lo_q)), high=float(np.quantile(d, hi_q)),
                           p_negative=float(np.mean(d < 0)), p_zero=float(np.mean(d == 0)), sd=float(np.std(d, ddof=1)) if len(d) > 1 else np.nan,
                           noise_share=share, low_signal=lo_s, high_signal=hi_s)
            else:
                row.update(mean=np.nan, median=np.nan, low=np.nan, high=np.nan, p_negative=np.nan, p_zero=np.nan, sd=np.nan, noise_share=np.nan,
                           low_signal=np.nan, high_signal=np.nan)
            rows.append(row)
    return rows


# --------------------------------------------------------------------------- which assumptions drive an effect


def _bins(x: np.ndarray, bins: int, levels=None) -> np.ndarray:
    """Bin index of each value: its level for a discrete parameter, else equal-count bins."""
    if levels is not None and len(levels):
        lv = np.asarray(levels, float)
        return np.argmin(np.abs(x[:, None] - lv[None]), axis=1)
    edges = np.unique(np.quantile(x, np.linspace(0, 1, bins + 1)[1:-1]))
    return np.searchsorted(edges, x, side="right")


def first_order(x, y, noise=None, bins: int | None = None, levels=None) -> float:
    """First-order index of y on x: Var(E[y | x]) / (Var(y) - replicate noise), by binned conditional means.

    The between-bin variance is corrected for the bin means' own sampling noise (its expectation, (B - 1) / N times
    the within-bin variance, is subtracted); ``noise`` (per draw) is the part of Var(y) that is replicate noise.
    NaN when less than ``MOSTLY_NOISE`` of the effect's variance is beyond its noise (nothing to explain)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    n = len(y)
    if n < 8:
        return np.nan
    bins = bins or int(max(2, min(np.clip(round(n / 50), 4, 20), n // 10)))  # about 50 draws a bin, never under 10
    idx = _bins(x, bins, levels)
    groups = np.unique(idx)
    if len(groups) < 2:
        return 0.0
    mean = y.mean()
    counts = np.array([np.sum(idx == g) for g in groups])
    means = np.array([y[idx == g].mean() for g in groups])
    between = np.sum(counts * (means - mean) ** 2) / n
    within = np.sum([np.sum((y[idx == g] - m) ** 2) for g, m in zip(groups, means)]) / max(n - len(groups), 1)
    between -= (len(groups) - 1) / n * within
    nz = 0.0 if noise is None else float(np.nanmean(np.asarray(noise, float)[ok]))
    signal = np.var(y) - (nz if np.isfinite(nz) else 0.0)
    if signal <= MOSTLY_NOISE * np.var(y) or signal <= 0:  # the effect is (almost) all replicate noise: nothing to explain
        return np.nan
    return float(np.clip(between / signal, 0.0, 1.0))


def decompose(sim: dict, metrics=PROBABILITIES, baseline: str = BASELINE) -> list[dict]:
    """First-order index of every fitted parameter in the posterior, for every setting's effect on each metric."""
    names, theta = sim["names"], np.asarray(sim["theta"], float)
    levels = {f.key: f.levels for f in calibration.FIT}
    b = sim["settings"].index(baseline)
    rows = []
    for j, setting in enumerate(sim["settings"]):
        if j == b:
            continue
        for metric in metrics:
            if metric not in sim["runs"]:
                continue
            num, den = sim["runs"][metric]
            effect, noise = paired(num, den, j, b)
            th = theta[: len(effect)]
            share = noise_share(effect, noise)
            for p, key in enumerate(names):
                rows.append(dict(setting=setting, metric=metric, parameter=key,
                                 index=first_order(th[:, p], effect, noise, levels=levels.get(key)), noise_share=share))
    return rows


# --------------------------------------------------------------------------- thresholds of the unpinned parameters


def curve(x, y, lo: float, hi: float, bins: int = 8, min_count: int = 10, z: float = 1.645) -> dict:
    """The binned mean of y over [lo, hi] (equal-width bins; bins with fewer than ``min_count`` draws dropped) with
    its two-sided 90% band (mean +- z standard errors)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    edges = np.linspace(lo, hi, bins + 1)
    idx = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, bins - 1)
    centers, means, se, counts = [], [], [], []
    for g in range(bins):
        v = y[idx == g]
        if len(v) < min_count:
            continue
        centers.append(0.5 * (edges[g] + edges[g + 1]))
        means.append(v.mean())
        se.append(v.std(ddof=1) / np.sqrt(len(v)))
        counts.append(len(v))
    centers, means, se = np.asarray(centers), np.asarray(means), np.asarray(se)
    return dict(x=centers, mean=means, low=means - z * se, high=means + z * se, count=np.asarray(counts, int))


def _crossing(x, v):
    """First zero crossing of v over x (linear interpolation): (value, 'above' if v turns negative, 'below' if it
    turns non-negative), or (nan, 'everywhere'/'nowhere'/'') when v does not cross."""
    x, v = np.asarray(x, float), np.asarray(v, float)
    if len(v) == 0:
        return np.nan, ""
    neg = v < 0
    if neg.all():
        return np.nan, "everywhere"
    if not neg.any():
        return np.nan, "nowhere"
    i = int(np.flatnonzero(neg[1:] != neg[:-1])[0])
    x0, x1, v0, v1 = x[i], x[i + 1], v[i], v[i + 1]
    at = x0 + (x1 - x0) * (v0 / (v0 - v1)) if v1 != v0 else 0.5 * (x0 + x1)
    return float(at), ("above" if neg[i + 1] else "below")


def threshold(x, y, lo: float, hi: float, bins: int = 8, min_count: int = 10) -> dict:
    """Where does a per-draw effect (negative: the institution helps) cross zero over a parameter's range?

    ``helps`` says where the binned mean is negative: 'above' / 'below' ``value``, 'everywhere', 'nowhere';
    ``significant``/``significant_value`` the same for the 90% band's upper bound (significantly negative)."""
    c = curve(x, y, lo, hi, bins, min_count)
    value, helps = _crossing(c["x"], c["mean"])
    sig_value, significant = _crossing(c["x"], c["high"])
    return dict(curve=c, value=value, helps=helps, significant_value=sig_value, significant=significant)


def thresholds(sim: dict, params, settings=SINGLE, metrics=PROBABILITIES, baseline: str = BASELINE, bins: int | None = None) -> list[dict]:
    """``threshold`` of every setting's effect on each metric over each of ``params``, with its curve."""
    names, theta = list(sim["names"]), np.asarray(sim["theta"], float)
    b = sim["settings"].index(baseline)
    rows = []
    for setting in settings:
        if setting not in sim["settings"]:
            continue
        j = sim["settings"].index(setting)
        for metric in metrics:
            if metric not in sim["runs"]:
                continue
            num, den = sim["runs"][metric]
            effect, _ = paired(num, den, j, b)
            for key in params:
                lo, hi = prior_range(key)
                nb = bins or int(np.clip(len(effect) // 40, 3, 8))  # about 60 draws a bin at 500 draws
                t = threshold(theta[: len(effect), names.index(key)], effect, lo, hi, bins=nb,
                              min_count=max(5, len(effect) // (4 * nb)))
                rows.append(dict(setting=setting, metric=metric, parameter=key, prior_low=lo, prior_high=hi, helps=t["helps"],
                                 value=t["value"], significant=t["significant"], significant_value=t["significant_value"],
                                 curve=t["curve"]))
    return rows
