"""The public's hostility distribution through the 2025 crisis and its aftermath, without and with Track-II.

Config: configs/experiment/hostility_distribution.yaml (grid over institutions.track2).
Top rows: share of citizens per hostility bin (hostility_hist, mean over
replicates) by day, per side, with the mean hostility as a white line. Bottom:
the Track-II effect on mean hostility (with minus without, same seeds) with its 95 % band.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from redphone.experiments import common
from redphone.experiments.common import SIDE_COLOUR, figure, side_names
from redphone.model.lab.stats import bootstrap_mean, mean_band

QUICK = [*common.QUICK]
TRACK2 = "institutions.track2"


def draw(ds, summary: pd.DataFrame):
    sides = side_names(ds)
    settings = [float(v) for v in ds[TRACK2].values]
    days, bins = ds["day"].values, ds["bin"].values
    fig, axes = figure(height=4.4, nrows=3, ncols=2, sharex=True, gridspec_kw=dict(height_ratios=[1, 1, 0.9]))
    rows = []
    edges_y = np.linspace(0, 1, len(bins) + 1)
    edges_x = np.concatenate([days - 0.5, [days[-1] + 0.5]])
    hist = ds["hostility_hist"].mean("replicate")  # (track2, day, side, bin)
    vmax = float(hist.max())
    for col, setting in enumerate(settings):
        for row, side in enumerate(sides):
            share = hist.sel({TRACK2: setting}).isel(side=row).values  # (day, bin)
            ax = axes[row, col]
            mesh = ax.pcolormesh(edges_x, edges_y, share.T, vmin=0, vmax=vmax, rasterized=True)
            mean = ds["hostility_mean"].sel({TRACK2: setting}).isel(side=row).mean("replicate").values
            ax.plot(days, mean, color="white", lw=0.8)
            ax.set_title(f"{'abcd'[2 * row + col]}  " + (("with" if setting else "without") + " Track-II" if row == 0 else ""))
            if col == 0:
                ax.set_ylabel(f"{side}\nhostility")
            rows.append(pd.DataFrame(dict(quantity="share of citizens", side=side, track2=int(setting), day=np.repeat(days, len(bins)),
                                          hostility_bin=np.tile(bins, len(days)), estimate=share.reshape(-1), low=np.nan, high=np.nan,
                                          n=int(ds.sizes["replicate"]))))
    cax = axes[2, 1].inset_axes([0.05, 0.82, 0.9, 0.08])  # the empty slot beside the effect panel
    fig.colorbar(mesh, cax=cax, orientation="horizontal", label="share of citizens per bin")
    effect_ax = axes[2, 0]
    on, off = max(settings), min(settings)
    findings = []
    for i, side in enumerate(sides):
        diff = (ds["hostility_mean"].sel({TRACK2: on}) - ds["hostility_mean"].sel({TRACK2: off})).isel(side=i).values  # (replicate, day)
        mean, low, high, n = mean_band(diff)
        effect_ax.fill_between(days, low, high, color=SIDE_COLOUR[i], alpha=0.25, lw=0)
        effect_ax.plot(days, mean, color=SIDE_COLOUR[i], label=side)
        rows.append(pd.DataFrame(dict(quantity="Track-II effect on mean hostility", side=side, track2=1, day=days, hostility_bin=np.nan,
                                      estimate=mean, low=low, high=high, n=n)))
        end = bootstrap_mean(diff[:, -1])
        findings.append(f"{side} {end.value:+.3f} [{end.low:+.3f}, {end.high:+.3f}]")
    effect_ax.axhline(0, color="grey", lw=0.5)
    effect_ax.set(xlabel="day after the attack", ylabel="difference in\nmean hostility", title="e  Track-II on minus off")
    effect_ax.legend(loc="lower left")
    axes[2, 1].axis("off")
    axes[2, 1].text(0, 0.3, f"n = {int(ds.sizes['replicate'])} per setting, same\nseeds with and without\nTrack-II; band: 95% interval", fontsize=6, va="center")
    finding = f"Track-II changes mean public hostility on day {int(days[-1])} by " + ", ".join(findings) + f" (n = {int(ds.sizes['replicate'])})"
    return fig, pd.concat(rows, ignore_index=True), finding
