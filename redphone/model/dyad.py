"""The dyad: escalation ladder, triggers, channels, stand-offs, crisis episodes and the post-crisis window.

Two model-level phases frame each day:

``open_day`` draws the attacks each side suffers (a Poisson process per side,
plus scripted attacks injected for the day), updates the memory of
provocation and each side's open demands (coercive stand-offs), and opens a
crisis episode after a severe attack; a severe attack during an open episode
re-peaks it (its grievance and demands are renewed).

``resolve`` applies the leaders' moves, then: incidents (accidental
escalation, cut by CBMs in force and a used DGMO line; an incident never
crosses into force, rung 3, without an order), the channels of the day
(hotline, DGMO line, envoys, a third party that presses and, unless a side
refuses it, brokers) and the assurances they carry (each side's grievance
eases by ``hotline.reassurance``, ``backchannel.reassurance``,
``mediation.reassurance`` on a day the channel is at work), a possible ceasefire, the outcomes of kinetic action
(strikes, losses), inadvertent nuclear use at crisis level 5, the end of an
occupation (eviction, withdrawal under pressure), compliance with open demands
(a signal lowers them by ``standoff.comply_relief``), and the episode
bookkeeping. Scripted events (``inject_attack``) are attacks, exercises (the
other side stands mobilised for their length) or intrusions (an occupation: a
grievance renewed daily, the intruder mobilised, until it ends). A strike suffered adds to the
memory of provocation like a fully attributed attack (the side struck wants
to answer); a ceasefire, like compliance with demands, settles it (both
sides claim they won).

**A crisis episode** (the one definition, used by kernels, summaries,
figures and calibration alike): it opens on a severe attack (severity >=
``dyad.crisis_severity``) or on the first day the crisis level reaches 2,
and ends on a day after its opening when the level has stayed at 1 or below
for ``dyad.crisis_end_days`` days since it opened or last climbed. An episode
counts as a crisis (``crises`` in the summary) once its level reaches 2;
an episode that never does is an alert, and draws no post-crisis window.

When a crisis ends, each missing institution (hotline, backchannel, CBMs) is
created with a probability that grows with strategic culture, political will,
brokered mediation, envoys and Track-II, and falls with public hostility and
the media's victory claims; once created it is established and acts exactly
as if it had been switched on.

Third parties: when an episode opens, the third party's willingness to step
in at all (``mediation.p_willing``) and each side's refusal of mediation
(``mediation.refuse``) are drawn for that episode.

Rungs: 0 normal relations, 1 diplomatic and verbal hostility, 2 mobilisation,
3 limited cross-border fire, 4 strikes on the other's territory, 5 full
conventional war, 6 nuclear use (absorbing). Crisis level = the higher rung.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from .params import MAX_SCRIPTED, N_SIDES, Params
from .sectors.political import EXECUTED, GIVEN, HOTLINE, BACKCHANNEL, CBM, KINETIC, RESCINDED, felt_force  # noqa: F401
from .state import DyadState, MilitaryState, State, replace

NUCLEAR = 6
ATTACK, EXERCISE, INTRUSION = 0, 1, 2  # index in params.EVENT_KINDS


def init(params: Params, military: MilitaryState) -> DyadState:
    zeros2 = jnp.zeros(N_SIDES, jnp.float32)
    f0, i0, none = jnp.float32(0), jnp.int32(0), jnp.int32(-1)
    switches = params.institutions
    return DyadState(
        day=i0, rung=jnp.zeros(N_SIDES, jnp.int32), pending_attack=zeros2, pending_evidence=zeros2,
        attack=zeros2, evidence=zeros2, provocation=zeros2, strike=zeros2, loss=zeros2, backdown=zeros2,
        readiness_seen=military.readiness,
        hotline_call=f0, dgmo_call=f0, envoys_at_work=f0, mediator=f0, brokering=f0, willing=f0, refused=zeros2,
        demand=zeros2, complied=zeros2, mobilised_days=zeros2, exercise_left=zeros2, occupied=zeros2, repeak=f0, used_force=zeros2,
        ceasefire=f0, ceasefire_left=f0, accident=f0,
        nuclear_p=f0, established=jnp.stack([switches.hotline, switches.backchannel, switches.cbm]).astype(jnp.float32),
        in_crisis=f0, crisis_age=i0, calm_days=i0, episode_peak=i0, n_opened=i0, n_crises=i0, crisis_days=i0,
        days_high=i0, peak=i0, first_start=none, first_end=none, first_peak=i0, first_last_high=none,
        first_kinetic=none, first_strike=none, first_order=none, first_mediated=f0,
        n_orders=i0, n_rescinded=i0, first_rescind_cause=i0, n_repeaks=i0, n_complied=i0,
        first_ceasefire=none, mediated=f0, envoys=f0, claims_sum=f0,
        n_created=i0, created_day=none, nuclear=f0,
    )


def inject_attack(state: State, target, severity, evidence, kind=ATTACK, length=0.0) -> State:
    """Fire a scripted event aimed at `target` (side index) for today's open_day (``params.EVENT_KINDS``).

    An attack (or the attack an intrusion is) is queued for the day's opening;
    an intrusion also marks the target's territory occupied, with the
    grievance severity x evidence; an exercise puts the other side on an
    exercise of ``length`` days. A zero severity (an attack) or length (an
    exercise) fires nothing.
    """
    d = state.dyad
    hits = kind != EXERCISE
    stronger = hits & (severity > d.pending_attack[target])
    rival = 1 - target
    occupies = (kind == INTRUSION) & (severity > 0.0)
    d = replace(
        d,
        pending_attack=d.pending_attack.at[target].set(jnp.where(stronger, severity, d.pending_attack[target])),
        pending_evidence=d.pending_evidence.at[target].set(jnp.where(stronger, evidence, d.pending_evidence[target])),
        occupied=d.occupied.at[target].set(jnp.where(occupies, jnp.maximum(d.occupied[target], severity * evidence), d.occupied[target])),
        exercise_left=d.exercise_left.at[rival].set(
            jnp.where(kind == EXERCISE, jnp.maximum(d.exercise_left[rival], length), d.exercise_left[rival])),
    )
    return replace(state, dyad=d)


def inject_scripted(state: State, params: Params) -> State:
    """The batched engine's way of firing the scripted events due today (Mesa schedules them as events)."""
    for i in range(MAX_SCRIPTED):
        due = params.scripted_day[i] == state.dyad.day
        state = inject_attack(
            state, params.scripted_target[i],
            jnp.where(due, params.scripted_severity[i], 0.0), jnp.where(due, params.scripted_evidence[i], 0.0),
            params.scripted_kind[i], jnp.where(due, params.scripted_length[i], 0.0),
        )
    return state


