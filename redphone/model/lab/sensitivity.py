"""Global sensitivity analysis (Sobol, SALib) and scenario discovery (PRIM, EMA Workbench) on batched runs.

One design serves both. A Saltelli/Sobol sample of the continuous parameters
in ``FACTORS`` (each within [0.5, 1.5] x its calibrated status-quo value,
clipped to the schema's range) is crossed with the institution switches
``SWITCHES`` (leader hotline x Track-II: the sweep the project exists for);
every point x switch setting is one stacked setting of the
``india_pakistan_2025`` preset, run for ``replicates`` replicates in compiled
calls of ``chunk`` settings (``model.lab.batch.run_stacked``).

Outputs per setting: P(peak rung >= 4) and P(peak rung >= 5) over its
replicates, mean crisis days (days in crisis), and mean post-crisis hostility
(both publics, last day). ``sobol`` computes first-order and total indices
with bootstrap 95% intervals per output and switch setting; ``prim`` finds
the parameter box where rung 5 or above is likely.
"""

from __future__ import annotations

import dataclasses
import itertools

import jax.numpy as jnp
import numpy as np
import pandas as pd

from ..config import FIELDS
from ..params import Params
from . import measures
from .calibration import setup
from .progress import quiet

# 16 continuous parameters marked "assumption" or with a loosely known size
FACTORS = (
    "political.resolve_reward", "political.rationality", "political.step_cost", "political.war_cost",
    "political.audience_cost", "political.deterrence", "political.belief_noise", "military.influence",
    "military.doctrine", "dyad.ceasefire_base", "dyad.accident_rate", "mediation.p_intervene",
    "mediation.ceasefire", "media.amplification", "public.rally", "public.media_weight",
)
SWITCHES = ("institutions.hotline", "institutions.track2")
OUTPUTS = ("p_rung4", "crisis_days", "hostility_post")
RELATIVE = 0.5  # each factor within [1 - RELATIVE, 1 + RELATIVE] x its status-quo value


def _get(params: Params, key: str) -> np.ndarray:
    group, name = key.split(".")
    return np.asarray(getattr(getattr(params, group), name))


def _set(params: Params, values: dict) -> Params:
    """Set keys to a scalar multiple of their status-quo value (per side: both sides scaled)."""
    by_group = {}
    for key, v in values.items():
        group, name = key.split(".")
        by_group.setdefault(group, {})[name] = v
    for group, fields in by_group.items():
        old = getattr(params, group)
        params = dataclasses.replace(params, **{group: dataclasses.replace(old, **{n: jnp.asarray(v, jnp.float32) for n, v in fields.items()})})
    return params


def problem(base: Params, factors=FACTORS, relative: float = RELATIVE) -> dict:
    """SALib problem: each factor as a multiplier of its status-quo value, bounds clipped to the schema's range."""
    bounds = []
    for key in factors:
        sq = float(np.max(_get(base, key)))
        meta = FIELDS[key]
        lo, hi = (1 - relative), (1 + relative)
        hi = min(hi, meta["hi"] / sq) if sq > 0 else hi
        lo = max(lo, meta["lo"] / sq) if sq > 0 else lo
        bounds.append([lo, hi])
    return dict(num_vars=len(factors), names=list(factors), bounds=bounds)


def design(n_base: int, seed: int, population: int = 200, media: int = 8, days: int = 120, factors=FACTORS):
    """(Sobol sample of multipliers, list of (switch values, Params) for every sample x switch setting, dims, base)."""
    from SALib.sample import sobol as sobol_sample  # noqa: PLC0415

    cfg, base, dims = setup("india_pakistan_2025", population, media, days)
    prob = problem(base, factors)
    sample = sobol_sample.sample(prob, n_base, calc_second_order=False, seed=seed)
    settings = []
    for switches in itertools.product((0.0, 1.0), repeat=len(SWITCHES)):
        on = _set(base, dict(zip(SWITCHES, switches)))
        for row in sample:
            settings.append((switches, _set(on, {k: _get(base, k) * m for k, m in zip(factors, row)})))
    return prob, sample, settings, dims, base


def _outputs(daily, summary):
    """What the analysis needs from each run (XLA drops the rest)."""
    return dict(peak=summary["peak_rung"], crisis_days=summary["crisis_days"],
                hostility=0.5 * (summary["hostility_end_A"] + summary["hostility_end_B"]))


