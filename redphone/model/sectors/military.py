"""Military / security establishment: one agent per side (army, air force and intelligence as one voice).

Readiness follows Richardson's arms dynamics, per day and bounded to [0, 1]:
    dR = reaction x (rival's readiness) - fatigue x R + grievance + mobilisation x max(0, rung - 1)
Stable (a finite equilibrium) when reaction_A x reaction_B < fatigue_A x fatigue_B,
runaway otherwise (Richardson 1960).

Advice: the establishment advises the higher of (a) the rival's rung plus its
doctrine ("quid pro quo plus") times the leader's belief in the rival's hostile
intent, and (b) the rung its memory of attacks suffered calls for, but no
higher than its readiness supports (1 + 5 x readiness).

The services are one agent on purpose: the first version carried three
services with identical dynamics, copies posing as several agents. The
record does not separate their roles well enough to calibrate three (docs/ODD.md).
"""

from __future__ import annotations

import jax.numpy as jnp

from ..params import N_SIDES, Dims, Params
from ..state import MilitaryState, State, replace


def init(params: Params) -> MilitaryState:
    readiness = jnp.broadcast_to(params.military.initial_readiness, (N_SIDES,))
    return MilitaryState(readiness=jnp.asarray(readiness, jnp.float32), advice=jnp.zeros(N_SIDES, jnp.float32))


def step(key, mil: MilitaryState, state: State, params: Params, dims: Dims, side) -> MilitaryState:
    del key, dims
    d = state.dyad
    mp = params.military
    rival = 1 - side
    readiness = mil.readiness
    mobilised = mp.mobilisation[side] * jnp.maximum(d.rung[side] - 1, 0)
    growth = mp.reaction[side] * d.readiness_seen[rival] - mp.fatigue[side] * readiness + mp.grievance[side]
    readiness = jnp.clip(readiness + growth + mobilised, 0.0, 1.0)

    threat = state.political.belief[side]
    retaliate = d.rung[rival] + mp.doctrine[side] * threat
    avenge = mp.provocation_rung[side] * d.provocation[side]
    capable = 1.0 + 5.0 * readiness
    advice = jnp.clip(jnp.minimum(jnp.maximum(retaliate, avenge), capable), 0.0, 5.0)
    return replace(mil, readiness=readiness, advice=advice)