def third_party(draws, params: Params):
    """The episode's third party from three uniforms: (willing to step in at all, each side's refusal)."""
    willing = (draws[0] < params.mediation.p_willing).astype(jnp.float32)
    refused = (draws[1:] < params.mediation.refuse).astype(jnp.float32)
    return willing, refused


def open_crisis(d: DyadState, opens, third_party_draws, params: Params) -> DyadState:
    """Open an episode where ``opens``: its clocks restart and its third party's stance is drawn.

    ``third_party_draws``: three uniforms (willingness, side A's and side B's refusal).
    """
    willing, refused = third_party(third_party_draws, params)
    return replace(
        d,
        in_crisis=jnp.where(opens, 1.0, d.in_crisis),
        crisis_age=jnp.where(opens, 0, d.crisis_age),
        calm_days=jnp.where(opens, 0, d.calm_days),
        episode_peak=jnp.where(opens, 0, d.episode_peak),
        n_opened=d.n_opened + opens.astype(jnp.int32),
        first_start=jnp.where(opens & (d.first_start < 0), d.day, d.first_start),
        willing=jnp.where(opens, willing, d.willing),
        refused=jnp.where(opens, refused, d.refused),
    )


def open_day(key, state: State, params: Params) -> State:
    d, dp = state.dyad, params.dyad
    k_occurs, k_severity, k_evidence, k_third = jax.random.split(key, 4)
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
    provocation = jnp.maximum(provocation, d.occupied)  # an occupation is a grievance renewed every day it lasts
    severe = (attack > 0.0) & (attack >= dp.crisis_severity)  # a day without an attack is never severe
    # coercive stand-off: a side that suffered a severe attack makes public demands of the rival
    demand = jnp.where(severe, jnp.maximum(d.demand, params.standoff.demands * attack * attribution), d.demand)
    opens = jnp.any(severe) & (d.in_crisis < 0.5)
    repeak = jnp.any(severe) & (d.in_crisis > 0.5)
    d = replace(
        d, attack=attack, evidence=evidence, provocation=provocation, demand=demand,
        repeak=repeak.astype(jnp.float32), n_repeaks=d.n_repeaks + repeak.astype(jnp.int32),
        pending_attack=jnp.zeros(N_SIDES, jnp.float32), pending_evidence=jnp.zeros(N_SIDES, jnp.float32),
    )
    return replace(state, dyad=open_crisis(d, opens, jax.random.uniform(k_third, (3,)), params))


