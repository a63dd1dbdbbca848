"""The redphone Hydra app: one run (or, with -m, one job of a sweep) of the model.

    python scripts/run.py preset=india_pakistan_2025 replicates=200
    python scripts/run.py -m institutions.hotline=false,true institutions.track2=false,true

Writes results.nc and summary.parquet into the run's Hydra output folder.
Every override is checked before any work: a bad value gets one line naming
the key and what is allowed, and exit status 2.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import hydra  # noqa: E402
from hydra.core.hydra_config import HydraConfig  # noqa: E402
from omegaconf import DictConfig  # noqa: E402

from model.config import CONFIG_DIR, ConfigError, register, validate  # noqa: E402
from model.overrides import check_command_line  # noqa: E402

register()


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def main(cfg: DictConfig) -> None:
    for noisy in ("jax", "MESA"):  # Hydra logs at INFO: JAX backend probing, Mesa every step
        logging.getLogger(noisy).setLevel(logging.WARNING)
    from model import batch, io  # noqa: PLC0415 (JAX loads only once the config is known to be good)

    validate(cfg)
    out = Path(HydraConfig.get().runtime.output_dir)
    daily, summary, points = batch.run(cfg)
    extra = {"job_num": HydraConfig.get().job.get("num", 0) if HydraConfig.get().mode.name == "MULTIRUN" else 0}
    results, table = io.write(out, io.to_dataset(daily, cfg), io.to_frame(summary, cfg, points, extra=extra))
    print(f"wrote {results} and {table.name}", file=sys.stderr)


if __name__ == "__main__":
    try:
        check_command_line(sys.argv[1:])
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    main()
