"""Results on disk: ``results.nc`` (xarray, daily series) and ``summary.parquet`` (one row per replicate).

Both carry the resolved config, its hash, the seed, the git revision and the
package versions. A result is complete together or not at all:

* each file is written to a temporary name in the same folder, then renamed
  (a killed job never leaves a file that looks whole);
* ``COMPLETE`` is written last (also atomically): it names both files with
  their sizes and SHA-256 hashes and the hash of the config they were made
  with. A folder is complete only when ``COMPLETE`` exists and both files
  still match it, so a pair from two different runs (a job killed between
  its renames) never passes;
* before writing, the free space is checked against the size to be written:
  a full disk gives one line (``DiskFull``) and no partial file;
* files get the permissions the umask allows (as ``open`` would), not the
  0600 of a temporary file.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import uuid
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from omegaconf import OmegaConf

from ... import HOME
from ..config import flat
from ..layout import INSTITUTIONS
from .schema import grid_axes
from ..params import N_BINS

RESULTS, SUMMARY, MARKER = "results.nc", "summary.parquet", "COMPLETE"
PACKAGES = ("jax", "jaxlib", "mesa", "numpy", "hydra-core", "xarray", "pandas", "pyarrow")
# dims of each daily output after (replicate, day)
SIDE_DIMS = {"side": ("side",), "hist": ("side", "bin"), "institution": ("institution",)}


def provenance(cfg) -> dict[str, str]:
    root = HOME
    try:
        rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True, text=True, timeout=10).stdout.strip()
        rev = (rev or "unknown") + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        rev = "unknown"
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    return dict(
        config=OmegaConf.to_yaml(cfg, resolve=True), config_hash=config_hash(cfg), seed=str(cfg.seed), git_revision=rev,
        packages=" ".join(versions), preset=str(cfg.preset), engine=str(cfg.engine),
    )


# config groups that say how a run is computed, never what it computes: a result made with
# other values of these is still the result asked for
RUNTIME_GROUPS = ("batch", "jax")


def model_config(cfg) -> dict:
    """The resolved config less its runtime groups: what a run's numbers depend on."""
    config = OmegaConf.to_container(cfg, resolve=True) if OmegaConf.is_config(cfg) else dict(cfg)
    return {k: v for k, v in config.items() if k not in RUNTIME_GROUPS}


