"""Political sector: head of government, cabinet, opposition (one voice each).

Each day the head of government (i) reads the rival's intent through noise
and bias (misperception: a hawkish bias, and defensive readiness read as
offensive, the security dilemma; a call, CBMs and Track-II elites remove a
share of both), (ii) chooses a rung of the escalation ladder by quantal response
(logit) over the utilities below, (iii) turns a choice of force into a strike
order that takes time to plan, or carries on with, executes or rescinds a
pending one, (iv) takes on public commitment and (v) sees its approval move.
Elections are a phase of their own (``election``), held on scheduled days.

Utility of rung c for a leader now at rung r whose rival is at rung r':
  + resolve_reward x D x G x I x S x c/6         domestic reward for resolve, D = domestic pressure,
                                                 G = max(memory of attacks suffered, the rival's force as felt
                                                 (felt_force), open demands),
                                                 I = 1 - intent_weight x (1 - belief): the intent read behind it
  - audience_cost x commitment x H x max(0, r - c) x (1 - private) x S
                                                 backing down in public; an unpopular leader pays more
  - war_cost x (c/6)^2 - nuclear terms           expected war cost, convex, with nuclear risk
  - (retaliation_cost x R' x k(c) x (1 - limited x [c = 4]) + escalation_risk x k(c)^3) x (1 - [occupied] x [c = 3])
                                                 deterrence below full war: what the rival (readiness R')
                                                 can strike back with, less for a strike aimed to be read
                                                 as limited; the risk of losing control; neither for force
                                                 against intruders on one's own side; k(c) = min(max(c - 2, 0) / 3, 1)
  - precedent_cost x E x D x G x I x max(0, 3 + E - c) x [not yet answered] x S x (1 - private x T / E)
                                                 the "new normal": answering less than force, and less
                                                 than the answer expected E = max(precedent, T), T = threat_binding x
                                                 commitment (the leader's own threats), is costly at home,
                                                 the more so the angrier the domestic audience (D) and the
                                                 weaker the leader's standing S = 1 + insecurity x (1 - approval);
                                                 a private climb-down eases only the share T / E (at most 1) the
                                                 leader's own threats set: a precedent is the public's memory
  - mobilisation_cost x (days mobilised / 30) x [c >= 2]   the cost of staying mobilised
  - face x min(days mobilised / 30, 1) x max([r' >= 2], demand) x max(0, 2 - c)
                                                 a stand-off's face: standing down before a mobilised rival,
                                                 or with one's demands open, after a sunk mobilisation
  - deterrence x belief x max(0, r' - c)         staying below a rival believed hostile
  - mediation pressure x c                       third-party pressure, while a mediator presses
  - advice_weight x sum_k weight_k x (c - advice_k)^2 / 6
                                                 advice of military (weight: its influence), cabinet, opposition
  - step_cost x |c - r|                          the ladder is climbed stepwise
  - ceasefire_cost x max(0, c - 1)               while a ceasefire holds
D = hostility_pressure x H + media_pressure x nationalism + electoral_pressure x exp(-days to election / horizon).
Rungs more than two above r are out of reach in a day; rung 6 only from a
crisis level of 5. The choice is a logit over reachable rungs with precision
``rationality`` (0: uniform among them).

Strike orders (decide, then plan, then strike). A side below rung 3 that
chooses force (c >= 3) does not strike that day: it orders an operation of
rung c whose planning time is gamma distributed (mean ``operation.plan_mean``,
coefficient of variation ``plan_cv``), or ``answer_mean`` when the rival is
striking it (retaliation is planned in advance). Meanwhile the side holds at
min(c, 2). Each day of planning the leader chooses again, and the order is
rescinded when that choice falls to rung 1 or below; on a day it is rung 2
(the leader wavers) the share ``operation.stall`` of the day's planning
stalls (Parakram's offensives of January and June 2002, put off). The channels never
rescind an order themselves: they change what the leader chooses. A call,
envoys at work or a pressing third party (a) hold back part of the day's
planning (``*.delay``: talks buy time, in which publics cool and grievances
fade), (b) carry assurances that lower both sides' grievance (``*.reassurance``,
applied by the dyad), (c) a call corrects misperceived intent
(``hotline.clarity``) and (d) a call or envoys let a leader climb down in
private (``hotline.private_climbdown``, ``backchannel.audience_cut``): back
down from its own threats, not from a precedent the public remembers; a
mediator's pressure is a cost per rung. A rescinded order is credited to the
channel at work that day (``rescind_cause``), else to second thoughts. An
executed order is a publicised retaliation: it raises the side's precedent.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from ..params import N_POLITICAL, N_RUNGS, N_SIDES, Dims, Params
from ..state import PoliticalState, State, replace

RUNGS = np.arange(N_RUNGS, dtype=np.float32)
HEAD, CABINET, OPPOSITION = 0, 1, 2
KINETIC = 3  # the first rung of force: crossing it takes an order
NO_ORDER, GIVEN, EXECUTED, RESCINDED = 0, 1, 2, 3
RESCIND_CAUSES = ("none", "hotline", "backchannel", "mediation", "reconsidered")
HOTLINE, BACKCHANNEL, CBM = 0, 1, 2  # order of DyadState.established


def init(key, params: Params) -> PoliticalState:
    del key
    pp = params.political
    hawk = jnp.stack([pp.hawkishness, pp.cabinet_hawkishness, pp.opposition_hawkishness], axis=1)
    assert hawk.shape == (N_SIDES, N_POLITICAL)
    zeros_i = jnp.zeros(N_SIDES, jnp.int32)
    return PoliticalState(
        hawkishness=hawk.astype(jnp.float32),
        approval=pp.approval_base.astype(jnp.float32),
        commitment=jnp.zeros(N_SIDES, jnp.float32),
        belief=jnp.full(N_SIDES, 0.2, jnp.float32),
        election_in=jnp.round(pp.first_election).astype(jnp.int32),
        choice=zeros_i,
        precedent=pp.precedent.astype(jnp.float32),
        order_rung=zeros_i,
        order_left=jnp.zeros(N_SIDES, jnp.float32),
        order_event=zeros_i,
        rescind_cause=zeros_i,
    )


def misperception(params: Params, state: State):
    """Share of the misperception (noise and hawkish bias) left today: cut by CBMs in force, a call, Track-II elites."""
    cbm = state.dyad.established[CBM] * params.cbm.misperception_cut
    call = state.dyad.hotline_call * params.hotline.clarity
    elites = params.institutions.track2 * params.track2.elite
    return (1.0 - cbm) * (1.0 - call) * (1.0 - elites)


def private_climbdown(params: Params, state: State):
    """Share of the audience cost removed today: a leaders' call or envoys at work let a leader climb down privately."""
    d = state.dyad
    return jnp.maximum(d.hotline_call * params.hotline.private_climbdown, d.envoys_at_work * params.backchannel.audience_cut)


