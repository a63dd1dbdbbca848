"""Bayesian calibration of the status quo: a posterior over ``calibration.FIT`` from datasets shaped like the record.

The record since 1990 is seven crises, one per hindcast preset
(``model.lab.hindcast``). One simulated *dataset* is made the same way: the
first episode of each of the seven presets, each with its own trigger, era and
channels, plus one decade of the ``long_run`` preset for the crisis frequency.
Its statistics (``STATS``) are computed by ``statistics`` from the per-crisis
values, the same function that computes them from the record
(``observed``): so the data and the simulations are reduced identically.

Inference runs in two rounds:

1. **History matching** (one wave; Vernon et al. 2010, Andrianakis et al.
   2015) discards the implausible region: prior draws whose statistics lie
   more than three standard deviations from the record's on some statistic,
   the standard deviation being the model's own stochastic spread at fixed
   parameters, measured by repeated datasets. The box holding the rest,
   widened by ``MARGIN`` of each prior range and clipped to the prior, is
   the truncated prior of round 2. (ABC-SMC, ``sbijax.smcabc``, was tried
   first: in 19 dimensions its perturbed particles were rejected so often
   that one round took more than fifteen minutes of simulation.)
2. **Neural posterior estimation** (Papamakarios & Murray 2016; a masked
   autoregressive flow, ``sbijax.npe``, JAX-native like the engine) trained on
   at least 10^4 datasets drawn from the truncated prior. The flow models the
   posterior of the logit-transformed parameters, so its draws stay inside the
   box. A prior truncated to a region that holds the posterior leaves the
   posterior unchanged (Deistler et al. 2022, truncated sequential NPE).
3. **The crisis frequency**, in a step of its own (``frequency_step``): the
   decade-long runs cost more than the seven crises, so the flow is
   conditioned on the crisis statistics, and its draws are then weighted by
   how well a decade of ``long_run`` matches the record's rate.

Every simulation goes in batches of compiled calls (``batch.run_stacked``),
never a Python call per parameter vector.

Everything else (coverage, predictive checks, leave-one-crisis-out) reuses the
trained flow: it is amortised, so a posterior for any dataset is one call.
"""

from __future__ import annotations

import dataclasses
import functools
import time
import warnings
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from ..config import compose
from ..params import Params, stack
from . import calibration, flow, hindcast, sbc, measures, record
from .progress import quiet

PRIOR = calibration.FIT  # the fitted parameters, with the literature's ranges (docs/parameters.md, "Priors")
NAMES = tuple(f.key for f in PRIOR)
LOW = np.array([f.lo for f in PRIOR], np.float64)
HIGH = np.array([f.hi for f in PRIOR], np.float64)
CRISES = tuple(hindcast.HINDCASTS)  # the seven hindcast presets, in record order
DAYS = calibration.FIT_DAYS  # a year per crisis: long crises are seen to end
STATS = (
    "crisis",  # share of the triggers that became a crisis (level >= 2)
    "peak_3", "peak_4", "peak_5",  # share of the crises (of all triggers) peaking at rung 3, 4, >= 5
    "kinetic",  # share with a kinetic action (rung >= 3)
    "lag",  # log(1 + mean days from trigger to the first kinetic action), over those with one
    "duration",  # log(1 + median days from trigger to the last day at level >= 2)
    "third_party",  # share with a third party involved
    "spread",  # standard deviation of log(1 + duration) across the crises: do crises differ (issue 21)?
    "standoff",  # mean log(1 + duration) of crises without force less that of crises with it (0 unless both occur)
    "frequency",  # log(1 + crises per decade), long_run
)
STAT_LABELS = dict(
    crisis="share of triggers that became crises", peak_3="share peaking at rung 3", peak_4="share peaking at rung 4",
    peak_5="share peaking at rung 5 or more", kinetic="share with a kinetic action",
    lag="days to the first kinetic action (mean)", duration="crisis duration, days (median)",
    third_party="share with third-party involvement", spread="sd of log(1 + duration) across crises",
    standoff="log duration, crises without force less crises with it", frequency="crises per decade (long_run)",
)
CRISIS_STATS = STATS[:-1]  # what the flow is conditioned on; the frequency is fitted in a step of its own
LOG_STATS = ("lag", "duration", "frequency")  # log(1 + days or rate): shown back in days and rates
SPREAD_STATS = ("spread", "standoff")  # differences of logs: shown as they are
MARGIN = 0.1  # the round-2 box: the non-implausible draws' range widened by this share of the prior range


