"""What carries an institution's effect: each of its pathways knocked out in turn (``make pathways``).

A channel never rescinds a strike order itself (issue 20): a leaders' call
corrects misperceived intent (``hotline.clarity``), lets a leader climb down in
private (``hotline.private_climbdown``), carries assurances that ease the
grievance (``hotline.reassurance``), holds back the day's strike planning
(``hotline.delay``) and adds to the daily chance of a ceasefire
(``hotline.ceasefire``); envoys and a pressing third party have their own
pathways. The effect of switching an institution on is measured on the
status quo (``india_pakistan_2025``, whose fitted keys are the posterior
medians) with common random numbers; a pathway's *share* is the part of that
effect lost when the pathway's parameter is set to 0 with everything else
kept:

    share_k = 1 - effect(institution on, k off) / effect(institution on)

Shares need not add to 1: pathways that substitute for each other (a call that
both reassures and delays) each carry less than their sum; pathways that need
each other each carry more. A share above one half means that one assumed
number carries most of the institution's effect. Both presets are measured: the
2025 status quo (the essay's question) and ``uri_2016``, a first strike without
precedent, where the decision is at the margin.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import numpy as np

from .. import engine
from ..config import build, compose
from ..params import stack
from .stats import wilson

PRESET = "india_pakistan_2025"
# Where a decision is at the margin: a severe attack with no precedent of publicised retaliation yet (Uri 2016, the
# first strike without precedent). Under the 2025 precedent the posterior makes a strike near certain, and no driver
# or channel can move a probability near 1; whether a leader sets the precedent is where they act.
MARGIN = "uri_2016"
PRESETS = (PRESET, MARGIN)
DAYS = 365
ACCEPTED = {"mediation.refuse": [0.0, 0.0], "mediation.p_willing": 1.0}
# institution: (what switches it on, what the comparison switches off, its pathways' parameters)
INSTITUTIONS = {
    "automatic hotline": ({"institutions.hotline": True, "hotline.automatic": True}, {},
                          ("hotline.clarity", "hotline.private_climbdown", "hotline.reassurance", "hotline.delay", "hotline.ceasefire")),
    "backchannel": ({"institutions.backchannel": True}, {},
                    ("backchannel.audience_cut", "backchannel.reassurance", "backchannel.delay", "backchannel.ceasefire")),
    # the third party as in the status quo (India refuses it: it presses but brokers nothing) against none at all
    "third party": ({}, {"institutions.mediation": False},
                    ("mediation.pressure", "mediation.reassurance", "mediation.delay", "mediation.ceasefire", "standoff.comply_mediation")),
}
METRICS = {"p_rung4": "P(peak rung >= 4)", "p_force": "P(peak rung >= 3)"}
# The essay's social drivers at two ends of their ranges (low, high): public hostility (its baseline), media
# nationalism (outlets' slant), an election far or near, a military without a say or a hawkish one (advising force,
# with weight), a popular or an unpopular leader. tests/test_mechanisms.py pins each direction; make pathways
# measures each at the posterior median.
DRIVERS = {
    "public hostility": ({"public.baseline": 0.2}, {"public.baseline": 0.9}),
    "media nationalism": ({"media.slant": [0.2, 0.2]}, {"media.slant": [0.9, 0.9]}),
    # 2019: Pulwama came about two months before the general election
    "an election": ({"political.first_election": [3000, 3000]}, {"political.first_election": [60, 800]}),
    "a hawkish military": ({"military.influence": [0.0, 0.0]},
                           {"military.influence": [0.8, 0.8], "military.provocation_rung": [6.0, 6.0], "military.doctrine": 2.0}),
    "the leader's standing": ({"political.approval_base": [0.8, 0.8]}, {"political.approval_base": [0.2, 0.2]}),
}
DRIVER_ENDS = {
    "public hostility": ("baseline 0.2", "baseline 0.9"), "media nationalism": ("slant 0.2", "slant 0.9"),
    "an election": ("in 3,000 days", "in 60 days (India)"), "a hawkish military": ("no say", "influence 0.8, advising up to rung 6"),
    "the leader's standing": ("approval 0.8", "approval 0.2"),
}
# Full war as a choice: no incidents and no third party, so if full war comes, a leader chose it. Under the
# posterior's nuclear shadow none does (the stability-instability paradox); a leader who discounts it (Cold Start's
# premise that Pakistan's nuclear threshold is high: Ladwig 2007; nuclear_cost 20, escalation_risk 0) may, and every
# driver at its extreme at once makes that likelier. On the 2025 trigger, with its precedent.
DISCOUNTED = {"dyad.accident_rate": 0.0, "institutions.mediation": False, "political.nuclear_cost": [20.0, 20.0],
              "political.escalation_risk": 0.0}
EXTREME = {**DISCOUNTED, "public.baseline": 0.95, "media.slant": [0.95, 0.95], "political.first_election": [10, 10],
           "military.influence": [0.8, 0.8], "military.provocation_rung": [6.0, 6.0], "military.doctrine": 2.0,
           "political.approval_base": [0.2, 0.2]}
EXTREME_BASE = DISCOUNTED


@dataclass
class Scale:
    replicates: int = 1000
    population: int = 100
    media: int = 6
    seed: int = 20250422


def settings(institution: str, preset: str = PRESET) -> dict:
    """{name: (preset, overrides)}: without the institution, with it, and with it less each pathway."""
    on, off, paths = INSTITUTIONS[institution]
    out = {"without": (preset, dict(off)), "with": (preset, dict(on))}
    for key in paths:
        out[f"with, {key} = 0"] = (preset, {**on, key: 0.0})
    return out


def driver_settings() -> dict:
    """{name: (preset, overrides)}: each driver's two ends on both presets, and the full-war pair on the 2025 one."""
    out = {}
    for preset in PRESETS:
        for name, (low, high) in DRIVERS.items():
            out[f"{preset} {name}: low"], out[f"{preset} {name}: high"] = (preset, low), (preset, high)
    out["extreme: status quo"], out["extreme: every driver"] = (PRESET, EXTREME_BASE), (PRESET, EXTREME)
    return out


