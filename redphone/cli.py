"""The redphone commands. ``redphone`` is the Hydra app: one run (or, with -m, one job of a sweep) of the model.

    redphone preset=india_pakistan_2025 replicates=200
    redphone -m institutions.hotline=false,true institutions.track2=false,true

Writes results.nc and summary.parquet into the run's Hydra output folder.
Every override is checked before any work: a bad value gets one line naming
the key and what is allowed, and exit status 2. ``scripts/run.py`` is the
same app.

A job whose folder already holds a complete result of the same config skips
the work and says so: re-running a sweep with the same ``hydra.sweep.dir``
redoes only the jobs that failed or were killed (docs/cluster.md). Under
SLURM the job's ids are recorded in both files. Ctrl-C stops between
compiled chunks, within about a second, and says what was kept.

``redphone-collect`` and ``redphone-report`` are the scripts of the same
names (scripts/collect.py, scripts/report.py).
"""

from __future__ import annotations

import logging
import os
import runpy
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from redphone import HOME
from redphone.model.config import CONFIG_DIR, ConfigError, register, validate
from redphone.model.overrides import check_command_line

register()

SLURM_IDS = ("SLURM_JOB_ID", "SLURM_ARRAY_JOB_ID", "SLURM_ARRAY_TASK_ID")
INTERRUPTED = 130  # the shell's status for a process ended by SIGINT


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def main(cfg: DictConfig) -> None:
    for noisy in ("jax", "MESA"):  # Hydra logs at INFO: JAX backend probing, Mesa every step
        logging.getLogger(noisy).setLevel(logging.WARNING)
    validate(cfg)
    from redphone.model import runtime, sweep  # noqa: PLC0415

    out = Path(HydraConfig.get().runtime.output_dir)
    if sweep.done(out, cfg):
        print(f"skipped: {out} already holds a complete result of this config", file=sys.stderr)
        return
    sweep.start(out)
    runtime.configure(cfg)
    from redphone.model.progress import Interrupted  # noqa: PLC0415

    try:
        from redphone.model import batch, io  # noqa: PLC0415 (JAX loads only once the config is known to be good)

        daily, summary, points = batch.run(cfg)
        hydra_cfg = HydraConfig.get()
        job = {"job_num": hydra_cfg.job.get("num", 0) if hydra_cfg.mode.name == "MULTIRUN" else 0}
        job.update({name.lower(): os.environ.get(name, "") for name in SLURM_IDS})  # "" outside SLURM
        dataset = io.to_dataset(daily, cfg)
        dataset.attrs.update(job)
        results, table = io.write(out, dataset, io.to_frame(summary, cfg, points, extra=job))
    except Interrupted as stop:
        _interrupted(stop, out)
    except Exception as error:
        sweep.fail(out, error)
        raise
    print(f"wrote {results} and {table.name}", file=sys.stderr)


def _interrupted(stop, out: Path) -> None:
    """Ctrl-C between chunks: say what was kept, and leave at once (compiled calls still in flight are dropped)."""
    multirun = HydraConfig.get().mode.name == "MULTIRUN"
    kept = (
        f"the sweep's complete jobs are kept in {out.parent}; the same command with hydra.sweep.dir={out.parent} runs only the others"
        if multirun
        else "nothing was written for this run (results are written whole, never in part); run the same command again to redo it"
    )
    print(f"\n{stop} of this job: {kept}", file=sys.stderr, flush=True)
    logging.shutdown()
    os._exit(INTERRUPTED)


def run() -> None:
    """The ``redphone`` command (and scripts/run.py)."""
    try:
        check_command_line(sys.argv[1:])
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    main()


def _script(name: str) -> None:
    path = HOME / "scripts" / f"{name}.py"
    sys.argv[0] = f"redphone-{name}"
    runpy.run_path(str(path), run_name="__main__")


def collect() -> None:
    """``redphone-collect SWEEP_DIR``: scripts/collect.py."""
    _script("collect")


def report() -> None:
    """``redphone-report SWEEP_DIR``: scripts/report.py."""
    _script("report")


if __name__ == "__main__":
    run()
