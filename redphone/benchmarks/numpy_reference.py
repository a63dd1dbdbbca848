"""The public sector written the way a researcher fluent in NumPy would: whole-population array operations.

A peer of ``make bench`` (what would this sector cost without JAX?), with the
same rule as ``model/sectors/public.py`` and ``benchmarks/mesa_reference.py``:
each day every citizen meets one random neighbour of the circulant network
(i +- d_k, mod N) and moves toward it if their views are closer than its
threshold, is pulled toward its outlet's frame, rallies after events blamed on
the rival, is pulled down by Track-II once reached, relaxes toward its
baseline and takes noise, all from yesterday's values; then the day's
aggregates (mean, spread, share at or above 0.8, the histogram, the Track-II
share, each outlet's audience and followers) are computed, as the kernel does
for the media sector.

Its random numbers come from NumPy's own generator (PCG64), so it matches the
kernel in distribution, not bit for bit; ``mesa_reference.compare`` checks
the statistics against the kernel's on the same day-0 state and inputs.
Float32 throughout, like the kernel.
"""

from __future__ import annotations

import jax
import numpy as np

from redphone.benchmarks.mesa_reference import PublicInputs, side_rules
from redphone.model.params import N_BINS, Params
from redphone.model.state import State

HIGH_BIN = int(0.8 * N_BINS)


def host_public(state: State):
    """A kernel's public state as host arrays (side, citizen) for the peers: hostility, baseline and openness
    (float32), outlet (int64), reached (float32), and the neighbour steps: neighbour k of citizen i is
    i + steps[k] (mod N), +d_1, -d_1, +d_2, -d_2, ..., each taken mod N (no negative index)."""
    pub = jax.device_get(state.public)
    hostility = np.array(pub.hostility, np.float32)
    n = hostility.shape[1]
    steps = np.stack([np.stack([d, -d], axis=-1).reshape(-1) % n for d in np.asarray(pub.offsets, np.int64)])
    return (hostility, np.array(pub.baseline, np.float32), np.array(pub.openness, np.float32),
            np.array(pub.outlet, np.int64), np.array(pub.reached, np.float32), steps)


class NumpyPublic:
    """Both sides' citizens as float32 arrays (side, citizen), from a kernel's day-0 public state."""

    def __init__(self, state: State, params: Params, inputs: PublicInputs, rng: int = 0):
        self.hostility, self.baseline, self.openness, self.outlet, reached, self.steps = host_public(state)
        self.reached = reached > 0.5
        self.rules = side_rules(params)
        self.frame = np.asarray(inputs.frame, np.float32)
        self.credibility = np.asarray(inputs.credibility, np.float32)
        self.blamed = np.asarray(inputs.blamed, np.float32)
        self.n_media = self.frame.shape[1]
        self.index = np.arange(self.hostility.shape[1])
        self.random = np.random.default_rng(rng)
        self.day = 0
        self.records: list[dict] = []

    def step(self):
        n = self.hostility.shape[1]
        blamed = self.blamed[self.day] if self.day < len(self.blamed) else np.zeros(2, np.float32)
        for s in (0, 1):
            p, h = self.rules[s], self.hostility[s]
            # (i) bounded confidence with one random neighbour
            pick = self.random.integers(0, self.steps.shape[1], n)
            partner = (self.index + self.steps[s][pick]) % n
            gap = h[partner] - h
            reached = self.reached[s] | (self.random.random(n, np.float32) < p["track2_daily"])
            threshold = self.openness[s] + np.float32(p["track2_openness"]) * reached
            peer = np.float32(p["mu"]) * gap * (np.abs(gap) < threshold)
            # (ii) the outlet's frame, (iii) rally, (iv) Track-II, (v) relaxation, (vi) noise
            outlet = self.outlet[s]
            media = np.float32(p["media_weight"]) * self.credibility[s][outlet] * (self.frame[s][outlet] - h)
            rally = np.float32(p["rally"] * blamed[s]) * (1 - h)
            track2 = np.float32(p["track2_effect"]) * reached * (np.float32(p["track2_target"]) - h)
            relax = np.float32(p["relaxation"]) * (self.baseline[s] - h)
            noise = np.float32(p["noise"]) * self.random.standard_normal(n, np.float32)
            self.hostility[s] = np.clip(h + peer + media + rally + track2 + relax + noise, 0, 1)
            self.reached[s] = reached
        self.records.append(self.statistics())
        self.day += 1

    def statistics(self) -> dict:
        """Per side: mean, spread, share at or above 0.8, histogram; each outlet's audience and followers; Track-II share."""
        out = dict(mean=[], std=[], high=[], hist=[], audience=[], followers=[], reached_share=[])
        n = self.hostility.shape[1]
        for s in (0, 1):
            h = self.hostility[s]
            counts = np.bincount(np.minimum((h * N_BINS).astype(np.int64), N_BINS - 1), minlength=N_BINS)
            audience = np.bincount(self.outlet[s], weights=h, minlength=self.n_media)
            mean = audience.sum() / n
            out["mean"].append(mean)
            out["std"].append(np.sqrt(np.mean(np.square(h - np.float32(mean)))))
            out["high"].append(counts[HIGH_BIN:].sum() / n)
            out["hist"].append(counts / n)
            out["audience"].append(audience)
            out["followers"].append(np.bincount(self.outlet[s], minlength=self.n_media))
            out["reached_share"].append(self.reached[s].mean())
        return out

    def daily(self) -> dict:
        """Recorded statistics as arrays with a leading day axis: mean (day, 2), hist (day, 2, 20), ..."""
        return {k: np.asarray([r[k] for r in self.records]) for k in self.records[0]}