def held_back(params: Params, state: State):
    """Share of today's strike planning held back by talks: a call, envoys at work, a pressing third party."""
    d = state.dyad
    go_on = (
        (1.0 - d.hotline_call * params.hotline.delay) * (1.0 - d.envoys_at_work * params.backchannel.delay)
        * (1.0 - d.mediator * params.mediation.delay)
    )
    return 1.0 - go_on


def felt_force(occupied, rung, limited):
    """Share of each side's force (rung) the rival feels as a grievance: none of force used on the side's own
    territory against intruders (rung 3 while occupied), ``1 - limited`` of a strike on territory (rung 4)."""
    own_side = (occupied > 0.0) & (rung == KINETIC)
    return jnp.where(own_side, 0.0, 1.0 - limited * (rung == KINETIC + 1))


def grievance(state: State, params: Params, side):
    """What resolve answers: the memory of attacks suffered, the rival's escalation, and open demands."""
    d = state.dyad
    rival = 1 - side
    # the rival's use of force (its mobilisation is a threat, not a grievance), as far as it is felt
    felt = felt_force(d.occupied[rival], d.rung[rival], params.operation.limited[rival])
    force = jnp.maximum(d.rung[rival] - 2, 0) / 3.0 * felt
    return jnp.maximum(jnp.maximum(d.provocation[side], force), d.demand[side])


def domestic_pressure(state: State, params: Params, side, pol: PoliticalState):
    pp = params.political
    proximity = jnp.exp(-pol.election_in.astype(jnp.float32) / pp.electoral_horizon[side])
    return (
        pp.hostility_pressure[side] * state.public.mean[side]
        + pp.media_pressure[side] * state.media.nationalism[side]
        + pp.electoral_pressure[side] * proximity
    )


