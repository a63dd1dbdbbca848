"""The dyad: escalation ladder, triggers, channels, crisis end and the post-crisis window.

Two model-level phases frame each day:

``open_day`` draws the attacks each side suffers (a Poisson process per side,
plus scripted attacks injected for the day), updates the memory of
provocation, and opens a crisis after a severe attack.

``resolve`` applies the leaders' choices, then: incidents (accidental
escalation, cut by CBMs and a used DGMO line), the channels of the day
(hotline, DGMO line, backchannel, mediator), a possible ceasefire, the
outcomes of kinetic action (strikes, losses), inadvertent nuclear use at
crisis level 5, and the crisis bookkeeping. When a crisis ends, each missing
institution (hotline, backchannel, CBMs) is created with a probability that
grows with strategic culture, political will, mediation, envoys and Track-II,
and falls with public hostility and the media's victory claims; once created
it persists.

Rungs: 0 normal relations, 1 diplomatic and verbal hostility, 2 mobilisation,
3 limited cross-border fire, 4 strikes on the other's territory, 5 full
conventional war, 6 nuclear use (absorbing). Crisis level = the higher rung.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from .params import MAX_SCRIPTED, N_SIDES, Params
from .state import DyadState, MilitaryState, State, replace

HOTLINE, BACKCHANNEL, CBM = 0, 1, 2
NUCLEAR = 6


def init(params: Params, military: MilitaryState) -> DyadState:
    zeros2 = jnp.zeros(N_SIDES, jnp.float32)
    f0, i0, none = jnp.float32(0), jnp.int32(0), jnp.int32(-1)
    inst = params.institutions
    return DyadState(
        day=i0, rung=jnp.zeros(N_SIDES, jnp.int32), pending_attack=zeros2, pending_evidence=zeros2,
        attack=zeros2, evidence=zeros2, provocation=zeros2, strike=zeros2, loss=zeros2, backdown=zeros2,
        readiness_seen=jnp.mean(military.readiness, axis=1),
        hotline_call=f0, dgmo_call=f0, backchannel=f0, mediator=f0, ceasefire=f0, ceasefire_left=f0, accident=f0,
        nuclear_p=f0, institutions=jnp.stack([inst.hotline, inst.backchannel, inst.cbm]).astype(jnp.float32),
        in_crisis=f0, crisis_age=i0, calm_days=i0, n_crises=i0, crisis_days=i0, days_high=i0, peak=i0,
        first_start=none, first_kinetic=none, first_ceasefire=none, mediated=f0, envoys=f0, claims_sum=f0,
        n_created=i0, created_day=none, nuclear=f0,
    )


def inject_attack(state: State, target, severity, evidence) -> State:
    """Queue an attack on `target` (side index) for today's open_day: a scripted trigger."""
    d = state.dyad
    stronger = severity > d.pending_attack[target]
    d = replace(
        d,
        pending_attack=d.pending_attack.at[target].set(jnp.where(stronger, severity, d.pending_attack[target])),
        pending_evidence=d.pending_evidence.at[target].set(jnp.where(stronger, evidence, d.pending_evidence[target])),
    )
    return replace(state, dyad=d)


def inject_scripted(state: State, params: Params) -> State:
    """The batched engine's way of firing the scripted attacks due today (Mesa schedules them as events)."""
    for i in range(MAX_SCRIPTED):
        due = params.scripted_day[i] == state.dyad.day
        state = inject_attack(
            state, params.scripted_target[i],
            jnp.where(due, params.scripted_severity[i], 0.0), jnp.where(due, params.scripted_evidence[i], 0.0),
        )
    return state


def open_day(key, state: State, params: Params) -> State:
    d, dp = state.dyad, params.dyad
    k_occurs, k_severity, k_evidence = jax.random.split(key, 3)
    occurs = jax.random.uniform(k_occurs, (N_SIDES,)) < 1.0 - jnp.exp(-dp.attack_rate / 365.0)
    severity = jax.random.uniform(k_severity, (N_SIDES,), minval=dp.severity_min, maxval=1.0)
    evidence = jax.random.uniform(k_evidence, (N_SIDES,), minval=dp.evidence_min, maxval=jnp.maximum(dp.evidence_max, dp.evidence_min))
    random_attack = jnp.where(occurs & (d.rung < NUCLEAR), severity, 0.0)
    scripted = d.pending_attack > random_attack
    attack = jnp.where(scripted, d.pending_attack, random_attack)
    evidence = jnp.where(scripted, d.pending_evidence, evidence)
    # governments attribute an attack by the evidence, and hawks without it
    hawk = state.political.hawkishness[:, 0]
    attribution = evidence + (1.0 - evidence) * hawk
    provocation = jnp.clip(d.provocation * (1.0 - params.military.provocation_decay) + attack * attribution, 0.0, 1.0)
    opens = (jnp.max(attack) >= dp.crisis_severity) & (d.in_crisis < 0.5)
    d = replace(
        d, attack=attack, evidence=evidence, provocation=provocation,
        pending_attack=jnp.zeros(N_SIDES, jnp.float32), pending_evidence=jnp.zeros(N_SIDES, jnp.float32),
    )
    return replace(state, dyad=open_crisis(d, opens))