def resolve(key, state: State, params: Params) -> State:
    d, dp, switches = state.dyad, params.dyad, params.institutions
    # 13 keys: the first 12 are those of split(key, 12) (threefry_partitionable), so the occupation's draws (keys[12],
    # issue 21) left every older stream as it was
    keys = jax.random.split(key, 13)
    hostility = jnp.mean(state.public.mean)
    commitment = jnp.mean(state.political.commitment)
    old = d.rung
    absorbed = jnp.max(old) >= NUCLEAR
    # a side on an exercise, or holding the rival's territory, stands mobilised whatever its leader chose
    holding = 2 * ((d.exercise_left > 0.0) | (d.occupied[::-1] > 0.0)).astype(jnp.int32)
    rung = jnp.where(absorbed, NUCLEAR, jnp.maximum(state.political.choice, holding))
    level = jnp.max(rung)

    # channels of the day; an established institution (switched on or created) acts the same either way
    established = d.established
    automatic = (params.hotline.automatic > 0.5) & (level >= params.hotline.threshold)
    ad_hoc = jax.random.uniform(keys[0]) < params.hotline.p_use * (1.0 - hostility) * (1.0 - commitment)
    hotline_call = established[HOTLINE] * (level >= 1) * (automatic | ad_hoc)
    dgmo_p = params.dgmo.p_use * (1.0 - params.dgmo.refusal * hostility)
    dgmo_call = switches.dgmo * (level >= 2) * (jax.random.uniform(keys[1]) < dgmo_p)
    envoys_at_work = established[BACKCHANNEL] * d.in_crisis * (d.crisis_age >= params.backchannel.latency)
    # an episode the day's escalation opens (bookkeeping opens it, with the same draws) has its own third party today
    opening = (level >= 2) & (d.in_crisis < 0.5)
    willing, refused = third_party(jax.random.uniform(keys[11], (3,)), params)
    willing, refused = jnp.where(opening, willing, d.willing), jnp.where(opening, refused, d.refused)
    steps_in = (willing > 0.5) & (level >= params.mediation.threshold) & (jax.random.uniform(keys[2]) < params.mediation.p_intervene)
    mediator = switches.mediation * jnp.maximum(d.mediator * d.in_crisis, steps_in.astype(jnp.float32))
    brokering = mediator * (1.0 - jnp.max(refused))  # a refused third party presses but brokers nothing

    # incidents: accidental escalation of one side by one rung; force (rung 3) is never crossed into by accident
    incident_p = dp.accident_rate * (1.0 - established[CBM] * params.cbm.accident_cut) * (1.0 - dgmo_call * params.dgmo.accident_cut)
    accident = (level >= 2) & (level < 5) & (jax.random.uniform(keys[3]) < incident_p)
    who = jax.random.randint(keys[4], (), 0, N_SIDES)
    bumped = jnp.where(rung >= KINETIC, jnp.minimum(rung + 1, 5), jnp.minimum(rung + 1, 2))
    rung = jnp.where(accident & (jnp.arange(N_SIDES) == who), jnp.maximum(rung, bumped), rung)

    # ceasefire in a kinetic phase that was already under way yesterday (a strike launched today is not undone)
    level = jnp.max(rung)
    ceasefire_p = (
        dp.ceasefire_base + brokering * params.mediation.ceasefire + hotline_call * params.hotline.ceasefire
        + dgmo_call * params.dgmo.ceasefire + envoys_at_work * params.backchannel.ceasefire
        + dp.ceasefire_exchange * jnp.min(jnp.maximum(d.used_force, (rung >= 3).astype(jnp.float32)))
    )
    ceasefire = (level >= 3) & (jnp.max(old) >= 3) & (level < NUCLEAR) & (jax.random.uniform(keys[5]) < ceasefire_p)
    rung = jnp.where(ceasefire, jnp.maximum(jnp.minimum(rung, 1), holding), rung)
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

    # force on one's own side of the line (against intruders) is no grievance to the intruder; a strike on territory
    # aimed to be read as limited is less of one (political.felt_force)
    felt = strike * felt_force(d.occupied, rung, params.operation.limited)

    # an occupation ends when the intruders are evicted (on a day the occupied side uses force) or withdraw under a
    # third party's pressure
    ends_occupation = jax.random.uniform(keys[12], (2, N_SIDES))
    evicted = (rung >= 3) & (ends_occupation[0] < params.intrusion.evict_rate)
    withdrawn = (mediator > 0.5) & (ends_occupation[1] < params.intrusion.withdraw_pressure)
    occupied = jnp.where(evicted | withdrawn, 0.0, d.occupied)

    # compliance with open demands: more likely under third-party pressure and as mobilisation drags on; a compliance
    # signal lowers the demands, the grievance and the commitment by a share (it need not end the stand-off)
    st = params.standoff
    comply_p = st.comply_base + st.comply_mediation * mediator + st.comply_cost * jnp.mean(d.mobilised_days) / 100.0
    complied = (d.demand > 0.0) & (jax.random.uniform(keys[9], (N_SIDES,)) < comply_p)
    relief = 1.0 - st.comply_relief * complied
    demand = jnp.where(complied, d.demand * relief, d.demand * (1.0 - st.demand_decay))
    # the assurances the day's channels carry (a call, envoys, a pressing third party) ease both sides' grievance
    reassured = 1.0 - (
        (1.0 - hotline_call * params.hotline.reassurance) * (1.0 - envoys_at_work * params.backchannel.reassurance)
        * (1.0 - mediator * params.mediation.reassurance)
    )
    demand = demand * (1.0 - reassured)

    d = replace(
        d, rung=rung, strike=strike, loss=loss, backdown=(rung < old).astype(jnp.float32),
        readiness_seen=state.military.readiness,
        hotline_call=hotline_call.astype(jnp.float32), dgmo_call=dgmo_call.astype(jnp.float32),
        envoys_at_work=envoys_at_work.astype(jnp.float32), mediator=mediator.astype(jnp.float32),
        brokering=brokering.astype(jnp.float32), demand=demand, complied=complied.astype(jnp.float32),
        provocation=jnp.where(ceasefire, 0.0, jnp.clip(d.provocation * relief * (1.0 - reassured) + felt[::-1], 0.0, 1.0)),
        n_complied=d.n_complied + jnp.sum(complied).astype(jnp.int32),
        occupied=occupied, exercise_left=jnp.maximum(d.exercise_left - 1.0, 0.0),
        ceasefire=ceasefire.astype(jnp.float32), ceasefire_left=ceasefire_left, accident=accident.astype(jnp.float32),
        nuclear_p=nuclear_p, nuclear=jnp.maximum(d.nuclear, nuclear.astype(jnp.float32)),
    )
    d = bookkeeping(keys[10], keys[11], d, state, params, level)
    return replace(state, dyad=d)


