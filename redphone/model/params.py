"""Every parameter of the model, in one place.

Each group below is a dataclass that plays two roles:

* the typed schema of a Hydra config group (plain Python values, checked at
  compose time), with each field's allowed range, whether it may differ by
  side, and its source in the field's metadata;
* a JAX pytree of the same shape (``to_params``), where every numeric field is
  an array leaf: per-side fields have shape ``(2,)`` (side A, side B), dyad
  fields shape ``()``. Institution switches are 0/1 leaves, so any mix of
  settings stacks and batches (``vmap``) into one compiled call.

Only shapes are static (``Dims``): population sizes and the padded number of
scripted events. Ranges are enforced by ``model.config.validate`` before any
work starts.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

N_SIDES = 2
N_RUNGS = 7  # 0 normal relations ... 6 nuclear use
N_BINS = 20  # hostility histogram bins over [0, 1]
N_POLITICAL = 3  # head of government, the cabinet, the opposition (one voice each)
MAX_SCRIPTED = 4  # scripted attacks per run (padded)
SIDE_NAMES = ("A", "B")


def p(default, lo, hi, doc, source="assumption", side=True, kind=float):
    """A parameter field: default, allowed closed range, meaning and source."""
    return field(default=default, metadata=dict(lo=lo, hi=hi, doc=doc, source=source, side=side, kind=kind))


def switch(default, doc, source="assumption"):
    return field(default=default, metadata=dict(lo=0, hi=1, doc=doc, source=source, side=False, kind=bool))


# --------------------------------------------------------------------------- sectors


@dataclass
class PublicParams:
    epsilon: Any = p(0.25, 0.0, 1.0, "bounded-confidence threshold: peers closer than this influence each other", "Deffuant et al. 2000")
    epsilon_spread: Any = p(0.05, 0.0, 0.5, "half-width of the uniform spread of citizens' thresholds around epsilon")
    mu: Any = p(0.3, 0.0, 0.5, "convergence rate of a bounded-confidence encounter", "Deffuant et al. 2000 (0 < mu <= 0.5)")
    media_weight: Any = p(0.04, 0.0, 1.0, "daily pull of a citizen toward the frame of the outlet it follows (times credibility)")
    rally: Any = p(0.25, 0.0, 1.0, "rally-round-the-flag jump toward 1 per unit severity of an event blamed on the rival", "Mueller 1970 (rally effect); size assumption")
    relaxation: Any = p(0.01, 0.0, 1.0, "daily relaxation of hostility toward the citizen's baseline")
    noise: Any = p(0.01, 0.0, 0.5, "standard deviation of daily idiosyncratic noise in hostility")
    baseline: Any = p(0.55, 0.0, 1.0, "mean baseline hostility toward the rival")
    baseline_spread: Any = p(0.15, 0.0, 0.5, "standard deviation of baseline hostility across citizens")
    uniform_start: Any = p(0.0, 0, 1, "1: initial hostility uniform on [0,1] (bounded_confidence); 0: start at baseline", side=False, kind=bool)


@dataclass
class MediaParams:
    slant: Any = p(0.6, 0.0, 1.0, "mean nationalist slant of outlets")
    slant_spread: Any = p(0.2, 0.0, 0.5, "standard deviation of slant across outlets")
    amplification: Any = p(1.0, 0.0, 5.0, "mean sensationalism: how strongly an outlet amplifies the day's events")
    credibility: Any = p(0.7, 0.0, 1.0, "mean credibility of outlets (scales their pull on followers)")
    drift: Any = p(0.02, 0.0, 1.0, "daily drift of slant toward the mean hostility of the outlet's audience (ratings chasing)")
    denial: Any = p(0.8, 0.0, 1.0, "share of own losses a fully nationalist outlet denies (narrative war)")
    weakness: Any = p(0.5, 0.0, 1.0, "how strongly nationalist outlets frame de-escalation as weakness")
    reach_skew: Any = p(1.0, 0.0, 5.0, "log-normal spread of outlets' audience shares (0: equal reach)")


@dataclass
class PoliticalParams:
    hawkishness: Any = p(0.6, 0.0, 1.0, "hawkishness of the head of government")
    cabinet_hawkishness: Any = p(0.6, 0.0, 1.0, "hawkishness of the cabinet (one collective voice)")
    opposition_hawkishness: Any = p(0.5, 0.0, 1.0, "hawkishness of the opposition (one collective voice)")
    cabinet_weight: Any = p(0.15, 0.0, 1.0, "weight of the cabinet's advice in the leader's choice")
    opposition_weight: Any = p(0.05, 0.0, 1.0, "weight of the opposition's pressure in the leader's choice")
    advice_weight: Any = p(6.0, 0.0, 50.0, "utility per squared rung between the leader's choice and an adviser's, times the adviser's weight (military influence, cabinet, opposition)", "Feaver 2003; Fair 2014 (the Pakistan army's veto); scale assumption")
    rationality: Any = p(6.0, 0.0, 50.0, "precision of the quantal-response choice (0: uniform among reachable rungs, large: best response)", "McKelvey & Palfrey 1995")
    resolve_reward: Any = p(12.0, 0.0, 50.0, "domestic reward per rung of shown resolve, per unit domestic pressure", "Fearon 1994 (audience costs); size assumption")
    hostility_pressure: Any = p(1.0, 0.0, 5.0, "weight of the public's mean hostility in domestic pressure")
    media_pressure: Any = p(0.5, 0.0, 5.0, "weight of media nationalism in domestic pressure")
    electoral_pressure: Any = p(0.5, 0.0, 5.0, "weight of electoral proximity in domestic pressure")
    electoral_horizon: Any = p(180.0, 1.0, 3650.0, "days over which an approaching election weighs (exp(-days/horizon))")
    election_interval: Any = p(1825.0, 30.0, 3650.0, "days between general elections", "India: 5-year Lok Sabha term")
    first_election: Any = p(400.0, 0.0, 3650.0, "days from the start to the first election")
    audience_cost: Any = p(4.0, 0.0, 50.0, "cost per rung of backing down, times commitment and public hostility", "Fearon 1994; Tomz 2007")
    war_cost: Any = p(6.0, 0.0, 100.0, "expected cost of war, times (rung/6)^2", "assumption (convex costs)")
    nuclear_cost: Any = p(200.0, 0.0, 10000.0, "cost of nuclear use (rung 6) and, times the daily nuclear risk x 30, of full war")
    deterrence: Any = p(1.5, 0.0, 20.0, "cost per rung of staying below a rival believed hostile (deterrence, security dilemma)", "Jervis 1978")
    step_cost: Any = p(0.7, 0.0, 20.0, "cost per rung moved in one day (the ladder is climbed stepwise)", "Kahn 1965")
    ceasefire_cost: Any = p(4.0, 0.0, 50.0, "cost per rung above 1 while a ceasefire holds")
    belief_noise: Any = p(0.2, 0.0, 1.0, "standard deviation of the noise on the leader's daily reading of the rival's intent (misperception)", "Jervis 1976")
    belief_bias: Any = p(0.15, -1.0, 1.0, "bias of that reading toward hostile intent, times hawkishness")
    intent_weight: Any = p(0.5, 0.0, 1.0, "how much the grievance's weight in resolve and precedent falls when the rival's intent is read as benign: times (1 - belief)", "Jervis 1976 (perceived intent); scale assumption")
    belief_rate: Any = p(0.3, 0.0, 1.0, "daily updating rate of the belief about the rival's intent")
    security_dilemma: Any = p(0.2, 0.0, 1.0, "weight of the rival's readiness in the reading of its intent (defensive moves read as offensive)", "Jervis 1978")
    commitment_rate: Any = p(0.3, 0.0, 1.0, "growth of public commitment per rung climbed and per unit of attack suffered")
    commitment_decay: Any = p(0.02, 0.0, 1.0, "daily decay of public commitment")
    approval_rate: Any = p(0.05, 0.0, 1.0, "daily adjustment rate of approval")
    approval_base: Any = p(0.5, 0.0, 1.0, "approval in calm times")
    approval_rally: Any = p(0.4, 0.0, 1.0, "approval gained by shown resolve, times public hostility")
    approval_backdown: Any = p(0.2, 0.0, 1.0, "approval lost when backing down, times commitment and hostility")
    approval_casualty: Any = p(0.2, 0.0, 1.0, "approval lost per unit of reported losses")
    insecurity: Any = p(1.0, 0.0, 5.0, "standing S = 1 + insecurity x (1 - approval) multiplies the audience cost, the cost of not answering and the reward for resolve: an unpopular leader pays more for looking weak and gains more from resolve", "Chiozza & Goemans 2011 (tenure insecurity); Levy 1989 (diversionary incentive, mixed evidence); Fearon 1994")
    precedent: Any = p(0.0, 0.0, 1.0, "precedent of publicised retaliation on day 0 (the era: 0 before Uri 2016, near 1 after)", "Uri 2016 'surgical strikes', Balakot 2019: the 'new normal' (Jacob 2017; Yusuf 2018)")
    precedent_cost: Any = p(6.0, 0.0, 50.0, "domestic cost of answering less than rung 3 + precedent, per rung short, per unit precedent, times the grievance", "Jacob 2017; Ladwig 2007 (Cold Start as punitive doctrine)")
    precedent_gain: Any = p(0.7, 0.0, 1.0, "share of the gap to 1 that an executed strike order adds to the precedent")
    retaliation_cost: Any = p(6.0, 0.0, 100.0, "cost of rungs 3-5, times the rival's readiness (what it can strike back with) and (rung - 2) / 3", "Snyder 1965 (stability-instability paradox); Krepon 2003")
    escalation_risk: Any = p(20.0, 0.0, 500.0, "cost of losing control under the nuclear shadow: times ((rung - 2) / 3)^3 for rungs 3-5", "Schelling 1966 (threat that leaves something to chance); Kapur 2007")
    mobilisation_cost: Any = p(0.3, 0.0, 20.0, "cost per 30 days a side has stayed mobilised (rung >= 2) of staying there", "Twin Peaks 2001-02: ten months at about USD 2-3bn (Nayak & Krepon 2006)")
    threat_binding: Any = p(0.5, 0.0, 1.0, "how far the leader's own public commitment (threats after the attack, rungs climbed) binds like a precedent: the expected answer is max(precedent, threat_binding x commitment)", "Fearon 1994 and Tomz 2007 (threats create audience costs); Uri 2016: 'those behind this will not go unpunished' before the first publicised strike (Jacob 2017)")


@dataclass
class MilitaryParams:
    reaction: Any = p(0.02, 0.0, 1.0, "Richardson reaction coefficient: readiness gained per day per unit of the rival's readiness", "Richardson 1960")
    fatigue: Any = p(0.04, 0.0, 1.0, "Richardson fatigue coefficient: readiness lost per day per unit of own readiness", "Richardson 1960")
    grievance: Any = p(0.004, -1.0, 1.0, "Richardson grievance term: readiness gained per day regardless", "Richardson 1960")
    initial_readiness: Any = p(0.3, 0.0, 1.0, "readiness of the armed forces on day 0")
    mobilisation: Any = p(0.03, 0.0, 1.0, "readiness gained per day per rung above 1 (mobilisation)")
    doctrine: Any = p(1.0, 0.0, 3.0, "doctrine aggressiveness: rungs above the rival's that the military advises ('quid pro quo plus')", "Indian and Pakistani doctrine after 2019; assumption")
    influence: Any = p(0.35, 0.0, 1.0, "weight of the military's advice in the leader's choice")
    provocation_rung: Any = p(4.0, 0.0, 6.0, "rung the military advises after a maximal, fully attributed attack")
    provocation_decay: Any = p(0.03, 0.0, 1.0, "daily decay of the memory of attacks suffered")
    strike_success: Any = p(0.7, 0.0, 1.0, "daily probability that a kinetic action hits its targets")
    loss_rate: Any = p(0.25, 0.0, 1.0, "daily probability of a reportable loss (aircraft, posts) under the rival's kinetic action, times its readiness")


@dataclass
class OperationParams:
    """Decide, then plan, then strike: a decision to use force orders an operation that takes time to plan."""

    plan_mean: Any = p(14.0, 0.0, 120.0, "mean days from the order to use force (rung >= 3) to the strike", "India after Kargil, Uri, Pulwama, Pahalgam: 11-23 days (record); Ladwig 2007 (Cold Start aims at days)")
    plan_cv: Any = p(0.35, 0.05, 2.0, "coefficient of variation of the planning time (gamma distributed; 1 would be exponential)")
    answer_mean: Any = p(2.0, 0.0, 30.0, "mean days to strike back when the rival has just struck (retaliation is planned in advance)", "Pakistan 1999, 2019 (1 day), 2025 (within 3 days): record")
    stall: Any = p(0.5, 0.0, 1.0, "share of a day's strike planning that stalls on a day the leader wavers (chooses below force without rescinding), unless the rival is striking", "Operation Parakram: offensives planned for January and June 2002 put off (Nayak & Krepon 2006); 2008: strike options weighed and not pursued")
    limited: Any = p(0.5, 0.0, 1.0, "how far a strike on territory (rung 4) is aimed and announced to be read as limited (camps, not the state's forces): the rival's grievance from it and the striker's expected retaliation cost of rung 4 fall by this share", "MEA 26 Feb 2019 ('non-military pre-emptive action'); 7 May 2025 ('focused, measured and non-escalatory'); Pakistan 27 Feb 2019 (strikes near, not on, military sites)")


@dataclass
class StandoffParams:
    """Coercive stand-offs: mobilisation with public demands, ended by compliance, mutual stand-down or slow demobilisation."""

    demands: Any = p(0.0, 0.0, 1.0, "strength of the public demands a side makes of the rival after a severe attack it suffered (0: none)", "Twin Peaks 2001-02, Kashmir 1990: coercive diplomacy (Nayak & Krepon 2006)")
    demand_decay: Any = p(0.005, 0.0, 1.0, "daily decay of open demands (slow demobilisation without compliance)", side=False)
    comply_base: Any = p(0.002, 0.0, 1.0, "daily probability the rival complies with open demands, before the terms below", side=False)
    comply_mediation: Any = p(0.01, 0.0, 1.0, "daily probability of compliance added while a third party presses", "Musharraf's speeches of 12 Jan and 27 May 2002 under US pressure", side=False)
    comply_cost: Any = p(0.01, 0.0, 1.0, "daily probability of compliance added per 100 days of mutual mobilisation (the cost of staying mobilised)", side=False)
    comply_relief: Any = p(0.5, 0.0, 1.0, "share of the open demands, the grievance and the commitment a compliance signal removes (1: compliance ends the stand-off)", "Musharraf's speech of 12 Jan 2002 came a month into a ten-month stand-off (Nayak & Krepon 2006)", side=False)
    face: Any = p(1.0, 0.0, 20.0, "cost per rung below 2 of standing down before the rival does, or while the side's own demands are open (times them), times the sunk mobilisation min(days mobilised / 30, 1)", "Twin Peaks 2001-02 and Brasstacks 1987: neither side stood down first; pull-backs negotiated as mutual (Nayak & Krepon 2006; Bajpai et al. 1995)")


@dataclass
class IntrusionParams:
    """An occupation of one side's territory (Kargil 1999): held until evicted or withdrawn under pressure."""

    evict_rate: Any = p(0.02, 0.0, 1.0, "daily probability of evicting the intruders on a day the occupied side uses force (rung >= 3)", "Kargil 1999: about two months of fighting from 26 May (Tololing mid-June, Tiger Hill 4 July) to the withdrawal of 26 July", side=False)
    withdraw_pressure: Any = p(0.02, 0.0, 1.0, "daily probability the intruder withdraws while a third party presses", "Clinton-Sharif, Blair House 4 July 1999: withdrawal agreed after weeks of US pressure (Riedel 2002)", side=False)


