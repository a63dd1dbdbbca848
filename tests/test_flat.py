"""model.flat: its batching rules give what the unbatched gather and scatter give, under nested vmaps."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from redphone.model import flat


def _data(seed, batch=(3, 2), n=257, rows=7):
    rng = np.random.default_rng(seed)
    table = rng.normal(size=(*batch, rows, 2)).astype(np.float32)
    index = rng.integers(0, rows, size=(*batch, n)).astype(np.int32)
    values = rng.random(size=(*batch, n)).astype(np.float32)
    return table, index, values


def _loop(fn, *arrays):
    """fn applied to each batch element in Python: the unbatched reference."""
    b0, b1 = arrays[0].shape[:2]
    return np.stack([np.stack([np.asarray(fn(*(a[i, j] for a in arrays))) for j in range(b1)]) for i in range(b0)])


def test_take_under_nested_vmap_equals_plain_indexing():
    table, index, _ = _data(0)
    batched = jax.jit(jax.vmap(jax.vmap(flat.take)))(table, index)
    np.testing.assert_array_equal(batched, _loop(lambda t, i: t[i], table, index))
    # one table for the whole batch
    shared = jax.vmap(jax.vmap(flat.take, in_axes=(None, 0)), in_axes=(None, 0))(table[0, 0], index)
    np.testing.assert_array_equal(shared, table[0, 0][index])
    # one index for the whole batch
    same = jax.vmap(flat.take, in_axes=(0, None))(table[:, 0], index[0, 0])
    np.testing.assert_array_equal(same, np.stack([table[i, 0][index[0, 0]] for i in range(3)]))


def _binned_reference(value, group, bins, groups):
    cell = np.clip((value * bins).astype(np.int32), 0, bins - 1) * groups + group
    pairs = jnp.stack([value, jnp.ones_like(value)], -1)
    return jax.ops.segment_sum(pairs, cell, num_segments=bins * groups).reshape(bins, groups, 2)


@pytest.mark.parametrize("chunk", [None, 300])
@pytest.mark.parametrize("groups", [7, 40])
def test_binned_sums_under_nested_vmap_equal_segment_sums(groups, chunk, monkeypatch):
    """Flattened batches, and batches taken in runs (a small chunk forces lax.map), give the unbatched sums."""
    if chunk is not None:
        monkeypatch.setattr(flat, "SCATTER_CHUNK", chunk)
    bins = 20
    _, group, values = _data(1, rows=groups)
    sums = flat.binned_sums(bins, groups)
    batched = jax.jit(jax.vmap(jax.vmap(sums)))(values, group)
    reference = _loop(lambda v, g: _binned_reference(v, g, bins, groups), values, group)
    np.testing.assert_array_equal(batched, reference)  # each cell adds its own elements in the same order
    np.testing.assert_array_equal(batched[..., 1].sum((-1, -2)), values.shape[-1])  # every element counted once
    np.testing.assert_allclose(batched[..., 0].sum((-1, -2)), values.sum(-1), rtol=1e-5)


def test_the_scatter_chunk_can_be_set_for_a_device_and_a_bad_one_is_named(monkeypatch):
    """REDPHONE_SCATTER_CHUNK (what `make bench DEVICE=gpu` tunes) changes the runs the scatter takes, not its sums."""
    bins, groups = 20, 7
    _, group, values = _data(1, rows=groups)
    sums = flat.binned_sums(bins, groups)
    batched = jax.vmap(jax.vmap(sums))
    default = jax.jit(batched)(values, group)
    def looped():  # fori_loop over the chunks (a scan when its bounds are known)
        text = str(jax.make_jaxpr(batched)(values, group))
        return "while" in text or "scan" in text

    assert not looped()  # 1,542 elements: one scatter, no loop
    monkeypatch.setenv("REDPHONE_SCATTER_CHUNK", "1024")
    assert flat.scatter_chunk() == 1024
    jax.clear_caches()  # the variable is read when the model is traced: a process sets it before its first run
    assert looped()  # a new trace takes runs of 1,024
    small = jax.jit(batched)(values, group)
    np.testing.assert_array_equal(small[..., 1], default[..., 1])
    np.testing.assert_allclose(small[..., 0], default[..., 0], rtol=1e-6)
    for bad in ("1000", "abc", "512", str(1 << 31)):
        monkeypatch.setenv("REDPHONE_SCATTER_CHUNK", bad)
        with pytest.raises(ValueError, match="REDPHONE_SCATTER_CHUNK.*power of two"):
            flat.scatter_chunk()
    from redphone.model.config import ConfigError, build, compose  # noqa: PLC0415

    with pytest.raises(ConfigError, match="REDPHONE_SCATTER_CHUNK"):  # refused at the config, before any compile
        build(compose("india_pakistan_2025", {}))
    monkeypatch.delenv("REDPHONE_SCATTER_CHUNK")
    jax.clear_caches()  # later tests in this process trace with the default chunk again