def open_crisis(d: DyadState, opens) -> DyadState:
    return replace(
        d,
        in_crisis=jnp.where(opens, 1.0, d.in_crisis),
        crisis_age=jnp.where(opens, 0, d.crisis_age),
        n_crises=d.n_crises + opens.astype(jnp.int32),
        first_start=jnp.where(opens & (d.first_start < 0), d.day, d.first_start),
    )


def resolve(key, state: State, params: Params) -> State:
    d, dp, inst = state.dyad, params.dyad, params.institutions
    keys = jax.random.split(key, 9)
    hostility = jnp.mean(state.public.mean)
    commitment = jnp.mean(state.political.commitment)
    old = d.rung
    absorbed = jnp.max(old) >= NUCLEAR
    rung = jnp.where(absorbed, NUCLEAR, state.political.choice)
    level = jnp.max(rung)

    # channels of the day
    exists = d.institutions
    automatic = (params.hotline.automatic > 0.5) & (level >= params.hotline.threshold)
    ad_hoc = jax.random.uniform(keys[0]) < params.hotline.p_use * (1.0 - hostility) * (1.0 - commitment)
    hotline_call = exists[HOTLINE] * (level >= 1) * (automatic | ad_hoc)
    dgmo_p = params.dgmo.p_use * (1.0 - params.dgmo.refusal * hostility)
    dgmo_call = inst.dgmo * (level >= 2) * (jax.random.uniform(keys[1]) < dgmo_p)
    backchannel = exists[BACKCHANNEL] * d.in_crisis * (d.crisis_age >= params.backchannel.latency)
    steps_in = (level >= params.mediation.threshold) & (jax.random.uniform(keys[2]) < params.mediation.p_intervene)
    mediator = inst.mediation * jnp.maximum(d.mediator * d.in_crisis, steps_in.astype(jnp.float32))

    # incidents: accidental escalation of one side by one rung
    incident_p = dp.accident_rate * (1.0 - exists[CBM] * params.cbm.accident_cut) * (1.0 - dgmo_call * params.dgmo.accident_cut)
    accident = (level >= 2) & (level < 5) & (jax.random.uniform(keys[3]) < incident_p)
    who = jax.random.randint(keys[4], (), 0, N_SIDES)
    rung = jnp.where(accident & (jnp.arange(N_SIDES) == who), jnp.minimum(rung + 1, 5), rung)

    # ceasefire in a kinetic phase
    level = jnp.max(rung)
    ceasefire_p = (
        dp.ceasefire_base + mediator * params.mediation.ceasefire + hotline_call * params.hotline.ceasefire
        + dgmo_call * params.dgmo.ceasefire + backchannel * params.backchannel.ceasefire
    )
    ceasefire = (level >= 3) & (level < NUCLEAR) & (jax.random.uniform(keys[5]) < ceasefire_p)
    rung = jnp.where(ceasefire, jnp.minimum(rung, 1), rung)
    ceasefire_left = jnp.where(ceasefire, dp.ceasefire_hold, jnp.maximum(d.ceasefire_left - 1.0, 0.0))

    # inadvertent nuclear use at crisis level 5; rung 6 is absorbing for both
    level = jnp.max(rung)
    nuclear_p = jnp.where(level >= 5, dp.nuclear_risk, 0.0)
    nuclear = absorbed | (level >= NUCLEAR) | (jax.random.uniform(keys[6]) < nuclear_p)
    rung = jnp.where(nuclear, NUCLEAR, rung).astype(jnp.int32)
    level = jnp.max(rung)

    # outcomes of kinetic action, reported by the media tomorrow
    kinetic = (rung >= 3) & (rung < NUCLEAR)
    intensity = (rung - 2).astype(jnp.float32) / 3.0
    hits = jax.random.uniform(keys[7], (N_SIDES,)) < params.military.strike_success
    strike = jnp.where(kinetic & hits, intensity, 0.0)
    rival_readiness = d.readiness_seen[::-1]
    losses = jax.random.uniform(keys[8], (N_SIDES,)) < params.military.loss_rate * rival_readiness
    loss = jnp.where(kinetic[::-1] & losses, intensity[::-1], 0.0)

    d = replace(
        d, rung=rung, strike=strike, loss=loss, backdown=(rung < old).astype(jnp.float32),
        readiness_seen=jnp.mean(state.military.readiness, axis=1),
        hotline_call=hotline_call.astype(jnp.float32), dgmo_call=dgmo_call.astype(jnp.float32),
        backchannel=backchannel.astype(jnp.float32), mediator=mediator.astype(jnp.float32),
        ceasefire=ceasefire.astype(jnp.float32), ceasefire_left=ceasefire_left, accident=accident.astype(jnp.float32),
        nuclear_p=nuclear_p, nuclear=jnp.maximum(d.nuclear, nuclear.astype(jnp.float32)),
    )
    d = bookkeeping(key, d, state, params, level)
    return replace(state, dyad=d)