def utilities(state: State, params: Params, side, pol: PoliticalState, pressure):
    """Utility of each rung (shape (7,)); -inf where out of reach today."""
    d, pp = state.dyad, params.political
    rival = 1 - side
    rung = d.rung[side].astype(jnp.float32)
    rung_rival = d.rung[rival].astype(jnp.float32)
    hostility = state.public.mean[side]
    backing_down = jnp.maximum(rung - RUNGS, 0.0)
    # an unpopular leader can afford less to look weak, and gains more from a show of resolve (diversionary incentive)
    standing = 1.0 + pp.insecurity[side] * (1.0 - pol.approval)
    audience = pp.audience_cost[side] * pol.commitment * hostility * backing_down * (1.0 - private_climbdown(params, state)) * standing
    war = pp.war_cost[side] * (RUNGS / 6.0) ** 2
    nuclear = pp.nuclear_cost[side] * (jnp.where(RUNGS >= 6, 1.0, 0.0) + jnp.where(RUNGS == 5, 30.0 * params.dyad.nuclear_risk, 0.0))
    force = np.minimum(np.maximum(RUNGS - 2.0, 0.0) / 3.0, 1.0)  # 0 up to rung 2, 1/3, 2/3, 1 at rungs 3, 4, 5
    # a strike on territory aimed to be read as limited invites less retaliation; force against intruders on one's own
    # side of the line crosses nothing (Kargil: India kept to its side of the LoC)
    limited = 1.0 - params.operation.limited[side] * (RUNGS == KINETIC + 1)
    own_side = 1.0 - (d.occupied[side] > 0.0) * (RUNGS == KINETIC)
    deterred = (pp.retaliation_cost[side] * d.readiness_seen[rival] * force * limited + pp.escalation_risk[side] * force**3) * own_side
    deterrence = pp.deterrence[side] * pol.belief * jnp.maximum(rung_rival - RUNGS, 0.0)
    mediation = params.mediation.pressure * d.mediator * RUNGS
    # the grievance weighs by the intent read behind it: a rival believed hostile is to be answered (Jervis 1976)
    g = grievance(state, params, side)
    intent = 1.0 - pp.intent_weight[side] * (1.0 - pol.belief)
    unanswered = 1.0 - d.used_force[side]  # once the side has used force in this crisis, it has answered
    # the answer expected: the last publicised retaliation, or the leader's own public threats (a first strike without
    # precedent, Uri 2016, sets one)
    threats = pp.threat_binding[side] * pol.commitment
    expected = jnp.maximum(pol.precedent, threats)
    shortfall = jnp.maximum(KINETIC + expected - RUNGS, 0.0)
    # not answering is an audience cost too, and a private climb-down (a call, envoys) eases it as far as the answer
    # expected is the leader's own threats: those can be walked back in private (Fearon 1994; Kurizaki 2007), the
    # public's memory of the last publicised retaliation cannot (Uri 2016 and Balakot 2019 set the 2025 "new normal")
    own = jnp.minimum(threats / jnp.maximum(expected, 1e-9), 1.0)
    private = 1.0 - private_climbdown(params, state) * own
    precedent = pp.precedent_cost[side] * expected * pressure * g * intent * unanswered * shortfall * standing * private
    mobilised = pp.mobilisation_cost[side] * d.mobilised_days[side] / 30.0 * (RUNGS >= 2)
    # a stand-off's face: standing down (below rung 2) before a mobilised rival, or while one's own demands are open,
    # costs more the more has been sunk into the mobilisation
    sunk = jnp.minimum(d.mobilised_days[side] / 30.0, 1.0)
    holds = jnp.maximum((rung_rival >= 2).astype(jnp.float32), d.demand[side])
    face = params.standoff.face[side] * sunk * holds * jnp.maximum(2.0 - RUNGS, 0.0)
    # advisers: the military establishment, the cabinet and the opposition
    demand = jnp.minimum(5.0, jnp.maximum(rung_rival + 1.0, params.military.provocation_rung[side] * d.provocation[side]))
    calm = jnp.maximum(jnp.minimum(rung, rung_rival) - 1.0, 0.0)
    hawk = pol.hawkishness
    cabinet = hawk[CABINET] * demand + (1.0 - hawk[CABINET]) * calm
    opposition = hawk[OPPOSITION] * demand + (1.0 - hawk[OPPOSITION]) * calm
    advice = pp.advice_weight[side] * (
        params.military.influence[side] * (RUNGS - state.military.advice[side]) ** 2
        + pp.cabinet_weight[side] * (RUNGS - cabinet) ** 2
        + pp.opposition_weight[side] * (RUNGS - opposition) ** 2
    ) / 6.0
    steps = pp.step_cost[side] * jnp.abs(RUNGS - rung)
    ceasefire = pp.ceasefire_cost[side] * (d.ceasefire_left > 0) * jnp.maximum(RUNGS - 1.0, 0.0)
    utility = (
        pp.resolve_reward[side] * pressure * g * intent * standing * RUNGS / 6.0
        - audience - war - nuclear - deterred - precedent - mobilised - face - deterrence - mediation - advice - steps - ceasefire
    )
    return jnp.where(reachable(state, side), utility, -jnp.inf)


