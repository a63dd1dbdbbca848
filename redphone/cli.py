"""The redphone commands. ``redphone`` is the Hydra app: one run (or, with -m, one job of a sweep) of the model.

    redphone preset=india_pakistan_2025 replicates=200
    redphone -m institutions.hotline=false,true institutions.track2=false,true

Writes results.nc, summary.parquet and COMPLETE into the run's Hydra output
folder (docs/guarantees.md). Every override is checked before any work: a bad
value gets one line naming the key and what is allowed, and exit status 2;
so does a run that cannot fit the machine (memory, devices). A full disk is
found before the computation starts, when possible, and gives one line and
exit status 1; any failure leaves ``FAILED`` with its message and no partial
file. A single run prints its summary table, the one ``make run`` prints.
``scripts/run.py`` is the same app.

A job whose folder already holds a complete result of the same config skips
the work and says so: re-running a sweep with the same ``hydra.sweep.dir``
redoes only the jobs that failed, were killed, or are stale (docs/cluster.md). Under
SLURM the job's ids are recorded in both files. Ctrl-C stops between
compiled chunks, within about a second, and says what was kept.

``redphone-collect`` and ``redphone-report`` are the commands of the same
names (redphone/commands/collect.py and report.py; scripts/ holds the same entry points).
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from redphone.model.config import CONFIG_DIR, ConfigError
from redphone.model.lab.schema import register, validate
from redphone.model.lab.overrides import check_command_line

register()

SLURM_IDS = ("SLURM_JOB_ID", "SLURM_ARRAY_JOB_ID", "SLURM_ARRAY_TASK_ID")
BAD_INPUT, FAULT = 2, 1  # exit statuses: a config the machine cannot run; a fault of the machine (disk)
INTERRUPTED = 130  # the shell's status for a process ended by SIGINT


def _stop(out: Path | None, message: str, status: int) -> None:
    """One line on stderr, ``FAILED`` in the job folder (when it is this job's), exit ``status``: no traceback."""
    print(f"error: {message}", file=sys.stderr)
    if out is not None:
        from redphone.model.lab import sweep  # noqa: PLC0415

        sweep.fail(out, message)
    sys.exit(status)


def execute(cfg, out: Path, job: dict, single: bool = True) -> tuple[Path, Path] | None:
    """Run one config into ``out``: skip a complete result of it, else compute and write; None when skipped.

    Raises ``ConfigError`` (the config cannot run here), ``io.DiskFull`` and
    ``sweep.Busy`` with a one-line message, and ``progress.Interrupted`` on
    Ctrl-C; any other error leaves ``FAILED``.
    """
    from redphone.model.lab import io, runtime, sweep  # noqa: PLC0415
    from redphone.model.lab.progress import Interrupted  # noqa: PLC0415

    validate(cfg)
    held = sweep.lock(out)  # noqa: F841 (held until this process ends)
    if sweep.done(out, cfg):
        print(f"skipped: {out} already holds a complete result of this config", file=sys.stderr)
        return None
    sweep.start(out)
    try:
        runtime.configure(cfg)
        from redphone.model.lab import batch  # noqa: PLC0415 (JAX loads only once the config is known to be good)

        io.check_space(out, batch.output_bytes(cfg))  # before the work: a full disk costs no computation
        daily, summary, points = batch.run(cfg)
        dataset = io.to_dataset(daily, cfg)
        dataset.attrs.update(job)
        frame = io.to_frame(summary, cfg, points, extra=job)
        written = io.write(out, dataset, frame)
    except Interrupted:
        raise
    except (ConfigError, OSError) as error:
        sweep.fail(out, str(error))
        raise
    except Exception as error:
        sweep.fail(out, error)
        raise
    if single:
        from redphone.model.lab import tables  # noqa: PLC0415

        print(tables.console(tables.settings_table(tables.split(dataset, frame)), header=tables.header(frame, dataset)))
    return written


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def main(cfg: DictConfig) -> None:
    for noisy in ("jax", "MESA"):  # Hydra logs at INFO: JAX backend probing, Mesa every step
        logging.getLogger(noisy).setLevel(logging.WARNING)
    from redphone.model.lab import io, sweep  # noqa: PLC0415
    from redphone.model.lab.progress import Interrupted  # noqa: PLC0415

    out = Path(HydraConfig.get().runtime.output_dir)
    hydra_cfg = HydraConfig.get()
    multirun = hydra_cfg.mode.name == "MULTIRUN"
    job = {"job_num": hydra_cfg.job.get("num", 0) if multirun else 0}
    job.update({name.lower(): os.environ.get(name, "") for name in SLURM_IDS})  # "" outside SLURM
    written = None
    try:
        written = execute(cfg, out, job, single=not multirun)
    except Interrupted as stop:
        _interrupted(stop, out)
    except ConfigError as error:
        _stop(None, str(error), BAD_INPUT)  # execute left FAILED
    except sweep.Busy as error:
        _stop(None, str(error), BAD_INPUT)  # the folder is another run's: leave it alone
    except io.DiskFull as error:
        _stop(None, f"{error} (nothing was kept; see docs/guarantees.md)", FAULT)
    except OSError as error:
        _stop(None, f"{out}: {error.strerror or error}", FAULT)
    if written:
        print(f"wrote {written[0]} and {written[1].name}", file=sys.stderr)


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
        sys.exit(BAD_INPUT)
    main()


def collect() -> None:
    """``redphone-collect SWEEP_DIR``: redphone/commands/collect.py (scripts/collect.py)."""
    from redphone.commands import collect as command  # noqa: PLC0415

    sys.exit(command.main())


def report() -> None:
    """``redphone-report SWEEP_DIR``: redphone/commands/report.py (scripts/report.py)."""
    from redphone.commands import report as command  # noqa: PLC0415

    sys.exit(command.main())


if __name__ == "__main__":
    run()