# --------------------------------------------------------------------------- dyad and institutions


@dataclass
class DyadParams:
    attack_rate: Any = p(0.15, 0.0, 50.0, "attacks suffered per year that are blamed on the rival (Poisson rate)", "calibration target: India-Pakistan crises since 1990")
    severity_min: Any = p(0.3, 0.0, 1.0, "lowest severity of a random attack (uniform up to 1)", side=False)
    evidence_min: Any = p(0.1, 0.0, 1.0, "lowest quality of public attribution evidence (uniform)", side=False)
    evidence_max: Any = p(0.8, 0.0, 1.0, "highest quality of public attribution evidence (uniform)", side=False)
    crisis_severity: Any = p(0.3, 0.0, 1.0, "attack severity that opens a crisis", side=False)
    crisis_end_days: Any = p(14.0, 1.0, 365.0, "days at crisis level <= 1 that end a crisis", side=False)
    nuclear_risk: Any = p(0.002, 0.0, 1.0, "daily probability of inadvertent nuclear use at crisis level 5", "assumption (Sagan 1993 on accidents)", side=False)
    accident_rate: Any = p(0.02, 0.0, 1.0, "daily probability, at crisis level >= 2, of an incident that raises one side's rung (never from below rung 3 into force)", side=False)
    ceasefire_base: Any = p(0.03, 0.0, 1.0, "daily probability of a ceasefire in a kinetic phase with no channel or mediator", side=False)
    ceasefire_exchange: Any = p(0.3, 0.0, 1.0, "daily ceasefire probability added once both sides have used force in the crisis (each can claim it answered)", "Balakot 2019 and Sindoor 2025: both ended within days of the retaliation, both sides claiming victory", side=False)
    ceasefire_hold: Any = p(14.0, 0.0, 365.0, "days a ceasefire weighs on the leaders' choices", side=False)
    strategic_culture: Any = p(0.2, 0.0, 1.0, "how far the strategic culture sees a crisis as an opening for dialogue", "Kiran 2023; essay", side=False)
    political_will: Any = p(0.3, 0.0, 1.0, "political will for post-crisis diplomacy", "essay", side=False)
    window_base: Any = p(-4.0, -20.0, 20.0, "log-odds that a post-crisis window creates a missing institution, before the terms below", side=False)
    window_culture: Any = p(4.0, 0.0, 20.0, "log-odds added per unit strategic culture", side=False)
    window_will: Any = p(3.0, 0.0, 20.0, "log-odds added per unit political will", side=False)
    window_mediation: Any = p(1.0, 0.0, 20.0, "log-odds added when a mediator took part", side=False)
    window_hostility: Any = p(3.0, 0.0, 20.0, "log-odds removed per unit mean public hostility", side=False)
    window_narrative: Any = p(2.0, 0.0, 20.0, "log-odds removed per unit of mean media victory claims in the crisis", side=False)


