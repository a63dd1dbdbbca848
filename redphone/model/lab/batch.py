"""Run a validated config with the engine it names: the one function the Hydra app calls.

``engine=jax`` runs every (setting, replicate) pair, a *run*, in vmapped
blocks of ``batch.block`` runs per device, one compiled call per block
(split across ``batch.devices`` devices with ``shard_map``), and fetches the
outputs a chunk at a time: ``batch.chunk`` runs, or as many as fit
``batch.memory_gb`` per device. XLA's code for a vmapped rollout depends on
the batch size (fusion and vectorisation move the last bit of some sums), so
every call has the same shape: with a replicate's key derived from its index
only, chunking and sharding never change a number; the block size may move
the last bit. ``engine=mesa`` steps ``CrisisModel``
one replicate at a time. Both return the same layout: daily outputs with
leading axes (replicate, day) and summaries with a leading replicate axis.
"""

from __future__ import annotations

import os
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh

from .. import engine
from ..config import ConfigError, build, settings, validate
from ..params import Params, stack
from .progress import Interrupted, Meter, say



def run(cfg, progress=say):
    """(daily outputs, summaries, grid points): leading axes (setting, replicate), one setting per grid point."""
    validate(cfg)  # the config, grid included, before any work
    points = settings(cfg)
    built = [build(one) for _, one in points]
    n, days, seed = int(cfg.replicates), int(cfg.days), int(cfg.seed)
    started = time.perf_counter()
    if cfg.engine == "mesa":
        daily, summary = _run_mesa([one for _, one in points], n, days, seed, progress, started)
    else:
        daily, summary = _run_jax(cfg, built, n, days, seed, progress, started)
    return daily, summary, [point for point, _ in points]


def devices(cfg) -> list:
    """The devices the replicates are sharded across: the first ``batch.devices`` visible ones (0: all)."""
    visible = jax.devices()
    want = int(cfg.batch.devices) or len(visible)
    if want > len(visible):
        raise ConfigError(f"batch.devices = {want}: only {len(visible)} {visible[0].platform} device(s) are visible")
    return visible[:want]


# Device memory of one replicate's rollout beyond its outputs, in units of its state: XLA's memory
# analysis of the compiled call measures about 7.5 on CPU; 10 leaves headroom for other backends.
TEMPORARIES_PER_STATE = 10


def _nbytes(tree) -> int:
    return int(sum(np.prod(leaf.shape) * leaf.dtype.itemsize for leaf in jax.tree.leaves(tree)))


def replicate_bytes(params, dims, days: int, keep=None) -> tuple[int, int]:
    """Estimated device memory of one replicate of one setting in a compiled call, from shapes only (no compile):
    (while its block runs: state and temporaries, until the call returns: its outputs, or what ``keep`` keeps)."""
    state = jax.eval_shape(lambda: engine.init(jax.random.key(0), params, dims))
    outputs = jax.eval_shape(
        lambda: engine.run_runs(0, jnp.zeros(1, jnp.int32), jnp.zeros(1, jnp.int32), stack([params]), dims, days, keep)
    )
    return TEMPORARIES_PER_STATE * _nbytes(state), 2 * _nbytes(outputs)  # outputs: the scan's and the stacked copy


def device_memory(device) -> tuple[int, str]:
    """(bytes one compiled call may use on this device, what that is): the accelerator's limit, else the host's RAM."""
    stats = device.memory_stats() if hasattr(device, "memory_stats") else None
    if stats and stats.get("bytes_limit"):
        return int(stats["bytes_limit"]), f"{device.platform} device memory"
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"), "memory on this machine"