# --------------------------------------------------------------------------- statistics, one function for record and model


def statistics(peak, lag, duration, mediated, per_decade=None, mask=None) -> np.ndarray:
    """The statistics of datasets: per-crisis arrays (dataset, crisis) and a rate per dataset -> (dataset, STATS);
    without ``per_decade``, the crisis statistics only (dataset, CRISIS_STATS).

    ``lag`` is NaN where a crisis had no kinetic action; ``mask`` (crisis,) leaves crises out (leave-one-out).
    """
    peak = np.asarray(peak, float)
    keep = np.ones(peak.shape[1], bool) if mask is None else np.asarray(mask, bool)
    peak, lag, duration, mediated = (np.asarray(a, float)[:, keep] for a in (peak, lag, duration, mediated))
    crisis = measures.is_crisis(peak)
    has_lag = np.isfinite(lag) & crisis
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_lag = np.where(has_lag.any(1), np.nansum(np.where(has_lag, lag, 0.0), 1) / has_lag.sum(1), DAYS)
    dur = np.where(crisis & np.isfinite(duration), duration, np.nan)
    med = np.array([np.median(row[np.isfinite(row)]) if np.isfinite(row).any() else 0.0 for row in dur])
    # do crises differ: the spread of their log durations, and stand-offs (no force) against fights (issue 21)
    logd = np.log1p(dur)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # rows with too few crises: NaN, set to 0 below
        spread = np.nanstd(logd, axis=1)
        fought = crisis & measures.reached(peak, measures.KINETIC)
        standoff = np.nanmean(np.where(crisis & ~fought, logd, np.nan), 1) - np.nanmean(np.where(fought, logd, np.nan), 1)
    columns = [
        crisis.mean(1), (crisis & (peak == 3)).mean(1), (crisis & (peak == 4)).mean(1), (crisis & measures.reached(peak, measures.WAR)).mean(1),
        has_lag.mean(1), np.log1p(mean_lag), np.log1p(med), (crisis & (np.asarray(mediated) > 0.5)).mean(1),
        np.nan_to_num(spread), np.nan_to_num(standoff),
    ]
    if per_decade is not None:
        columns.append(np.log1p(np.asarray(per_decade, float)))
    return np.stack(columns, axis=1)


def record_crises() -> dict:
    """The seven crises of the record as arrays (1, crisis), in ``CRISES`` order, and its crises per decade."""
    era = record.nuclear_era(record.load())
    rows = era.set_index("id").loc[[hindcast.HINDCASTS[c] for c in CRISES]]
    crises = {measure: values[None] for measure, values in measures.record_episode(rows).items()}
    return dict(crises, per_decade=np.array([record.patterns(era)["per_decade"]]))


def observed(mask=None) -> np.ndarray:
    """The record's statistics (STATS,), by ``statistics``: the same reduction as the simulations'."""
    r = record_crises()
    return statistics(r["peak"], r["lag"], r["duration"], r["mediated"], r["per_decade"], mask=mask)[0]


# --------------------------------------------------------------------------- parameters as a batch axis


def with_theta(base: Params, theta: np.ndarray, ratio: dict, keys=NAMES) -> Params:
    """Settings (k stacked) x parameter vectors (n, len(keys)) -> n * k stacked settings, vector-major.

    Per-side parameters take the vector's value on side A; side B keeps the preset's ratio B/A
    (``calibration.ratios``; influence capped at 1). A discrete parameter takes its nearest level.
    """
    theta = np.asarray(theta, np.float64)
    n = theta.shape[0]
    k = int(jax.tree.leaves(base)[0].shape[0])
    out = jax.tree.map(lambda leaf: np.broadcast_to(np.asarray(leaf)[None], (n,) + leaf.shape).reshape((n * k,) + leaf.shape[1:]), base)
    levels = {f.key: np.asarray(f.levels) for f in PRIOR if f.levels}
    for j, key in enumerate(keys):
        group, name = key.split(".")
        v = np.repeat(theta[:, j], k)
        if key in levels:
            v = levels[key][np.argmin(np.abs(v[:, None] - levels[key][None]), axis=1)]
        old = getattr(out, group)
        leaf = getattr(old, name)
        if leaf.ndim == 2:  # per side
            b = v * ratio[key] if key in ratio else v
            if key == "military.influence":
                b = np.minimum(b, 1.0)
            v = np.stack([v, b], axis=1)
        out = dataclasses.replace(out, **{group: dataclasses.replace(old, **{name: v.astype(leaf.dtype)})})
    return jax.tree.map(jnp.asarray, out)