@dataclass
class Institutions:
    hotline: bool = switch(False, "leader-to-leader hotline exists")
    track2: bool = switch(False, "Track-II people-to-people programmes run")
    backchannel: bool = switch(False, "envoy backchannel exists")
    dgmo: bool = switch(True, "military operations (DGMO) line exists", "status quo since 1971")
    mediation: bool = switch(True, "a third-party mediator may step in")
    cbm: bool = switch(False, "confidence-building measures (pre-notification) in force")
    responsible_media: bool = switch(False, "rules cap outlets' amplification")


@dataclass
class HotlineParams:
    automatic: bool = switch(True, "1: the hotline activates whenever the crisis level reaches the threshold; 0: ad hoc use only")
    threshold: Any = p(2.0, 0.0, 6.0, "crisis level at which an automatic hotline activates", side=False)
    p_use: Any = p(0.3, 0.0, 1.0, "daily probability of an ad hoc call, times (1 - hostility) and (1 - commitment)", side=False)
    clarity: Any = p(0.55, 0.0, 1.0, "share of the misperception (noise and hawkish bias) a call removes that day", "US-USSR 1967: 19 messages in the Six-Day War, the Liberty incident explained (Bundy 1988); China-USSR 1969: the call refused", side=False)
    private_climbdown: Any = p(0.35, 0.0, 1.0, "share of the audience cost (of backing down, and of not answering the leader's own threats) removed on a call day: a private climb-down", "Fearon 1994; Kurizaki 2007 (private diplomacy lowers audience costs)", side=False)
    reassurance: Any = p(0.02, 0.0, 1.0, "share of each side's grievance (memory of attacks, open demands) the assurances of a call day remove", "1999 Sharif-Vajpayee calls; 1973 Brezhnev-Nixon messages; assumption on size", side=False)
    delay: Any = p(0.5, 0.0, 1.0, "share of a day's strike planning a call day holds back (talks buy time)", "1967, 1973: the line used to gain hours; DGMO calls 1999, 2025; assumption on size", side=False)
    ceasefire: Any = p(0.1, 0.0, 1.0, "daily ceasefire probability added on a call day", side=False)


