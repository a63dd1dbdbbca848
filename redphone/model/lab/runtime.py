"""How JAX runs in this process (the ``jax:`` config group): allocator and persistent compilation cache.

Settings that never change a result. Each job of a sweep is its own process
(SLURM, submitit's local executor, joblib's loky workers), so each sets its
own allocator before JAX starts a backend: without this, the first job to
touch a GPU reserves 75% of its memory and the others sharing it fail. The
compilation cache lets every job after the first load the compiled rollout
instead of compiling it again.
"""

from __future__ import annotations

import os
from pathlib import Path


def configure(cfg) -> None:
    """Apply ``cfg.jax`` to this process; call before the first computation."""
    import jax  # noqa: PLC0415
    from jax._src import xla_bridge  # noqa: PLC0415

    settings = cfg.jax
    if not xla_bridge.backends_are_initialized():  # the allocator is read once, when the backend starts
        os.environ["XLA_PYTHON_CLIENT_PREALLOCATE"] = "true" if settings.preallocate else "false"
        if settings.memory_fraction > 0:
            os.environ["XLA_PYTHON_CLIENT_MEM_FRACTION"] = str(settings.memory_fraction)
    folder = str(settings.compilation_cache_dir or "")
    if folder:
        folder = str(Path(folder).expanduser().resolve())
        Path(folder).mkdir(parents=True, exist_ok=True)
    jax.config.update("jax_compilation_cache_dir", folder or None)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", float(settings.cache_min_compile_secs))
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
