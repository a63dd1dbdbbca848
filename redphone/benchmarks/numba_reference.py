"""The public sector as a skilled researcher would write it for speed without JAX: one Numba kernel.

The strongest CPU peer of ``make bench``. The rule is that of
``model/sectors/public.py`` (see ``benchmarks/numpy_reference.py`` for it in
words); the day is one ``@njit(parallel=True)`` pass over blocks of citizens
of both sides, each block computing its citizens' new hostility and Track-II
reach and, in the same pass, its share of the day's aggregates (histogram,
each outlet's audience and followers, the sums behind the mean and spread,
the Track-II count), summed over blocks afterwards.

Its random numbers follow the kernel's scheme (``model.draws``): a
counter-based hash (MurmurHash3's finaliser, twice) of the citizen's index
and a per-day, per-side, per-stream key; a uniform neighbour by
multiply-shift, the normal by Giles' single-precision inverse error function
(the one XLA uses). The keys come from NumPy's generator, so the numbers differ
from the kernel's; ``mesa_reference.compare`` checks the statistics in
distribution on the same day-0 state and inputs.

Numba is the ``bench`` extra (``pip install -e ".[bench]"``); importing this
module without it raises ImportError.
"""

from __future__ import annotations

import math
import os

import jax
import numba
import numpy as np

from redphone.benchmarks.mesa_reference import PublicInputs, side_rules
from redphone.benchmarks.numpy_reference import host_public
from redphone.model.params import N_BINS, Params
from redphone.model.state import State

# Numba picks OpenMP where it can; on the shared 2-core machine its spinning threads ran this kernel 2 to 2.5x
# slower than Numba's own work queue (interleaved, at a load of 5): the peer gets the faster one
if "NUMBA_THREADING_LAYER" not in os.environ:
    numba.config.THREADING_LAYER = "workqueue"

HIGH_BIN = int(0.8 * N_BINS)
BLOCK = 4096  # citizens per block: its arrays and scratch stay in the core's L2 cache
RATES = ("mu", "media_weight", "rally", "relaxation", "noise", "track2_daily", "track2_openness", "track2_effect", "track2_target")
MASK = 0xFFFFFFFF


@numba.njit(inline="always")
def _fmix32(x):
    """MurmurHash3's 32-bit finaliser, in signed 64-bit words masked to 32 bits (Numba widens mixed-sign integers to floats)."""
    x ^= x >> 16
    x = (x * 0x85EBCA6B) & MASK
    x ^= x >> 13
    x = (x * 0xC2B2AE35) & MASK
    return x ^ (x >> 16)


@numba.njit(inline="always")
def _bits(i, k0, k1):
    return _fmix32((_fmix32(i ^ k0) + k1) & MASK)


LN2 = np.float32(np.log(2.0))
FAST = {"reassoc", "contract"}  # let LLVM reorder the block sums into vector lanes; nothing else


@numba.njit(inline="always")
def _log_mantissa(m):
    """log(m) for m in [1, 2): 2 atanh((m - 1) / (m + 1)), six terms (error below 2e-7): no libm call, so the loop vectorises."""
    t = (m - np.float32(1.0)) / (m + np.float32(1.0))
    t2 = t * t
    p = np.float32(1.0 / 11.0)
    p = np.float32(1.0 / 9.0) + p * t2
    p = np.float32(1.0 / 7.0) + p * t2
    p = np.float32(1.0 / 5.0) + p * t2
    p = np.float32(1.0 / 3.0) + p * t2
    p = np.float32(1.0) + p * t2
    return np.float32(2.0) * t * p


