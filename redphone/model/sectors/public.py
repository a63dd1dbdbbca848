"""Public sector: citizens' hostility toward the rival.

Each day every citizen (i) meets one of its social neighbours and moves toward
them if their views are closer than its bounded-confidence threshold
(Deffuant et al. 2000, one-sided form), (ii) is pulled toward the frame of
the outlet it follows, (iii) rallies after events blamed on the rival, (iv)
if Track-II has reached it, is pulled toward a lower hostility with a wider
threshold (a standing programme has reached ``track2.initial_reach`` of the
public on day 0; it reaches ``track2.reach`` more a month), (v) relaxes toward its baseline, (vi) takes noise. All terms are
computed from yesterday's values and added at once; hostility stays in [0, 1].

The social network is circulant: citizen i's neighbours are i +- d_k (mod N)
for K/2 distances d_k drawn per side and replicate (d_1 = 1, the rest long
range), a small-world graph that costs no memory at any population.

The daily per-citizen draws (partner, Track-II contact, noise) come from
``model.draws``, a counter-based hash keyed by the phase's threefry key:
threefry itself would cost most of the step on a CPU.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from .. import draws, flat
from ..params import N_BINS, Dims, Params
from ..state import PublicState, State, replace


def init(key, params: Params, dims: Dims, side, outlet_reach) -> PublicState:
    pp = params.public
    n, half = dims.n_public, dims.n_neighbours // 2
    k_base, k_open, k_outlet, k_net, k_uniform = jax.random.split(key, 5)
    # per-citizen draws from the counter-based hash (model.draws), like the daily ones: each value is
    # computed where it is stored, so building the day-0 state needs no population-sized scratch arrays
    baseline = jnp.clip(pp.baseline[side] + pp.baseline_spread[side] * draws.normal(k_base, n), 0.0, 1.0)
    hostility = jnp.where(pp.uniform_start > 0.5, draws.uniform(k_uniform, n), baseline)
    spread = pp.epsilon_spread[side] * (2.0 * draws.uniform(k_open, n) - 1.0)
    openness = jnp.clip(pp.epsilon[side] + spread, 0.0, 1.0)
    # the outlet by inverting the cumulative reach: the number of outlets whose cumulative reach lies
    # at or below the draw, counted one outlet at a time so that no citizen x outlet array is built
    # (categorical's n x M Gumbel draws cost 50 times the time and memory)
    cumulative = jnp.cumsum(outlet_reach)
    pick = draws.uniform(k_outlet, n) * cumulative[-1]
    below = jax.lax.fori_loop(
        0, dims.n_media, lambda m, count: count + (cumulative[m] <= pick).astype(jnp.int32), jnp.zeros((n,), jnp.int32)
    )
    outlet = jnp.minimum(below, dims.n_media - 1)
    far = jax.random.randint(k_net, (half - 1,), 2, max(3, n // 2 + 1))
    offsets = jnp.concatenate([jnp.ones((1,), jnp.int32), far.astype(jnp.int32)])
    # a standing Track-II programme has already reached a share of the public by day 0 (its own key: the
    # other day-0 draws do not depend on it)
    t2 = params.track2
    already = draws.uniform(jax.random.fold_in(key, 7), n) < params.institutions.track2 * t2.initial_reach[side]
    reached = already.astype(jnp.float32)
    zero, outlets = jnp.float32(0), jnp.zeros(dims.n_media)
    return aggregate(
        PublicState(
            hostility=hostility, baseline=baseline, openness=openness, outlet=outlet, reached=reached, offsets=offsets,
            mean=zero, std=zero, high=zero, hist=jnp.zeros(N_BINS), reached_share=zero, audience=outlets, followers=outlets,
        ),
        dims,
    )


HIGH_BIN = int(0.8 * N_BINS)  # the share of "high" hostility: the histogram's bins from 0.8 up


def aggregate(pub: PublicState, dims: Dims) -> PublicState:
    """Recompute the side's aggregates: mean, spread, share at or above 0.8, histogram, Track-II share and
    each outlet's audience (summed hostility and number of followers, read by the media sector).

    The histogram and the audience sums come from one scatter over (bin, outlet) cells: on a CPU a
    scatter costs by the index, and it was the most expensive part of a citizen's day.
    """
    h = pub.hostility
    n = h.shape[0]
    cells = flat.binned_sums(N_BINS, dims.n_media)(h, pub.outlet)
    counts = cells[..., 1]  # whole numbers, exact in float32 below 2**24 citizens
    audience, followers = _sums(cells[..., 0], counts)  # over the bins
    # over the outlets in XLA's own loop: jnp.sum hands it to YNNPACK, which first copies the counts out
    # of the cells (with the spread below, 8 to 11 % of a run-day: docs/performance.md, issue 13 final)
    hist = jax.lax.reduce(counts, jnp.float32(0), jax.lax.add, (1,)) / n
    mean = jnp.sum(audience) / n  # the same sums: no pass of its own
    # over the citizens, two plain sums: a variadic reduction along the minor axis is not vectorised
    spread, reached = jnp.sum(jnp.square(h - mean)), jnp.sum(pub.reached)
    return replace(
        pub, mean=mean, std=jnp.sqrt(spread / n), high=jnp.sum(hist[HIGH_BIN:]), hist=hist,
        reached_share=reached / n, audience=audience, followers=followers,
    )


def _sums(*terms):
    """Sums along axis 0 (not the minor axis) of several arrays of one shape, in one variadic reduction.

    XLA hands a single float sum to a library kernel (YNNPACK) that takes its input written out whole
    and, for the (bin, outlet) cells under ``vmap`` over many runs, reduces a non-minor axis slowly; a
    variadic reduction stays XLA's own loop, with its terms computed inside it. At 500 citizens x 256
    settings this took a run-day from 32 to 20 us (docs/performance.md, "Many small runs").
    """
    return jax.lax.reduce(terms, tuple(jnp.zeros((), t.dtype) for t in terms), lambda a, b: tuple(x + y for x, y in zip(a, b)), (0,))


def blamed_events(state: State, side: int):
    """Severity of today's events the side blames on the rival: an attack it suffered, the rival's strikes."""
    return state.dyad.attack[side] + state.dyad.strike[1 - side]


def step(key, pub: PublicState, state: State, params: Params, dims: Dims, side) -> PublicState:
    frame = state.media.frame[side]
    credibility = state.media.credibility[side]
    pp, t2 = params.public, params.track2
    n = dims.n_public
    k_pair, k_noise, k_track2 = jax.random.split(key, 3)
    h = pub.hostility

    # How this is laid out for speed (measured with `make bench`, see docs/performance.md): the two
    # gathers (the partner's hostility, the outlet's credibility and frame) get passes of their own and
    # everything else one vectorised pass, because XLA does not vectorise a loop with a gather in it.

    # (i) bounded confidence with one random neighbour of the circulant network
    pick = draws.randint(k_pair, n, dims.n_neighbours)
    offset = pub.offsets[0]
    for k in range(1, dims.n_neighbours // 2):  # K/2 selects instead of a gather
        offset = jnp.where(pick >> 1 == k, pub.offsets[k], offset)
    ahead = jnp.arange(n, dtype=jnp.int32) + jnp.where(pick & 1 == 1, -offset, offset)
    partner = jnp.where(ahead >= n, ahead - n, jnp.where(ahead < 0, ahead + n, ahead))  # offsets lie in [1, n]
    seen = flat.take(h, partner)
    outlets = jax.lax.optimization_barrier(jnp.stack([credibility, frame], axis=-1))  # built once, not per citizen
    pull = flat.take(outlets, pub.outlet)
    seen, pull = jax.lax.optimization_barrier((seen, pull))
    gap = seen - h
    newly = draws.uniform(k_track2, n) < params.institutions.track2 * t2.reach[side] / 30.0
    reached = jnp.maximum(pub.reached, newly.astype(jnp.float32))
    threshold = pub.openness + t2.openness[side] * reached
    peer = pp.mu[side] * gap * (jnp.abs(gap) < threshold)
    # (ii) pull toward the outlet's frame
    media = pp.media_weight[side] * pull[:, 0] * (pull[:, 1] - h)
    # (iii) rally round the flag
    rally = pp.rally[side] * blamed_events(state, side) * (1.0 - h)
    # (iv) Track-II contact
    track2 = t2.effect[side] * reached * (t2.target[side] - h)
    # (v) relaxation and (vi) noise
    relax = pp.relaxation[side] * (pub.baseline - h)
    noise = pp.noise[side] * draws.normal(k_noise, n)
    hostility = jnp.clip(h + peer + media + rally + track2 + relax + noise, 0.0, 1.0)
    # computed once: without the barrier XLA recomputes the whole update inside each aggregate
    hostility, reached = jax.lax.optimization_barrier((hostility, reached))
    return aggregate(replace(pub, hostility=hostility, reached=reached), dims)
