"""The public sector written the way a Mesa user would: one ``mesa.Agent`` per citizen.

This is the yardstick of ``make bench`` (how fast would this model be without
the batched kernels?) and a second, independent reading of the public rule of
``model/sectors/public.py``: each day every citizen meets one random
neighbour of the circulant network and moves toward it if their views are
closer than its threshold (Deffuant et al. 2000), is pulled toward the frame
of its outlet, rallies after events blamed on the rival, is pulled down by
Track-II once reached, relaxes toward its baseline and takes noise, all from
yesterday's values (every citizen ``step``s, then every citizen
``advance``s: simultaneous activation through ``AgentSet.do``).

It lives outside ``model`` on purpose: it is slow by design, only the
benchmark and a test use it, and the package keeps one implementation of each
mechanism. Media, leaders, the military and the dyad are held fixed here
(``PublicInputs``): the reference is the sector the batched engine spends its
time in, not the whole model. Its random numbers come from Python's
``random`` (the model's ``self.random``), so it matches the kernel in
distribution, not bit for bit; ``kernel_public`` runs the JAX kernel on the
same inputs for the comparison.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

import jax
import jax.numpy as jnp
import mesa
import numpy as np

from mesa.agent import AgentSet

from redphone.model.params import N_BINS, Dims, Params
from redphone.model.sectors import public
from redphone.model.engine import init
from redphone.model.state import State, replace, take_side


@dataclass(frozen=True)
class PublicInputs:
    """What the public sector reads from the other sectors, held fixed over the run."""

    frame: np.ndarray  # (2, M) the hostility each outlet pushes
    credibility: np.ndarray  # (2, M)
    blamed: np.ndarray  # (days, 2) severity of events each side blames on the rival, per day


def day0(seed: int, params: Params, dims: Dims) -> tuple[State, PublicInputs]:
    """The day-0 state of replicate 0 and inputs from its media (a rally shock of 0.9 on side A on day 0)."""
    from redphone.model import engine  # noqa: PLC0415

    state = init(engine.replicate_keys(seed, 0)[0], params, dims)
    inputs = PublicInputs(
        frame=np.asarray(state.media.frame), credibility=np.asarray(state.media.credibility), blamed=np.zeros((0, 2), np.float32)
    )
    return state, inputs


def with_blamed(inputs: PublicInputs, days: int) -> PublicInputs:
    blamed = np.zeros((days, 2), np.float32)
    blamed[0, 0] = 0.9
    return replace(inputs, blamed=blamed)


def side_rules(params: Params) -> list[dict]:
    """Each side's daily rates as plain floats: what every reference (per agent, NumPy, Numba) reads."""
    pp, t2 = jax.device_get(params.public), jax.device_get(params.track2)
    on = float(params.institutions.track2)
    return [
        dict(
            mu=float(pp.mu[s]), media_weight=float(pp.media_weight[s]), rally=float(pp.rally[s]),
            relaxation=float(pp.relaxation[s]), noise=float(pp.noise[s]),
            track2_daily=on * float(t2.reach[s]) / 30.0, track2_openness=float(t2.openness[s]),
            track2_effect=float(t2.effect[s]), track2_target=float(t2.target[s]),
        )
        for s in (0, 1)
    ]


class Citizen(mesa.Agent):
    """One citizen: hostility toward the rival, a threshold, an outlet, neighbours."""

    def __init__(self, model, side: int, hostility: float, baseline: float, openness: float, outlet: int, reached: bool = False):
        super().__init__(model)
        self.side = side
        self.hostility = hostility
        self.baseline = baseline
        self.openness = openness
        self.outlet = outlet
        self.reached = reached  # a standing Track-II programme reaches some citizens before day 0
        self.neighbours: list[Citizen] = []
        self.next_hostility = hostility
        self.next_reached = reached

    def step(self):
        m, side = self.model, self.side
        p = m.rules[side]
        h = self.hostility
        partner = self.random.choice(self.neighbours)
        gap = partner.hostility - h
        reached = self.reached or self.random.random() < p["track2_daily"]
        threshold = self.openness + (p["track2_openness"] if reached else 0.0)
        peer = p["mu"] * gap if abs(gap) < threshold else 0.0
        media = p["media_weight"] * m.credibility[side][self.outlet] * (m.frame[side][self.outlet] - h)
        rally = p["rally"] * m.blamed_today[side] * (1.0 - h)
        track2 = p["track2_effect"] * (p["track2_target"] - h) if reached else 0.0
        relax = p["relaxation"] * (self.baseline - h)
        noise = p["noise"] * self.random.gauss(0.0, 1.0)
        self.next_hostility = min(1.0, max(0.0, h + peer + media + rally + track2 + relax + noise))
        self.next_reached = reached

    def advance(self):
        self.hostility = self.next_hostility
        self.reached = self.next_reached