def reachable(state: State, side):
    """Rungs within reach today: at most two above the own rung; rung 6 only from a crisis level of 5."""
    rung = state.dyad.rung[side].astype(jnp.float32)
    level = jnp.max(state.dyad.rung).astype(jnp.float32)
    return (RUNGS <= rung + 2.0) & ((RUNGS < 6) | (level >= 5))


def choice_logits(state: State, params: Params, side, pol: PoliticalState, pressure):
    """Logits of the quantal-response choice: rationality x utility on reachable rungs, -inf elsewhere.

    The precision multiplies finite utilities only, so rationality = 0 gives a
    uniform choice among reachable rungs (not 0 x -inf = NaN).
    """
    utility = utilities(state, params, side, pol, pressure)
    ok = reachable(state, side)
    return jnp.where(ok, params.political.rationality[side] * jnp.where(ok, utility, 0.0), -jnp.inf)


def planning_time(key, mean, cv):
    """Days to plan a strike: gamma distributed with the given mean and coefficient of variation."""
    shape = 1.0 / jnp.square(cv)
    return mean * jax.random.gamma(key, shape) / shape


def orders(key, pol: PoliticalState, state: State, params: Params, side, choice):
    """Strike orders: give, carry on, execute or rescind; returns the updated state and the rung moved to today."""
    d, op = state.dyad, params.operation
    k_plan = key
    rung = d.rung[side]
    struck = d.rung[1 - side] >= KINETIC  # the rival is using force: an answer is planned in advance
    pending = pol.order_rung > 0

    # rescinding a pending order is the leader's own choice (it fell to rung 1 or below); the channel at work that
    # day, if any, is credited with it (a call before envoys before a third party)
    at_work = jnp.stack([d.hotline_call, d.envoys_at_work, d.mediator]) > 0.5
    rescind = pending & (choice <= 1)
    cause = jnp.where(jnp.any(at_work), 1 + jnp.argmax(at_work), 4)

    # planning: the days left, shortened when the rival strikes meanwhile; talks hold back part of the day's work, and
    # a leader who wavers (chooses below force today without rescinding) stalls a share of it: whatever lowers the day's
    # choice (a call's clarity, a private climb-down, assurances, pressure) also buys time
    mean = jnp.where(struck, op.answer_mean[side], op.plan_mean[side])
    drawn = planning_time(k_plan, mean, op.plan_cv[side])
    wavers = (choice < KINETIC) & ~struck
    progress = (1.0 - held_back(params, state)) * (1.0 - op.stall[side] * wavers)
    left = jnp.where(struck, jnp.minimum(pol.order_left, drawn), pol.order_left) - progress
    execute = pending & ~rescind & (left <= 0.0)
    give = ~pending & (choice >= KINETIC) & (rung < KINETIC)

    executed_rung = jnp.minimum(jnp.maximum(pol.order_rung, jnp.where(choice >= KINETIC, choice, 0)), rung + 2)
    # below rung 3 force comes only from an executed order: otherwise the side holds at rung 2 at most
    moved = jnp.where(execute, executed_rung, jnp.where(rung < KINETIC, jnp.minimum(choice, 2), choice))
    event = jnp.where(give, GIVEN, jnp.where(execute, EXECUTED, jnp.where(rescind, RESCINDED, NO_ORDER)))
    order_rung = jnp.where(give, choice, jnp.where(execute | rescind, 0, pol.order_rung))
    order_left = jnp.where(give, drawn, jnp.where(pending & ~execute & ~rescind, left, 0.0))
    precedent = jnp.where(execute, pol.precedent + params.political.precedent_gain[side] * (1.0 - pol.precedent), pol.precedent)
    pol = replace(
        pol, order_rung=order_rung.astype(jnp.int32), order_left=order_left, order_event=event.astype(jnp.int32),
        rescind_cause=jnp.where(rescind, cause, 0).astype(jnp.int32), precedent=precedent,
    )
    return pol, moved.astype(jnp.int32)


