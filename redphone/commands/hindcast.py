"""Replay the record: the seven hindcast presets against the crises they stand for (make hindcast).

    python scripts/hindcast.py [--quick] [--replicates N] [--seed S] [--out DIR]

Runs each hindcast preset (model.lab.hindcast.HINDCASTS: kashmir_1990 ... pahalgam_2025)
as one stacked setting of one compiled call, N replicates of 365 days, and
draws for each crisis the simulated distributions of its peak rung, lag to the
first kinetic action, kinetic-phase length, duration and whether a third party
was involved, with the historical value marked. Writes <out>/hindcast.png/.pdf,
<out>/hindcast.csv (the table below) and <out>/hindcast.md: for each crisis and
statistic, the historical value, the simulated median and 90% range, the share
of runs without a kinetic action, and the percentile at which the historical
value falls (mid-rank; "no kinetic action" ranks above every lag).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from redphone import HOME  # noqa: E402

ROOT = HOME  # the checkout (or the installed package): configs/, data/, figures/ lie here

import numpy as np
import pandas as pd

from redphone.experiments.common import OKABE_ITO, figure, save
from redphone.model.lab import hindcast

COLUMNS = ("peak", "lag", "kinetic", "duration", "mediated")
TITLES = dict(peak="peak rung", lag="trigger to first\nkinetic action (days)", kinetic="kinetic phase (days)",
              duration="duration (days)", mediated="third party involved")


def draw(sim: dict, hist: dict):
    fig, axes = figure(height=1.15 * len(hindcast.HINDCASTS) + 0.6, width=9.0, nrows=len(hindcast.HINDCASTS), ncols=len(COLUMNS))
    for i, name in enumerate(hindcast.HINDCASTS):
        for j, stat in enumerate(COLUMNS):
            ax = axes[i, j]
            x, h = sim[name][stat], hist[name][stat]
            if stat in ("peak", "mediated"):
                levels = np.arange(7) if stat == "peak" else np.array([0, 1])
                share = [(np.round(x) == v).mean() for v in levels]
                ax.bar(levels, share, color=OKABE_ITO["sky"], width=0.8)
                ax.axvline(h, color=OKABE_ITO["vermillion"], lw=1.5)
                ax.set_xticks(levels if stat == "mediated" else [0, 2, 4, 6])
                if stat == "mediated":
                    ax.set_xticklabels(["no", "yes"])
            else:
                finite = x[~np.isnan(x)]
                none = np.mean(np.isnan(x))
                if len(finite):
                    ax.hist(finite, bins=np.linspace(0, max(60.0, np.percentile(finite, 97) if stat != "duration" else 365), 25),
                            color=OKABE_ITO["sky"], weights=np.full(len(finite), 1.0 / len(x)))
                ax.set_xlim(0, 365 if stat == "duration" else 60)
                if np.isfinite(h):
                    ax.axvline(h, color=OKABE_ITO["vermillion"], lw=1.5)
                    label = f"record {h:.0f}"
                else:
                    label = "record: none"
                ax.text(0.98, 0.92, f"{label}\nsim: none in {none:.1%}", transform=ax.transAxes, ha="right", va="top", fontsize=6)
            ax.set_yticks([])
            if i == 0:
                ax.set_title(TITLES[stat], fontsize=7)
            if j == 0:
                ax.set_ylabel(name.replace("_", " "), fontsize=7)
            ax.tick_params(labelsize=6)
    fig.subplots_adjust(left=0.07, right=0.99, top=0.95, bottom=0.04, hspace=0.45, wspace=0.15)
    return fig


def markdown(table: pd.DataFrame) -> str:
    lines = ["| crisis | statistic | record | simulated median [5%, 95%] | no kinetic action | percentile |", "|---|---|---|---|---|---|"]
    for row in table.itertuples():
        rec = "none" if np.isnan(row.historical) else f"{row.historical:g}"
        sim = "–" if np.isnan(row.median) else f"{row.median:g} [{row.low:g}, {row.high:g}]"
        none = f"{row.none_share:.0%}" if row.statistic in ("lag", "kinetic") else ""
        lines.append(f"| {row.crisis} | {row.statistic} | {rec} | {sim} | {none} | {row.percentile:.0f} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke run: 16 replicates of 200 citizens")
    parser.add_argument("--replicates", type=int, default=None)
    parser.add_argument("--population", type=int, default=None, help="citizens per side (default 500; quick 200)")
    parser.add_argument("--seed", type=int, default=1990)
    parser.add_argument("--out", type=Path, default=ROOT / "figures")
    args = parser.parse_args(argv)
    replicates = args.replicates or (16 if args.quick else 200)
    population = args.population or (200 if args.quick else 500)
    if replicates < 1 or population < 2:
        print("hindcast: --replicates must be >= 1 and --population >= 2", file=sys.stderr)
        return 2
    started = time.perf_counter()
    print(f"== hindcast: 7 crises x {replicates} replicates x {hindcast.DAYS} days, {population} citizens per side", file=sys.stderr)
    sim = hindcast.simulate(replicates, args.seed, population=population, media=10 if not args.quick else 5)
    hist = hindcast.historical()
    table = pd.DataFrame(hindcast.table(sim, hist))
    paths = save(draw(sim, hist), table, args.out, "hindcast")
    (args.out / "hindcast.md").write_text(markdown(table))
    print(markdown(table))
    extreme = table[(table["percentile"] < 5) | (table["percentile"] > 95)]
    print(f"== {len(extreme)} of {len(table)} historical values outside the simulated 5-95% range; "
          f"took {time.perf_counter() - started:.0f} s; wrote {', '.join(str(p) for p in paths)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
