"""Every state array of the model, as JAX pytrees.

Sector states stack the two sides on a leading axis of size 2 (A, B). A
sector's kernel updates one side and reads only that side's sectors and the
dyad; everything that crosses sides (the rival's rung, readiness, strikes)
passes through ``DyadState``, which only the dyad phases write. So the two
sides of a phase never see each other's new values, and the order in which
the Mesa driver activates them cannot matter.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import jax

from .params import N_BINS, N_POLITICAL


def pytree(cls):
    """A frozen dataclass whose fields are all array leaves."""
    cls = dataclass(frozen=True)(cls)
    return jax.tree_util.register_dataclass(cls, data_fields=[f.name for f in dataclasses.fields(cls)], meta_fields=[])


@pytree
class PublicState:
    hostility: Any  # (2, N) toward the rival, in [0, 1]
    baseline: Any  # (2, N) where hostility relaxes to
    openness: Any  # (2, N) bounded-confidence threshold
    outlet: Any  # (2, N) int32, the outlet each citizen follows
    reached: Any  # (2, N) 1.0 once Track-II has reached the citizen
    offsets: Any  # (2, K/2) int32 distances of the circulant social network
    # aggregates of the last update, read by other sectors and the outputs
    mean: Any  # (2,)
    std: Any  # (2,)
    high: Any  # (2,) share at or above 0.8 (the top four histogram bins)
    hist: Any  # (2, N_BINS) share of citizens per bin
    reached_share: Any  # (2,)
    audience: Any  # (2, M) summed hostility of each outlet's followers (read by the media sector)
    followers: Any  # (2, M) number of citizens following each outlet


@pytree
class MediaState:
    slant: Any  # (2, M) nationalist slant in [0, 1]
    amplification: Any  # (2, M)
    credibility: Any  # (2, M)
    reach: Any  # (2, M) audience share (followers / N)
    frame: Any  # (2, M) today's frame: the hostility each outlet pushes
    nationalism: Any  # (2,) reach-weighted frame
    claims: Any  # (2,) reach-weighted victory claims


@pytree
class PoliticalState:
    hawkishness: Any  # (2, 3): head of government, cabinet, opposition
    approval: Any  # (2,)
    commitment: Any  # (2,) public commitment (raises audience costs)
    belief: Any  # (2,) belief that the rival intends to escalate, in [0, 1]
    election_in: Any  # (2,) int32 days to the next election
    choice: Any  # (2,) int32 rung the side moves to today, applied by the dyad
    precedent: Any  # (2,) precedent of publicised retaliation (the "new normal"), in [0, 1]
    order_rung: Any  # (2,) int32 rung of the pending strike order, 0 when none
    order_left: Any  # (2,) days of planning left before the order executes
    order_event: Any  # (2,) int32 today's order event: 0 none, 1 given, 2 executed, 3 rescinded
    rescind_cause: Any  # (2,) int32 what rescinded today's order: 0 none, 1 hotline, 2 backchannel, 3 mediation, 4 reconsidered


@pytree
class MilitaryState:
    readiness: Any  # (2,) readiness of the armed forces, in [0, 1]
    advice: Any  # (2,) rung the establishment advises


@pytree
class DyadState:
    day: Any  # int32
    rung: Any  # (2,) int32 each side's rung on the ladder
    pending_attack: Any  # (2,) severity of scripted attacks injected for today
    pending_evidence: Any  # (2,)
    attack: Any  # (2,) severity of the attack each side suffered today
    evidence: Any  # (2,) public attribution evidence of that attack
    provocation: Any  # (2,) decaying memory of attacks suffered x attribution
    strike: Any  # (2,) damage each side's kinetic action did to the rival today
    loss: Any  # (2,) losses each side suffered today
    backdown: Any  # (2,) 1.0 where a side climbed down today
    readiness_seen: Any  # (2,) each side's readiness as the rival sees it (yesterday's)
    hotline_call: Any  # () 1.0 on a day the leaders spoke
    dgmo_call: Any  # () 1.0 on a day the DGMO line was used
    envoys_at_work: Any  # () 1.0 on a day backchannel envoys worked
    mediator: Any  # () 1.0 while a third party presses (refused or not)
    brokering: Any  # () 1.0 while that third party also brokers (no side refuses it)
    willing: Any  # () 1.0 when the third party is willing to step in in this crisis (drawn at its opening)
    refused: Any  # (2,) 1.0 where a side refuses mediation in this crisis (drawn at its opening)
    demand: Any  # (2,) strength of each side's open public demands of the rival (coercive stand-off)
    complied: Any  # (2,) 1.0 on the day the rival complied with a side's demands
    mobilised_days: Any  # (2,) days each side has stood at rung >= 2 in this crisis
    exercise_left: Any  # (2,) days left of an exercise each side holds (it stands at rung >= 2 meanwhile)
    occupied: Any  # (2,) grievance of an occupation of each side's territory by the rival, 0 when none
    repeak: Any  # () 1.0 on a day a severe attack hit during an open crisis
    used_force: Any  # (2,) 1.0 where a side has used force (rung >= 3) in this crisis
    ceasefire: Any  # () 1.0 on the day a ceasefire was agreed
    ceasefire_left: Any  # () days a ceasefire still weighs
    accident: Any  # () 1.0 on a day an incident raised a rung
    nuclear_p: Any  # () today's probability of inadvertent nuclear use
    established: Any  # (3,) hotline, backchannel, cbm exist (switched on, or created by a post-crisis window)
    in_crisis: Any  # 1.0 while a crisis episode is open (model.dyad: the one definition of an episode)
    crisis_age: Any  # int32 days since the episode opened
    calm_days: Any  # int32 days at crisis level <= 1 since the episode opened or last climbed
    episode_peak: Any  # int32 highest level of the open episode
    n_opened: Any  # int32 episodes opened (alerts that never reach level 2 included)
    n_crises: Any  # int32 crisis episodes: episodes that reached level 2
    crisis_days: Any  # int32
    days_high: Any  # int32 days at crisis level >= 4
    peak: Any  # int32
    first_start: Any  # int32 day the first episode opened, -1 if none
    first_end: Any  # int32 day the first episode ended, -1 if not (yet)
    first_peak: Any  # int32 peak level of the first episode
    first_last_high: Any  # int32 last day at level >= 2 in the first episode, -1 if none
    first_kinetic: Any  # int32 first day at crisis level >= 3 in the first episode, -1 if none
    first_strike: Any  # int32 first day at crisis level >= 4 (strikes on territory) in the first episode, -1 if none
    first_order: Any  # int32 day the first strike order was given in the first episode, -1 if none
    first_mediated: Any  # 1.0 if a third party pressed in the first episode
    n_orders: Any  # int32 strike orders given
    n_rescinded: Any  # int32 strike orders rescinded
    first_rescind_cause: Any  # int32 what rescinded the first rescinded order (political.RESCIND_CAUSES), 0 if none
    n_repeaks: Any  # int32 severe attacks during open crises
    n_complied: Any  # int32 compliances with demands
    first_ceasefire: Any  # int32 first ceasefire day, -1 if none
    mediated: Any  # 1.0 if a mediator brokered in the current crisis
    envoys: Any  # 1.0 if envoys worked in the current crisis
    claims_sum: Any  # victory claims summed over the current crisis
    n_created: Any  # int32 institutions created by post-crisis windows
    created_day: Any  # int32 day the first institution was created, -1 if none
    nuclear: Any  # 1.0 once nuclear weapons were used


@pytree
class State:
    public: PublicState
    media: MediaState
    political: PoliticalState
    military: MilitaryState
    dyad: DyadState


def replace(obj, **changes):
    return dataclasses.replace(obj, **changes)


def put_side(stacked, side: int, one, taken=None):
    """Write one side's slice back into a stacked sector state.

    ``taken``, the slices the kernel was given (``take_side``), marks what it
    left as it was: those fields are not written back (a kernel that returns
    an input unchanged returns the same array), so a phase does not copy the
    arrays it never changes.
    """
    if taken is None:
        return jax.tree.map(lambda full, part: full.at[side].set(part), stacked, one)
    return jax.tree.map(lambda full, part, old: full if part is old else full.at[side].set(part), stacked, one, taken)


def take_side(stacked, side: int):
    return jax.tree.map(lambda x: x[side], stacked)


__all__ = ["State", "PublicState", "MediaState", "PoliticalState", "MilitaryState", "DyadState", "N_BINS", "N_POLITICAL"]
