"""The eight sector agents of ``CrisisModel``: four sectors x two sides.

A sector agent is a population, not a person: its ``step`` applies the
sector's JAX kernel (``model.sectors``) to its side of the model's state,
through the same ``engine.sector_step`` the batched engine scans, so a
subclass can wrap or replace it. Agents are activated by sector, through
their ``AgentSet``, in the fixed phase order of ``SECTOR_AGENTS``.

Each agent reads its side of the state through read-only views named as in
docs/ODD.md (``PublicSector.hostility``, ``MediaSector.slant``, …): copies of
the arrays at the time of reading. Every field of the sector's state is
also readable under its own name (``agent.openness``), and ``agent.views()``
lists what an agent shows, so a field added to a sector's state appears on
its agents without a change here.
"""

from __future__ import annotations

import dataclasses

import jax
import mesa
import numpy as np

from . import engine
from .state import State, replace


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


SECTOR_STEPS = {name: _sector_phase(name) for name, _ in engine.SECTORS}  # one agent: one side
SECTOR_ACTIVATIONS = {name: _both_sides(name) for name, _ in engine.SECTORS}  # a sector's two agents in one call


def _read(array, side: int) -> np.ndarray:
    # a copy: the driver donates the sector's arrays to the next phase, which reuses their memory
    value = np.array(array[side])
    value.flags.writeable = False
    return value[()] if value.ndim == 0 else value


class View:
    """A read-only view of one side's slice of a state field, under the ODD's name.

    ``View("mean")`` reads the agent's own sector (``state.public.mean[side]``);
    ``View("rung", of="dyad")`` another part of the state indexed by side.
    """

    def __init__(self, field: str, doc: str = "", of: str | None = None):
        self.field, self.of, self.__doc__ = field, of, doc

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, agent, owner=None):
        if agent is None:
            return self
        part = getattr(agent.model.state, self.of or agent.sector)
        return _read(getattr(part, self.field), agent.side)

    def __set__(self, agent, value):
        raise AttributeError(f"{type(agent).__name__}.{self.name} is a view of the model's state: read-only")


class SectorAgent(mesa.Agent):
    """One side's sector. ``step`` applies the sector's kernel to that side (the default activation)."""

    sector: str = ""

    def __init__(self, model, side: int):
        super().__init__(model)
        self.side = side

    @property
    def side_name(self) -> str:
        return self.model.side(self.side)

    def step(self):
        m = self.model
        m._own_state()  # a subclass may have read m.state before calling this: copy before the kernel donates it
        m.state = SECTOR_STEPS[self.sector](m._state, side=self.side, day_key=m.day_key, params=m.params, dims=m.dims)

    def views(self) -> list[str]:
        """Every name this agent reads its state by: the ODD names first, then the sector's raw fields."""
        named = [n for klass in type(self).__mro__ for n, v in vars(klass).items() if isinstance(v, View)]
        fields = [f.name for f in dataclasses.fields(getattr(self.model.state, self.sector))]
        return list(dict.fromkeys(named + fields))

    def __getattr__(self, name):
        # any other field of the sector's state, read like the named views (called only when normal lookup fails)
        if not name.startswith("_") and "model" in self.__dict__:
            part = getattr(self.model.state, type(self).sector, None)
            if part is not None and name in {f.name for f in dataclasses.fields(part)}:
                return _read(getattr(part, name), self.side)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def describe(self) -> str:
        return ""

    def __repr__(self):
        detail = self.describe()
        return f"<{type(self).__name__} {self.side_name} after {self.model.day} days{': ' + detail if detail else ''}>"


class MediaSector(SectorAgent):
    """Media outlets of one side: frame the day's events, drift toward their audience."""

    sector = "media"
    slant = View("slant", "(outlets,) nationalist slant in [0, 1]")
    amplification = View("amplification", "(outlets,) sensationalism")
    credibility = View("credibility", "(outlets,)")
    reach = View("reach", "(outlets,) audience share")
    frame = View("frame", "(outlets,) today's frame: the hostility each outlet pushes")
    nationalism = View("nationalism", "reach-weighted frame (the output media_nationalism)")
    victory_claims = View("claims", "reach-weighted victory claims")

    def describe(self):
        return f"{self.model.dims.n_media} outlets, nationalism {self.nationalism:.3f}"


class PublicSector(SectorAgent):
    """Citizens of one side: bounded confidence, media pull, rally, Track-II, relaxation, noise."""

    sector = "public"
    hostility = View("hostility", "(citizens,) hostility toward the rival in [0, 1]")
    openness = View("openness", "(citizens,) bounded-confidence threshold")
    outlet = View("outlet", "(citizens,) the outlet each citizen follows")
    reached = View("reached", "(citizens,) 1.0 once Track-II has reached the citizen")
    mean_hostility = View("mean", "mean hostility")
    polarisation = View("std", "spread of hostility (standard deviation)")
    share_high = View("high", "share of citizens at or above 0.8")
    hostility_hist = View("hist", "(20,) share of citizens per hostility bin over [0, 1]")
    reached_share = View("reached_share", "share reached by Track-II")

    def describe(self):
        return f"{self.model.dims.n_public} citizens, mean hostility {self.mean_hostility:.3f}"


class MilitarySector(SectorAgent):
    """The military establishment of one side (army, air force, intelligence as one voice): Richardson readiness, advice."""

    sector = "military"
    readiness = View("readiness", "readiness of the armed forces, in [0, 1]")
    advice = View("advice", "the rung the establishment advises")

    def describe(self):
        return f"readiness {self.readiness:.3f}, advises rung {int(self.advice)}"


class PoliticalSector(SectorAgent):
    """Head of government, cabinet, opposition of one side: belief, choice on the ladder, strike orders, approval."""

    sector = "political"
    approval = View("approval", "the head of government's approval")
    belief = View("belief", "belief that the rival intends to escalate, in [0, 1]")
    commitment = View("commitment", "public commitment (raises audience costs)")
    hawkishness = View("hawkishness", "(3,) head of government, cabinet, opposition")
    election_in = View("election_in", "days to the next election")
    choice = View("choice", "the rung moved to today")
    precedent = View("precedent", "precedent of publicised retaliation (the 'new normal'), in [0, 1]")
    order_rung = View("order_rung", "rung of the pending strike order, 0 when none")
    order_left = View("order_left", "days of planning left before the order executes")
    rung = View("rung", "the side's rung on the escalation ladder", of="dyad")

    def describe(self):
        order = f", strike order (rung {int(self.order_rung)}) in {self.order_left:.0f} days" if int(self.order_rung) > 0 else ""
        return f"rung {int(self.rung)}, approval {self.approval:.3f}, belief {self.belief:.3f}{order}"


# The phase order of a day; the batched engine follows engine.SECTORS, the same order.
SECTOR_AGENTS = (MediaSector, PublicSector, MilitarySector, PoliticalSector)
assert tuple(a.sector for a in SECTOR_AGENTS) == tuple(name for name, _ in engine.SECTORS)