def check_memory(cfg, per_run: tuple[int, int], chunk: int, pool: list) -> None:
    """Raise ConfigError when a compiled call (one block running, the chunk's outputs kept) cannot fit the device."""
    running, kept = per_run
    block = int(cfg.batch.block)
    need = block * running + -(-chunk // len(pool)) * kept
    have, what = device_memory(pool[0])
    if need > have:
        pop = cfg.population
        raise ConfigError(
            f"population.public = {pop.public}, population.media = {pop.media}: a block of {block} runs needs about"
            f" {need / 2**30:.3g} GB, and the {what} is {have / 2**30:.3g} GB; lower the population, batch.block or batch.chunk"
        )


def output_bytes(cfg) -> int:
    """Bytes of the daily outputs and summaries a run of this config returns (before any work: shapes only)."""
    points = settings(cfg)
    params, dims = build(points[0][1])
    outputs = jax.eval_shape(lambda: engine.run_replicates(0, jnp.zeros(1, jnp.int32), params, dims, int(cfg.days)))
    return len(points) * int(cfg.replicates) * _nbytes(outputs)


def chunk_size(cfg, runs: int, per_run: tuple[int, int], n_devices: int) -> int:
    """Runs fetched per chunk: ``batch.chunk`` (0: all), capped so that each device's share of the
    chunk's outputs, and one block running, fit ``batch.memory_gb``; a whole number of blocks per device."""
    return _chunk(int(cfg.batch.block), int(cfg.batch.chunk), float(cfg.batch.memory_gb), runs, per_run, n_devices)


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


def _run_jax(cfg, built, n, days, seed, progress, started):
    """Every (setting, replicate) run of the config's grid, on the devices ``batch.devices`` names."""
    pool = devices(cfg)
    total = len(built) * n
    per_run = replicate_bytes(built[0][0], built[0][1], days)
    check_memory(cfg, per_run, min(chunk_size(cfg, total, per_run, len(pool)), total), pool)
    options = dict(block=int(cfg.batch.block), chunk=int(cfg.batch.chunk), memory_gb=float(cfg.batch.memory_gb), pool=pool,
                   progress=progress, started=started)
    if cfg.posterior.file:
        return _run_posterior(cfg, built, n, days, seed, options)
    return run_stacked([p for p, _ in built], built[0][1], days, n, seed, **options)


def _run_posterior(cfg, built, n, days, seed, options):
    """Parameter uncertainty as a batch axis: replicate r of every setting takes posterior draw ``first + r``
    (the fitted keys; the rest stay the setting's), and the same random numbers in every setting."""
    from . import calibration, inference, posterior  # noqa: PLC0415

    k = len(built)
    draws = posterior.draws(cfg.posterior.file, inference.NAMES)
    theta = draws[(int(cfg.posterior.first) + np.arange(n)) % len(draws)]
    runs = inference.with_theta(stack([p for p, _ in built]), theta, calibration.ratios(cfg))  # draw-major
    out = run_stacked(runs, built[0][1], days, 1, seed, replicate_from=np.repeat(np.arange(n), k), **options)
    return jax.tree.map(lambda x: np.swapaxes(x.reshape((n, k) + x.shape[2:]), 0, 1), out)


def _wait(call):
    """Wait for a dispatched call in Python, so that Ctrl-C is seen at once, not when the compiled call returns."""
    leaves = jax.tree.leaves(call)
    while not all(leaf.is_ready() for leaf in leaves):
        time.sleep(0.05)


_EXECUTABLES: dict = {}  # compiled blocks, held here: a long session (calibration: thousands of other jits in between) never compiles one twice


def _executable(args, dims, days: int, mesh, keep):
    """The compiled call for a block of these shapes (``engine.run_runs``, or ``run_sharded`` across ``mesh``)."""
    leaves = jax.tree.leaves(args)
    key = (dims, days, mesh, keep, jax.tree.structure(args), tuple((np.shape(x), np.result_type(x)) for x in leaves))
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


def _run_mesa(configs, n, days, seed, progress, started):
    from ..mesa_model import CrisisModel  # noqa: PLC0415

    dailies, summaries = [], []
    meter = Meter(len(configs) * n, "runs", "mesa", started)
    for i, cfg in enumerate(configs):
        for r in range(n):
            m = CrisisModel(rng=seed, replicate=r, config=cfg)
            try:
                m.run_for(days)
            except KeyboardInterrupt:
                raise Interrupted(len(dailies), meter.total) from None
            dailies.append(m.daily())
            summaries.append(m.summary())
            progress(meter.line(len(dailies), f", {len(configs)} setting(s) x {n} replicates x {days} days"))
    shape = (len(configs), n)
    daily = {k: np.stack([d[k] for d in dailies]).reshape(shape + dailies[0][k].shape) for k in dailies[0]}
    summary = {k: np.asarray([s[k] for s in summaries]).reshape(shape) for k in summaries[0]}
    return daily, summary