@dataclass
class DgmoParams:
    p_use: Any = p(0.5, 0.0, 1.0, "daily probability the DGMO line is used at crisis level >= 2, times (1 - refusal x hostility)", side=False)
    refusal: Any = p(0.6, 0.0, 1.0, "how strongly public hostility makes the line go unused", side=False)
    accident_cut: Any = p(0.3, 0.0, 1.0, "share of incidents prevented on a day the line is used", side=False)
    ceasefire: Any = p(0.05, 0.0, 1.0, "daily ceasefire probability added on a day the line is used", side=False)


@dataclass
class BackchannelParams:
    latency: Any = p(7.0, 0.0, 365.0, "days into a crisis before envoys are at work", side=False)
    audience_cut: Any = p(0.3, 0.0, 1.0, "share of the audience cost (of backing down, and of not answering the leader's own threats) removed while envoys are at work", "Kurizaki 2007; the Naik-Mishra channel 1999", side=False)
    reassurance: Any = p(0.02, 0.0, 1.0, "share of each side's grievance the envoys' assurances remove per day at work", "Naik-Mishra channel 1999; NSA-level contacts 2019-2021 (Ajit Doval, Qamar Bajwa's aides); assumption on size", side=False)
    delay: Any = p(0.3, 0.0, 1.0, "share of a day's strike planning held back while envoys are at work", "assumption (envoys ask for time); wide prior", side=False)
    ceasefire: Any = p(0.03, 0.0, 1.0, "daily ceasefire probability added while envoys are at work", side=False)
    window: Any = p(1.0, 0.0, 20.0, "log-odds added to the post-crisis window after envoys worked", side=False)