class ReferencePublic(mesa.Model):
    """Both sides' citizens as Mesa agents, from a kernel's day-0 public state."""

    def __init__(self, state: State | None = None, params: Params | None = None, inputs: PublicInputs | None = None, rng: int = 0):
        super().__init__(rng=rng)
        if state is None:  # every argument has a default: the status quo with 1,000 citizens per side
            from redphone.model.config import build, compose  # noqa: PLC0415

            params, dims = build(compose("india_pakistan_2025", {"population.public": 1000}))
            state, inputs = day0(0, params, dims)
            inputs = with_blamed(inputs, 1)
        pub = jax.device_get(state.public)
        self.rules = side_rules(params)
        self.frame = [list(map(float, row)) for row in inputs.frame]
        self.credibility = [list(map(float, row)) for row in inputs.credibility]
        self.blamed = inputs.blamed
        self.blamed_today = (0.0, 0.0)
        self.day = 0
        self.sides = []
        for s in (0, 1):
            citizens = [
                Citizen(self, s, float(h), float(b), float(o), int(k), bool(r > 0.5))
                for h, b, o, k, r in zip(pub.hostility[s], pub.baseline[s], pub.openness[s], pub.outlet[s], pub.reached[s])
            ]
            n = len(citizens)
            for i, citizen in enumerate(citizens):  # i +- d for each distance of the circulant network
                citizen.neighbours = [citizens[(i + sign * int(d)) % n] for d in pub.offsets[s] for sign in (1, -1)]
            self.sides.append(AgentSet(citizens, random=self.random))
        self.records: list[dict] = []

    def step(self):
        self.blamed_today = tuple(map(float, self.blamed[self.day])) if self.day < len(self.blamed) else (0.0, 0.0)
        self.agents.do("step")
        self.agents.do("advance")
        self.records.append(self.statistics())
        self.day += 1

    def statistics(self) -> dict:
        """Per side: mean, spread, share at or above 0.8 and the 20-bin histogram of hostility."""
        out = dict(mean=[], std=[], high=[], hist=[])
        for citizens in self.sides:
            h = citizens.get("hostility")
            n = len(h)
            mean = math.fsum(h) / n
            counts = [0] * N_BINS
            for x in h:
                counts[min(int(x * N_BINS), N_BINS - 1)] += 1
            out["mean"].append(mean)
            out["std"].append(math.sqrt(math.fsum((x - mean) ** 2 for x in h) / n))
            out["high"].append(sum(x >= 0.8 for x in h) / n)
            out["hist"].append([c / n for c in counts])
        return out

    def daily(self) -> dict:
        """Recorded statistics as arrays with a leading day axis: mean (day, 2), hist (day, 2, 20), ..."""
        return {k: np.asarray([r[k] for r in self.records]) for k in self.records[0]}


def kernel_public(seed: int, replicates: int, state: State, params: Params, dims: Dims, inputs: PublicInputs):
    """The JAX public kernel on the same day-0 state and inputs, ``replicates`` independent runs:
    mean, std, high (replicate, day, 2) and hist (replicate, day, 2, 20)."""
    state = replace(
        state,
        media=replace(state.media, frame=jnp.asarray(inputs.frame), credibility=jnp.asarray(inputs.credibility)),
    )
    return jax.device_get(_kernel_public(jnp.int32(seed), jnp.arange(replicates), state, params, dims, jnp.asarray(inputs.blamed)))


@partial(jax.jit, static_argnames=("dims",))
def _kernel_public(seed, replicates, state: State, params: Params, dims: Dims, blamed):
    def one(r):
        key = jax.random.fold_in(jax.random.key(seed), r)

        def day(pub, xs):
            t, blamed_today = xs
            s = replace(state, public=pub, dyad=replace(state.dyad, attack=blamed_today, strike=jnp.zeros(2)))
            sides = [public.step(jax.random.fold_in(jax.random.fold_in(key, t), side), take_side(pub, side), s, params, dims, side) for side in (0, 1)]
            pub = jax.tree.map(lambda *xs: jnp.stack(xs), *sides)
            return pub, dict(mean=pub.mean, std=pub.std, high=pub.high, hist=pub.hist)

        return jax.lax.scan(day, state.public, (jnp.arange(blamed.shape[0]), blamed))[1]

    return jax.vmap(one)(replicates)


def compare(ref: dict, kernel: dict) -> dict:
    """How far the reference's statistics lie from the kernel's, against the kernel's own scatter.

    ``ref``: one run (day, side[, bin]); ``kernel``: replicates (replicate, day, side[, bin]). A
    statistic agrees when the reference lies within 5 kernel standard deviations (plus 2e-3 of
    float slack) every day, and its histogram no farther (L1) from the kernel's mean histogram
    than twice the farthest kernel replicate plus 0.02.
    """
    out, agree = {}, True
    r = kernel["mean"].shape[0]
    for name in ("mean", "std", "high"):
        centre, spread = kernel[name].mean(axis=0), kernel[name].std(axis=0)
        gap = np.abs(ref[name] - centre)
        bound = 5 * spread * np.sqrt(1 + 1 / r) + 2e-3
        out[f"{name}_gap"] = float(gap.max())
        agree &= bool(np.all(gap <= bound))
    centre = kernel["hist"].mean(axis=0)
    scatter = np.abs(kernel["hist"] - centre).sum(axis=-1).max(axis=0)
    distance = np.abs(ref["hist"] - centre).sum(axis=-1)
    out["hist_l1"], out["hist_l1_kernel"] = float(distance.max()), float(scatter.max())
    out["agree"] = bool(agree and np.all(distance <= 2 * scatter + 0.02))
    return out
