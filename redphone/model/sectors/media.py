"""Media sector: outlets frame each day's events for their audiences.

An outlet's frame is the hostility it pushes its followers toward: its slant,
plus its amplification times the day's framed events:
* outrage at an attack blamed on the rival (nationalist outlets blame it
  whatever the public evidence) and at the rival's strikes;
* own losses, minus the share a nationalist outlet denies (narrative war);
* victory claims for own strikes and, after a ceasefire, for the war itself;
* de-escalation by the own leader, told as weakness by nationalist outlets
  and as relief by moderate ones.
Slant then drifts toward the mean hostility of the outlet's audience
(ratings chasing: the media-public spiral). Responsible-media rules cap the
amplification.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from ..params import Dims, Params
from ..state import MediaState, State, replace


def init(key, params: Params, dims: Dims, side) -> MediaState:
    mp = params.media
    m = dims.n_media
    k_slant, k_amp, k_cred, k_reach = jax.random.split(key, 4)
    slant = jnp.clip(mp.slant[side] + mp.slant_spread[side] * jax.random.normal(k_slant, (m,)), 0.0, 1.0)
    amplification = mp.amplification[side] * jax.random.uniform(k_amp, (m,), minval=0.5, maxval=1.5)
    credibility = jnp.clip(mp.credibility[side] + 0.1 * jax.random.normal(k_cred, (m,)), 0.0, 1.0)
    weight = jnp.exp(mp.reach_skew[side] * jax.random.normal(k_reach, (m,)))
    reach = weight / jnp.sum(weight)
    zero = jnp.float32(0)
    return MediaState(
        slant=slant, amplification=amplification, credibility=credibility, reach=reach, frame=slant,
        nationalism=jnp.sum(reach * slant), claims=zero,
    )


def amplification(med: MediaState, params: Params):
    cap = params.responsible_media.amplification_cap
    capped = jnp.minimum(med.amplification, cap)
    return jnp.where(params.institutions.responsible_media > 0.5, capped, med.amplification)


def step(key, med: MediaState, state: State, params: Params, dims: Dims, side) -> MediaState:
    del key, dims  # framing is deterministic given the day's events
    d = state.dyad
    mp = params.media
    slant = med.slant
    evidence = d.evidence[side]
    outrage = d.attack[side] * (evidence + (1.0 - evidence) * slant) + d.strike[1 - side]
    own_losses = d.loss[side] * (1.0 - mp.denial[side] * slant)
    victory = (d.strike[side] + d.ceasefire) * slant
    climbdown = d.backdown[side] * (mp.weakness[side] * slant - (1.0 - slant))
    amp = amplification(med, params)
    frame = jnp.clip(slant + amp * (outrage + own_losses + victory + climbdown), 0.0, 1.0)

    # ratings chasing: slant drifts toward the audience's mean hostility
    # the audience sums come with the public sector's aggregates (one pass over the citizens)
    total, followers = state.public.audience[side], state.public.followers[side]
    audience = jnp.where(followers > 0, total / jnp.maximum(followers, 1.0), slant)
    slant = jnp.clip(slant + mp.drift[side] * (audience - slant), 0.0, 1.0)
    return replace(
        med, slant=slant, frame=frame,
        nationalism=jnp.clip(jnp.sum(med.reach * frame), 0.0, 1.0), claims=jnp.sum(med.reach * amp * victory),
    )
