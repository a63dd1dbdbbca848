"""The status quo's fitted parameters: which keys, their prior ranges and why, and how values enter presets.

``FIT`` lists the nineteen parameters the Bayesian calibration fits
(``model.lab.inference``; ``make calibrate``), each with the range its
prior is uniform on and the literature or record that sets that range
(docs/parameters.md, "Priors of the Bayesian calibration"). Per-side
parameters are fitted on side A; side B keeps the preset's B/A ratio
(``ratios``), so a fitted value is written into a preset as a pair
(``preset_values``) and into a parameter pytree by ``with_values`` (one
setting) or ``inference.with_theta`` (thousands, as a batch axis).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import jax.numpy as jnp

from ..config import build, compose
from ..params import Params


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
FIT_DAYS = 365  # the hindcast presets over a year, so that long crises are seen to end


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


def setup(preset: str, population: int, media: int, days: int, overrides: dict | None = None):
    cfg = compose(preset, {"population.public": population, "population.media": media, "days": days, **(overrides or {})})
    params, dims = build(cfg)
    return cfg, params, dims
