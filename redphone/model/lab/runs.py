"""The lab's one batched-run loop: every run (one replicate of one setting) of a list of settings, in compiled calls.

``run_stacked`` is what the Hydra app (``batch.run``), calibration and
inference, sensitivity analysis and policy runs all call. It sits below all
of them: it imports the core only, so no lab module that runs the model
closes a circle through another.
"""

from __future__ import annotations

import time

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh

from .. import engine
from ..config import ConfigError
from ..params import Params, stack
from .progress import Interrupted, Meter, say


# Device memory of one replicate's rollout beyond its outputs, in units of its state: XLA's memory
# analysis of the compiled call measures about 7.5 on CPU; 10 leaves headroom for other backends.
TEMPORARIES_PER_STATE = 10


def _nbytes(tree) -> int:
    return int(sum(np.prod(leaf.shape) * leaf.dtype.itemsize for leaf in jax.tree.leaves(tree)))


_SHAPES: dict = {}  # shapes depend on dims, days, keep and the parameters' shapes only: traced once per process


def _shape_key(params, dims, days: int, keep) -> tuple:
    leaves = jax.tree.leaves(params)
    return dims, days, keep, jax.tree.structure(params), tuple((np.shape(x), x.dtype if hasattr(x, "dtype") else np.result_type(x)) for x in leaves)


def replicate_bytes(params, dims, days: int, keep=None) -> tuple[int, int]:
    """Estimated device memory of one replicate of one setting in a compiled call, from shapes only (no compile):
    (while its block runs: state and temporaries, until the call returns: its outputs, or what ``keep`` keeps).

    One run traced without vmap (a batch of runs adds a leading axis, not bytes per run), once per process for
    each shape: a session that runs the model many times (calibration, policy) does not trace it again each time."""
    key = _shape_key(params, dims, days, keep)
    if key not in _SHAPES:
        state = jax.eval_shape(lambda: engine.init(jax.random.key(0), params, dims))

        def one():
            outputs = engine.replicate_outputs(jnp.int32(0), jnp.int32(0), params, dims, days)
            return outputs if keep is None else keep(*outputs)

        _SHAPES[key] = (TEMPORARIES_PER_STATE * _nbytes(state), 2 * _nbytes(jax.eval_shape(one)))  # outputs: the scan's and the stacked copy
    return _SHAPES[key]