def config_hash(cfg) -> str:
    """SHA-256 of the model config (``model_config``): equal hashes, the same numbers asked for."""
    text = json.dumps(model_config(cfg), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _dims(name: str, value: np.ndarray) -> tuple[str, ...]:
    """Dims of a daily output after its leading (replicate, day) axes."""
    if value.ndim == 2:
        return ("replicate", "day")
    if name == "hostility_hist":
        return ("replicate", "day", "side", "bin")
    if name == "established":
        return ("replicate", "day", "institution")
    return ("replicate", "day", "side")


def grid_shape(cfg) -> tuple[list[str], list[list]]:
    axes = grid_axes(cfg)
    return [key for key, _ in axes], [list(values) for _, values in axes]


def _unstack(array: np.ndarray, sizes: list[int]) -> np.ndarray:
    """(setting, ...) -> (*grid sizes, ...); without a grid, drop the setting axis of 1."""
    return array.reshape(tuple(sizes) + array.shape[1:])


def to_dataset(daily: dict, cfg) -> xr.Dataset:
    """Daily outputs (leading axes setting, replicate, day) as a labelled dataset; grid axes become dims."""
    keys, values = grid_shape(cfg)
    sizes = [len(v) for v in values]
    arrays = {k: np.asarray(v) for k, v in daily.items()}
    n_rep, n_day = arrays["crisis_level"].shape[1:3]
    data = {k: (tuple(keys) + _dims(k, v[0]), _unstack(v, sizes)) for k, v in arrays.items()}
    coords = dict(
        replicate=np.arange(n_rep),
        day=np.arange(n_day),
        side=list(cfg.sides),
        bin=(np.arange(N_BINS) + 0.5) / N_BINS,
        institution=list(INSTITUTIONS),
        **{key: np.asarray(v, dtype=float) for key, v in zip(keys, values)},
    )
    ds = xr.Dataset(data, coords=coords)
    ds["bin"].attrs["long_name"] = "centre of the hostility bin (20 bins over [0, 1])"
    ds["crisis_level"].attrs["long_name"] = "crisis level: the higher side's rung (0-6)"
    ds["hostility_hist"].attrs["long_name"] = "share of citizens per hostility bin"
    ds.attrs.update(provenance(cfg))
    return ds


def to_frame(summary: dict, cfg, points: list[dict] | None = None, extra: dict | None = None) -> pd.DataFrame:
    """One row per (grid point, replicate), with the run's config values, grid values included, as columns."""
    columns = {k: np.asarray(v) for k, v in summary.items()}  # (setting, replicate)
    n_set, n_rep = columns["peak_rung"].shape
    points = points or [{}] * n_set
    config = {k: v for k, v in flat(cfg).items() if not (k.startswith("events") or k.startswith("grid"))}
    config["events"] = str(OmegaConf.to_container(cfg.events))
    rows = n_set * n_rep
    table = {"setting": np.repeat(np.arange(n_set), n_rep), "replicate": np.tile(np.arange(n_rep), n_set)}
    table.update({k: v.reshape(rows) for k, v in columns.items()})
    table.update({k: [v] * rows for k, v in {**config, **(extra or {})}.items()})
    for key in points[0]:
        table[key] = np.repeat([point[key] for point in points], n_rep)
    return pd.DataFrame(table)


class DiskFull(OSError):
    """Not enough free space for a write; the message says where and how much."""

    def __init__(self, folder, needed: int = 0, free: int | None = None):
        more = f": {needed / 2**20:.0f} MB needed" if needed else ""
        more += f", {free / 2**20:.0f} MB free" if free is not None else ""
        super().__init__(errno.ENOSPC, f"no space left on {folder}{more}")

    def __str__(self):
        return self.strerror


class ResultError(ValueError):
    """A results folder that is not a complete result of this version's schema; the message says why."""


# room kept free beyond a write's own size: file-format overhead, and the next process's logs
DISK_MARGIN = 16 * 2**20


def check_space(folder, needed: int) -> None:
    """Raise ``DiskFull`` unless ``needed`` bytes (plus a margin) fit on the disk holding ``folder``."""
    folder = Path(folder)
    existing = next(p for p in (folder, *folder.parents) if p.exists())
    free = shutil.disk_usage(existing).free
    if free < needed + DISK_MARGIN:
        raise DiskFull(folder, needed + DISK_MARGIN, free)


def umask() -> int:
    """This process's umask (reading it means setting it: set it straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _mode() -> int:
    """The permissions a new file gets under this process's umask (``open``'s 0666 less the umask)."""
    return 0o666 & ~umask()


def _no_space(error: BaseException) -> bool:
    # h5py reports a full disk as an OSError whose errno is not always set
    return isinstance(error, OSError) and (error.errno == errno.ENOSPC or "No space left" in str(error))


def _atomic(path: Path, write, needed: int = 0) -> None:
    """Write ``path`` through ``write(tmp)`` into a temporary file beside it, then rename: all or nothing."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, _mode())  # mkstemp makes 0600: colleagues sharing the folder could not read it
        os.replace(tmp, path)
    except BaseException as error:
        Path(tmp).unlink(missing_ok=True)
        if _no_space(error) and not isinstance(error, DiskFull):
            raise DiskFull(path.parent, needed) from None
        raise


def atomic_write_text(path, text: str) -> None:
    """Write a text file (a table, a report) all or nothing: a temporary file beside it, then rename."""
    _atomic(Path(path), lambda tmp: Path(tmp).write_text(text), len(text.encode()))


def atomic_write_csv(path, frame: pd.DataFrame, **to_csv) -> None:
    """Write a table as CSV all or nothing (``to_csv``'s keywords pass through)."""
    _atomic(Path(path), lambda tmp: frame.to_csv(tmp, **to_csv))


def atomic_savefig(path, fig, **savefig) -> None:
    """Save a matplotlib figure all or nothing, in the format its suffix names (``savefig``'s keywords pass through)."""
    path = Path(path)
    _atomic(path, lambda tmp: fig.savefig(tmp, format=path.suffix.lstrip("."), **savefig))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(2**22), b""):
            digest.update(block)
    return digest.hexdigest()


def _estimate(dataset: xr.Dataset, frame: pd.DataFrame) -> int:
    """Bytes the two files will take, about: the arrays uncompressed, the table in memory, the attributes."""
    attrs = sum(len(str(v)) for v in dataset.attrs.values())
    return int(dataset.nbytes + frame.memory_usage(deep=True).sum() + 2 * attrs)


