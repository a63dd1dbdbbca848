"""Thirty years of random triggers: crises per decade and their peak rungs, status quo against the
full framework, beside the India-Pakistan record of the nuclear era (1990-2025).

Config: configs/experiment/long_run.yaml (one job per framework).
Left: crises per decade (model: bootstrap mean over replicates; record: exact
Poisson interval). Right: share of crises by peak rung (Wilson intervals; a
model crisis is a run of days in crisis, its peak the highest crisis level in it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from redphone.experiments import common
from redphone.experiments.common import FRAMEWORK_COLOUR, FRAMEWORK_LABEL, FRAMEWORKS, figure, fmt
from redphone.model.lab import measures, record
from redphone.model.lab.stats import bootstrap_mean, poisson_rate, proportion

QUICK = [*common.QUICK, "replicates=24", "batch.chunk=6"]  # 24 years in chunks of the shared shape
RUNGS = range(2, 7)
RECORD_YEARS = (record.NUCLEAR_ERA_START, 2025)
GREY = "#777777"


def draw(ds, summary: pd.DataFrame):
    frameworks = [f for f in FRAMEWORKS if f in set(ds["framework"].values)]
    table = record.nuclear_era(record.load())
    years = RECORD_YEARS[1] - RECORD_YEARS[0] + 1
    fig, (left, right) = figure(height=2.9, ncols=2, gridspec_kw=dict(width_ratios=[1, 2.2]))
    rows, labels = [], []
    rate = poisson_rate(len(table), years / 10)
    estimates = [("record", "India-Pakistan\n1990-2025", rate, GREY)]
    for name in frameworks:
        crises = measures.per_decade(summary.loc[summary["framework"] == name, "crises"].to_numpy(), ds.sizes["day"])
        estimates.append((name, FRAMEWORK_LABEL[name].split("\n")[0].replace(" +", ""), bootstrap_mean(crises), FRAMEWORK_COLOUR[name]))
    for i, (key, label, est, colour) in enumerate(estimates):
        left.errorbar(i, est.value, yerr=[[est.value - est.low], [est.high - est.value]], fmt="o", color=colour)
        labels.append(label)
        rows.append(dict(quantity="crises per decade", source=key, peak_rung=np.nan, estimate=est.value, low=est.low, high=est.high, n=est.n))
    left.set_xticks(range(len(labels)), ["record", *("status quo" if f == "status_quo" else "full" for f in frameworks)], rotation=45, ha="right")
    left.set_yscale("log")
    left.set(ylabel="crises per decade (log scale)", xlim=(-0.5, len(labels) - 0.5), title="a  frequency")

    peaks = {"record": table["peak_rung"].to_numpy()}
    for name in frameworks:
        one = ds.sel(framework=name)
        peaks[name] = measures.episode_peaks(one["crisis_level"].values, one["in_crisis"].values)
    sources = ["record", *frameworks]
    width = 0.8 / len(sources)
    shares = {}
    for j, source in enumerate(sources):
        colour = GREY if source == "record" else FRAMEWORK_COLOUR[source]
        ests = [proportion(peaks[source] == rung) if len(peaks[source]) else proportion([]) for rung in RUNGS]
        shares[source] = ests
        x = np.arange(len(RUNGS)) + (j - (len(sources) - 1) / 2) * width
        v = np.array([e.value for e in ests])
        err = np.array([[e.value - e.low for e in ests], [e.high - e.value for e in ests]])
        name = "record 1990-2025" if source == "record" else FRAMEWORK_LABEL[source].replace("\n", " ")
        right.bar(x, np.nan_to_num(v), width, color=colour, label=f"{name}, {len(peaks[source])} crises")
        right.errorbar(x, np.nan_to_num(v), yerr=np.nan_to_num(err), fmt="none", ecolor="#444444", elinewidth=0.6)
        for rung, est in zip(RUNGS, ests):
            rows.append(dict(quantity="share of crises by peak rung", source=source, peak_rung=rung, estimate=est.value, low=est.low, high=est.high, n=est.n))
    right.set_xticks(range(len(RUNGS)), [str(r) for r in RUNGS])
    right.set(xlabel="peak rung of a crisis", ylabel="share of crises", ylim=(0, 1), title=f"b  peak rungs ({int(ds.sizes['replicate'])} x {ds.sizes['day'] / measures.DAYS_PER_DECADE * 10:.0f} y)")
    fig.legend(*right.get_legend_handles_labels(), loc="outside lower center", fontsize=5.5)
    parts = [f"record {fmt(rate)}"] + [f"{FRAMEWORK_LABEL[f].replace(chr(10), ' ')} {fmt(e[2])}" for f, e in zip(frameworks, estimates[1:])]
    high = "; ".join(f"{'record' if s == 'record' else FRAMEWORK_LABEL[s].replace(chr(10), ' ')} {fmt(measures.peak_interval(peaks[s], measures.STRIKES))}" for s in sources)
    finding = "crises per decade: " + "; ".join(parts) + f". Share of crises peaking at rung >= 4: {high}"
    return fig, pd.DataFrame(rows), finding
