"""The batched engine: ``lax.scan`` over days, ``vmap`` over replicates and settings.

One day is the same sequence of kernels the Mesa driver schedules: open the
day (dyad), then media, public, military and political for side A and side
B, then elections (a no-op except on an election day, which the Mesa driver
schedules as an event), then resolve (dyad). Keys are derived, never carried:
replicate key = fold_in(key(seed), replicate), day key = fold_in(replicate
key, day), phase key = fold_in(day key, phase x 2 + side); so a replicate
does not depend on the batch it runs in, and both engines draw the same
numbers.

The scan emits the day's aggregates only (``dyad.daily_outputs``), so memory
grows with the population, not with population x days.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp

from . import dyad
from .params import N_SIDES, Dims, Params
from .sectors import media, military, political, public
from .state import State, put_side, replace, take_side

# (name, kernel, field of State it updates); the order of a day
SECTORS = (
    ("media", media.step),
    ("public", public.step),
    ("military", military.step),
    ("political", political.step),
)
OPEN, RESOLVE = 0, len(SECTORS) + 1
ELECTION = RESOLVE + 1
SECTOR_PHASE = {name: i + 1 for i, (name, _) in enumerate(SECTORS)}
KERNELS = dict(SECTORS)


def init(key, params: Params, dims: Dims) -> State:
    """Day-0 state of one replicate: a pure function of the key and parameters (each sector's ``init``, then the dyad's)."""
    k_public, k_media, k_political = jax.random.split(key, 3)
    # both sides in one vmap: the stacked arrays come out side-major in memory, as the kernels read them
    sides = jnp.arange(N_SIDES)
    media_state = jax.vmap(lambda s: media.init(jax.random.fold_in(k_media, s), params, dims, s))(sides)
    public_state = jax.vmap(lambda s, reach: public.init(jax.random.fold_in(k_public, s), params, dims, s, reach))(
        sides, media_state.reach
    )
    political_state = political.init(k_political, params)
    military_state = military.init(params)
    return State(
        public=public_state,
        media=media_state,
        political=political_state,
        military=military_state,
        dyad=dyad.init(params, military_state),
    )


def replicate_keys(seed, replicate):
    """(key for the day-0 state, key from which every day's key is folded) of one replicate."""
    init_key, time_key = jax.random.split(jax.random.fold_in(jax.random.key(seed), replicate))
    return init_key, time_key


def phase_key(day_key, phase: int, side: int = 0):
    return jax.random.fold_in(day_key, phase * 2 + side)


def sector_step(sector: str, side: int, day_key, state: State, params: Params, dims: Dims) -> State:
    """Apply one sector's kernel to one side and write its slice back (the Mesa driver: one agent)."""
    key = phase_key(day_key, SECTOR_PHASE[sector], side)
    stacked = getattr(state, sector)
    own = take_side(stacked, side)
    new = KERNELS[sector](key, own, state, params, dims, side)
    return replace(state, **{sector: put_side(stacked, side, new, taken=own)})


def sector_phase(sector: str, day_key, state: State, params: Params, dims: Dims) -> State:
    """Apply one sector's kernel to both sides at once (the batched engine): ``vmap`` over the side axis.

    A kernel reads only its own side's slice and what was there before the
    phase, so both sides together give what ``sector_step`` gives side by
    side, without copying each side's slice out of and back into the stacked
    arrays.
    """
    return both_sides(KERNELS[sector], SECTOR_PHASE[sector], sector, day_key, state, params, dims)


def both_sides(kernel, phase: int, field: str, day_key, state: State, params: Params, dims: Dims) -> State:
    """``kernel(key, own side's slice, state, params, dims, side)`` on both sides at once, written to ``state.<field>``."""
    keys = jax.vmap(lambda side: phase_key(day_key, phase, side))(jnp.arange(N_SIDES))
    new = jax.vmap(lambda key, own, side: kernel(key, own, state, params, dims, side))(
        keys, getattr(state, field), jnp.arange(N_SIDES)
    )
    return replace(state, **{field: new})


def election_phase(day_key, state: State, params: Params, dims: Dims) -> State:
    """Elections of both sides (``political.election``: nothing changes unless the countdown reached 0)."""
    return both_sides(political.election, ELECTION, "political", day_key, state, params, dims)


def election_step(side: int, day_key, state: State, params: Params, dims: Dims) -> State:
    """One side's election (the Mesa driver's scheduled event): what ``election_phase`` does for that side."""
    key = phase_key(day_key, ELECTION, side)
    own = take_side(state.political, side)
    new = political.election(key, own, state, params, dims, side)
    return replace(state, political=put_side(state.political, side, new, taken=own))


def open_day(day_key, state: State, params: Params) -> State:
    return dyad.open_day(phase_key(day_key, OPEN), state, params)


def resolve(day_key, state: State, params: Params) -> State:
    return dyad.resolve(phase_key(day_key, RESOLVE), state, params)


def day_step(time_key, state: State, params: Params, dims: Dims) -> State:
    """One whole day, scripted attacks included."""
    day_key = jax.random.fold_in(time_key, state.dyad.day)
    state = dyad.inject_scripted(state, params)
    state = open_day(day_key, state, params)
    for sector, _ in SECTORS:
        state = sector_phase(sector, day_key, state, params, dims)
    state = election_phase(day_key, state, params, dims)
    return resolve(day_key, state, params)


def rollout(keys, params: Params, dims: Dims, days: int):
    """One replicate: (final state, daily outputs with a leading day axis, summary)."""
    init_key, time_key = keys
    state = init(init_key, params, dims)

    def body(state, _):
        state = day_step(time_key, state, params, dims)
        return state, dyad.daily_outputs(state)

    state, outputs = jax.lax.scan(body, state, None, length=days)
    return state, outputs, dyad.summary(state, outputs)


def replicate_outputs(seed, replicate, params: Params, dims: Dims, days: int):
    """One replicate's (daily outputs, summary): what every batched entry point vmaps."""
    _, outputs, summary = rollout(replicate_keys(seed, replicate), params, dims, days)
    return outputs, summary


@partial(jax.jit, static_argnames=("dims", "days"))
def run_replicates(seed, replicates, params: Params, dims: Dims, days: int):
    """Replicates (array of indices) of one setting: outputs and summaries with a leading replicate axis."""
    return jax.vmap(lambda r: replicate_outputs(seed, r, params, dims, days))(replicates)


@partial(jax.jit, static_argnames=("dims", "days"))
def run_settings(seed, replicates, stacked: Params, dims: Dims, days: int):
    """Several settings (a stacked Params) x replicates in one compiled call: leading axes (setting, replicate)."""
    return jax.vmap(lambda params: run_replicates(seed, replicates, params, dims, days))(stacked)


def whole(name: str, value, lo: int, hi: int) -> int:
    """``value`` as an int in [lo, hi], or ValueError naming it: 2.5 replicates is a mistake, not 3."""
    import operator  # noqa: PLC0415

    try:
        number = operator.index(value)  # ints and numpy integers; not floats, not bools' intent
    except TypeError:
        raise ValueError(f"{name} = {value!r}: expected a whole number in [{lo}, {hi}]") from None
    if isinstance(value, bool) or not lo <= number <= hi:
        raise ValueError(f"{name} = {value!r}: expected a whole number in [{lo}, {hi}]")
    return number


MAX_SEED = 2**31 - 1  # the command line's bound; keys fold in int32


def simulate(seed: int, n_replicates: int, params: Params, dims: Dims, days: int, first: int = 0):
    """Run replicates first .. first + n_replicates - 1 of one setting."""
    seed = whole("seed", seed, 0, MAX_SEED)
    n_replicates = whole("n_replicates", n_replicates, 1, 10**7)
    days = whole("days", days, 1, 10**6)
    first = whole("first", first, 0, MAX_SEED - n_replicates)
    replicates = jnp.arange(first, first + n_replicates, dtype=jnp.int32)
    return run_replicates(jnp.int32(seed), replicates, params, dims, days)


@partial(jax.jit, static_argnames=("dims", "days", "keep"))
def run_runs(seed, settings, replicates, stacked: Params, dims: Dims, days: int, keep=None):
    """Runs, each one replicate of one setting (``settings[i]`` indexes the stacked Params), vmapped together.

    Settings and replicates on one flat axis: a block of runs is the same
    program whichever settings it mixes, so it can be split across devices
    like any batch of replicates. ``keep(daily, summary)`` picks what each
    run returns (by default both); XLA drops what it does not use.
    """

    def one(setting, replicate):
        outputs = replicate_outputs(seed, replicate, jax.tree.map(lambda leaf: leaf[setting], stacked), dims, days)
        return outputs if keep is None else keep(*outputs)

    return jax.vmap(one)(settings, replicates)


@partial(jax.jit, static_argnames=("dims", "days", "mesh", "keep"))
def run_sharded(seed, settings, replicates, stacked: Params, dims: Dims, days: int, mesh, keep=None):
    """``run_runs`` with the runs split across the mesh's devices (axis ``runs``).

    ``shard_map`` gives every device the same program on its own slice of
    runs: no device talks to another, and each runs the code one device runs
    on a batch of that size. The number of runs must divide by the devices.
    """
    from jax.sharding import PartitionSpec as P  # noqa: PLC0415

    local = jax.shard_map(
        lambda seed, settings, replicates, stacked: run_runs(seed, settings, replicates, stacked, dims, days, keep),
        mesh=mesh,
        in_specs=(P(), P("runs"), P("runs"), P()),
        out_specs=P("runs"),
        check_vma=False,  # random keys and scans inside: only the runs axis is split, nothing is reduced across it
    )
    return local(seed, settings, replicates, stacked)
