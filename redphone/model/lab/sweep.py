"""A sweep's jobs on disk: which finished, which failed, which must run again.

A Hydra multirun folder holds ``multirun.yaml`` (the sweep's overrides) and
one folder per job (``hydra.sweep.subdir``, the job number by default), each
with ``.hydra/`` and, once the job is done, ``results.nc``,
``summary.parquet`` and ``COMPLETE`` (``model.lab.io``). A single run's folder is
a sweep of one job. This module is the one definition of a job's status,
used by the Hydra app, ``scripts/collect.py``, ``scripts/report.py`` and
``scripts/figures.py``:

* ``complete``: ``COMPLETE`` names both files as they are, they fit this
  version's schema, and they were made with the config the job's overrides
  compose to now (the hashes agree);
* ``stale``: a complete pair of files made with another config than the
  job's overrides compose to now (a preset or default changed since, as
  ``make calibrate WRITE=1`` does); never mixed with complete jobs;
* ``failed``: no complete result, and the last attempt raised an error:
  ``FAILED`` holds its message;
* ``incomplete``: the job's folder exists but holds no complete result and
  no ``FAILED``: killed (``scancel``, a time limit, out of memory, Ctrl-C),
  still running, or files that do not match their ``COMPLETE``;
* ``missing``: a job of ``multirun.yaml``'s sweep that never started;
* ``unexpected``: a job folder that is not a job of ``multirun.yaml``'s sweep.

Re-running a sweep (the same command with the same ``hydra.sweep.dir``)
skips jobs whose result is complete for the config asked for (``done``) and
runs the others again.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

from omegaconf import OmegaConf

from . import io

FAILED = "FAILED"
LOCK = ".lock"
STATUSES = ("complete", "stale", "failed", "incomplete", "missing", "unexpected")
RUNTIME_GROUPS = io.RUNTIME_GROUPS
model_config = io.model_config


@dataclass(frozen=True)
class Job:
    num: int
    folder: Path
    overrides: tuple[str, ...]  # the job's task overrides, as Hydra passed them
    status: str  # one of STATUSES
    reason: str = ""  # why it is not complete, in a few words

    @property
    def complete(self) -> bool:
        return self.status == "complete"


def stored_hash(folder) -> str | None:
    """The config hash a complete result was made with (from ``COMPLETE``, else from ``results.nc``), or None."""
    record = io.marker(folder)
    if record and record.get("config_hash"):
        return record["config_hash"]
    import xarray as xr  # noqa: PLC0415

    try:
        with xr.open_dataset(Path(folder) / io.RESULTS, engine="h5netcdf") as ds:
            return ds.attrs.get("config_hash") or io.config_hash(OmegaConf.create(ds.attrs["config"]))
    except (OSError, ValueError, KeyError):
        return None


def done(folder, cfg) -> bool:
    """True when ``folder`` holds a complete result of this very config: the job can be skipped."""
    return io.complete(folder) and stored_hash(folder) == io.config_hash(cfg)


class Busy(RuntimeError):
    """Another process is running a job in this folder."""


def lock(folder):
    """Hold an exclusive lock on a job folder while a job runs in it; raise ``Busy`` if another process holds it.

    Two runs in one folder (two ``make run`` in the same second, a sweep
    resumed while it still runs) would delete each other's temporary files
    and mix their results. The lock goes with the process, however it ends.
    """
    import fcntl  # noqa: PLC0415

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    handle = open(folder / LOCK, "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise Busy(f"{folder} is in use by {holder}: wait for it to end, or give this run another folder") from None
    except OSError:  # a file system without locks (some NFS mounts): run unlocked, as before locks existed
        return handle
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()} on {socket.gethostname()}\n")
    handle.flush()
    return handle


def start(folder) -> None:
    """Clear what an earlier attempt left: its failure note, its half-written temporary files, and its
    ``COMPLETE`` (a result of another config is not the one asked for; kept, it would pass as this one)."""
    folder = Path(folder)
    (folder / FAILED).unlink(missing_ok=True)
    (folder / io.MARKER).unlink(missing_ok=True)
    for leftover in folder.glob(".*.tmp"):
        leftover.unlink(missing_ok=True)


def fail(folder, error: BaseException | str) -> None:
    """Leave ``FAILED`` with the error's message (best effort: on a full disk even this may not fit)."""
    folder = Path(folder)
    message = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / FAILED).write_text(message.strip() + "\n")
    except OSError:
        pass


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


