"""The posterior file (``posteriors/<name>.nc``): ArviZ's DataTree with its provenance, written atomically.

``make calibrate`` writes ``posteriors/status_quo.nc``; any run can draw its
parameters from it (``+posterior=status_quo``: replicate r takes draw
``posterior.first + r``), and ``make policy`` reads it. Groups:

* ``posterior``: one variable per fitted parameter (``model.lab.calibration.FIT``),
  dims (chain, draw) with one chain (NPE draws are independent);
* ``prior``: draws from the prior the fit started from;
* ``observed_data``: the record's statistics (``model.lab.inference.STATS``);
* ``posterior_predictive``: the same statistics of datasets simulated from posterior draws.

The root's attributes are its provenance: git revision, seed, SHA-256 of the
record file, library versions, simulation budget and time.
"""

from __future__ import annotations

import hashlib
import subprocess
from importlib import metadata
from pathlib import Path

import numpy as np

from ... import HOME
from . import io
from .schema import posterior_path as path_of

ROOT = HOME
DIR = ROOT / "posteriors"
LIBRARIES = ("jax", "sbijax", "arviz", "numpy", "mesa", "hydra-core")


def git_revision() -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (rev + ("+uncommitted" if dirty else "")) if rev else "unknown"


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def versions() -> dict:
    out = {}
    for lib in LIBRARIES:
        try:
            out[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            out[lib] = "not installed"
    return out


def provenance(seed: int, budget: dict, seconds: float, record_file: Path, revision: str | None = None) -> dict:
    """The root attributes: flat strings and numbers (netCDF attributes). ``revision``: the code's git revision when
    the calibration started (by default now)."""
    attrs = dict(git_revision=revision or git_revision(), seed=int(seed), record_file=str(Path(record_file).relative_to(ROOT)),
                 record_sha256=sha256(record_file), seconds=float(seconds))
    attrs.update({f"version_{k.replace('-', '_')}": v for k, v in versions().items()})
    attrs.update({f"budget_{k}": (int(v) if isinstance(v, (int, np.integer)) else str(v)) for k, v in budget.items()})
    return attrs


def write(path: Path, names, draws, prior, stats, observed, predictive, attrs: dict) -> Path:
    """The DataTree to ``path``, through a temporary file and a rename (a reader never sees half a file): ``io._atomic``."""
    import arviz as az  # noqa: PLC0415

    tree = az.from_dict({
        "posterior": {n: np.asarray(draws)[None, :, j] for j, n in enumerate(names)},
        "prior": {n: np.asarray(prior)[None, :, j] for j, n in enumerate(names)},
        "observed_data": {s: np.asarray([observed[j]]) for j, s in enumerate(stats)},
        "posterior_predictive": {s: np.asarray(predictive)[None, :, j] for j, s in enumerate(stats)},
    })
    tree.attrs.update(attrs)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # the lab's one atomic write: fsync, the umask's permissions, a full disk reported in one line (io.DiskFull)
    io._atomic(path, lambda tmp: tree.to_netcdf(tmp, engine="h5netcdf"), int(np.asarray(draws).nbytes * 3))
    return path


def load(file: str | Path):
    """(DataTree, the file's path) of a posterior file."""
    import xarray as xr  # noqa: PLC0415

    path = path_of(file)
    with xr.open_datatree(path, engine="h5netcdf") as tree:
        return tree.load(), path


def draws(file: str | Path, names) -> np.ndarray:
    """(draw, parameter) matrix of the posterior's draws, columns in ``names`` order."""
    tree, path = load(file)
    post = tree["posterior"]
    missing = [n for n in names if n not in post.data_vars]
    if missing:
        raise ValueError(f"{path}: no posterior draws of {', '.join(missing)} (written by another version? re-run make calibrate)")
    return np.stack([np.asarray(post[n]).reshape(-1) for n in names], axis=1)
