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
from model.config import build


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(cfg, progress=_say):
    params, dims = build(cfg)
    n, days, seed = int(cfg.replicates), int(cfg.days), int(cfg.seed)
    started = time.perf_counter()
    if cfg.engine == "mesa":
        daily, summary = _run_mesa(cfg, n, days, seed, progress, started)
    else:
        chunk = int(cfg.batch.chunk) or n
        parts = []
        for first in range(0, n, chunk):
            size = min(chunk, n - first)
            outputs, summaries = jax.device_get(engine.simulate(seed, size, params, dims, days, first=first))
            parts.append((outputs, summaries))
            done = first + size
            progress(f"[jax] {done}/{n} replicates x {days} days in {time.perf_counter() - started:.1f} s")
        daily = {k: np.concatenate([p[0][k] for p in parts]) for k in parts[0][0]}
        summary = {k: np.concatenate([p[1][k] for p in parts]) for k in parts[0][1]}
    return daily, summary


def _run_mesa(cfg, n, days, seed, progress, started):
    from model.mesa_model import CrisisModel  # noqa: PLC0415

    dailies, summaries = [], []
    for r in range(n):
        m = CrisisModel(rng=seed, replicate=r, config=cfg)
        m.run_for(days)
        dailies.append(m.daily())
        summaries.append(m.summary())
        progress(f"[mesa] {r + 1}/{n} replicates x {days} days in {time.perf_counter() - started:.1f} s")
    daily = {k: np.stack([d[k] for d in dailies]) for k in dailies[0]}
    summary = {k: np.asarray([s[k] for s in summaries]) for k in summaries[0]}
    return daily, summary
