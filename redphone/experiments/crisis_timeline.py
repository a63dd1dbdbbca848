"""Crisis level over time in the 2025 crisis under four institutional frameworks.

Config: configs/experiment/crisis_timeline.yaml (one job per framework).
Left: mean crisis level per day with its 95 % band; right: P(peak rung >= 4)
with its Wilson interval.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from redphone.experiments import common
from redphone.experiments.common import FRAMEWORK_COLOUR, FRAMEWORK_LABEL, FRAMEWORKS, figure, fmt
from redphone.model.lab import measures
from redphone.model.lab.stats import mean_band

QUICK = [*common.QUICK]
SHORT = dict(status_quo="status quo", adhoc_hotline="ad hoc", automatic_hotline="automatic", full_framework="full")


def draw(ds, summary: pd.DataFrame):
    frameworks = [f for f in FRAMEWORKS if f in set(ds["framework"].values)]
    fig, (left, right) = figure(height=2.8, ncols=2, gridspec_kw=dict(width_ratios=[1.9, 1]))
    rows, peaks = [], {}
    days = ds["day"].values
    for name in frameworks:
        level = ds["crisis_level"].sel(framework=name).values  # (replicate, day)
        mean, low, high, n = mean_band(level)
        colour = FRAMEWORK_COLOUR[name]
        left.fill_between(days, low, high, color=colour, alpha=0.2, lw=0)
        left.plot(days, mean, color=colour, label=FRAMEWORK_LABEL[name].replace("\n", " "))
        rows.append(pd.DataFrame(dict(quantity="mean crisis level", framework=name, day=days, estimate=mean, low=low, high=high, n=n)))
        peak = summary.loc[summary["framework"] == name, "peak_rung"].to_numpy()
        peaks[name] = measures.peak_interval(peak, measures.STRIKES)
    for i, name in enumerate(frameworks):
        est = peaks[name]
        right.errorbar(i, est.value, yerr=[[est.value - est.low], [est.high - est.value]], fmt="o", color=FRAMEWORK_COLOUR[name])
        rows.append(pd.DataFrame(dict(quantity="P(peak rung >= 4)", framework=[name], day=[np.nan], estimate=[est.value], low=[est.low], high=[est.high], n=[est.n])))
    n = int(ds.sizes["replicate"])
    left.set(xlabel="day after the attack", ylabel="crisis level (rung)", ylim=(0, None), title=f"a  mean crisis level (95% band, n = {n})")
    fig.legend(*left.get_legend_handles_labels(), loc="outside lower center", ncols=2, handlelength=1.2)
    right.set_xticks(range(len(frameworks)), [SHORT[f] for f in frameworks], rotation=45, ha="right")
    right.set(ylabel="P(peak rung >= 4)", ylim=(0, 1), title="b  strikes")
    base, auto = peaks.get("status_quo"), peaks.get("automatic_hotline")
    finding = "P(peak rung >= 4): " + "; ".join(f"{FRAMEWORK_LABEL[f].replace(chr(10), ' ')} {fmt(peaks[f])}" for f in frameworks)
    if base and auto:
        finding += f"; automatic hotline minus status quo = {auto.value - base.value:+.2f}"
    return fig, pd.concat(rows, ignore_index=True), finding
