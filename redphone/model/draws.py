"""Per-citizen random draws from a counter-based hash: the public sector's random numbers.

``jax.random`` (threefry) is the model's generator everywhere; but the public
sector draws three numbers per citizen per day, and on a CPU threefry costs
about 20 times more per number than the rest of a citizen's update. So the
public kernel takes one threefry key per phase (as every kernel does) and
derives its citizens' numbers from it with a stateless hash: citizen i's word
is fmix32(fmix32(i xor k0) + k1), where (k0, k1) are the key's two 32-bit
words and fmix32 is MurmurHash3's finaliser (full avalanche). Each call site
folds its own stream index into the key first, so the streams are
independent. The same key gives the same numbers under jit, vmap and in both
engines.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

_SQRT2 = np.float32(np.sqrt(2.0))


def _fmix32(x):
    x = x ^ (x >> 16)
    x = x * jnp.uint32(0x85EBCA6B)
    x = x ^ (x >> 13)
    x = x * jnp.uint32(0xC2B2AE35)
    return x ^ (x >> 16)


def bits(key, n: int):
    """n uniform 32-bit words, one per citizen."""
    k = jax.random.key_data(key).astype(jnp.uint32).reshape(-1)
    return _fmix32(_fmix32(jnp.arange(n, dtype=jnp.uint32) ^ k[0]) + k[-1])


def uniform(key, n: int):
    """Uniform on [0, 1) with 24 bits of resolution."""
    return (bits(key, n) >> 8).astype(jnp.float32) * np.float32(2.0**-24)


def randint(key, n: int, high: int):
    """Uniform integers in [0, high), high <= 65536 (multiply-shift on the top 16 bits)."""
    return ((bits(key, n) >> 16) * jnp.uint32(high) >> 16).astype(jnp.int32)


def normal(key, n: int):
    """Standard normal by inverting the CDF of a uniform on (-1, 1), as jax.random.normal does."""
    u = ((bits(key, n) >> 8).astype(jnp.float32) + 0.5) * np.float32(2.0**-23) - 1.0
    return _SQRT2 * jax.lax.erf_inv(u)