def write(folder, dataset: xr.Dataset, frame: pd.DataFrame) -> tuple[Path, Path]:
    """Write both files, then ``COMPLETE`` naming them: the folder is complete together or not at all.

    Raises ``DiskFull`` (nothing written, no partial file) when the disk has
    no room for them.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    results, summary, marker = folder / RESULTS, folder / SUMMARY, folder / MARKER
    needed = _estimate(dataset, frame)
    check_space(folder, needed)
    marker.unlink(missing_ok=True)  # from here on, whatever the folder held is not complete
    write_id = uuid.uuid4().hex
    dataset = dataset.copy()
    dataset.attrs["write_id"] = write_id
    _atomic(results, lambda tmp: dataset.to_netcdf(tmp, engine="h5netcdf"), needed)
    frame = frame.copy()
    frame.attrs = {k: v.item() if isinstance(v, np.generic) else v for k, v in dataset.attrs.items()}  # kept in the Parquet metadata (JSON)
    _atomic(summary, lambda tmp: frame.to_parquet(tmp, index=False, engine="pyarrow"), needed)
    files = {path.name: {"bytes": path.stat().st_size, "sha256": _sha256(path)} for path in (results, summary)}
    record = {"write_id": write_id, "config_hash": dataset.attrs.get("config_hash", ""), "rows": len(frame), "files": files}
    _atomic(marker, lambda tmp: Path(tmp).write_text(json.dumps(record, indent=1) + "\n"))
    return results, summary


def marker(folder) -> dict | None:
    """The ``COMPLETE`` record of a folder, or None."""
    try:
        return json.loads((Path(folder) / MARKER).read_text())
    except (OSError, ValueError):
        return None


def why_not_complete(folder) -> str | None:
    """None when the folder holds a complete result; else why not, in a few words."""
    folder = Path(folder)
    record = marker(folder)
    if record is None:
        present = [name for name in (RESULTS, SUMMARY) if (folder / name).exists()]
        return f"{' and '.join(present)} without {MARKER} (killed while writing?)" if present else "no results"
    for name, expected in record.get("files", {}).items():
        path = folder / name
        if not path.exists():
            return f"{name} is missing"
        if path.stat().st_size != expected["bytes"] or _sha256(path) != expected["sha256"]:
            return f"{name} is not the file {MARKER} names (changed or replaced since it was written)"
    if set(record.get("files", {})) != {RESULTS, SUMMARY}:
        return f"{MARKER} does not name both {RESULTS} and {SUMMARY}"
    try:
        with xr.open_dataset(folder / RESULTS, engine="h5netcdf") as ds:
            missing = missing_variables(ds)
    except (OSError, ValueError) as error:
        return f"{RESULTS} does not load: {error}"
    if missing:
        return f"{RESULTS} lacks {', '.join(missing)} (made by another version of redphone?)"
    return None


def complete(folder) -> bool:
    """True when the folder holds a complete result: ``COMPLETE`` names both files as they are now, and they fit the schema."""
    return why_not_complete(folder) is None


@functools.lru_cache(maxsize=1)
def schema() -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    """({daily output: its dims}, summary columns) this version writes, from the kernels' output shapes."""
    import jax  # noqa: PLC0415

    from .. import dyad  # noqa: PLC0415
    from ..config import build, compose  # noqa: PLC0415
    from ..engine import init  # noqa: PLC0415

    params, dims = build(compose("india_pakistan_2025", {"population.public": 10, "population.media": 2, "population.neighbours": 2}))
    state = jax.eval_shape(lambda: init(jax.random.key(0), params, dims))
    daily = jax.eval_shape(dyad.daily_outputs, state)
    stacked = jax.tree.map(lambda x: jax.ShapeDtypeStruct((1, *x.shape), x.dtype), daily)
    summary = jax.eval_shape(dyad.summary, state, stacked)
    return {name: _dims(name, np.empty((1, 1, *value.shape))) for name, value in daily.items()}, tuple(summary)


def missing_variables(ds: xr.Dataset, frame: pd.DataFrame | None = None) -> list[str]:
    """The daily outputs (with their dims) and summary columns this version writes that ``ds`` / ``frame`` lack."""
    daily, columns = schema()
    missing = []
    for name, dims in daily.items():
        if name not in ds.variables:
            missing.append(name)
        elif tuple(ds[name].dims[-len(dims):]) != dims:
            missing.append(f"{name}{dims}")
    if frame is not None:
        missing += [name for name in columns if name not in frame.columns]
    return missing


def load(folder) -> tuple[xr.Dataset, pd.DataFrame]:
    """Both files of a result; raises ``ResultError`` naming what is missing when they do not fit the schema."""
    folder = Path(folder)
    ds, frame = xr.load_dataset(folder / RESULTS, engine="h5netcdf"), pd.read_parquet(folder / SUMMARY)
    missing = missing_variables(ds, frame)
    if missing:
        raise ResultError(f"{folder}: the result lacks {', '.join(missing)} (made by another version of redphone?)")
    return ds, frame