@dataclass
class Track2Params:
    reach: Any = p(0.05, 0.0, 1.0, "share of the public newly reached per month (30 days)")
    effect: Any = p(0.02, 0.0, 1.0, "daily pull of a reached citizen's hostility toward the Track-II target")
    target: Any = p(0.2, 0.0, 1.0, "hostility level Track-II contact pulls toward")
    openness: Any = p(0.1, 0.0, 1.0, "added to a reached citizen's bounded-confidence threshold")
    initial_reach: Any = p(0.0, 0.0, 1.0, "share of the public already reached on day 0 by the years the programme has run", "essay: a standing programme")
    elite: Any = p(0.3, 0.0, 1.0, "share of the leader's misperception (noise and hawkish bias) removed by Track-II elite contacts while the programme runs", "Kaye 2007; Jones 2015 (Track-II via retired officials)", side=False)
    window: Any = p(3.0, 0.0, 20.0, "log-odds added to the post-crisis window per unit share of the public reached", side=False)


@dataclass
class MediationParams:
    threshold: Any = p(3.0, 0.0, 6.0, "crisis level at or above which a mediator may step in", side=False)
    p_willing: Any = p(0.8, 0.0, 1.0, "probability, drawn when a crisis opens, that a third party is willing to step in at all in that crisis", "Yusuf 2018: the US stepped in within a day (2002), weeks (1999), months (1990), not at all (2016)", side=False)
    p_intervene: Any = p(0.2, 0.0, 1.0, "daily probability a willing mediator steps in once the threshold is reached", side=False)
    refuse: Any = p(0.0, 0.0, 1.0, "probability, drawn when a crisis opens, that a side refuses mediation in it (India since 2016: 1)", "Yusuf 2018; Indian position since Simla 1972, firm since 2016")
    pressure: Any = p(0.6, 0.0, 20.0, "cost per rung the mediator's pressure adds to each leader's choice (also when refused)", "Clinton-Sharif 4 July 1999; Yusuf 2018 (brokered bargaining)", side=False)
    reassurance: Any = p(0.02, 0.0, 1.0, "share of each side's grievance a pressing third party's assurances remove per day (action demanded of the rival)", "Yusuf 2018; US pressure on Pakistan after 2001, 2008, 2019", side=False)
    delay: Any = p(0.3, 0.0, 1.0, "share of a day's strike planning held back while a third party presses (time asked for evidence and action)", "Yusuf 2018 (2008: US asked India for time); assumption on size", side=False)
    ceasefire: Any = p(0.15, 0.0, 1.0, "daily ceasefire probability added while a mediator brokers (no side refuses)", side=False)