def step(key, pol: PoliticalState, state: State, params: Params, dims: Dims, side) -> PoliticalState:
    del dims
    d, pp = state.dyad, params.political
    rival = 1 - side
    k_belief, k_choice, k_order = jax.random.split(key, 3)
    hawk = pol.hawkishness[HEAD]
    hostility = state.public.mean[side]

    # (i) misperception: a noisy, biased reading of the rival's intent
    left = misperception(params, state)
    misread = left * pp.security_dilemma[side] * d.readiness_seen[rival] + left * pp.belief_bias[side] * hawk
    signal = d.rung[rival] / 5.0 + misread
    noise = pp.belief_noise[side] * left * jax.random.normal(k_belief)
    belief = pol.belief + pp.belief_rate[side] * (jnp.clip(signal + noise, 0.0, 1.0) - pol.belief)
    pol = replace(pol, belief=belief, election_in=pol.election_in - 1)

    # (ii) quantal response over the ladder
    pressure = domestic_pressure(state, params, side, pol)
    wanted = jax.random.categorical(k_choice, choice_logits(state, params, side, pol, pressure)).astype(jnp.int32)

    # (iii) strike orders: force is planned before it is used
    pol, choice = orders(k_order, pol, state, params, side, wanted)

    # (iv) commitment: public threats after attacks, and every rung climbed; met demands free the leader
    rung = d.rung[side]
    climbed = jnp.maximum(choice - rung, 0).astype(jnp.float32)
    commitment = pol.commitment * (1.0 - pp.commitment_decay[side]) + pp.commitment_rate[side] * (climbed / 2.0 + d.attack[side] * hawk)
    commitment = jnp.clip(commitment * (1.0 - params.standoff.comply_relief * d.complied[side]), 0.0, 1.0)

    # (v) approval: resolve rallies, backing down and losses cost
    backed = jnp.maximum(rung - choice, 0).astype(jnp.float32)
    target = pp.approval_base[side] + pp.approval_rally[side] * hostility * choice / 6.0
    approval = pol.approval + pp.approval_rate[side] * (target - pol.approval)
    approval = approval - pp.approval_backdown[side] * backed * commitment * hostility - pp.approval_casualty[side] * d.loss[side]
    approval = jnp.clip(approval, 0.0, 1.0)
    return replace(pol, approval=approval, commitment=commitment, choice=choice)


def election(key, pol: PoliticalState, state: State, params: Params, dims: Dims, side) -> PoliticalState:
    """A general election on the day the countdown reaches 0 (the Mesa driver schedules it as an event).

    The incumbent survives with probability = approval; a successor carries
    the public's mean hostility as its hawkishness. On other days nothing changes.
    """
    del dims
    held = pol.election_in <= 0
    lost = held & (jax.random.uniform(key) > pol.approval)
    hawk = pol.hawkishness[HEAD]
    hawkishness = pol.hawkishness.at[HEAD].set(jnp.where(lost, state.public.mean[side], hawk))
    election_in = jnp.where(held, jnp.round(params.political.election_interval[side]).astype(jnp.int32), pol.election_in)
    return replace(pol, hawkishness=hawkishness, election_in=election_in)


def election_schedule(first_election, election_interval) -> tuple[int, int]:
    """(day of the first election, days between elections) of one side: the days on which ``election`` acts.

    The countdown starts at round(first_election), loses a day in each day's
    ``step`` and is checked after it; used by the Mesa driver to schedule
    elections as events.
    """
    first = int(np.round(np.float32(first_election)))
    return max(first, 1) - 1, int(np.round(np.float32(election_interval)))
