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
import time

import jax
import numpy as np

from ..config import ConfigError, build
from ..params import stack
from . import inference, posterior
from .calibration import ratios
from .progress import Interrupted, Meter, say
from .schema import settings, validate
from .runs import _chunk, replicate_bytes, run_stacked  # noqa: F401 (batch.run_stacked and batch.replicate_bytes: the lab's one run loop)



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
    return len(points) * int(cfg.replicates) * replicate_bytes(params, dims, int(cfg.days))[1] // 2  # one copy of each run's


def chunk_size(cfg, runs: int, per_run: tuple[int, int], n_devices: int) -> int:
    """Runs fetched per chunk: ``batch.chunk`` (0: all), capped so that each device's share of the
    chunk's outputs, and one block running, fit ``batch.memory_gb``; a whole number of blocks per device."""
    return _chunk(int(cfg.batch.block), int(cfg.batch.chunk), float(cfg.batch.memory_gb), runs, per_run, n_devices)


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
    k = len(built)
    draws = posterior.draws(cfg.posterior.file, inference.NAMES)
    theta = draws[(int(cfg.posterior.first) + np.arange(n)) % len(draws)]
    runs = inference.with_theta(stack([p for p, _ in built]), theta, ratios(cfg))  # draw-major
    out = run_stacked(runs, built[0][1], days, 1, seed, replicate_from=np.repeat(np.arange(n), k), **options)
    return jax.tree.map(lambda x: np.swapaxes(x.reshape((n, k) + x.shape[2:]), 0, 1), out)


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