def _chunk(block: int, chunk: int, memory_gb: float, runs: int, per_run: tuple[int, int], n_devices: int) -> int:
    step = block * n_devices
    chunk = min(chunk or runs, runs)
    budget = memory_gb * 2**30
    if budget > 0:
        running, kept = per_run
        blocks = int((budget - block * running) // (block * kept))  # blocks per device
        if blocks < 1:
            need = block * (running + kept) / 2**30
            raise ConfigError(
                f"batch.memory_gb = {memory_gb:g}: a block of {block} runs needs about {need:.3g} GB"
                " per device; raise it or lower batch.block"
            )
        chunk = min(chunk, blocks * step)
    return max(step, chunk // step * step) if chunk < runs else runs


def _wait(call):
    """Wait for a dispatched call in Python, so that Ctrl-C is seen at once, not when the compiled call returns."""
    leaves = jax.tree.leaves(call)
    while not all(leaf.is_ready() for leaf in leaves):
        time.sleep(0.05)


_EXECUTABLES: dict = {}  # compiled blocks, held here: a long session (calibration: thousands of other jits in between) never compiles one twice


def _executable(args, dims, days: int, mesh, keep):
    """The compiled call for a block of these shapes (``engine.run_runs``, or ``run_sharded`` across ``mesh``)."""
    key = (mesh, *_shape_key(args, dims, days, keep))
    if key not in _EXECUTABLES:
        if len(_EXECUTABLES) >= 32:
            _EXECUTABLES.pop(next(iter(_EXECUTABLES)))
        seed, settings, replicates, params = args
        if mesh is not None:
            lowered = engine.run_sharded.lower(seed, settings, replicates, params, dims, days, mesh, keep)
        else:
            lowered = engine.run_runs.lower(seed, settings, replicates, params, dims, days, keep)
        _EXECUTABLES[key] = lowered.compile()
    return _EXECUTABLES[key]


def run_stacked(params_list, dims, days: int, n: int, seed: int, *, keep=None, block: int = 1, chunk: int = 0,
                memory_gb: float = 0.0, pool=None, label: str = "jax", progress=say, started=None, replicate_from=None):
    """Every run (one replicate of one setting) of ``n`` replicates of each setting in ``params_list``: the one
    chunked batched-run loop, which the Hydra app, calibration and sensitivity analysis all use.

    Runs go in compiled calls of ``block`` runs per device (split across ``pool`` with ``shard_map``), and are
    fetched a chunk at a time (``chunk`` runs, 0: all, capped by ``memory_gb`` per device), with a progress
    message as each call ends (``model.lab.progress``: rewritten in place on a terminal, a line per chunk in logs). ``keep(daily, summary)``, a module-level function, picks what to bring back from each run (XLA
    drops the rest); by default both. Returns that pytree with leading axes (setting, replicate). Ctrl-C stops
    between chunks with ``progress.Interrupted``.

    ``params_list`` is a list of Params or one Params already stacked along a leading settings axis (the
    inference's thousands of parameter draws). A run's random numbers come from ``seed`` and its replicate
    index: replicate r of setting i is index ``replicate_from[i] + r`` (``replicate_from``: an int array per setting, by default
    0 for all, so that every setting sees the same replicates: common random numbers).
    """
    if isinstance(params_list, Params):
        stacked = params_list
        n_settings = int(jax.tree.leaves(stacked)[0].shape[0])
        one = jax.tree.map(lambda leaf: leaf[0], stacked)
    else:
        stacked = stack(list(params_list))
        n_settings = len(params_list)
        one = params_list[0]
    replicate_from = np.zeros(n_settings, np.int64) if replicate_from is None else np.asarray(replicate_from, np.int64)
    if replicate_from.shape != (n_settings,) or replicate_from.min(initial=0) < 0 or replicate_from.max(initial=0) + n > engine.MAX_SEED:
        raise ValueError(f"replicate_from: expected {n_settings} replicate offsets in [0, {engine.MAX_SEED - n}]")
    pool = pool or jax.devices()[:1]
    step = block * len(pool)  # runs per call: every call has the same shape, so runs the same code
    total = n_settings * n
    per_run = replicate_bytes(one, dims, days, keep)
    chunk = _chunk(block, chunk, memory_gb, total, per_run, len(pool))
    mesh = Mesh(np.asarray(pool), ("runs",)) if len(pool) > 1 else None
    # run i: setting i // n, replicate i % n; padding runs (past the last) repeat the last setting and are dropped
    padded = -(-total // step) * step
    settings_of = np.minimum(np.arange(padded) // n, n_settings - 1).astype(np.int32)
    replicates_of = (np.arange(padded) % n + replicate_from[settings_of]).astype(np.int32)
    host = jax.device_get(stacked)
    local = np.arange(step, dtype=np.int32)
    meter = Meter(total, "runs", label, started)
    where = f", {n_settings} setting(s) x {n} replicates x {days} days on {len(pool)} {pool[0].platform} device(s)"
    parts, done = [], 0
    progress(meter.line(0, where + ", compiling"))
    try:
        for first in range(0, total, chunk):
            size = min(chunk, total - first)
            calls = []
            for start in range(first, first + size, step):  # dispatched without waiting for the one before
                runs = slice(start, start + step)
                # each call gets its own runs' settings: the same shapes whatever the number of settings, so one compile
                block_params = jax.tree.map(lambda leaf, idx=settings_of[runs]: leaf[idx], host)
                args = (np.int32(seed), local, replicates_of[runs], block_params)
                calls.append(_executable(args, dims, days, mesh, keep)(*args))
            for call in calls:  # in order: a line as each compiled call ends, while the later ones run
                _wait(call)
                done = min(done + step, first + size)
                if done < first + size:
                    progress(meter.line(done, where))
            fetched = jax.device_get(calls)
            parts.append(jax.tree.map(lambda *xs: np.concatenate(xs)[:size], *fetched))
            progress(meter.line(first + size, where))
    except KeyboardInterrupt:
        raise Interrupted(done, total) from None
    shape = (n_settings, n)
    return jax.tree.map(lambda *xs: np.concatenate(xs).reshape(shape + xs[0].shape[1:]), *parts)