# --------------------------------------------------------------------------- the simulator


@dataclass
class Scale:
    """How big a simulated dataset is: citizens and outlets per side in the crises and in the decade of long_run."""

    population: int = 200
    media: int = 8
    long_population: int = 100
    long_days: int = 3650
    block: int = 256  # runs per compiled call: every call has this shape, so it compiles once


def crisis_keep(daily, summary):
    """What a crisis run brings back, for the calibration and ``make policy`` alike (one compiled program for both):
    ``dyad.summary``, the one definition of an episode."""
    return dict(**measures.episode(summary), ended=summary["first_ended"],
                peak_rung=summary["peak_rung"], rescinded=summary["rescinded"], crisis_days=summary["crisis_days"],
                hostility_A=summary["hostility_end_A"], hostility_B=summary["hostility_end_B"], created=summary["institutions_created"])


def long_keep(daily, summary):
    """What a decade of long_run brings back."""
    return dict(crises=summary["crises"], peak=summary["peak_rung"])


@dataclass
class Remote:
    """Simulation rounds sent to SLURM through submitit, the library behind Hydra's launcher, with the launcher's
    settings (``configs/hydra/launcher/slurm.yaml``, overridable): jobs of ``chunk`` datasets each, as an array."""

    folder: str
    chunk: int = 500
    settings: dict = dataclasses.field(default_factory=dict)  # partition, timeout_min, cpus_per_task, mem_gb, ...
    say: object = quiet

    @staticmethod
    def launcher(overrides: dict | None = None) -> dict:
        """The project's SLURM launcher settings (the Hydra config group), with ``overrides``."""
        from omegaconf import OmegaConf  # noqa: PLC0415

        from ..config import CONFIG_DIR  # noqa: PLC0415

        cfg = OmegaConf.to_container(OmegaConf.load(CONFIG_DIR / "hydra" / "launcher" / "slurm.yaml"))
        cfg.pop("defaults", None)
        cfg.update(overrides or {})
        return cfg

    def map(self, fn, *columns) -> list:
        """``fn`` over the columns' rows as one SLURM job array; waits, with a progress line, and returns the results."""
        import submitit  # noqa: PLC0415

        from .posterior import ROOT  # noqa: PLC0415

        s = self.launcher(self.settings)
        ex = submitit.AutoExecutor(folder=self.folder, cluster="slurm")
        params = dict(timeout_min=int(s["timeout_min"]), cpus_per_task=int(s["cpus_per_task"]), mem_gb=s["mem_gb"],
                      name=s.get("name", "redphone"), slurm_array_parallelism=int(s["array_parallelism"]),
                      slurm_setup=[f"export PYTHONPATH={ROOT}:${{PYTHONPATH:-}}", *s.get("setup", [])])
        if s.get("partition"):
            params["slurm_partition"] = s["partition"]
        if s.get("gpus_per_node"):
            params["gpus_per_node"] = s["gpus_per_node"]
        ex.update_parameters(**params)
        jobs = ex.map_array(fn, *columns)
        started = time.perf_counter()
        while True:
            done = sum(j.done() for j in jobs)
            self.say(f"[slurm] {done}/{len(jobs)} jobs done (array {jobs[0].job_id.split('_')[0]}), {time.perf_counter() - started:.0f} s")
            if done == len(jobs):
                break
            time.sleep(2.0)
        return [j.result() for j in jobs]


def _remote_chunk(scale, seed, crises, theta, first_crisis, first_long, long):
    """One SLURM job of a round: the datasets of one chunk of vectors, with the replicate indices a local run gives them."""
    sim = Simulator(scale, seed, crises)
    out = sim.crisis_runs(theta, first_crisis)
    if long:
        out.update(sim.long_runs(theta, first_long))
    return out


