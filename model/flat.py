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


# elements a batched scatter handles at once: larger batches go through in groups of about this size,
# so the scatter's scratch arrays (its indices and the (value, 1) pairs) stay small
SCATTER_CHUNK = 1 << 18


@functools.cache
def binned_sums(bins: int, groups: int):
    """``f(value, group) -> (bins, groups, 2)``: the values in [0, 1] binned into ``bins`` equal bins
    within each group (an int in [0, groups)); per (bin, group) cell, the sum of the values and
    the number of elements. One scatter, its cell indices computed in place."""

    @jax.custom_batching.custom_vmap
    def sums(value, group):
        cell = jnp.clip((value * bins).astype(jnp.int32), 0, bins - 1) * groups + group
        pairs = jnp.stack([value, jnp.ones_like(value)], axis=-1)
        return jax.ops.segment_sum(pairs, cell, num_segments=bins * groups).reshape(bins, groups, 2)

    @sums.def_vmap
    def _batched(size, batched, value, group):
        value = value if batched[0] else jnp.broadcast_to(value, (size, *value.shape))
        group = group if batched[1] else jnp.broadcast_to(group, (size, *group.shape))
        per_item = value[0].size
        if size > 1 and size * per_item > SCATTER_CHUNK:  # in runs of batch items, so the scratch stays small
            return jax.lax.map(lambda vg: sums(*vg), (value, group), batch_size=max(1, SCATTER_CHUNK // per_item)), True
        # batch item b's groups become b x groups + group: one flat scatter (itself batchable the same way)
        flat = binned_sums(bins, size * groups)(value.reshape(-1), _offsets(size, groups, group).reshape(-1))
        return jnp.moveaxis(flat.reshape(bins, size, groups, 2), 1, 0), True

    return sums
