"""Run a validated config with the engine it names: the one function the Hydra app calls.

``engine=jax`` runs all replicates in compiled, vmapped calls (in chunks of
``batch.chunk`` replicates when set); ``engine=mesa`` steps ``CrisisModel``
one replicate at a time. Both return the same layout: daily outputs with
leading axes (replicate, day) and summaries with a leading replicate axis.
"""

from __future__ import annotations

import sys
import time

import jax
import numpy as np

from model import engine
from model.config import build, settings
from model.params import stack


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(cfg, progress=_say):
    """(daily outputs, summaries, grid points): leading axes (setting, replicate), one setting per grid point."""
    build(cfg)  # validates the config, grid included
    points = settings(cfg)
    built = [build(one) for _, one in points]
    dims = built[0][1]
    n, days, seed = int(cfg.replicates), int(cfg.days), int(cfg.seed)
    started = time.perf_counter()
    if cfg.engine == "mesa":
        daily, summary = _run_mesa([one for _, one in points], n, days, seed, progress, started)
    else:
        stacked = stack([params for params, _ in built]) if len(points) > 1 else None
        chunk = int(cfg.batch.chunk) or n
        parts = []
        for first in range(0, n, chunk):
            size = min(chunk, n - first)
            replicates = np.arange(first, first + size, dtype=np.int32)
            if stacked is None:  # one setting: the plain replicate batch, with a setting axis of 1
                outputs = engine.run_replicates(seed, replicates, built[0][0], dims, days)
                outputs = jax.tree.map(lambda x: x[None], outputs)
            else:
                outputs = engine.run_settings(seed, replicates, stacked, dims, days)
            parts.append(jax.device_get(outputs))
            progress(f"[jax] {len(points)} setting(s) x {first + size}/{n} replicates x {days} days in {time.perf_counter() - started:.1f} s")
        daily = {k: np.concatenate([p[0][k] for p in parts], axis=1) for k in parts[0][0]}
        summary = {k: np.concatenate([p[1][k] for p in parts], axis=1) for k in parts[0][1]}
    return daily, summary, [point for point, _ in points]


def _run_mesa(configs, n, days, seed, progress, started):
    from model.mesa_model import CrisisModel  # noqa: PLC0415

    dailies, summaries = [], []
    for i, cfg in enumerate(configs):
        for r in range(n):
            m = CrisisModel(rng=seed, replicate=r, config=cfg)
            m.run_for(days)
            dailies.append(m.daily())
            summaries.append(m.summary())
            progress(f"[mesa] setting {i + 1}/{len(configs)}: {r + 1}/{n} replicates x {days} days in {time.perf_counter() - started:.1f} s")
    shape = (len(configs), n)
    daily = {k: np.stack([d[k] for d in dailies]).reshape(shape + dailies[0][k].shape) for k in dailies[0]}
    summary = {k: np.asarray([s[k] for s in summaries]).reshape(shape) for k in summaries[0]}
    return daily, summary