def bookkeeping(key_window, key_third, d: DyadState, state: State, params: Params, level) -> DyadState:
    """Episode start and end (the one definition, see the module docstring), counters, and the post-crisis window."""
    dp = params.dyad
    d = open_crisis(d, (level >= 2) & (d.in_crisis < 0.5), jax.random.uniform(key_third, (3,)), params)
    in_crisis = d.in_crisis > 0.5
    calm_days = jnp.where(level <= 1, d.calm_days + 1, 0)
    ends = in_crisis & (d.crisis_age >= 1) & (calm_days >= dp.crisis_end_days) & (level < NUCLEAR)
    counted = in_crisis & (level >= 2) & (d.episode_peak < 2)  # the episode becomes a crisis today
    episode_peak = jnp.where(in_crisis, jnp.maximum(d.episode_peak, level), d.episode_peak)

    claims = jnp.mean(state.media.claims)
    mediated = jnp.maximum(d.mediated, d.brokering) * d.in_crisis
    envoys = jnp.maximum(d.envoys, d.envoys_at_work) * d.in_crisis
    claims_sum = d.claims_sum + claims * d.in_crisis
    crisis_len = jnp.maximum(d.crisis_age + 1, 1).astype(jnp.float32)

    # the post-crisis window, for crises only (not alerts)
    logit = (
        dp.window_base + dp.window_culture * dp.strategic_culture + dp.window_will * dp.political_will
        + dp.window_mediation * mediated + params.backchannel.window * envoys
        + params.track2.window * jnp.mean(state.public.reached_share)
        - dp.window_hostility * jnp.mean(state.public.mean) - dp.window_narrative * claims_sum / crisis_len
    )
    draw = jax.random.uniform(key_window, (3,))
    created = ends & (episode_peak >= 2) & (d.established < 0.5) & (draw < jax.nn.sigmoid(logit))
    n_new = jnp.sum(created).astype(jnp.int32)

    # the first episode's own record (what hindcasts and calibration compare with one historical crisis)
    first = in_crisis & (d.n_opened == 1)
    event = state.political.order_event
    gave, rescinded = event == GIVEN, event == RESCINDED
    first_rescind = (d.n_rescinded == 0) & jnp.any(rescinded)
    return replace(
        d,
        established=jnp.maximum(d.established, created.astype(jnp.float32)),
        n_created=d.n_created + n_new,
        created_day=jnp.where((n_new > 0) & (d.created_day < 0), d.day, d.created_day),
        in_crisis=jnp.where(ends, 0.0, d.in_crisis),
        crisis_age=jnp.where(in_crisis & ~ends, d.crisis_age + 1, 0),
        calm_days=jnp.where(ends, 0, calm_days),
        episode_peak=jnp.where(ends, 0, episode_peak),
        n_crises=d.n_crises + counted.astype(jnp.int32),
        crisis_days=d.crisis_days + in_crisis.astype(jnp.int32),
        days_high=d.days_high + (level >= 4).astype(jnp.int32),
        peak=jnp.maximum(d.peak, level),
        first_end=jnp.where(first & ends, d.day, d.first_end),
        first_peak=jnp.where(first, jnp.maximum(d.first_peak, level), d.first_peak),
        first_last_high=jnp.where(first & (level >= 2), d.day, d.first_last_high),
        first_kinetic=jnp.where(first & (level >= 3) & (d.first_kinetic < 0), d.day, d.first_kinetic),
        first_strike=jnp.where(first & (level >= 4) & (d.first_strike < 0), d.day, d.first_strike),
        first_order=jnp.where(first & jnp.any(gave) & (d.first_order < 0), d.day, d.first_order),
        first_mediated=jnp.maximum(d.first_mediated, d.mediator * first),
        n_orders=d.n_orders + jnp.sum(gave).astype(jnp.int32),
        n_rescinded=d.n_rescinded + jnp.sum(rescinded).astype(jnp.int32),
        first_rescind_cause=jnp.where(first_rescind, jnp.max(state.political.rescind_cause), d.first_rescind_cause),
        first_ceasefire=jnp.where(first & (d.ceasefire > 0.5) & (d.first_ceasefire < 0), d.day, d.first_ceasefire),
        mobilised_days=jnp.where(in_crisis & ~ends, d.mobilised_days + (d.rung >= 2), 0.0),
        used_force=jnp.where(in_crisis & ~ends, jnp.maximum(d.used_force, (d.rung >= 3).astype(jnp.float32)), 0.0),
        demand=jnp.where(ends, 0.0, d.demand),
        mediated=jnp.where(ends, 0.0, mediated),
        envoys=jnp.where(ends, 0.0, envoys),
        claims_sum=jnp.where(ends, 0.0, claims_sum),
        mediator=jnp.where(ends, 0.0, d.mediator),
        brokering=jnp.where(ends, 0.0, d.brokering),
        day=d.day + 1,
    )