def run(settings: list, dims, days: int, replicates: int, seed: int, chunk: int, progress=None) -> pd.DataFrame:
    """Outputs of every setting: P(peak >= 4), P(peak >= 5), crisis days, post-crisis hostility (means over replicates).
    Compiled calls of ``chunk`` settings x all replicates, through ``batch.run_stacked`` (the one batched-run loop)."""
    from .runs import run_stacked  # noqa: PLC0415

    out = run_stacked([p for _, p in settings], dims, days, replicates, seed, keep=_outputs, block=chunk * replicates, chunk=chunk * replicates,
                      label="sensitivity", progress=progress or quiet)
    df = pd.DataFrame(dict(
        p_rung4=measures.p_peak(out["peak"], measures.STRIKES, axis=1), p_rung5=measures.p_peak(out["peak"], measures.WAR, axis=1),
        crisis_days=np.mean(out["crisis_days"], axis=1), hostility_post=np.mean(out["hostility"], axis=1),
    ))
    for j, name in enumerate(SWITCHES):
        df[name] = [int(s[j]) for s, _ in settings]
    return df


def sobol(prob: dict, results: pd.DataFrame, n_samples: int, seed: int, outputs=OUTPUTS) -> pd.DataFrame:
    """First-order (S1) and total (ST) indices with 95% bootstrap half-widths, per output and switch setting."""
    from SALib.analyze import sobol as sobol_analyze  # noqa: PLC0415

    rows = []
    for switches, block in results.groupby(list(SWITCHES), sort=True):
        assert len(block) == n_samples
        for output in outputs:
            y = block[output].to_numpy()
            if np.std(y) == 0:
                continue
            res = sobol_analyze.analyze(prob, y, calc_second_order=False, num_resamples=200, seed=seed)
            for k, name in enumerate(prob["names"]):
                rows.append(dict(output=output, **dict(zip(SWITCHES, switches)), parameter=name,
                                 S1=res["S1"][k], S1_conf=res["S1_conf"][k], ST=res["ST"][k], ST_conf=res["ST_conf"][k]))
    return pd.DataFrame(rows)


def prim(sample: np.ndarray, prob: dict, results: pd.DataFrame, threshold: float = 0.2, min_density: float = 0.75):
    """PRIM (EMA Workbench) for settings where P(peak rung >= 5) >= threshold: the box with the largest coverage at
    density >= min_density on the peeling trajectory (the last box if none reaches it).
    Returns (box table, its stats, share of settings of interest, peeling trajectory)."""
    from ema_workbench.analysis import prim as ema_prim  # noqa: PLC0415

    n_switch = len(results) // len(sample)
    x = pd.DataFrame(np.tile(sample, (n_switch, 1)), columns=prob["names"])
    for name in SWITCHES:
        x[name] = pd.Categorical(np.where(results[name].to_numpy() > 0, "on", "off"))
    y = (results["p_rung5"].to_numpy() >= threshold)
    if y.sum() == 0 or y.all():
        return None, None, float(y.mean()), None
    finder = ema_prim.Prim(x, y, mass_min=0.05)
    box = finder.find_box()
    traj = box.peeling_trajectory
    ok = traj[traj["density"] >= min_density]
    i = int(ok.sort_values("coverage").index[-1]) if len(ok) else int(traj.index[-1])
    limits = box.box_lims[i]  # rows 0 / 1: lower / upper limit (a set of levels for a switch)
    initial = box.box_lims[0]
    restricted = [c for c in limits.columns if not _same(limits[c], initial[c])]
    raw = pd.DataFrame({"min": [_low(limits[c]) for c in restricted], "max": [_high(limits[c]) for c in restricted],
                        "sampled_min": [_low(initial[c]) for c in restricted], "sampled_max": [_high(initial[c]) for c in restricted]},
                       index=restricted)
    stats = traj.loc[i]
    return raw, stats, float(y.mean()), traj


def _same(a, b) -> bool:
    return all((x == y) if isinstance(x, (set, frozenset)) else bool(np.isclose(x, y)) for x, y in zip(a, b))


def _low(col):
    v = col.iloc[0]
    return ",".join(sorted(v)) if isinstance(v, (set, frozenset)) else float(v)


def _high(col):
    v = col.iloc[1] if not isinstance(col.iloc[0], (set, frozenset)) else col.iloc[0]
    return ",".join(sorted(v)) if isinstance(v, (set, frozenset)) else float(v)
