"""CrisisModel: Mesa's scheduler driving the same kernels as the batched engine.

Eight sector agents (four sectors x two sides, ``model.agents``) hold no
copies of the population: each applies its sector's kernel to its side of the
model's state. Time runs on Mesa's own scheduler: each day's phases are
recurring events at fixed offsets within the day (open, media, public,
military, political, resolve, record), scripted attacks are one-off events
just before the day opens, elections are recurring events of each side
(from its first election, every election interval), and ``run_for(days)``
advances the clock. Within a phase, the sector's agents are activated
through their ``AgentSet`` (``do("step")``): each agent's ``step`` applies
the kernel to its side, so a subclass named in ``CrisisModel.agent_classes``
can wrap or replace it.

Day d occupies model time [d, d + 1): ``step()`` runs exactly one day.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import mesa
import numpy as np
from mesa.time import Priority, Schedule

from . import dyad, engine
from .agents import SECTOR_ACTIVATIONS, SECTOR_AGENTS, SectorAgent, in_place
from .config import build, compose
from .engine import init
from .params import EVENT_KINDS, SIDE_NAMES
from .sectors import political
from .state import State

# Where in the day each phase runs (fractions of a day)
SCRIPTED_AT, OPEN_AT, SECTORS_AT, ELECTION_AT, RESOLVE_AT, RECORD_AT = 0.05, 0.1, 0.2, 0.65, 0.7, 0.8
SECTOR_SPACING = 0.1


@jax.jit
def _day_key(time_key, day):
    return jax.random.fold_in(time_key, day)


# the dyad phases change the dyad only: its arrays are updated in place, the rest is read
_open_day = in_place("dyad", lambda state, day_key, params: engine.open_day(day_key, state, params))
_resolve = in_place("dyad", lambda state, day_key, params: engine.resolve(day_key, state, params))
_inject = in_place("dyad", dyad.inject_attack)
_election = in_place(
    "political", lambda state, side, day_key, params, dims: engine.election_step(side, day_key, state, params, dims),
    static_argnames=("side", "dims"),
)


@jax.jit
def _packed_outputs(state: State):
    """The day's outputs in one float32 vector: one transfer to the host instead of one per output."""
    outputs = dyad.daily_outputs(state)
    return jnp.concatenate([jnp.ravel(outputs[name]).astype(jnp.float32) for name in sorted(outputs)])


def _layout(state: State) -> list:
    """(name, start, stop, shape, dtype) of each daily output within the packed vector."""
    layout, at = [], 0
    shapes = jax.eval_shape(dyad.daily_outputs, state)
    for name in sorted(shapes):  # the packing order
        value = shapes[name]
        size = int(np.prod(value.shape))
        layout.append((name, at, at + size, value.shape, value.dtype))
        at += size
    return layout


def _unpack(packed: np.ndarray, layout) -> dict:
    # whole numbers (rungs, counts) lie below 2**24: exact in float32
    return {name: packed[start:stop].reshape(shape).astype(dtype) for name, start, stop, shape, dtype in layout}


_init = jax.jit(init, static_argnames=("dims",))


class DailyCollector(mesa.DataCollector):
    """Mesa's DataCollector, keyed by day number: the record phase runs at model time day + 0.8,
    and ``mesa.batch_run`` reports the collection time as its ``Step`` column."""

    def collect(self, model):
        super().collect(model)
        self._collection_steps[-1] = model.day


def seed_of(rng) -> int:
    """The JAX seed of ``rng``: an int in [0, 2**31 - 1], drawn from a ``numpy.random.Generator``, or fresh for None."""
    if rng is None:
        return int(np.random.default_rng().integers(engine.MAX_SEED + 1))
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(engine.MAX_SEED + 1))
    try:
        return engine.whole("rng", rng, 0, engine.MAX_SEED)
    except ValueError:
        raise ValueError(
            f"rng = {rng!r}: expected a whole-number seed in [0, {engine.MAX_SEED}], a numpy.random.Generator, or None"
        ) from None


