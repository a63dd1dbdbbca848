"""Gather and scatter that stay flat under ``vmap``: the public sector's per-citizen lookups and sums.

When JAX batches a gather or a scatter whose table and indices both carry
batch axes (replicates, settings, the two sides), XLA gives every index its
batch position: one more index array per batch axis, each as long as the
population, built and read every day. On a CPU that made a citizen's two
outlet lookups and the histogram's scatter cost more than the rest of its day.

The functions here define their own batching rule instead: batch b's rows of
the table (or cells of the sums) move to ``b x rows + row``, and one flat
gather (scatter) over the whole batch does the work. The numbers are the
unbatched ones exactly: a gather copies values, and each cell of a scatter
still adds its own elements in their order.
"""

from __future__ import annotations

import functools
import os

import jax
import jax.numpy as jnp


def _offsets(size: int, rows: int, index):
    """Batch b's indices moved to b x rows + index (index has the batch axis first)."""
    return index + rows * jnp.arange(size, dtype=index.dtype).reshape((size,) + (1,) * (index.ndim - 1))


@jax.custom_batching.custom_vmap
def take(table, index):
    """``table[index]`` along the first axis; every index must lie in range."""
    return table.at[index].get(mode="promise_in_bounds")


@take.def_vmap
def _take_batched(size, batched, table, index):
    table_batched, index_batched = batched
    if not table_batched:  # one table for the whole batch: the indices need no moving
        return take(table, index.reshape(-1)).reshape(index.shape + table.shape[1:]), True
    rows = table.shape[1]
    index = index if index_batched else jnp.broadcast_to(index, (size, *index.shape))
    flat = take(table.reshape(size * rows, *table.shape[2:]), _offsets(size, rows, index).reshape(-1))
    return flat.reshape(index.shape + table.shape[2:]), True


# elements one scatter handles at once: longer inputs go through in runs of this many, so the
# scatter's scratch arrays (its cell indices and (value, 1) pairs) stay small whatever the batch.
# Measured on CPUs (docs/performance.md); REDPHONE_SCATTER_CHUNK (a power of two) overrides it, and
# `make bench DEVICE=gpu` times the candidates below on a GPU and prints the best.
SCATTER_CHUNK = 1 << 18
SCATTER_CHUNK_CANDIDATES = (1 << 18, 1 << 20, 1 << 22, 1 << 24)


def scatter_chunk() -> int:
    """The chunk in force: ``REDPHONE_SCATTER_CHUNK`` if set (a power of two, 2**10 .. 2**30), else ``SCATTER_CHUNK``."""
    text = os.environ.get("REDPHONE_SCATTER_CHUNK", "")
    if not text:
        return SCATTER_CHUNK
    try:
        chunk = int(text)
    except ValueError:
        chunk = 0
    if chunk < 1 << 10 or chunk > 1 << 30 or chunk & (chunk - 1):
        raise ValueError(f"REDPHONE_SCATTER_CHUNK = {text!r}: expected a power of two from 1024 to 2**30")
    return chunk


@functools.cache
def binned_sums(bins: int, groups: int, items: int = 1):
    """``f(value, group) -> (bins, items x groups, 2)``: per (bin, group) cell, the sum of the values
    (in [0, 1], binned into ``bins`` equal bins) and the number of elements.

    ``value`` and ``group`` hold ``items`` runs of equal length back to back; run i's groups are
    counted as i x groups + group. Under ``vmap`` the batch becomes more runs of one flat call, so
    the scatter runs once on the whole batch, and in chunks of ``scatter_chunk()`` elements.
    """

    def cells_of(value, group, start, run):
        item = (start + jnp.arange(value.shape[0], dtype=jnp.int32)) // run
        bin_ = jnp.clip((value * bins).astype(jnp.int32), 0, bins - 1)
        # (bin x items + item) x groups + group: no part of it that stays the same from day to day is
        # population-sized, so XLA does not hoist one out of the day loop into an array of its own
        return (bin_ * items + item) * groups + group

    def scatter(value, group, start, run):
        pairs = jnp.stack([value, jnp.ones_like(value)], axis=-1)
        return jax.ops.segment_sum(pairs, cells_of(value, group, start, run), num_segments=bins * items * groups)

    @jax.custom_batching.custom_vmap
    def sums(value, group):
        total = value.shape[0]
        run = total // items
        size = scatter_chunk()
        whole = total // size  # full chunks; the rest after the loop

        def chunk(i, acc):
            start = i * size
            v = jax.lax.dynamic_slice_in_dim(value, start, size)
            g = jax.lax.dynamic_slice_in_dim(group, start, size)
            return acc + scatter(v, g, start, run)

        acc = jnp.zeros((bins * items * groups, 2), value.dtype)
        acc = jax.lax.fori_loop(0, whole, chunk, acc) if whole else acc
        done = whole * size
        if done < total:
            acc = acc + scatter(value[done:], group[done:], done, run)
        return acc.reshape(bins, items * groups, 2)

    @sums.def_vmap
    def _batched(size, batched, value, group):
        value = value if batched[0] else jnp.broadcast_to(value, (size, *value.shape))
        group = group if batched[1] else jnp.broadcast_to(group, (size, *group.shape))
        flat = binned_sums(bins, groups, items * size)(value.reshape(-1), group.reshape(-1))
        return jnp.moveaxis(flat.reshape(bins, size, items * groups, 2), 1, 0), True

    return sums