class Simulator:
    """Datasets shaped like the record, for batches of parameter vectors, in compiled calls of ``scale.block`` runs.

    Every dataset gets replicate indices of its own (a counter), so no two datasets share random numbers, and a
    simulator started with the same seed gives the same datasets for the same sequence of calls.
    """

    def __init__(self, scale: Scale, seed: int, crises=CRISES):
        self.scale, self.seed, self.crises = scale, int(seed), tuple(crises)
        bases, self.dims = hindcast.presets_params(scale.population, scale.media, days=DAYS)
        self.base = stack([bases[CRISES.index(c)] for c in self.crises])
        self.ratio = calibration.ratios(compose("india_pakistan_2025"))
        lcfg, lbase, self.ldims = calibration.setup("long_run", scale.long_population, scale.media, scale.long_days)
        self.lbase, self.lratio = stack([lbase]), calibration.ratios(lcfg)
        self.count = 0
        self.simulations = 0  # datasets simulated so far
        self.progress = quiet
        self.remote: Remote | None = None  # set: datasets() sends its runs to SLURM

    def crisis_runs(self, theta, first: int, base=None, label="crises") -> dict:
        """Each vector x each crisis preset, one run each: {field: (vector, crisis)}."""
        from .runs import run_stacked  # noqa: PLC0415

        base = self.base if base is None else base
        k = int(jax.tree.leaves(base)[0].shape[0])
        settings = with_theta(base, theta, self.ratio)
        out = run_stacked(settings, self.dims, DAYS, 1, self.seed, keep=crisis_keep, block=self.scale.block,
                          label=label, progress=self.progress, replicate_from=first + np.arange(len(theta) * k))
        return {key: np.asarray(v, float).reshape(len(theta), k) for key, v in out.items()}

    def long_runs(self, theta, first: int) -> dict:
        from .runs import run_stacked  # noqa: PLC0415

        settings = with_theta(self.lbase, theta, self.lratio)
        out = run_stacked(settings, self.ldims, self.scale.long_days, 1, self.seed, keep=long_keep, block=self.scale.block,
                          label="long_run", progress=self.progress, replicate_from=first + np.arange(len(theta)))
        return dict(per_decade=measures.per_decade(np.asarray(out["crises"])[:, 0], self.scale.long_days),
                    war=measures.reached(np.asarray(out["peak"])[:, 0], measures.WAR))

    def datasets(self, theta, long: bool = True) -> dict:
        """Per-crisis values (vector, crisis) and, with ``long``, the decade's rate (vector,) of new, independent datasets."""
        theta = np.atleast_2d(np.asarray(theta, np.float64))
        first = self.count
        self.count += len(theta) * len(CRISES)
        self.simulations += len(theta)
        if self.remote is not None:
            k, c = len(self.crises), self.remote.chunk
            starts = list(range(0, len(theta), c))
            parts = self.remote.map(_remote_chunk, [self.scale] * len(starts), [self.seed] * len(starts), [self.crises] * len(starts),
                                    [theta[i : i + c] for i in starts], [first + i * k for i in starts], [first + i for i in starts],
                                    [long] * len(starts))
            return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
        out = self.crisis_runs(theta, first)
        if long:
            out.update(self.long_runs(theta, first))
        return out

    def decades(self, theta) -> np.ndarray:
        """Crises per decade of new, independent decades of long_run."""
        first = self.count
        self.count += len(theta)
        return self.long_runs(theta, first)["per_decade"]

    def __call__(self, theta, mask=None) -> np.ndarray:
        """(vector, CRISIS_STATS) for new datasets (the seven crises; no long runs)."""
        if np.size(theta) == 0:
            return np.zeros((0, len(CRISIS_STATS)))
        d = self.datasets(theta, long=False)
        return statistics(d["peak"], d["lag"], d["duration"], d["mediated"], mask=mask)


# --------------------------------------------------------------------------- transforms