@dataclass
class CbmParams:
    misperception_cut: Any = p(0.5, 0.0, 1.0, "share of misperception noise removed by pre-notification", side=False)
    accident_cut: Any = p(0.5, 0.0, 1.0, "share of incidents prevented", side=False)


@dataclass
class ResponsibleMediaParams:
    amplification_cap: Any = p(0.3, 0.0, 5.0, "cap on outlets' amplification under responsible-media rules", side=False)


GROUPS = dict(
    public=PublicParams,
    media=MediaParams,
    political=PoliticalParams,
    military=MilitaryParams,
    dyad=DyadParams,
    institutions=Institutions,
    hotline=HotlineParams,
    dgmo=DgmoParams,
    backchannel=BackchannelParams,
    track2=Track2Params,
    mediation=MediationParams,
    operation=OperationParams,
    standoff=StandoffParams,
    intrusion=IntrusionParams,
    cbm=CbmParams,
    responsible_media=ResponsibleMediaParams,
)


EVENT_KINDS = ("attack", "exercise", "intrusion")


@dataclass
class ScriptedAttack:
    """A scripted event on a given day, aimed at `target` and blamed on the other side.

    ``kind``: ``attack`` (suffered by ``target``, of ``severity``, attributed by
    ``evidence``); ``exercise`` (the other side exercises and deploys forward
    for ``length`` days: it stands mobilised, rung >= 2, and ``target`` sees
    it; Brasstacks 1987); ``intrusion`` (the other side's forces occupy
    ``target``'s territory: an attack that lasts until evicted or withdrawn,
    Kargil 1999).
    """

    day: int = 0
    target: str = "A"
    severity: float = 0.9
    evidence: float = 0.3
    kind: str = "attack"
    length: int = 0