def bookkeeping(key, d: DyadState, state: State, params: Params, level) -> DyadState:
    """Crisis start and end, counters, and the post-crisis window."""
    dp = params.dyad
    d = open_crisis(d, (level >= 2) & (d.in_crisis < 0.5))
    calm_days = jnp.where(level <= 1, d.calm_days + 1, 0)
    ends = (d.in_crisis > 0.5) & (calm_days >= dp.crisis_end_days) & (level < NUCLEAR)
    in_crisis = d.in_crisis > 0.5

    claims = jnp.mean(state.media.claims)
    mediated = jnp.maximum(d.mediated, d.mediator) * d.in_crisis
    envoys = jnp.maximum(d.envoys, d.backchannel) * d.in_crisis
    claims_sum = d.claims_sum + claims * d.in_crisis
    crisis_len = jnp.maximum(d.crisis_age + 1, 1).astype(jnp.float32)

    # the post-crisis window
    logit = (
        dp.window_base + dp.window_culture * dp.strategic_culture + dp.window_will * dp.political_will
        + dp.window_mediation * mediated + params.backchannel.window * envoys
        + params.track2.window * jnp.mean(state.public.reached_share)
        - dp.window_hostility * jnp.mean(state.public.mean) - dp.window_narrative * claims_sum / crisis_len
    )
    draw = jax.random.uniform(jax.random.fold_in(key, 1), (3,))
    created = ends & (d.institutions < 0.5) & (draw < jax.nn.sigmoid(logit))
    n_new = jnp.sum(created).astype(jnp.int32)

    return replace(
        d,
        institutions=jnp.maximum(d.institutions, created.astype(jnp.float32)),
        n_created=d.n_created + n_new,
        created_day=jnp.where((n_new > 0) & (d.created_day < 0), d.day, d.created_day),
        in_crisis=jnp.where(ends, 0.0, d.in_crisis),
        crisis_age=jnp.where(in_crisis, d.crisis_age + 1, 0),
        calm_days=calm_days,
        crisis_days=d.crisis_days + in_crisis.astype(jnp.int32),
        days_high=d.days_high + (level >= 4).astype(jnp.int32),
        peak=jnp.maximum(d.peak, level),
        first_kinetic=jnp.where((level >= 3) & (d.first_kinetic < 0), d.day, d.first_kinetic),
        first_ceasefire=jnp.where((d.ceasefire > 0.5) & (d.first_ceasefire < 0), d.day, d.first_ceasefire),
        mediated=jnp.where(ends, 0.0, mediated),
        envoys=jnp.where(ends, 0.0, envoys),
        claims_sum=jnp.where(ends, 0.0, claims_sum),
        mediator=jnp.where(ends, 0.0, d.mediator),
        day=d.day + 1,
    )


def daily_outputs(state: State) -> dict:
    """The day's aggregates, as recorded by both engines."""
    d, pub = state.dyad, state.public
    return dict(
        crisis_level=jnp.max(d.rung), rung=d.rung,
        hostility_mean=pub.mean, hostility_std=pub.std, hostility_high=pub.high, hostility_hist=pub.hist,
        track2_reached=pub.reached_share,
        media_nationalism=state.media.nationalism, victory_claims=state.media.claims,
        approval=state.political.approval, belief=state.political.belief, commitment=state.political.commitment,
        readiness=jnp.mean(state.military.readiness, axis=1), military_advice=state.military.advice,
        attack=d.attack, strike=d.strike, loss=d.loss,
        hotline_call=d.hotline_call, dgmo_call=d.dgmo_call, backchannel=d.backchannel, mediation=d.mediator,
        ceasefire=d.ceasefire, accident=d.accident, in_crisis=d.in_crisis, nuclear_risk=d.nuclear_p,
        institutions=d.institutions,
    )


def summary(state: State, outputs: dict) -> dict:
    """One replicate's summary from its final state and its daily outputs (leading axis = day)."""
    d = state.dyad
    level = outputs["crisis_level"]
    ceasefire_lag = jnp.where((d.first_ceasefire >= 0) & (d.first_start >= 0), d.first_ceasefire - d.first_start, -1)
    kinetic_lag = jnp.where((d.first_kinetic >= 0) & (d.first_start >= 0), d.first_kinetic - d.first_start, -1)
    return dict(
        peak_rung=jnp.max(level),
        crisis_days=d.crisis_days,
        days_rung4plus=jnp.sum(level >= 4),
        days_to_ceasefire=jnp.where(ceasefire_lag >= 0, ceasefire_lag.astype(jnp.float32), jnp.nan),
        days_to_kinetic=jnp.where(kinetic_lag >= 0, kinetic_lag.astype(jnp.float32), jnp.nan),
        nuclear_use=d.nuclear > 0.5,
        crises=d.n_crises,
        institutions_created=d.n_created,
        mediated=jnp.max(outputs["mediation"]) > 0.5,
        hostility_end_A=state.public.mean[0],
        hostility_end_B=state.public.mean[1],
    )