def daily_outputs(state: State) -> dict:
    """The day's aggregates, as recorded by both engines."""
    d, pub, pol = state.dyad, state.public, state.political
    return dict(
        crisis_level=jnp.max(d.rung), rung=d.rung,
        hostility_mean=pub.mean, hostility_std=pub.std, hostility_high=pub.high, hostility_hist=pub.hist,
        track2_reached=pub.reached_share,
        media_nationalism=state.media.nationalism, victory_claims=state.media.claims,
        approval=pol.approval, belief=pol.belief, commitment=pol.commitment, precedent=pol.precedent,
        order=pol.order_event, order_pending=(pol.order_rung > 0).astype(jnp.float32), rescind_cause=pol.rescind_cause,
        readiness=state.military.readiness, military_advice=state.military.advice,
        attack=d.attack, strike=d.strike, loss=d.loss, demand=d.demand, complied=d.complied, repeak=d.repeak,
        hotline_call=d.hotline_call, dgmo_call=d.dgmo_call, backchannel_use=d.envoys_at_work,
        mediation=d.mediator, mediation_brokering=d.brokering, mediation_refused=jnp.max(d.refused) * d.in_crisis,
        ceasefire=d.ceasefire, accident=d.accident, in_crisis=d.in_crisis, nuclear_risk=d.nuclear_p,
        established=d.established,
    )


