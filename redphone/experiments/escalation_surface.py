"""P(peak rung >= 4) and mean crisis days over Track-II reach x media nationalism, hotline off and automatic.

Config: configs/experiment/escalation_surface.yaml (grid track2.reach x media.slant
in each job; one job per hotline setting). Lines: Track-II reach (share of the
public newly reached per month); x: the outlets' mean nationalist slant.
Error bars: Wilson (proportions) and bootstrap (means) 95 % intervals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from redphone.experiments import common
from redphone.experiments.common import figure, fmt
from redphone.model.lab import measures
from redphone.model.lab.stats import bootstrap_mean

QUICK = [*common.QUICK, "grid.track2.reach=[0.0,0.4]", "grid.media.slant=[0.6]"]
REACH, SLANT, HOTLINE = "track2.reach", "media.slant", "institutions.hotline"


def draw(ds, summary: pd.DataFrame):
    reaches = sorted(summary[REACH].unique())
    slants = sorted(summary[SLANT].unique())
    hotlines = sorted(summary[HOTLINE].unique())
    fig, axes = figure(height=3.2, nrows=2, ncols=len(hotlines), sharex=True, sharey="row", squeeze=False)
    import matplotlib.pyplot as plt  # noqa: PLC0415

    colours = plt.get_cmap("cividis")(np.linspace(0.0, 0.85, len(reaches)))
    rows = []
    dodge = (np.arange(len(reaches)) - (len(reaches) - 1) / 2) * 0.008
    for col, hotline in enumerate(hotlines):
        for r, reach in enumerate(reaches):
            high_p, days = [], []
            for slant in slants:
                part = summary[(summary[HOTLINE] == hotline) & (summary[REACH] == reach) & (summary[SLANT] == slant)]
                p = measures.peak_interval(part["peak_rung"].to_numpy(), measures.STRIKES)
                d = bootstrap_mean(part["crisis_days"].to_numpy())
                high_p.append(p)
                days.append(d)
                for quantity, est in (("P(peak rung >= 4)", p), ("mean crisis days", d)):
                    rows.append(dict(quantity=quantity, hotline="automatic" if hotline else "off", track2_reach=reach, media_slant=slant,
                                     estimate=est.value, low=est.low, high=est.high, n=est.n))
            x = np.asarray(slants) + dodge[r]
            for row, ests in ((0, high_p), (1, days)):
                v = np.array([e.value for e in ests])
                err = np.array([[e.value - e.low for e in ests], [e.high - e.value for e in ests]])
                axes[row, col].errorbar(x, v, yerr=err, color=colours[r], marker="o", label=f"{reach:g}")
        axes[0, col].set_title(f"{'ab'[col]}  hotline {'automatic' if hotline else 'off'}")
        axes[1, col].set_xlabel("media nationalist slant")
    axes[0, 0].set(ylabel="P(peak rung >= 4)", ylim=(0, 1))
    axes[1, 0].set(ylabel="mean crisis days")
    n = int(summary.groupby([HOTLINE, REACH, SLANT]).size().min())
    axes[0, -1].legend(title=f"Track-II reach / month\n(n = {n} per point)", loc="upper left", fontsize=5.5, title_fontsize=5.5)
    table = pd.DataFrame(rows)
    p = table[table["quantity"] == "P(peak rung >= 4)"]
    worst = p.loc[p["estimate"].idxmax()]
    best = p.loc[p["estimate"].idxmin()]
    by = lambda hotline: measures.peak_interval(summary.loc[summary[HOTLINE] == hotline, "peak_rung"].to_numpy(), measures.STRIKES)  # noqa: E731
    finding = (
        f"P(peak rung >= 4) ranges from {best.estimate:.2f} [{best.low:.2f}, {best.high:.2f}] (hotline {best.hotline}, reach {best.track2_reach:g}, slant {best.media_slant:g}) "
        f"to {worst.estimate:.2f} [{worst.low:.2f}, {worst.high:.2f}] (hotline {worst.hotline}, reach {worst.track2_reach:g}, slant {worst.media_slant:g}); "
        + "pooled over the grid: " + "; ".join(f"hotline {'automatic' if h else 'off'} {fmt(by(h))}" for h in hotlines)
    )
    return fig, table, finding
