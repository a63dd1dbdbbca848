"""The eight sector agents of ``CrisisModel``: four sectors x two sides.

A sector agent is a population, not a person: its ``step`` applies the
sector's JAX kernel (``model.sectors``) to its side of the model's state,
through the same ``engine.sector_step`` the batched engine scans. Agents are
activated by sector, in the fixed phase order of ``SECTOR_AGENTS``.
"""

from __future__ import annotations

import jax
import mesa

from model import engine
from model.state import State, replace


def in_place(field: str, phase, static_argnames=()):
    """Jit ``phase(state, *args) -> state``, which changes ``state.<field>`` only, for the Mesa driver.

    The returned function takes and returns the whole state, but only that
    field's arrays are donated (updated in place, not copied) and come back
    from the compiled call; the rest of the state is passed in to be read.
    Every array a call donates and returns costs dispatch time, which at
    small populations is most of a phase's time.
    """

    def part(own, rest: State, *args, **kwargs):
        return getattr(phase(replace(rest, **{field: own}), *args, **kwargs), field)

    jitted = jax.jit(part, donate_argnames=("own",), static_argnames=static_argnames)

    def run(state: State, *args, **kwargs) -> State:
        own, rest = getattr(state, field), replace(state, **{field: None})
        return replace(state, **{field: jitted(own, rest, *args, **kwargs)})

    return run


def _sector_phase(sector: str):
    def phase(state, side, day_key, params, dims):
        return engine.sector_step(sector, side, day_key, state, params, dims)

    return in_place(sector, phase, static_argnames=("side", "dims"))


def _both_sides(sector: str):
    def phase(state, day_key, params, dims):
        return engine.sector_phase(sector, day_key, state, params, dims)

    return in_place(sector, phase, static_argnames=("dims",))


_SECTOR_PHASES = {name: _sector_phase(name) for name, _ in engine.SECTORS}
SECTOR_ACTIVATIONS = {name: _both_sides(name) for name, _ in engine.SECTORS}  # a sector's agents activated together


class SectorAgent(mesa.Agent):
    sector: str = ""

    def __init__(self, model, side: int):
        super().__init__(model)
        self.side = side

    def step(self):
        m = self.model
        m.state = _SECTOR_PHASES[self.sector](m.state, side=self.side, day_key=m.day_key, params=m.params, dims=m.dims)

    def __repr__(self):
        return f"{type(self).__name__}(side={self.model.side(self.side)})"


class MediaSector(SectorAgent):
    """Media outlets of one side: frame the day's events, drift toward their audience."""

    sector = "media"


class PublicSector(SectorAgent):
    """Citizens of one side: bounded confidence, media pull, rally, Track-II, relaxation, noise."""

    sector = "public"


class MilitarySector(SectorAgent):
    """Army, air force, intelligence of one side: Richardson readiness, advice."""

    sector = "military"


class PoliticalSector(SectorAgent):
    """Head of government, cabinet, opposition of one side: belief, choice on the ladder, approval."""

    sector = "political"


# The phase order of a day; the batched engine follows engine.SECTORS, the same order.
SECTOR_AGENTS = (MediaSector, PublicSector, MilitarySector, PoliticalSector)
assert tuple(a.sector for a in SECTOR_AGENTS) == tuple(name for name, _ in engine.SECTORS)