class Composer:
    """The config hash each job's overrides compose to now, with Hydra's compose API (one initialisation for a sweep)."""

    def __init__(self):
        self._hashes: dict[tuple[str, ...], str] = {}

    def __call__(self, overrides: tuple[str, ...]) -> str:
        if overrides not in self._hashes:
            from hydra import compose, initialize_config_dir  # noqa: PLC0415
            from hydra.core.global_hydra import GlobalHydra  # noqa: PLC0415

            from ..config import CONFIG_DIR  # noqa: PLC0415
            from .schema import register  # noqa: PLC0415

            register()
            GlobalHydra.instance().clear()
            try:
                with initialize_config_dir(version_base="1.3", config_dir=str(CONFIG_DIR)):
                    self._hashes[overrides] = io.config_hash(compose(config_name="config", overrides=list(overrides)))
            except Exception as error:  # a preset renamed, a key removed: the result cannot be what is asked now
                from ..config import one_line  # noqa: PLC0415

                self._hashes[overrides] = f"does not compose: {one_line(error)}"
            finally:
                GlobalHydra.instance().clear()
        return self._hashes[overrides]


def status(folder: Path, overrides: tuple[str, ...] | None, composer: Composer | None = None) -> tuple[str, str]:
    """(status, reason) of one job folder; ``overrides`` None: a folder not made by Hydra, whose config cannot be recomposed."""
    folder = Path(folder)
    if not folder.exists():
        return "missing", "never started: no job folder"
    why = io.why_not_complete(folder)
    if why is None:
        if overrides is None:
            return "complete", ""
        asked, made = (composer or Composer())(tuple(overrides)), stored_hash(folder)
        if asked == made:
            return "complete", ""
        if asked.startswith("does not compose"):
            return "stale", f"its overrides {asked}"
        return "stale", "made with another config than its overrides compose to now (a preset or default changed?): rerun it"
    if (folder / FAILED).exists():
        return "failed", (folder / FAILED).read_text().strip() or "failed"
    logs = sorted(p.name for p in folder.glob("*.log"))
    see = f"; see {folder / logs[0]}" if logs else ""
    if why == "no results":
        return "incomplete", "started but left no result (killed, or still running)" + see
    return "incomplete", why + see


def _saved_overrides(folder: Path) -> tuple[str, ...] | None:
    path = folder / ".hydra" / "overrides.yaml"
    try:
        return tuple(str(o) for o in (OmegaConf.load(path) or []))
    except (OSError, ValueError):
        return None


def single_run(folder) -> bool:
    """A single run's folder (not a multirun folder): it holds ``.hydra/`` or result files itself."""
    folder = Path(folder)
    return (folder / ".hydra").is_dir() or any((folder / name).exists() for name in (io.RESULTS, io.SUMMARY, io.MARKER))


def jobs(sweep_dir) -> list[Job]:
    """Every job of a multirun folder (or the one job of a run folder) with its status: planned jobs
    (from ``multirun.yaml``) by number, then unexpected folders."""
    sweep_dir = Path(sweep_dir)
    if not sweep_dir.is_dir():
        raise FileNotFoundError(f"{sweep_dir}: no such folder")
    composer = Composer()
    if single_run(sweep_dir) and not (sweep_dir / "multirun.yaml").exists():
        overrides = _saved_overrides(sweep_dir)
        return [Job(0, sweep_dir, overrides or (), *status(sweep_dir, overrides, composer))]
    planned, subdir = _planned(sweep_dir)
    found = {}
    for hydra_dir in sweep_dir.glob("*/.hydra"):
        folder = hydra_dir.parent
        try:
            num = int(OmegaConf.load(hydra_dir / "hydra.yaml").hydra.job.num)
        except Exception:  # a single run's .hydra (no job number), or unreadable: the folder's name decides below
            continue
        found[num] = folder
    numbered = {int(p.name): p for p in sweep_dir.iterdir() if p.is_dir() and p.name.isdigit()}
    for num, folder in numbered.items():
        found.setdefault(num, folder)
    out = []
    for num in sorted(set(range(len(planned))) | set(found)):
        if num >= len(planned) and planned:
            folder = found[num]
            out.append(Job(num, folder, _saved_overrides(folder) or (), "unexpected", "not a job of multirun.yaml's sweep"))
            continue
        if num in found:
            folder = found[num]
        elif subdir == "${hydra.job.num}":
            folder = sweep_dir / str(num)
        else:  # a custom subdir pattern: the folder of a job that never started is unknown
            folder = sweep_dir / f"(job {num})"
        saved = _saved_overrides(folder)
        asked = planned[num] if planned else saved
        state, reason = status(folder, asked, composer)
        if state == "complete" and saved is not None and planned and list(saved) != list(planned[num]):
            state, reason = "stale", f"its overrides {list(saved)} are not the sweep's {list(planned[num])}"
        out.append(Job(num, folder, tuple(asked or ()), state, reason))
    return out