@dataclass
class Box:
    """A box of parameter space (the prior's, or the truncated one) and the logit map onto the real line."""

    low: np.ndarray
    high: np.ndarray

    def to_real(self, theta):
        u = np.clip((np.asarray(theta) - self.low) / (self.high - self.low), 1e-6, 1 - 1e-6)
        return np.log(u) - np.log1p(-u)

    def from_real(self, z):
        return self.low + (self.high - self.low) / (1.0 + np.exp(-np.asarray(z, np.float64)))

    def draw(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return rng.uniform(self.low, self.high, size=(n, len(self.low)))


PRIOR_BOX = Box(LOW, HIGH)


# --------------------------------------------------------------------------- round 1: history matching


def history_match(simulator: Simulator, obs: np.ndarray, *, n: int, probes: int, repeats: int, seed: int,
                  cutoff: float = 3.0, say=quiet, mask=None) -> dict:
    """History matching, one wave (Vernon et al. 2010; Andrianakis et al. 2015 for agent-based models): ``n`` prior
    draws, one dataset each; a draw is implausible when some statistic lies more than ``cutoff`` standard deviations
    from the record's, the deviation's variance being the model's stochastic variance twice over (the simulated
    dataset's and the record's, itself one realisation of the process). That variance is measured: ``repeats``
    datasets at each of ``probes`` draws. The box holding the non-implausible draws, widened by ``MARGIN`` of each
    prior range and clipped to it, is the truncated prior of round 2. ``mask`` (crisis,) leaves crises out of the
    statistics (``statistics``), so the held-out crises shape neither the box nor anything after it."""
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    before = simulator.simulations
    theta = PRIOR_BOX.draw(n, rng)
    x = simulator(theta, mask=mask)
    probe = np.repeat(theta[rng.choice(n, probes, replace=False)], repeats, axis=0)
    xr = simulator(probe, mask=mask).reshape(probes, repeats, -1)
    var = xr.var(axis=1, ddof=1).mean(axis=0)
    # floors: a share never varies by less than half a crisis in seven (one crisis apart is never implausible by
    # itself, even for a statistic that rarely moves at fixed draws, such as the rung-5 share), a log by less than 0.1
    var = np.maximum(var, [0.01 if s in LOG_STATS + SPREAD_STATS else (0.5 / len(CRISES)) ** 2 for s in CRISIS_STATS])
    implausibility = np.abs(x - obs) / np.sqrt(2.0 * var)
    worst = implausibility.max(axis=1)
    keep = worst < cutoff
    if keep.sum() < max(10, len(NAMES)):
        keep = worst <= np.sort(worst)[max(10, len(NAMES)) - 1]  # too few: the least implausible, said in the report
        say(f"history matching: only {int((worst < cutoff).sum())} draws below the cutoff {cutoff}; keeping the {int(keep.sum())} least implausible")
    kept = theta[keep]
    span = HIGH - LOW
    box = Box(np.maximum(kept.min(0) - MARGIN * span, LOW), np.minimum(kept.max(0) + MARGIN * span, HIGH))
    say(f"history matching: {int(keep.sum())} of {n} draws not implausible (cutoff {cutoff}); "
        f"statistics' sd at fixed draws " + ", ".join(f"{s} {v:.3g}" for s, v in zip(CRISIS_STATS, np.sqrt(var))))
    return dict(theta=theta, x=x, implausibility=implausibility, kept=kept, sd=np.sqrt(var), box=box, cutoff=cutoff,
                simulations=simulator.simulations - before, seconds=time.perf_counter() - started)


# --------------------------------------------------------------------------- round 2: neural posterior estimation


@dataclass
class Posterior:
    """A trained flow: posterior draws of the parameters for any statistics vector (amortised)."""

    params: object
    box: Box
    x_mean: np.ndarray
    x_std: np.ndarray
    losses: object = None

    def sample(self, x, n: int, seed: int) -> np.ndarray:
        """(n, parameters) posterior draws given one statistics vector."""
        xs = jnp.asarray(((np.asarray(x) - self.x_mean) / self.x_std)[None], jnp.float32)
        z = _sampler(len(NAMES), n)(jax.random.key(seed), self.params, xs)
        return self.box.from_real(np.asarray(z, np.float64).reshape(n, -1))


_network = functools.cache(flow.network)


def _objective(dim: int):
    import sbijax  # noqa: PLC0415

    return sbijax.npe(_network(dim))


@functools.cache
def _sampler(dim: int, n: int):
    """The flow's draws given x, compiled once per size (what sbijax's sample_fn does, less its Python loop)."""
    network = _network(dim)
    return jax.jit(lambda key, params, xs: network.apply(params, key, method="sample", sample_shape=(n,), x=jnp.tile(xs, [n, 1])))


def fit_npe(theta, x, box: Box, seed: int, *, epochs: int, say=quiet) -> Posterior:
    """Train the flow on (theta, x) pairs drawn from ``box`` (sbijax.train: Adam, early stopping on a validation tenth)."""
    import sbijax  # noqa: PLC0415

    x = np.asarray(x, np.float64)
    mean, std = x.mean(0), x.std(0)
    std = np.where(std > 0, std, 1.0)
    data = dict(theta=jnp.asarray(box.to_real(theta), jnp.float32), y=jnp.asarray((x - mean) / std, jnp.float32))
    started = time.perf_counter()
    import optax  # noqa: PLC0415

    # small training sets get small batches, so that an epoch is still tens of steps
    params, info = sbijax.train(jax.random.key(seed), _objective(len(NAMES)), data, n_iter=epochs,
                                batch_size=int(np.clip(len(x) // 40, 32, 256)), optimizer=optax.adam(1e-3),
                                n_early_stopping_patience=10)
    losses = np.asarray(info.losses)
    say(f"NPE trained on {len(x)} datasets: {len(losses)} epochs, validation loss {losses[:, 1].min():.3f}, {time.perf_counter() - started:.0f} s")
    return Posterior(params, box, mean, std, losses)


# --------------------------------------------------------------------------- diagnostics


def ranks(post: Posterior, theta_true, x, n: int, seed: int) -> np.ndarray:
    """Simulation-based calibration (Talts et al. 2018): rank of each true value among n posterior draws. A discrete
    parameter is ranked at its levels, ties broken at random (``sbc.rank``)."""
    rng = np.random.default_rng(seed)
    out = np.zeros(np.shape(theta_true), int)
    for i, (t, xi) in enumerate(zip(theta_true, x)):
        draws = post.sample(xi, n, seed + i)
        out[i] = sbc.rank(sbc.snap(draws[None], NAMES), sbc.snap(np.asarray(t)[None], NAMES), rng)[0]
    return out


def coverage(post: Posterior, theta_true, x, n: int, seed: int, levels=(0.5, 0.8, 0.9, 0.95)) -> dict:
    """Share of true values inside the central posterior interval of each level, per parameter."""
    return covered(ranks(post, theta_true, x, n, seed) / n, levels)


covered = sbc.covered  # coverage from ranks, defined once (lab.sbc)


def contraction(draws, box: Box = PRIOR_BOX) -> np.ndarray:
    """1 - posterior variance / prior variance per parameter (uniform prior on ``box``): 0 the record says nothing."""
    prior_var = (box.high - box.low) ** 2 / 12.0
    return 1.0 - np.var(draws, axis=0) / prior_var


def misspecification(obs, sims) -> dict:
    """Is the record inside what the model produces? Per statistic: share of simulated values <= the record's;
    and the record's Mahalanobis distance from the simulated cloud against the cloud's own distances."""
    sims = np.asarray(sims, float)
    mean, cov = sims.mean(0), np.cov(sims.T) + 1e-9 * np.eye(sims.shape[1])
    inv = np.linalg.pinv(cov)
    d = np.einsum("ij,jk,ik->i", sims - mean, inv, sims - mean)
    d_obs = float((obs - mean) @ inv @ (obs - mean))
    names = STATS[: sims.shape[1]]
    return dict(percentile={s: float(np.mean(sims[:, j] <= obs[j])) for j, s in enumerate(names)},
                inside={s: bool(sims[:, j].min() <= obs[j] <= sims[:, j].max()) for j, s in enumerate(names)},
                mahalanobis=d_obs, mahalanobis_percentile=float(np.mean(d <= d_obs)))


def frequency_step(sim: Simulator, candidates, n: int, seed: int) -> dict:
    """The crisis frequency, fitted in a step of its own (the decade-long runs would cost more than the seven crises):
    each candidate (a draw of the crisis-fitted posterior) runs a decade of long_run, and is weighted by how well its
    rate matches the record's: a Gaussian kernel on log(1 + crises per decade) as wide as the record's own uncertainty
    about its rate (Poisson: 1 / sqrt(crises)). Returns n draws resampled by those weights, the weights and their
    effective sample size (importance-sampling ABC)."""
    rec = record.patterns(record.nuclear_era(record.load()))
    target, width = np.log1p(rec["per_decade"]), 1.0 / np.sqrt(rec["n"])
    f = np.log1p(sim.decades(candidates))
    logw = -0.5 * ((f - target) / width) ** 2
    w = np.exp(logw - logw.max())
    w /= w.sum()
    idx = np.random.default_rng(seed).choice(len(candidates), size=n, p=w)
    return dict(draws=candidates[idx], weights=w, frequency=f, ess=float(1.0 / np.sum(w**2)), width=width, target=target)


def median_values(draws) -> dict:
    """The posterior median of each parameter (discrete ones at their nearest level)."""
    med = np.median(draws, axis=0)
    out = {}
    for f, v in zip(PRIOR, med):
        out[f.key] = float(min(f.levels, key=lambda lv: abs(lv - v))) if f.levels else float(v)
    return out


# --------------------------------------------------------------------------- the whole calibration


@dataclass
class Budget:
    """Simulations and draws of one calibration (``make calibrate``; ``quick()``: the CI smoke run)."""

    scale: Scale = dataclasses.field(default_factory=Scale)
    wave: int = 3000  # history matching: prior draws, one dataset each
    probes: int = 25  # draws whose datasets are repeated to measure the statistics' stochastic variance
    repeats: int = 6
    npe: int = 10_000  # round-2 datasets the flow is trained on
    epochs: int = 300  # at most; early stopping ends training sooner
    frequency: int = 2000  # crisis-fitted draws that each run a decade of long_run (the frequency step)
    draws: int = 4000  # posterior draws kept in the posterior file
    sbc: int = 200  # synthetic datasets of the coverage check
    sbc_draws: int = 500  # posterior draws per synthetic dataset
    psbc: int = 200  # posterior SBC (conditional on the record): truths drawn from the posterior, a dataset each
    psbc_draws: int = 199  # draws of each truth's reference posterior (record and its dataset)
    psbc_pool: int = 4000  # posterior draws reweighted into those reference posteriors
    ppc: int = 400  # posterior predictive datasets
    loo: int = 200  # draws per leave-one-crisis-out posterior, each one run of the left-out crisis

    @classmethod
    def quick(cls) -> Budget:
        return cls(scale=Scale(population=50, media=4, long_population=50, long_days=730, block=64), wave=96,
                   probes=6, repeats=4, npe=384, epochs=20, frequency=64, draws=400, sbc=16, sbc_draws=100, psbc=24, psbc_draws=99, psbc_pool=800, ppc=32, loo=8)


def fit(sim: Simulator, budget: Budget, seed: int, rng: np.random.Generator, say=quiet, holdout=()) -> dict:
    """Both rounds of the calibration on the record less the ``holdout`` crises (names in ``CRISES``): history
    matching, then the flow trained on datasets from the truncated prior. The one fitting path, for ``calibrate``
    (nothing held out) and the leave-future-out forecasts (``make forecast``): the held-out crises enter neither
    round. Returns the wave, the box, the training set (``theta``, ``data``, ``x``), the posterior, the record's
    statistics it is conditioned on (``obs``) and the ``mask`` of crises fitted."""
    unknown = set(holdout) - set(CRISES)
    if unknown:
        raise ValueError(f"holdout: {sorted(unknown)} are not hindcast crises ({', '.join(CRISES)})")
    mask = np.array([c not in holdout for c in CRISES]) if holdout else None
    obs = observed(mask)[: len(CRISIS_STATS)]
    # round 1: history matching discards the implausible region
    wave = history_match(sim, obs, n=budget.wave, probes=budget.probes, repeats=budget.repeats, seed=seed, say=say, mask=mask)
    box = wave["box"]
    say(f"history matching: {wave['simulations']} datasets in {wave['seconds']:.0f} s; round-2 box keeps "
        f"{np.prod((box.high - box.low) / (HIGH - LOW)):.2e} of the prior's volume")
    # round 2: NPE on datasets from the truncated prior
    theta = box.draw(budget.npe, rng)
    data = sim.datasets(theta, long=False)
    x = statistics(data["peak"], data["lag"], data["duration"], data["mediated"], mask=mask)
    post = fit_npe(theta, x, box, seed, epochs=budget.epochs, say=say)
    return dict(wave=wave, box=box, theta=theta, data=data, x=x, posterior=post, obs=obs, mask=mask)


def calibrate(budget: Budget, seed: int, say=quiet, remote: Remote | None = None) -> dict:
    """Both rounds and every diagnostic; returns what ``scripts/calibrate.py`` writes and plots. With ``remote``,
    the simulation rounds (history matching, the flow's training set, the frequency step) run as SLURM job arrays."""
    started = time.perf_counter()
    sim = Simulator(budget.scale, seed)
    sim.progress = say
    sim.remote = remote
    obs = observed()
    obs_c = obs[: len(CRISIS_STATS)]
    rng = np.random.default_rng(seed)
    fitted = fit(sim, budget, seed, rng, say=say)  # both rounds, on the whole record
    wave, box, theta, data, x, post = (fitted[k] for k in ("wave", "box", "theta", "data", "x", "posterior"))
    # the frequency step: crisis-fitted draws weighted by their decade's rate of crises
    freq = frequency_step(sim, post.sample(obs_c, budget.frequency, seed), budget.draws, seed)
    draws = freq["draws"]
    say(f"frequency step: {budget.frequency} decades of long_run, effective sample size {freq['ess']:.0f}")
    # coverage on synthetic datasets from the same (truncated) prior
    theta_s = box.draw(budget.sbc, rng)
    x_s = sim(theta_s)
    rank = ranks(post, theta_s, x_s, budget.sbc_draws, seed + 1)
    # posterior SBC: the same check conditional on the record, where the policy effects are computed (model.lab.sbc)
    from . import sbc  # noqa: PLC0415

    psbc = sbc.posterior_sbc(post, sim, obs_c, datasets=budget.psbc, n_draws=budget.psbc_draws, pool=budget.psbc_pool,
                             seed=seed + 3, names=NAMES)
    say(f"posterior SBC: {budget.psbc} datasets from posterior draws, median effective sample size "
        f"{np.median(psbc['ess']):.0f} of {budget.psbc_pool}")
    # posterior predictive: datasets from posterior draws (kinetic-phase length held out)
    ppc = sim.datasets(draws[: budget.ppc])
    ppc_x = statistics(ppc["peak"], ppc["lag"], ppc["duration"], ppc["mediated"], ppc["per_decade"])
    crisis_draws = post.sample(obs_c, budget.draws, seed + 2)  # before the frequency step: what the crises alone say
    # leave one crisis out: a posterior without it, then that crisis replayed from its draws
    loo = {}
    for i, crisis in enumerate(CRISES):
        mask = np.arange(len(CRISES)) != i
        x_i = statistics(data["peak"], data["lag"], data["duration"], data["mediated"], mask=mask)
        post_i = fit_npe(theta, x_i, box, seed + 10 + i, epochs=budget.epochs, say=say)
        draws_i = post_i.sample(observed(mask)[: len(CRISIS_STATS)], budget.loo, seed + 10 + i)
        first = sim.count
        sim.count += budget.loo
        runs = sim.crisis_runs(draws_i, first, base=jax.tree.map(lambda leaf, i=i: leaf[i : i + 1], sim.base), label=f"left out {crisis}")
        loo[crisis] = {k: v[:, 0] for k, v in runs.items()}
    return dict(
        seed=seed, budget=budget, observed=obs, wave=wave, box=box, theta=theta, x=x, posterior=post, draws=draws,
        crisis_draws=crisis_draws, frequency=freq,
        sbc_theta=theta_s, sbc_x=x_s, ranks=rank, posterior_sbc=psbc, ppc=ppc, ppc_x=ppc_x, loo=loo,
        misspecification=misspecification(obs_c, x), contraction=contraction(draws),
        simulations=sim.simulations, seconds=time.perf_counter() - started,
    )
