"""The chance that the 2025 crisis ends in a new institution, against the strategic culture.

Config: configs/experiment/institution_window.yaml (grid over dyad.strategic_culture).
Among replicates whose crisis ended within the run: the share that created at
least one institution (hotline, backchannel or CBMs), with Wilson intervals,
and which ones.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from redphone.experiments import common
from redphone.experiments.common import OKABE_ITO, figure, fmt
from redphone.model.lab.stats import proportion

QUICK = [*common.QUICK, "grid.dyad.strategic_culture=[0.0,1.0]"]
CULTURE = "dyad.strategic_culture"
PRESETS = {"India-Pakistan 2025": 0.2, "US-USSR 1962": 0.8}


def crisis_ended(in_crisis: np.ndarray) -> np.ndarray:
    """Per replicate (leading axis), whether a crisis ended: in_crisis fell from 1 to 0 on some day."""
    flags = np.asarray(in_crisis) > 0.5
    return np.any(flags[..., :-1] & ~flags[..., 1:], axis=-1)


def draw(ds, summary: pd.DataFrame):
    cultures = [float(c) for c in ds[CULTURE].values]
    institutions = [str(i) for i in ds["institution"].values]
    colours = dict(any=OKABE_ITO["black"], hotline=OKABE_ITO["orange"], backchannel=OKABE_ITO["sky"], cbm=OKABE_ITO["green"])
    fig, ax = figure(height=2.4)
    rows, curves = [], {k: [] for k in ["any", *institutions]}
    ended_n = []
    for culture in cultures:
        one = ds.sel({CULTURE: culture})
        ended = crisis_ended(one["in_crisis"].values)
        created = one["established"].isel(day=-1).values - one["established"].isel(day=0).values > 0.5  # (replicate, institution)
        ended_n.append(int(ended.sum()))
        for name, flags in [("any", created.any(axis=1)), *((inst, created[:, i]) for i, inst in enumerate(institutions))]:
            est = proportion(flags[ended])
            curves[name].append(est)
            rows.append(dict(strategic_culture=culture, institution=name, estimate=est.value, low=est.low, high=est.high, n=est.n))
    for name, ests in curves.items():
        v = np.array([e.value for e in ests])
        err = np.array([[e.value - e.low for e in ests], [e.high - e.value for e in ests]])
        ax.errorbar(cultures, v, yerr=err, marker="o" if name == "any" else ".", color=colours.get(name, "grey"),
                    lw=1.3 if name == "any" else 0.8, label="any new institution" if name == "any" else name)
    for label, value in PRESETS.items():
        ax.axvline(value, color="grey", lw=0.5, ls=":")
        ax.text(value, 1.0, label, fontsize=5.5, rotation=90, va="top", ha="right", color="grey")
    ax.set(xlabel="strategic culture (crisis seen as an opening)", ylabel="P(crisis ends in a new institution)", ylim=(0, 1.02),
           title=f"crises that ended: n = {min(ended_n)}{'' if min(ended_n) == max(ended_n) else f'-{max(ended_n)}'} of {int(ds.sizes['replicate'])} per point")
    ax.legend(loc="upper left")
    finding = f"P(new institution | crisis ended) rises from {fmt(curves['any'][0])} at culture {cultures[0]:g} to {fmt(curves['any'][-1])} at {cultures[-1]:g}"
    return fig, pd.DataFrame(rows), finding
