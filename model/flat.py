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


@functools.cache
def cell_sums(cells: int):
    """``f(value, cell) -> (cells, 2)``: per cell, the sum of the values and the number of elements."""

    @jax.custom_batching.custom_vmap
    def sums(value, cell):
        return jax.ops.segment_sum(jnp.stack([value, jnp.ones_like(value)], axis=-1), cell, num_segments=cells)

    @sums.def_vmap
    def _batched(size, batched, value, cell):
        value = value if batched[0] else jnp.broadcast_to(value, (size, *value.shape))
        cell = cell if batched[1] else jnp.broadcast_to(cell, (size, *cell.shape))
        flat = cell_sums(size * cells)(value.reshape(-1), _offsets(size, cells, cell).reshape(-1))
        return flat.reshape(size, cells, 2), True

    return sums
