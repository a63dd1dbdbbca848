"""The status quo's fitted parameters: which keys, their prior ranges and why, and how values enter presets.

``FIT`` lists the parameters the Bayesian calibration fits
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
    Free("political.resolve_reward", 1.5, 20.0, "audience-cost and diversionary literature gives no scale; wide range around the hand-tuned 12, rescaled by the leader's standing (about 1.5 at approval 0.5) that now multiplies it"),
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
    Free("political.precedent_cost", 0.0, 6.0, "post-2016 'new normal': not retaliating costly at home (Jacob 2017); no scale in the literature; per unit of domestic pressure x standing (about 2 x 1.5 in the status quo), so the earlier range 0-15 per unit grievance becomes 0-6"),
    Free("political.retaliation_cost", 0.0, 15.0, "stability-instability paradox: the cost of limited force grows with what the rival can answer (Krepon 2003)"),
    Free("political.escalation_risk", 0.0, 40.0, "the nuclear shadow over rungs 3-5: limited strikes (2019, 2025) but no full war since 1990 (Kapur 2007)"),
    Free("political.mobilisation_cost", 0.0, 1.0, "ten months of Operation Parakram at a cost that ended it (Nayak & Krepon 2006)"),
    Free("dyad.ceasefire_exchange", 0.05, 0.6, "2019 and 2025 ended 1-3 days after the retaliation"),
    Free("standoff.comply_mediation", 0.0, 0.05, "compliance signals under US pressure after weeks to months (Jan and May 2002; 1999; 1990)"),
    # Issue 20: every assumption a policy effect rests on. The channels' pathways (a call, envoys, a third party change
    # what the leader chooses; none rescinds an order itself) have comparative evidence for their existence and
    # little for their size: the ranges are wide and the record (no leader hotline, one backchannel) pins few of them.
    Free("hotline.clarity", 0.1, 0.9, "1967: 19 hotline messages in the Six-Day War explained the Liberty attack and fleet moves (used, misreading avoided); 1973: messages exchanged yet DEFCON 3; 1969: China refused Kosygin's call (nil when refused)"),
    Free("hotline.private_climbdown", 0.05, 0.7, "private diplomacy lowers audience costs (Kurizaki 2007); 1962 Jupiter deal kept private; 1999 Sharif-Vajpayee calls let neither side climb down in public"),
    Free("hotline.reassurance", 0.0, 0.05, "assurances by call: 1999 (Sharif denied involvement; did not hold), 1973 Brezhnev-Nixon messages; no measure of size: at 0.05 a day, two weeks of calls halve a grievance"),
    Free("hotline.delay", 0.0, 0.9, "talks buy time: 1967 and 1973 messages within hours; DGMO contacts paused firing (2003, 29 May 2018, 25 Feb 2021, 10 May 2025); no measure of size"),
    Free("backchannel.reassurance", 0.0, 0.05, "Naik-Mishra channel 1999 (a draft settlement, overtaken); NSA-level contacts 2020-21 before the Feb 2021 DGMO understanding; size unknown"),
    Free("backchannel.delay", 0.0, 0.9, "no evidence on how far envoys slow an operation: the whole range"),
    Free("backchannel.audience_cut", 0.05, 0.7, "private diplomacy lowers audience costs (Kurizaki 2007); the 1999 channel was deniable"),
    Free("mediation.pressure", 0.1, 3.0, "Clinton to Sharif, 4 July 1999 (withdrawal); US pressure 2002, 2019 (pilot returned in two days), 2025; cost per rung: no scale"),
    Free("mediation.reassurance", 0.0, 0.05, "US-brokered assurances: Musharraf's 12 Jan 2002 speech, Pakistan's arrests after 2008 and 2019; size unknown"),
    Free("mediation.delay", 0.0, 0.9, "2008: the US asked India for time to press Pakistan (Yusuf 2018); no measure of size"),
    Free("dyad.accident_rate", 0.002, 0.08, "escalatory incidents per crisis day: LoC ceasefire violations 2,140 (2018) and 3,479 (2019), near zero after the 2021 DGMO understanding; 1-3 serious incidents in crises of 15-300 days (27 Feb 2019 aircraft losses, 2001-02 artillery duels, 2025 drones)"),
    Free("dyad.nuclear_risk", 0.0005, 0.005, "daily risk of inadvertent nuclear use in a full war: no use in some 80 years of crises between nuclear rivals, near misses (Sagan 1993), Kargil's nuclear signalling (Kapur 2007); with the model's 30-day war it prices full war at 0.015-0.15 of nuclear_cost"),
    Free("track2.window", 0.0, 8.0, "no evidence on Track-II's weight in post-crisis institution building: a wide prior (Kaye 2007; Jones 2015 describe the channel, not its size)"),
    Free("track2.reach", 0.005, 0.1, "people-to-people programmes (Aman ki Asha 2010-, exchanges, Neemrana/Chaophraya dialogues) reach thousands, not millions: a small monthly share"),
    Free("political.hostility_pressure", 0.2, 2.0, "audience costs rise with public hostility (Tomz 2007); Pew 2023: about 7 in 10 Indians see Pakistan unfavourably; scale assumption"),
    Free("political.media_pressure", 0.1, 1.5, "media shape foreign-policy pressure (Baum & Potter 2008); Indian TV coverage after Pulwama and Pahalgam; scale assumption"),
    Free("political.electoral_pressure", 0.1, 1.5, "2019: Pulwama and Balakot two months before the Lok Sabha election; diversionary incentives (Levy 1989; mixed evidence); side B keeps the preset's ratio"),
    Free("political.advice_weight", 0.5, 15.0, "civil-military relations: the Pakistan army's veto (Fair 2014), Indian civilian control with military advice (Kapur 2016; Feaver 2003); no scale"),
    Free("political.insecurity", 0.0, 3.0, "tenure insecurity raises the stakes of looking weak (Chiozza & Goemans 2011); diversionary incentives of unpopular leaders (Levy 1989): mixed evidence, a wide range"),
    Free("political.intent_weight", 0.0, 1.0, "perceived intent behind an attack (Jervis 1976); 1999 and 2025: the rival state's role disputed; no scale"),
    Free("public.rally", 0.05, 0.5, "rally round the flag after attacks (Mueller 1970; Baker & Oneal 2001); 2019 and 2025 surveys after the attacks; size assumption"),
    Free("public.media_weight", 0.01, 0.1, "daily pull of the outlet's frame on its audience: agenda-setting and framing (McCombs & Shaw 1972); size assumption"),
    # Issue 21: crises that differ. Stand-offs that outlast compliance, intrusions held until evicted, threats that set
    # a first precedent, strikes aimed to be read as limited: mechanisms with case evidence and no measured size.
    Free("standoff.face", 0.0, 5.0, "Twin Peaks 2001-02 (ten months) and Brasstacks 1986-87: neither side stood down first, pull-backs negotiated as mutual (Nayak & Krepon 2006; Bajpai et al. 1995); no scale: up to the cost of five steps"),
    Free("standoff.comply_relief", 0.1, 1.0, "Musharraf's speech of 12 Jan 2002 came a month into a stand-off that lasted ten (a signal that lowered, not ended, the pressure); 1999: the withdrawal ended it"),
    Free("intrusion.evict_rate", 0.01, 0.06, "Kargil 1999: about two months of fighting from 26 May to the withdrawal of 26 July, the heights retaken one by one (Tololing mid-June, Tiger Hill 4 July): a mean of 17-100 days of force"),
    Free("intrusion.withdraw_pressure", 0.005, 0.1, "Kargil 1999: US pressure from mid-June, Blair House statement on 4 July, withdrawal by 26 July (Riedel 2002): weeks, not days"),
    Free("operation.stall", 0.0, 1.0, "a wavering leader stalls the operation: Parakram's offensives planned for January and June 2002 were put off (Nayak & Krepon 2006), 2008's options weighed for weeks and dropped; no measure of how much of a day's planning: the whole range"),
    Free("political.threat_binding", 0.0, 1.0, "Uri 2016: 'those behind this will not go unpunished' (18 Sep) and the first publicised strike eleven days later; threats create audience costs (Fearon 1994; Tomz 2007); no scale"),
    Free("operation.limited", 0.0, 1.0, "2019 'non-military pre-emptive action' and 2025 'focused, measured and non-escalatory' strikes on camps: each drawn an answer within one to three days (27 Feb 2019; 10 May 2025), so read as limited only in part"),
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