def measure(runs: dict, scale: Scale = Scale()) -> dict:
    """Each setting {name: (preset, overrides)} on the same replicates: {name: {metric: per-replicate booleans}}."""
    size = {"population.public": scale.population, "population.media": scale.media, "days": DAYS}
    built = [build(compose(preset, {**size, **over})) for preset, over in runs.values()]
    reps = np.arange(scale.replicates, dtype=np.int32)
    _, summary = jax.device_get(engine.run_settings(scale.seed, reps, stack([p for p, _ in built]), built[0][1], DAYS))
    peak = np.asarray(summary["peak_rung"])
    return {name: dict(p_rung4=peak[i] >= 4, p_force=peak[i] >= 3, p_war=peak[i] >= 5) for i, name in enumerate(runs)}


def driver_table(outcomes: dict) -> str:
    """Each driver's effect on P(peak rung >= 3) and P(peak rung >= 4), low end against high end, paired, with Wilson
    intervals, on both presets."""
    ci = lambda x: "{:.3f} [{:.3f}, {:.3f}]".format(*wilson(int(x.sum()), len(x))[:3])  # noqa: E731
    lines = ["| preset | driver | low end | high end | P(peak >= 3) low -> high | P(peak >= 4) low -> high | effect on P(peak >= 4) |",
             "|---|---|---|---|---|---|---|"]
    for preset in PRESETS:
        for name in DRIVERS:
            lo, hi = outcomes[f"{preset} {name}: low"], outcomes[f"{preset} {name}: high"]
            ends = DRIVER_ENDS[name]
            lines.append(f"| {preset} | {name} | {ends[0]} | {ends[1]} | {ci(lo['p_force'])} -> {ci(hi['p_force'])} | "
                         f"{ci(lo['p_rung4'])} -> {ci(hi['p_rung4'])} | {hi['p_rung4'].mean() - lo['p_rung4'].mean():+.3f} |")
    war = [outcomes[k]["p_war"] for k in ("extreme: status quo", "extreme: every driver")]
    w = [wilson(int(x.sum()), len(x)) for x in war]
    lines += ["", "Full war as a choice (2025 trigger, no incidents, no third party, a leader discounting the nuclear shadow): "
              f"P(peak rung >= 5) {w[0][0]:.3f} [{w[0][1]:.3f}, {w[0][2]:.3f}] with the drivers at the posterior median, "
              f"{w[1][0]:.3f} [{w[1][1]:.3f}, {w[1][2]:.3f}] with every driver at its extreme."]
    return "\n".join(lines) + "\n"


def shares(outcomes: dict, institution: str, metric: str = "p_rung4", preset: str = PRESET, boot: int = 1000, seed: int = 0) -> list[dict]:
    """Rows: the institution's effect, and each pathway's share of it (knock-out), with the effect left and a 90%
    paired-bootstrap interval of the share (replicates resampled together in every setting: common random numbers)."""
    _, _, paths = INSTITUTIONS[institution]
    values = {name: np.asarray(v[metric], float) for name, v in outcomes.items()}
    n = len(values["with"])
    idx = np.random.default_rng(seed).integers(0, n, size=(boot, n))
    base_b = values["without"][idx].mean(1)
    effect_b = values["with"][idx].mean(1) - base_b
    effect = values["with"].mean() - values["without"].mean()
    rows = []
    for key in paths:
        name = f"with, {key} = 0"
        left = values[name].mean() - values["without"].mean()
        with np.errstate(divide="ignore", invalid="ignore"):
            share_b = 1.0 - (values[name][idx].mean(1) - base_b) / effect_b
        share_b = share_b[np.isfinite(share_b)]
        low, high = (np.quantile(share_b, [0.05, 0.95]) if len(share_b) else (np.nan, np.nan))
        rows.append(dict(preset=preset, institution=institution, metric=metric, parameter=key, effect=effect, effect_without=left,
                         share=(1.0 - left / effect) if effect != 0 else np.nan, share_low=float(low), share_high=float(high)))
    return rows


def markdown(rows: list[dict], n: int) -> str:
    lines = [f"| preset | institution | metric | effect (n = {n}) | pathway knocked out (set to 0) | effect left | share of the effect [90%] |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['preset']} | {r['institution']} | {METRICS[r['metric']]} | {r['effect']:+.3f} | `{r['parameter']}` | "
                     f"{r['effect_without']:+.3f} | {r['share']:.2f} [{r['share_low']:.2f}, {r['share_high']:.2f}] |")
    return "\n".join(lines) + "\n"


def level_table(outcomes: dict) -> str:
    """The levels behind the shares, with Wilson 95% intervals: outcomes {(preset, institution): {setting: ...}}."""
    lines = ["| preset | institution | setting | P(peak rung >= 4) | P(peak rung >= 3) |", "|---|---|---|---|---|"]
    for (preset, inst), runs in outcomes.items():
        for name, v in runs.items():
            cells = []
            for m in ("p_rung4", "p_force"):
                est, lo, hi, _ = wilson(int(v[m].sum()), len(v[m]))
                cells.append(f"{est:.3f} [{lo:.3f}, {hi:.3f}]")
            lines.append(f"| {preset} | {inst} | {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
