"""Political sector: head of government, cabinet, opposition.

Each day the head of government (i) reads the rival's intent through noise
and bias (misperception; defensive readiness reads as offensive: the security
dilemma), (ii) chooses a rung of the escalation ladder by quantal response
(logit) over the utilities below, (iii) takes on public commitment, (iv) sees
its approval move, and (v) may face an election.

Utility of rung c for a leader now at rung r whose rival is at rung r':
  + resolve_reward x D x G x c/6                 domestic reward for resolve, D = domestic pressure,
                                                 G = max(memory of attacks suffered, r'/5): the grievance
  - audience_cost x commitment x H x max(0, r - c) x (1 - private)   backing down in public
  - war_cost x (c/6)^2 - nuclear terms             expected war cost, convex, with nuclear risk
  - deterrence x belief x max(0, r' - c)           staying below a rival believed hostile
  - mediation pressure x c                         third-party pressure, when a mediator is active
  - sum_k weight_k x (c - advice_k)^2 / 6          advice of military, cabinet, opposition
  - step_cost x |c - r|                            the ladder is climbed stepwise
  - ceasefire_cost x max(0, c - 1)                 while a ceasefire holds
D = hostility_pressure x H + media_pressure x nationalism + electoral_pressure x exp(-days to election / horizon).
Rungs more than two above r are out of reach in a day; rung 6 only from a
crisis level of 5.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from ..params import N_POLITICAL, N_RUNGS, N_SIDES, Dims, Params
from ..state import PoliticalState, State, replace

RUNGS = np.arange(N_RUNGS, dtype=np.float32)
HEAD, CABINET, OPPOSITION = 0, slice(1, 3), slice(3, 5)


def init(key, params: Params) -> PoliticalState:
    del key
    pp = params.political
    hawk = jnp.stack(
        [pp.hawkishness, pp.cabinet_hawkishness, pp.cabinet_hawkishness, pp.opposition_hawkishness, pp.opposition_hawkishness],
        axis=1,
    )
    assert hawk.shape == (N_SIDES, N_POLITICAL)
    return PoliticalState(
        hawkishness=hawk.astype(jnp.float32),
        approval=pp.approval_base.astype(jnp.float32),
        commitment=jnp.zeros(N_SIDES, jnp.float32),
        belief=jnp.full(N_SIDES, 0.2, jnp.float32),
        election_in=pp.first_election.astype(jnp.float32),
        choice=jnp.zeros(N_SIDES, jnp.int32),
    )


def misperception_noise(params: Params, state: State):
    """Standard deviation of a leader's reading of the rival's intent today."""
    cbm = params.institutions.cbm * params.cbm.misperception_cut
    call = state.dyad.hotline_call * params.hotline.clarity
    return (1.0 - cbm) * (1.0 - call)


def utilities(state: State, params: Params, side: int, pol: PoliticalState, pressure):
    d, pp = state.dyad, params.political
    rival = 1 - side
    rung = d.rung[side].astype(jnp.float32)
    rung_rival = d.rung[rival].astype(jnp.float32)
    hostility = state.public.mean[side]
    private = jnp.maximum(
        d.hotline_call * params.hotline.private_climbdown,
        d.backchannel * params.institutions.backchannel * params.backchannel.audience_cut,
    )
    backing_down = jnp.maximum(rung - RUNGS, 0.0)
    audience = pp.audience_cost[side] * pol.commitment * hostility * backing_down * (1.0 - private)
    war = pp.war_cost[side] * (RUNGS / 6.0) ** 2
    nuclear = pp.nuclear_cost[side] * (jnp.where(RUNGS >= 6, 1.0, 0.0) + jnp.where(RUNGS == 5, 30.0 * params.dyad.nuclear_risk, 0.0))
    deterrence = pp.deterrence[side] * pol.belief * jnp.maximum(rung_rival - RUNGS, 0.0)
    mediation = params.mediation.pressure * d.mediator * params.institutions.mediation * RUNGS
    # advisers: the military establishment, the cabinet and the opposition
    demand = jnp.minimum(5.0, jnp.maximum(rung_rival + 1.0, params.military.provocation_rung[side] * d.provocation[side]))
    calm = jnp.maximum(jnp.minimum(rung, rung_rival) - 1.0, 0.0)
    hawk = pol.hawkishness
    cabinet = jnp.mean(hawk[CABINET]) * demand + (1.0 - jnp.mean(hawk[CABINET])) * calm
    opposition = jnp.mean(hawk[OPPOSITION]) * demand + (1.0 - jnp.mean(hawk[OPPOSITION])) * calm
    advice = (
        params.military.influence[side] * (RUNGS - state.military.advice[side]) ** 2
        + pp.cabinet_weight[side] * (RUNGS - cabinet) ** 2
        + pp.opposition_weight[side] * (RUNGS - opposition) ** 2
    ) / 6.0
    steps = pp.step_cost[side] * jnp.abs(RUNGS - rung)
    ceasefire = pp.ceasefire_cost[side] * (d.ceasefire_left > 0) * jnp.maximum(RUNGS - 1.0, 0.0)
    # resolve is rewarded only against a grievance: an attack suffered, or the rival's escalation
    grievance = jnp.maximum(d.provocation[side], rung_rival / 5.0)
    utility = pp.resolve_reward[side] * pressure * grievance * RUNGS / 6.0 - audience - war - nuclear - deterrence - mediation - advice - steps - ceasefire
    reachable = (RUNGS <= rung + 2.0) & ((RUNGS < 6) | (jnp.maximum(rung, rung_rival) >= 5))
    return jnp.where(reachable, utility, -jnp.inf)


def step(key, pol: PoliticalState, state: State, params: Params, dims: Dims, side) -> PoliticalState:
    del dims
    d, pp = state.dyad, params.political
    rival = 1 - side
    k_belief, k_choice, k_election = jax.random.split(key, 3)
    hawk = pol.hawkishness[HEAD]
    hostility = state.public.mean[side]

    # (i) misperception: a noisy, biased reading of the rival's intent
    signal = d.rung[rival] / 5.0 + pp.security_dilemma[side] * d.readiness_seen[rival] + pp.belief_bias[side] * hawk
    noise = pp.belief_noise[side] * misperception_noise(params, state) * jax.random.normal(k_belief)
    belief = pol.belief + pp.belief_rate[side] * (jnp.clip(signal + noise, 0.0, 1.0) - pol.belief)
    pol = replace(pol, belief=belief)

    # (ii) quantal response over the ladder
    proximity = jnp.exp(-pol.election_in / pp.electoral_horizon[side])
    pressure = (
        pp.hostility_pressure[side] * hostility
        + pp.media_pressure[side] * state.media.nationalism[side]
        + pp.electoral_pressure[side] * proximity
    )
    utility = utilities(state, params, side, pol, pressure)
    choice = jax.random.categorical(k_choice, pp.rationality[side] * utility).astype(jnp.int32)

    # (iii) commitment: public threats after attacks, and every rung climbed
    rung = d.rung[side]
    climbed = jnp.maximum(choice - rung, 0).astype(jnp.float32)
    commitment = pol.commitment * (1.0 - pp.commitment_decay[side]) + pp.commitment_rate[side] * (climbed / 2.0 + d.attack[side] * hawk)
    commitment = jnp.clip(commitment, 0.0, 1.0)

    # (iv) approval: resolve rallies, backing down and losses cost
    backed = jnp.maximum(rung - choice, 0).astype(jnp.float32)
    target = pp.approval_base[side] + pp.approval_rally[side] * hostility * choice / 6.0
    approval = pol.approval + pp.approval_rate[side] * (target - pol.approval)
    approval = approval - pp.approval_backdown[side] * backed * commitment * hostility - pp.approval_casualty[side] * d.loss[side]
    approval = jnp.clip(approval, 0.0, 1.0)

    # (v) elections: the incumbent survives with probability = approval; a
    # successor carries the public's mean hostility as its hawkishness
    election_in = pol.election_in - 1.0
    held = election_in <= 0.0
    lost = held & (jax.random.uniform(k_election) > approval)
    hawkishness = pol.hawkishness.at[HEAD].set(jnp.where(lost, hostility, hawk))
    election_in = jnp.where(held, pp.election_interval[side], election_in)
    return replace(
        pol, hawkishness=hawkishness, approval=approval, commitment=commitment, election_in=election_in, choice=choice,
    )
