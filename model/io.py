"""Results on disk: ``results.nc`` (xarray, daily series) and ``summary.parquet`` (one row per replicate).

Both carry the resolved config, the seed, the git revision and the package
versions. Writes are atomic: each file is written to a temporary name in the
same folder, then renamed, so a killed job never leaves a file that looks
complete. ``summary.parquet`` is written last and marks a finished run.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from omegaconf import OmegaConf

from .config import flat, grid_axes
from .params import N_BINS

RESULTS, SUMMARY = "results.nc", "summary.parquet"
PACKAGES = ("jax", "jaxlib", "mesa", "numpy", "hydra-core", "xarray", "pandas", "pyarrow")
# dims of each daily output after (replicate, day)
SIDE_DIMS = {"side": ("side",), "hist": ("side", "bin"), "institution": ("institution",)}
INSTITUTIONS = ("hotline", "backchannel", "cbm")


def provenance(cfg) -> dict[str, str]:
    root = Path(__file__).resolve().parent.parent
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
        config=OmegaConf.to_yaml(cfg, resolve=True), seed=str(cfg.seed), git_revision=rev, packages=" ".join(versions),
        preset=str(cfg.preset), engine=str(cfg.engine),
    )


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


def _atomic(path: Path, write) -> None:
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write(folder, dataset: xr.Dataset, frame: pd.DataFrame) -> tuple[Path, Path]:
    """Write both files atomically; the summary last, as the mark of a complete run."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    results, summary = folder / RESULTS, folder / SUMMARY
    _atomic(results, lambda tmp: dataset.to_netcdf(tmp, engine="h5netcdf"))
    frame.attrs.update(dataset.attrs)  # pandas keeps attrs in the Parquet metadata
    _atomic(summary, lambda tmp: frame.to_parquet(tmp, index=False, engine="pyarrow"))
    return results, summary


def complete(folder) -> bool:
    """True when a run folder holds both files and they load."""
    folder = Path(folder)
    try:
        with xr.open_dataset(folder / RESULTS, engine="h5netcdf") as ds:
            n = ds["crisis_level"].size // ds.sizes["day"]  # replicates x grid points: one summary row each
        return len(pd.read_parquet(folder / SUMMARY)) == n
    except (OSError, ValueError, KeyError):
        return False


def load(folder) -> tuple[xr.Dataset, pd.DataFrame]:
    folder = Path(folder)
    return xr.load_dataset(folder / RESULTS, engine="h5netcdf"), pd.read_parquet(folder / SUMMARY)