@numba.njit(inline="always")
def _erfinv_of_w(x, w):
    """Giles (2010), single precision (the approximation XLA's erf_inv uses), given w = -log(1 - x^2); both
    branches computed and one selected, so the loop vectorises."""
    a = w - np.float32(2.5)
    p = np.float32(2.81022636e-08)
    p = np.float32(3.43273939e-07) + p * a
    p = np.float32(-3.5233877e-06) + p * a
    p = np.float32(-4.39150654e-06) + p * a
    p = np.float32(0.00021858087) + p * a
    p = np.float32(-0.00125372503) + p * a
    p = np.float32(-0.00417768164) + p * a
    p = np.float32(0.246640727) + p * a
    p = np.float32(1.50140941) + p * a
    b = np.sqrt(w) - np.float32(3.0)
    q = np.float32(-0.000200214257)
    q = np.float32(0.000100950558) + q * b
    q = np.float32(0.00134934322) + q * b
    q = np.float32(-0.00367342844) + q * b
    q = np.float32(0.00573950773) + q * b
    q = np.float32(-0.0076224613) + q * b
    q = np.float32(0.00943887047) + q * b
    q = np.float32(1.00167406) + q * b
    q = np.float32(2.83297682) + q * b
    return (p if w < np.float32(5.0) else q) * x


@numba.njit(parallel=True, fastmath=FAST)
def _day(h, baseline, openness, outlet, reached, steps, frame, credibility, rates, blamed, keys, new_h, new_reached, partial):
    """One day of both sides: new hostility and reach into ``new_*``, each block's aggregates into ``partial``.

    A block runs as passes over cache-resident scratch arrays: the noise's uniform and 1 - u^2; that
    float's exponent and mantissa (read through an integer view: Numba has no scalar bit cast); the
    update itself; the sums; the histogram and outlet counts. Every pass but the last vectorises.
    """
    sides, n = h.shape
    n_media = frame.shape[1]
    n_steps = steps.shape[1]
    blocks = (n + BLOCK - 1) // BLOCK
    for job in numba.prange(sides * blocks):
        s, b = job // blocks, job % blocks
        lo, hi = b * BLOCK, min(n, (b + 1) * BLOCK)
        size = hi - lo
        mu, media_weight, rally, relaxation, noise = rates[s, 0], rates[s, 1], rates[s, 2], rates[s, 3], rates[s, 4]
        daily, t2_open, t2_effect, t2_target = rates[s, 5], rates[s, 6], rates[s, 7], rates[s, 8]
        rally_today = rally * blamed[s]
        hs, base, opens, outs, was = h[s], baseline[s], openness[s], outlet[s], reached[s]
        steps_s, credibility_s, frame_s, new_hs, new_rs = steps[s], credibility[s], frame[s], new_h[s], new_reached[s]
        kp0, kp1, kt0, kt1, kn0, kn1 = keys[s, 0, 0], keys[s, 0, 1], keys[s, 1, 0], keys[s, 1, 1], keys[s, 2, 0], keys[s, 2, 1]
        seen, weight, pull = np.empty(size, np.float32), np.empty(size, np.float32), np.empty(size, np.float32)
        u, v, contact = np.empty(size, np.float32), np.empty(size, np.float32), np.empty(size, np.float32)
        exponent, mantissa = np.empty(size, np.float32), np.empty(size, np.float32)
        v_bits, mantissa_bits = v.view(np.int32), mantissa.view(np.int32)
        for i in range(size):  # the draws and the lookups: partner (c + steps[k], steps taken mod N), outlet, contact, noise
            c = lo + i
            j = c + steps_s[((_bits(c, kp0, kp1) >> 16) * n_steps) >> 16]
            seen[i] = hs[j - n if j >= n else j]
            m = outs[c]
            weight[i], pull[i] = credibility_s[m], frame_s[m]
            contact[i] = np.float32(np.float32(_bits(c, kt0, kt1) >> 8) * np.float32(2.0**-24) < daily)
            x = (np.float32(_bits(c, kn0, kn1) >> 8) + np.float32(0.5)) * np.float32(2.0**-23) - np.float32(1.0)
            u[i] = x
            v[i] = (np.float32(1.0) - x) * (np.float32(1.0) + x)
        for i in range(size):  # log(v) = exponent x log 2 + log(mantissa)
            word = v_bits[i]
            exponent[i] = np.float32((word >> 23) - 127)
            mantissa_bits[i] = (word & 0x7FFFFF) | 0x3F800000
        for i in range(size):  # the update: float arithmetic on contiguous arrays only
            c = lo + i
            x = hs[c]
            gap = seen[i] - x
            r = was[c] + contact[i] - was[c] * contact[i]  # either: reach is 0 or 1
            peer = mu * gap * np.float32(abs(gap) < opens[c] + t2_open * r)
            media = media_weight * weight[i] * (pull[i] - x)
            w = -(exponent[i] * LN2 + _log_mantissa(mantissa[i]))
            z = np.float32(math.sqrt(2.0)) * _erfinv_of_w(u[i], w)
            y = x + peer + media + rally_today * (np.float32(1.0) - x) + t2_effect * r * (t2_target - x)
            y = y + relaxation * (base[c] - x) + noise * z
            y = y if y < np.float32(1.0) else np.float32(1.0)
            new_hs[c] = y if y > np.float32(0.0) else np.float32(0.0)
            new_rs[c] = r
        total, squares, reach = 0.0, 0.0, 0.0
        for c in range(lo, hi):
            y = new_h[s, c]
            total += y
            squares += y * y
            reach += new_reached[s, c]
        row = partial[job]
        row[:] = 0.0
        for c in range(lo, hi):  # this block's histogram, audiences and followers
            y = new_h[s, c]
            m = outlet[s, c]
            row[min(int(y * N_BINS), N_BINS - 1)] += 1.0
            row[N_BINS + m] += y
            row[N_BINS + n_media + m] += 1.0
        row[N_BINS + 2 * n_media] = total
        row[N_BINS + 2 * n_media + 1] = squares
        row[N_BINS + 2 * n_media + 2] = reach


