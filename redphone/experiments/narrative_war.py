"""The narrative war: each side's media victory claims and its public's hostility around the first
ceasefire of the 2025 crisis, without and with responsible-media rules.

Config: configs/experiment/narrative_war.yaml (grid over institutions.responsible_media).
Each replicate is aligned on its first ceasefire day; replicates without a
ceasefire are left out (their count is shown). Bands: 95 % intervals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from redphone.experiments import common
from redphone.experiments.common import SIDE_COLOUR, figure, side_names
from redphone.model.lab.stats import bootstrap_mean

QUICK = [*common.QUICK]
RULES = "institutions.responsible_media"
BEFORE, AFTER = 10, 60


def aligned(series: np.ndarray, ceasefire: np.ndarray, before: int, after: int) -> np.ndarray:
    """(replicate, day[, side]) -> (replicate with a ceasefire, before + after + 1[, side]), day 0 = first ceasefire; NaN past the run."""
    out = []
    days = series.shape[1]
    for r in range(series.shape[0]):
        hits = np.flatnonzero(ceasefire[r] > 0.5)
        if not hits.size:
            continue
        window = np.full((before + after + 1,) + series.shape[2:], np.nan)
        lo, hi = hits[0] - before, hits[0] + after + 1
        window[max(0, -lo): (before + after + 1) - max(0, hi - days)] = series[r, max(lo, 0): min(hi, days)]
        out.append(window)
    return np.array(out).reshape((len(out), before + after + 1) + series.shape[2:])


def _band(x):
    n = np.sum(~np.isnan(x), axis=0)
    mean = np.nanmean(x, axis=0) if len(x) else np.full(x.shape[1:], np.nan)
    sd = np.nanstd(x, axis=0, ddof=1) if len(x) > 1 else np.zeros_like(mean)
    half = 1.96 * sd / np.sqrt(np.maximum(n, 1))
    return mean, mean - half, mean + half, n


def draw(ds, summary: pd.DataFrame):
    sides = side_names(ds)
    settings = [float(v) for v in ds[RULES].values]
    lags = np.arange(-BEFORE, AFTER + 1)
    fig, axes = figure(height=3.7, nrows=2, sharex=True)
    rows, counts, end_hostility = [], {}, {}
    for setting in settings:
        one = ds.sel({RULES: setting})
        ceasefire = one["ceasefire"].values
        style = "--" if setting else "-"
        rule = "rules" if setting else "no rules"
        for ax, var, label in ((axes[0], "victory_claims", "media victory claims"), (axes[1], "hostility_mean", "mean public hostility")):
            x = aligned(one[var].values, ceasefire, BEFORE, AFTER)  # (replicate, lag, side)
            counts[setting] = len(x)
            for i, side in enumerate(sides):
                with np.errstate(all="ignore"):
                    mean, low, high, n = _band(x[..., i]) if len(x) else (np.full(lags.shape, np.nan),) * 3 + (np.zeros(lags.shape, int),)
                ax.fill_between(lags, low, high, color=SIDE_COLOUR[i], alpha=0.15, lw=0)
                ax.plot(lags, mean, color=SIDE_COLOUR[i], ls=style, label=f"{side}, {rule}")
                rows.append(pd.DataFrame(dict(quantity=label, side=side, responsible_media=int(setting), days_since_ceasefire=lags,
                                              estimate=mean, low=low, high=high, n=n)))
                if var == "hostility_mean" and len(x):
                    end_hostility[(setting, side)] = bootstrap_mean(x[:, BEFORE + 30, i])
    total = int(ds.sizes["replicate"])
    axes[0].set(ylabel="victory claims", title="a  each side's media claim victory")
    axes[1].set(ylabel="mean hostility", xlabel="days since the first ceasefire", title="b  the public after the ceasefire")
    for ax in axes:
        ax.axvline(0, color="grey", lw=0.5, ls=":")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=2, fontsize=5.5,
               title="replicates with a ceasefire: " + ", ".join(f"{'rules' if s else 'no rules'} {counts[s]}/{total}" for s in settings), title_fontsize=5.5)
    parts = [f"{side} {'with' if s else 'without'} rules {e.value:.3f} [{e.low:.3f}, {e.high:.3f}] (n = {e.n})" for (s, side), e in sorted(end_hostility.items())]
    effects = []
    for side in sides:
        without, with_ = end_hostility.get((min(settings), side)), end_hostility.get((max(settings), side))
        if without and with_:  # difference of independent means, interval from the two bootstrap half-widths
            half = np.hypot((without.high - without.low) / 2, (with_.high - with_.low) / 2)
            effects.append(f"{side} {with_.value - without.value:+.3f} [{with_.value - without.value - half:+.3f}, {with_.value - without.value + half:+.3f}]")
    finding = "mean hostility 30 days after the first ceasefire: " + ("; ".join(parts) if parts else "no replicate reached a ceasefire")
    if effects:
        finding += "; rules minus no rules: " + ", ".join(effects)
    return fig, pd.concat(rows, ignore_index=True), finding
