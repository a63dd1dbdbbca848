"""What carries each institution's effect, and how far the social drivers move the decision (make pathways).

    python scripts/pathways.py [--replicates N] [--quick] [--out figures]

At the posterior median (the presets hold it), on the 2025 status quo and on
uri_2016 (a first strike without precedent): each institution under every
on/off subset of its pathways (the knock-outs among them), each social driver
at two ends, and full war as a choice. Writes to --out (default figures/;
--quick: 40 replicates of 50 citizens into figures/quick/: a smoke run),
each file atomically:

  pathways.md           the knock-out and Shapley tables, the takeover check, the levels, the drivers (make docs splices it in)
  pathways.csv          knock-out shares
  pathways_shapley.csv  Shapley values and shares, effects alone, the residual row: the data of
  pathways_shapley.png  the Shapley shares with their intervals, per institution and preset
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from redphone import HOME
from redphone.commands.policy import write_csv, write_figure
from redphone.experiments.common import OKABE_ITO, STYLE
from redphone.model.lab import io, pathways

import matplotlib.pyplot as plt  # noqa: E402  (after common: the Agg backend)

ROOT = HOME  # the checkout (or the installed package): figures/ lies here
COLOUR = dict(zip(pathways.INSTITUTIONS, (OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["green"])))


def shapley_figure(rows: pd.DataFrame, n: int, metric: str = "p_rung4") -> plt.Figure:
    """One panel per preset, one row per pathway (and the residual): Shapley share with its 90% interval, beside the
    pathway's effect alone and its knock-out loss, each over the institution's effect."""
    plt.style.use(STYLE)
    d = rows[rows.metric == metric]
    labels = list(dict.fromkeys(zip(d["institution"], d["parameter"])))
    y = np.arange(len(labels))[::-1]
    fig, axes = plt.subplots(1, len(pathways.PRESETS), figsize=(3.3 * len(pathways.PRESETS) + 2.2, 0.24 * len(labels) + 1.6),
                             sharex=True, sharey=True, squeeze=False)
    for ax, preset in zip(axes[0], pathways.PRESETS):
        sub = d[d.preset == preset].set_index(["institution", "parameter"]).loc[labels]
        colours = [COLOUR[inst] for inst, _ in labels]
        ax.hlines(y, sub["share_low"], sub["share_high"], color=colours, lw=1.4)
        ax.scatter(sub["share"], y, c=colours, s=18, zorder=3, label="Shapley share [90%]")
        with np.errstate(divide="ignore", invalid="ignore"):
            ax.scatter(sub["alone"] / sub["effect"], y, facecolors="none", edgecolors="0.3", s=18, zorder=3, label="alone")
            ax.scatter(sub["knock_out"] / sub["effect"], y, marker="x", color="0.3", s=14, lw=0.8, zorder=3, label="knock-out")
        ax.axvline(0.5, color="k", lw=0.6, ls="--")
        ax.axvline(0.0, color="k", lw=0.6)
        effects = ", ".join(f"{inst} {sub.loc[inst]['effect'].iloc[0]:+.2f}" for inst in pathways.INSTITUTIONS)
        ax.set_title(f"{preset}\neffect: {effects}", fontsize=7)
        ax.set_xlabel(f"share of the effect on {pathways.METRICS[metric]}", fontsize=7)
        ax.tick_params(labelsize=7)
        ax.grid(axis="x", lw=0.3, alpha=0.5)
    axes[0, 0].set_yticks(y, [p for _, p in labels], fontsize=7)
    axes[0, -1].legend(fontsize=6, loc="lower right", frameon=False)
    fig.suptitle(f"What carries each institution's effect at the posterior median ({n} paired replicates; colour: institution; "
                 "dashed: one half)", fontsize=8)
    return fig


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replicates", type=int, default=pathways.Scale.replicates)
    parser.add_argument("--quick", action="store_true", help="40 replicates of 50 citizens, into figures/quick (a smoke run)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.replicates < 10:
        parser.error(f"--replicates = {args.replicates}: needs at least 10")
    out = args.out or ROOT / "figures" / ("quick" if args.quick else "")
    scale = pathways.Scale(replicates=40, population=50) if args.quick else pathways.Scale(replicates=args.replicates)
    started = time.monotonic()
    outcomes, knock_out, shapley, takeovers = {}, [], [], []
    for preset in pathways.PRESETS:
        for inst in pathways.INSTITUTIONS:
            runs = pathways.settings(inst, preset, every_subset=True)
            print(f"[pathways] {preset}, {inst}: {len(runs)} settings x {scale.replicates} replicates "
                  f"({time.monotonic() - started:.0f} s)", flush=True)
            outcomes[preset, inst] = pathways.measure(runs, scale)
            for metric in pathways.METRICS:
                knock_out += pathways.shares(outcomes[preset, inst], inst, metric, preset)
                rows = pathways.shapley(outcomes[preset, inst], inst, metric, preset)
                shapley += rows
                if metric == "p_rung4" and (row := pathways.takeover(outcomes[preset, inst], rows)) is not None:
                    takeovers.append(row)
    runs = pathways.driver_settings()
    print(f"[pathways] social drivers: {len(runs)} settings x {scale.replicates} replicates ({time.monotonic() - started:.0f} s)", flush=True)
    drivers = pathways.measure(runs, scale)
    text = (f"At the posterior median ({scale.replicates} paired replicates per setting, {scale.population} citizens per side, "
            f"{pathways.DAYS} days, seed {scale.seed}; `make pathways`).\n\n"
            "Each channel's pathways knocked out in turn (share = 1 - effect left / effect):\n\n"
            + pathways.markdown(knock_out, scale.replicates)
            + "\nThe effect split fairly among the pathways (Shapley values over every on/off subset of them; effect alone: "
            "only that pathway on, against none; knock-out loss: the effect lost when only that pathway is off; the row "
            f"\"{pathways.NO_PATHWAY}\" is the effect with every listed pathway at 0, so the shares and it add to 1):\n\n"
            + pathways.shapley_markdown(shapley, scale.replicates)
            + "\nWhere one pathway carries more than one half (on P(peak rung >= 4), beyond its noise), that pathway held at 0 "
            "and the smaller effect left split again among the rest: if another then carries most of it, the effect leans on "
            "the term of the decision they both ease, not on one assumed number:\n\n"
            + pathways.takeover_markdown(takeovers, scale.replicates) + "\nThe levels behind the knock-outs:\n\n" + pathways.level_table(outcomes)
            + "\nThe social drivers, each at two ends with everything else at the posterior median:\n\n" + pathways.driver_table(drivers))
    out.mkdir(parents=True, exist_ok=True)
    shapley = pd.DataFrame(shapley)
    io.atomic_write_text(out / "pathways.md", text)
    write_csv(out / "pathways.csv", pd.DataFrame(knock_out))
    write_csv(out / "pathways_shapley.csv", shapley)
    write_figure(out / "pathways_shapley.png", shapley_figure(shapley, scale.replicates))
    print(text)
    print(f"[pathways] done in {time.monotonic() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