# summary statistics where NaN means "never happened" (no ceasefire, no force, no order, no crisis)
NEVER_IS_NAN = ("days_to_ceasefire", "days_to_kinetic", "days_to_strike", "days_to_order", "duration", "kinetic_days")


def _since(day, start):
    """Days from ``start`` to ``day`` as a float, NaN where either never happened."""
    ok = (day >= 0) & (start >= 0)
    return jnp.where(ok, (day - start).astype(jnp.float32), jnp.nan)


def summary(state: State, outputs: dict) -> dict:
    """One replicate's summary from its final state and its daily outputs (leading axis = day).

    ``first_*``, ``duration``, ``kinetic_days`` and ``days_to_*`` describe the
    run's first episode: what a hindcast compares with one historical crisis.
    ``duration`` ends on the episode's last day at level >= 2 (the record's end
    dates do not include the calm days the model needs to declare the end);
    ``kinetic_days`` runs from the first day of force (level >= 3) to that same
    end, as the record's does (its end date less its first kinetic action), so
    ``kinetic_days == duration - days_to_kinetic`` on both sides;
    ``days_to_strike`` counts to the first strike on territory (level >= 4),
    ``days_to_kinetic`` to the first force of any kind (level >= 3).
    """
    d = state.dyad
    level = outputs["crisis_level"]
    return dict(
        peak_rung=jnp.max(level),
        crisis_days=d.crisis_days,
        days_rung4plus=jnp.sum(level >= 4),
        days_to_ceasefire=_since(d.first_ceasefire, d.first_start),
        days_to_kinetic=_since(d.first_kinetic, d.first_start),
        days_to_strike=_since(d.first_strike, d.first_start),
        days_to_order=_since(d.first_order, d.first_start),
        first_peak=d.first_peak,
        duration=_since(d.first_last_high, d.first_start),
        kinetic_days=_since(d.first_last_high, d.first_kinetic),
        first_ended=d.first_end >= 0,
        first_mediated=d.first_mediated > 0.5,
        nuclear_use=d.nuclear > 0.5,
        crises=d.n_crises,
        institutions_created=d.n_created,
        mediated=jnp.max(outputs["mediation"]) > 0.5,
        orders=d.n_orders,
        rescinded=d.n_rescinded,
        rescind_cause=d.first_rescind_cause,
        repeaks=d.n_repeaks,
        complied=d.n_complied,
        precedent_end_A=state.political.precedent[0],
        precedent_end_B=state.political.precedent[1],
        hostility_end_A=state.public.mean[0],
        hostility_end_B=state.public.mean[1],
    )
