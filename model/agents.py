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

# the state is donated: each phase updates it in place instead of copying every array
_sector_step = jax.jit(engine.sector_step, static_argnames=("sector", "side", "dims"), donate_argnames=("state",))


class SectorAgent(mesa.Agent):
    sector: str = ""

    def __init__(self, model, side: int):
        super().__init__(model)
        self.side = side

    def step(self):
        m = self.model
        m.state = _sector_step(self.sector, self.side, m.day_key, m.state, m.params, m.dims)

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