class CrisisModel(mesa.Model):
    """The crisis-escalation model as a Mesa model (one replicate).

    Every argument has a default; institution switches and population sizes
    override the preset's values; ``overrides`` takes any other dotted config
    key (``{"public.epsilon": 0.2}``); ``config``, an already composed and
    validated config (the Hydra app's), replaces all of those. ``rng`` is the integer seed shared with
    the batched engine, in [0, 2**31 - 1]: ``CrisisModel(rng=s, replicate=r)`` follows the same
    trajectory as replicate ``r`` of ``engine.simulate(s, ...)``. A ``numpy.random.Generator``
    is accepted too (as by ``mesa.Model``): the seed is drawn from it, ``rng.integers(2**31)``,
    so the same generator state gives the same run; ``None`` draws a fresh seed. ``self.seed``
    is the seed used. ``activation`` says how a phase activates a sector's two agents (see ``_phase``).

    ``agent_classes``, one subclass of each sector agent in phase order, is
    what a subclass of ``CrisisModel`` changes to wrap or replace an agent's
    ``step``.

    ``model.state`` (the whole population, a pytree of JAX arrays) may be kept:
    the phases update their arrays in place (donated buffers), so after you
    read ``state`` the next phase first copies it, and what you hold stays valid.
    """

    agent_classes: tuple = SECTOR_AGENTS

    def __init__(
        self,
        preset: str = "india_pakistan_2025",
        rng: int | None = 0,
        hotline: bool | None = None,
        track2: bool | None = None,
        backchannel: bool | None = None,
        dgmo: bool | None = None,
        mediation: bool | None = None,
        cbm: bool | None = None,
        responsible_media: bool | None = None,
        n_public: int | None = None,
        n_media: int | None = None,
        replicate: int = 0,
        overrides: dict | None = None,
        config=None,
        activation: str = "agent",
    ):
        if activation not in ("sector", "agent"):
            raise ValueError(f"activation = {activation!r}: expected 'agent' (each agent's step) or 'sector' (one call for both sides)")
        rng = seed_of(rng)
        replicate = engine.whole("replicate", replicate, 0, engine.MAX_SEED)
        super().__init__(rng=rng)
        self.activation = activation
        switches = dict(
            hotline=hotline, track2=track2, backchannel=backchannel, dgmo=dgmo, mediation=mediation, cbm=cbm,
            responsible_media=responsible_media,
        )
        keys = {f"institutions.{k}": v for k, v in switches.items() if v is not None}
        if n_public is not None:
            keys["population.public"] = n_public
        if n_media is not None:
            keys["population.media"] = n_media
        keys.update(overrides or {})
        self.config = config if config is not None else compose(preset, keys)
        self.params, self.dims = build(self.config)
        self.seed, self.replicate = rng, replicate
        self._callbacks = []  # Mesa holds scheduled callables weakly: keep the phase closures alive
        self.side_names = tuple(self.config.sides)

        init_key, self.time_key = engine.replicate_keys(self.seed, self.replicate)
        self._shared = False  # whether the caller may hold the arrays of the state now (see the state property)
        self.state = _init(init_key, self.params, dims=self.dims)
        self.day = 0
        self.day_key = None
        self.outputs: list[dict] = []  # the day's aggregates, as the batched engine records them
        self._layout = None  # where each daily output lies in the packed vector (_layout)

        sectors = [a.sector for a in self.agent_classes]
        if sectors != [a.sector for a in SECTOR_AGENTS]:
            raise ValueError(f"agent_classes: expected one agent class per sector in the order {[a.sector for a in SECTOR_AGENTS]}, got {sectors}")
        if activation == "sector" and any(a.step is not SectorAgent.step for a in self.agent_classes):
            raise ValueError("activation='sector' runs the kernels, not the agents' step: use activation='agent' with agent subclasses that change step")
        for side in (0, 1):
            for agent_class in self.agent_classes:
                agent_class(self, side)
        # each sector's two agents (A, B), in the AgentSet its phase activates
        self.sectors = {a.sector: self.agents_by_type[a] for a in self.agent_classes}

        self.datacollector = DailyCollector(
            model_reporters={
                "crisis_level": lambda m: int(m.latest["crisis_level"]),
                "rung_A": lambda m: int(m.latest["rung"][0]),
                "rung_B": lambda m: int(m.latest["rung"][1]),
                "hostility_A": lambda m: float(m.latest["hostility_mean"][0]),
                "hostility_B": lambda m: float(m.latest["hostility_mean"][1]),
                "media_nationalism_A": lambda m: float(m.latest["media_nationalism"][0]),
                "media_nationalism_B": lambda m: float(m.latest["media_nationalism"][1]),
                "approval_A": lambda m: float(m.latest["approval"][0]),
                "approval_B": lambda m: float(m.latest["approval"][1]),
                "hotline_call": lambda m: bool(m.latest["hotline_call"]),
                "mediation": lambda m: bool(m.latest["mediation"]),
                "ceasefire": lambda m: bool(m.latest["ceasefire"]),
            }
        )

        # the day's phases on Mesa's scheduler
        self.schedule_recurring(self.open_day, Schedule(interval=1.0, start=OPEN_AT), priority=Priority.DEFAULT)
        for i, agent_class in enumerate(SECTOR_AGENTS):
            at = SECTORS_AT + i * SECTOR_SPACING
            self.schedule_recurring(self._phase(agent_class.sector), Schedule(interval=1.0, start=at))
        self.schedule_recurring(self.resolve, Schedule(interval=1.0, start=RESOLVE_AT))
        self.schedule_recurring(self.record, Schedule(interval=1.0, start=RECORD_AT))
        for side in (0, 1):
            pp = self.params.political
            first, interval = political.election_schedule(np.asarray(pp.first_election)[side], np.asarray(pp.election_interval)[side])
            self.schedule_recurring(self._election(side), Schedule(interval=float(interval), start=first + ELECTION_AT))
        for event in self.config.events:
            self.schedule_event(
                self._attack(SIDE_NAMES.index(event.target), event.severity, event.evidence, EVENT_KINDS.index(event.kind), event.length),
                at=event.day + SCRIPTED_AT,
                priority=Priority.HIGH,
            )

    # -- the state, safe to keep ----------------------------------------------
    @property
    def state(self) -> State:
        """The whole state now. Safe to keep across steps: the next phase updates a copy of it."""
        self._shared = True
        return self._state

    @state.setter
    def state(self, value: State) -> None:
        self._state = value
        self._shared = False

    def _own_state(self) -> None:
        """Before a phase donates the state's buffers: copy them if the caller may hold them."""
        if self._shared:
            self._state = jax.tree.map(jnp.copy, self._state)
            self._shared = False

    # -- time in whole days ---------------------------------------------------
    def run_for(self, duration: int) -> None:
        """Run ``duration`` whole days (a day is one unit of model time; a fraction would stop mid-day)."""
        super().run_for(engine.whole("run_for: duration (days)", duration, 0, 10**7))

    def run_until(self, end_time: int) -> None:
        """Run until the start of day ``end_time`` (a whole number)."""
        super().run_until(engine.whole("run_until: end_time (day)", end_time, 0, 10**7))

    # -- phases ---------------------------------------------------------------
    def _phase(self, sector: str):
        """The day's phase for one sector: activate its two agents (sides A, B).

        ``activation="agent"`` (the default) activates them through their
        ``AgentSet`` (``do("step")``): each agent's ``step`` applies the kernel
        to its side. ``activation="sector"``, a speed option, runs the kernel
        once over both sides in one compiled call: agents of one phase never
        see each other's update, so this gives what their two ``step``s give
        one after the other, in half the calls (docs/performance.md).
        """
        together = SECTOR_ACTIVATIONS[sector]

        def activate():
            self._own_state()
            if self.activation == "agent":
                self.sectors[sector].do("step")  # each step copies first if a reader may hold the state
            else:
                self.state = together(self._state, day_key=self.day_key, params=self.params, dims=self.dims)

        self._callbacks.append(activate)
        return activate

    def _election(self, side: int):
        """A general election of one side: the political kernel's election phase, on its scheduled days."""

        def election():
            self._own_state()
            self.state = _election(self._state, side=side, day_key=self.day_key, params=self.params, dims=self.dims)

        self._callbacks.append(election)
        return election

    def _attack(self, target: int, severity: float, evidence: float, kind: int = 0, length: int = 0):
        """A scripted event (an attack, an exercise, an intrusion: ``params.EVENT_KINDS``), fired before the day's opening."""

        def attack():
            self._own_state()
            self.state = _inject(
                self._state, jnp.int32(target), jnp.float32(severity), jnp.float32(evidence), jnp.int32(kind), jnp.float32(length))

        self._callbacks.append(attack)
        return attack

    def open_day(self):
        self.day_key = _day_key(self.time_key, self.day)
        self._own_state()
        self.state = _open_day(self._state, self.day_key, self.params)

    def resolve(self):
        self._own_state()
        self.state = _resolve(self._state, self.day_key, self.params)

    def record(self):
        if self._layout is None:
            self._layout = _layout(self._state)
        self.latest = _unpack(np.asarray(_packed_outputs(self._state)), self._layout)
        self.outputs.append(self.latest)
        self.datacollector.collect(self)
        self.day += 1

    # -- results --------------------------------------------------------------
    def daily(self) -> dict:
        """The recorded days as arrays with a leading day axis (the batched engine's layout)."""
        return {k: np.stack([o[k] for o in self.outputs]) for k in self.outputs[0]}

    def summary(self) -> dict:
        """This replicate's summary, computed by the same function as the batched engine's."""
        daily = {k: jnp.asarray(v) for k, v in self.daily().items()}
        return {k: np.asarray(v).item() for k, v in dyad.summary(self._state, daily).items()}

    def side(self, index: int) -> str:
        return self.side_names[index]