class NumbaPublic:
    """Both sides' citizens as float32 arrays (side, citizen), from a kernel's day-0 public state."""

    def __init__(self, state: State, params: Params, inputs: PublicInputs, rng: int = 0):
        self.hostility, self.baseline, self.openness, self.outlet, self.reached, self.steps = host_public(state)
        n = self.hostility.shape[1]
        rules = side_rules(params)
        self.rates = np.array([[rule[name] for name in RATES] for rule in rules], np.float32)
        self.frame = np.asarray(inputs.frame, np.float32)
        self.credibility = np.asarray(inputs.credibility, np.float32)
        self.blamed = np.asarray(inputs.blamed, np.float32)
        self.n_media = self.frame.shape[1]
        n = self.hostility.shape[1]
        self.partial = np.zeros((2 * ((n + BLOCK - 1) // BLOCK), N_BINS + 2 * self.n_media + 3))
        self.new_hostility, self.new_reached = np.empty_like(self.hostility), np.empty_like(self.reached)
        self.random = np.random.default_rng(rng)
        self.day = 0
        self.records: list[dict] = []

    def step(self):
        blamed = self.blamed[self.day] if self.day < len(self.blamed) else np.zeros(2, np.float32)
        keys = self.random.integers(0, 2**32, (2, 3, 2), dtype=np.int64)  # (side, stream: partner, Track-II, noise, word)
        _day(
            self.hostility, self.baseline, self.openness, self.outlet, self.reached, self.steps, self.frame, self.credibility,
            self.rates, blamed, keys, self.new_hostility, self.new_reached, self.partial,
        )
        self.hostility, self.new_hostility = self.new_hostility, self.hostility
        self.reached, self.new_reached = self.new_reached, self.reached
        self.records.append(self.statistics())
        self.day += 1

    def statistics(self) -> dict:
        """Per side, from the blocks' sums: what ``NumpyPublic.statistics`` computes from the arrays."""
        n, m = self.hostility.shape[1], self.n_media
        sums = self.partial.reshape(2, -1, self.partial.shape[1]).sum(axis=1)
        counts = sums[:, :N_BINS]
        mean = sums[:, N_BINS + 2 * m] / n
        return dict(
            mean=mean, std=np.sqrt(np.maximum(sums[:, N_BINS + 2 * m + 1] / n - mean**2, 0.0)),
            high=counts[:, HIGH_BIN:].sum(axis=1) / n, hist=counts / n,
            audience=sums[:, N_BINS:N_BINS + m], followers=sums[:, N_BINS + m:N_BINS + 2 * m],
            reached_share=sums[:, N_BINS + 2 * m + 2] / n,
        )

    def daily(self) -> dict:
        """Recorded statistics as arrays with a leading day axis: mean (day, 2), hist (day, 2, 20), ..."""
        return {k: np.asarray([r[k] for r in self.records]) for k in self.records[0]}