class Dims(NamedTuple):
    """Static sizes: they fix array shapes, so changing one recompiles."""

    n_public: int = 10_000
    n_media: int = 50
    n_neighbours: int = 8


# --------------------------------------------------------------------------- the pytree


@jax.tree_util.register_dataclass
@dataclass(frozen=True)
class Params:
    """All parameters as arrays: one leaf per numeric field of every group."""

    public: Any
    media: Any
    political: Any
    military: Any
    dyad: Any
    institutions: Any
    hotline: Any
    dgmo: Any
    backchannel: Any
    track2: Any
    mediation: Any
    operation: Any
    standoff: Any
    intrusion: Any
    cbm: Any
    responsible_media: Any
    scripted_day: Any  # (MAX_SCRIPTED,) int32, -1 where unused
    scripted_target: Any  # (MAX_SCRIPTED,) int32 side index
    scripted_severity: Any
    scripted_evidence: Any
    scripted_kind: Any  # (MAX_SCRIPTED,) int32 index in EVENT_KINDS
    scripted_length: Any  # (MAX_SCRIPTED,) float32 days of an exercise


for _cls in GROUPS.values():
    jax.tree_util.register_dataclass(_cls, data_fields=[f.name for f in dataclasses.fields(_cls)], meta_fields=[])


def side_value(value) -> np.ndarray:
    """A per-side value from one number (both sides) or a pair [A, B]."""
    arr = np.asarray(value, dtype=np.float32)
    return np.broadcast_to(arr, (N_SIDES,)).copy() if arr.ndim == 0 else arr


def group_to_arrays(cls, values: dict):
    kwargs = {}
    for f in dataclasses.fields(cls):
        v = values.get(f.name, f.default)
        if f.metadata["side"]:
            kwargs[f.name] = jnp.asarray(side_value(v))
        else:
            kwargs[f.name] = jnp.asarray(np.float32(v))
    return cls(**kwargs)


def to_params(groups: dict, scripted: list) -> Params:
    """Arrays for the kernels from plain values (already validated)."""
    arrays = {name: group_to_arrays(cls, dict(groups.get(name, {}))) for name, cls in GROUPS.items()}
    day = np.full(MAX_SCRIPTED, -1, np.int32)
    target = np.zeros(MAX_SCRIPTED, np.int32)
    severity = np.zeros(MAX_SCRIPTED, np.float32)
    evidence = np.zeros(MAX_SCRIPTED, np.float32)
    kind = np.zeros(MAX_SCRIPTED, np.int32)
    length = np.zeros(MAX_SCRIPTED, np.float32)
    for i, ev in enumerate(scripted):
        day[i], target[i] = int(ev["day"]), SIDE_NAMES.index(ev["target"])
        severity[i], evidence[i] = ev["severity"], ev["evidence"]
        kind[i], length[i] = EVENT_KINDS.index(ev.get("kind", "attack")), ev.get("length", 0)
    return Params(
        **arrays,
        scripted_day=jnp.asarray(day),
        scripted_target=jnp.asarray(target),
        scripted_severity=jnp.asarray(severity),
        scripted_evidence=jnp.asarray(evidence),
        scripted_kind=jnp.asarray(kind),
        scripted_length=jnp.asarray(length),
    )


def stack(params: list[Params]) -> Params:
    """Stack settings along a new leading axis, for vmap over settings."""
    return jax.tree.map(lambda *xs: jnp.stack(xs), *params)
