"""The redphone Hydra app: one run (or, with -m, one job of a sweep) of the model.

    python scripts/run.py preset=india_pakistan_2025 replicates=200
    python scripts/run.py -m institutions.hotline=false,true institutions.track2=false,true

Writes results.nc and summary.parquet into the run's Hydra output folder.
Every override is checked before any work: a bad value gets one line naming
the key and what is allowed, and exit status 2.

A job whose folder already holds a complete result of the same config skips
the work and says so: re-running a sweep with the same ``hydra.sweep.dir``
redoes only the jobs that failed or were killed (docs/cluster.md). Under
SLURM the job's ids are recorded in both files.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import hydra  # noqa: E402
from hydra.core.hydra_config import HydraConfig  # noqa: E402
from omegaconf import DictConfig  # noqa: E402

from model.config import CONFIG_DIR, ConfigError, register, validate  # noqa: E402
from model.overrides import check_command_line  # noqa: E402

register()

SLURM_IDS = ("SLURM_JOB_ID", "SLURM_ARRAY_JOB_ID", "SLURM_ARRAY_TASK_ID")


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def main(cfg: DictConfig) -> None:
    for noisy in ("jax", "MESA"):  # Hydra logs at INFO: JAX backend probing, Mesa every step
        logging.getLogger(noisy).setLevel(logging.WARNING)
    validate(cfg)
    from model import runtime, sweep  # noqa: PLC0415

    out = Path(HydraConfig.get().runtime.output_dir)
    if sweep.done(out, cfg):
        print(f"skipped: {out} already holds a complete result of this config", file=sys.stderr)
        return
    sweep.start(out)
    runtime.configure(cfg)
    try:
        from model import batch, io  # noqa: PLC0415 (JAX loads only once the config is known to be good)

        daily, summary, points = batch.run(cfg)
        hydra = HydraConfig.get()
        job = {"job_num": hydra.job.get("num", 0) if hydra.mode.name == "MULTIRUN" else 0}
        job.update({name.lower(): os.environ.get(name, "") for name in SLURM_IDS})  # "" outside SLURM
        dataset = io.to_dataset(daily, cfg)
        dataset.attrs.update(job)
        results, table = io.write(out, dataset, io.to_frame(summary, cfg, points, extra=job))
    except Exception as error:
        sweep.fail(out, error)
        raise
    print(f"wrote {results} and {table.name}", file=sys.stderr)


if __name__ == "__main__":
    try:
        check_command_line(sys.argv[1:])
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    main()
