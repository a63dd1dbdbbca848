"""A sweep's jobs on disk: which finished, which failed, which must run again.

A Hydra multirun folder holds ``multirun.yaml`` (the sweep's overrides) and
one folder per job (``hydra.sweep.subdir``, the job number by default), each
with ``.hydra/`` and, once the job is done, ``results.nc`` and
``summary.parquet``. A job is

* ``complete``: both files load and hold every replicate (``io.complete``);
* ``failed``: the job raised an error and left ``FAILED`` with its message;
* ``incomplete``: anything else: never started, still running, or killed
  (``scancel``, a time limit, out of memory) before its files were written.

Re-running a sweep (the same command with the same ``hydra.sweep.dir``)
skips complete jobs whose config is the one asked for (``done``) and runs
the others again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from omegaconf import OmegaConf

from . import io

FAILED = "FAILED"
# config groups that say how a run is computed, never what it computes: a result made with
# other values of these is still the result asked for
RUNTIME_GROUPS = ("batch", "jax")


@dataclass(frozen=True)
class Job:
    num: int
    folder: Path
    overrides: tuple[str, ...]
    status: str  # complete | failed | incomplete
    detail: str = ""


def model_config(cfg) -> dict:
    """The resolved config less its runtime groups: what a run's numbers depend on."""
    config = OmegaConf.to_container(cfg, resolve=True) if OmegaConf.is_config(cfg) else dict(cfg)
    return {k: v for k, v in config.items() if k not in RUNTIME_GROUPS}


def stored_config(folder) -> dict | None:
    """The model config a complete result was made with (from ``results.nc``), or None."""
    import xarray as xr  # noqa: PLC0415

    try:
        with xr.open_dataset(Path(folder) / io.RESULTS, engine="h5netcdf") as ds:
            return model_config(OmegaConf.create(ds.attrs["config"]))
    except (OSError, ValueError, KeyError):
        return None


def done(folder, cfg) -> bool:
    """True when ``folder`` holds a complete result of this very config: the job can be skipped."""
    return io.complete(folder) and stored_config(folder) == model_config(cfg)


def start(folder) -> None:
    """Clear what an earlier, interrupted attempt left: its failure note and half-written temporary files."""
    folder = Path(folder)
    (folder / FAILED).unlink(missing_ok=True)
    for leftover in folder.glob(".*.tmp"):
        leftover.unlink(missing_ok=True)


def fail(folder, error: BaseException) -> None:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / FAILED).write_text(f"{type(error).__name__}: {error}\n")


def expand(params, task: list[str]) -> list[list[str]]:
    """Hydra's basic sweeper's job list: ``hydra.sweeper.params`` first, then the command line's overrides."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper  # noqa: PLC0415
    from hydra.core.override_parser.overrides_parser import OverridesParser  # noqa: PLC0415

    arguments = [f"{k}={v}" for k, v in params.items()] + list(task)
    overrides = OverridesParser.create().parse_overrides(arguments)
    return [list(job) for batch in BasicSweeper.split_arguments(overrides, None) for job in batch]


def expected_jobs(sweep_dir: Path) -> list[list[str]] | None:
    """The jobs Hydra's basic sweeper makes from ``multirun.yaml`` (job number = index), or None without one."""
    manifest = Path(sweep_dir) / "multirun.yaml"
    if not manifest.exists():
        return None
    cfg = OmegaConf.load(manifest)
    return expand(OmegaConf.select(cfg, "hydra.sweeper.params") or {}, list(OmegaConf.select(cfg, "hydra.overrides.task") or []))


def _planned(sweep_dir: Path) -> tuple[list[tuple[str, ...]], str]:
    """The job overrides of the sweep in Hydra's order (job number = index), and the subdir pattern."""
    expected = expected_jobs(sweep_dir)
    if expected is None:
        return [], "${hydra.job.num}"
    hydra = OmegaConf.load(sweep_dir / "multirun.yaml").hydra
    return [tuple(job) for job in expected], str(OmegaConf.to_container(hydra.sweep, resolve=False)["subdir"])


def jobs(sweep_dir) -> list[Job]:
    """Every job of a multirun folder, planned (from ``multirun.yaml``) or found (a folder with ``.hydra/``), with its status."""
    sweep_dir = Path(sweep_dir)
    planned, subdir = _planned(sweep_dir)
    found = {}
    for hydra_dir in sweep_dir.glob("*/.hydra"):
        folder = hydra_dir.parent
        try:
            num = int(OmegaConf.load(hydra_dir / "hydra.yaml").hydra.job.num)
            overrides = tuple(OmegaConf.load(hydra_dir / "overrides.yaml"))
        except (OSError, ValueError, KeyError, AttributeError):
            continue
        found[num] = (folder, overrides)
    out = []
    for num in sorted(set(range(len(planned))) | set(found)):
        if num in found:
            folder, overrides = found[num]
        elif subdir == "${hydra.job.num}":
            folder, overrides = sweep_dir / str(num), planned[num]
        else:  # a custom subdir pattern: the folder of a job that never started is unknown
            folder, overrides = sweep_dir / f"(job {num})", planned[num]
        if io.complete(folder):
            status, detail = "complete", ""
        elif (folder / FAILED).exists():
            status, detail = "failed", (folder / FAILED).read_text().strip()
        elif folder.exists():
            status, detail = "incomplete", "started but left no complete result (killed, or still running)"
        else:
            status, detail = "incomplete", "never started"
        out.append(Job(num, folder, overrides, status, detail))
    return out
