"""What every figure shares: the style, the palette, labels, and deterministic saving."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from ..model.lab.io import atomic_savefig, atomic_write_csv  # noqa: E402

STYLE = Path(__file__).resolve().parent / "redphone.mplstyle"
# Okabe & Ito (2008): distinguishable under the common colour-vision deficiencies
OKABE_ITO = dict(black="#000000", orange="#E69F00", sky="#56B4E9", green="#009E73", vermillion="#D55E00", blue="#0072B2", purple="#CC79A7", yellow="#F0E442")
FRAMEWORKS = ("status_quo", "adhoc_hotline", "automatic_hotline", "full_framework")
FRAMEWORK_LABEL = dict(
    status_quo="status quo", adhoc_hotline="ad hoc hotline", automatic_hotline="automatic hotline",
    full_framework="hotline + backchannel\n+ Track-II + CBMs",
)
FRAMEWORK_COLOUR = dict(status_quo=OKABE_ITO["black"], adhoc_hotline=OKABE_ITO["orange"], automatic_hotline=OKABE_ITO["sky"], full_framework=OKABE_ITO["green"])
SIDE_COLOUR = (OKABE_ITO["vermillion"], OKABE_ITO["blue"])
# Quick mode (tests): every experiment at the same static shapes (replicates per compiled call, days,
# population sizes, grid points 1 or 2), so the few compiled programs are shared through JAX's cache.
QUICK = ["replicates=6", "days=365", "population.public=200", "population.media=5"]
PDF_METADATA = {"CreationDate": None, "Creator": None, "Producer": None}
PNG_METADATA = {"Software": None}


def figure(height: float = 2.6, width: float = 3.4, **subplots):
    """A figure in the project's style (single column unless told otherwise)."""
    plt.style.use(STYLE)
    return plt.subplots(figsize=(width, height), **subplots)


def side_names(ds) -> list[str]:
    return [str(s) for s in ds["side"].values]


def save(fig, table: pd.DataFrame, out_dir, name: str) -> list[Path]:
    """figures/<name>.png, .pdf and .csv, each written all or nothing; no timestamps or tool versions in the files, so
    the bytes repeat."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{name}.png", out / f"{name}.pdf", out / f"{name}.csv"]
    atomic_savefig(paths[0], fig, metadata=PNG_METADATA)
    atomic_savefig(paths[1], fig, metadata=PDF_METADATA)
    plt.close(fig)
    atomic_write_csv(paths[2], table, index=False, float_format="%.6g", lineterminator="\n")
    return paths


def fmt(estimate, digits: int = 2) -> str:
    """0.31 [0.25, 0.37] (n = 200)"""
    return f"{estimate.value:.{digits}f} [{estimate.low:.{digits}f}, {estimate.high:.{digits}f}] (n = {estimate.n})"
