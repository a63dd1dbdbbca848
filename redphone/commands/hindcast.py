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

Beside it, the ranking test (model.lab.hindcast.ranking, scored, verdict):
<out>/hindcast_scores.md, the rank correlation of the presets' medians with the
record (duration, peak, lag) and each crisis's proper score against the pooled
null, with whether the goal is met; <out>/hindcast_ranking.png/.pdf/.csv, the
simulated median and 90% range of each measure against the record, crisis by
crisis, with the scores in the panel titles.
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
from redphone.model.lab import hindcast, measures, scores
from redphone.model.lab.io import atomic_write_text

COLUMNS = ("peak", "lag", "strike", "kinetic", "duration", "mediated")
NEVER_SHARE = ("lag", "strike", "kinetic")  # measures where the table shows the share of runs where it never happened
TITLES = dict(peak="peak rung", lag="trigger to first\nforce (days)", strike="trigger to first strike\non territory (days)",
              kinetic="first force to\ncrisis end (days)", duration="duration (days)", mediated="third party involved")
RULE_NAMES = dict(crps="CRPS, days", log="log loss")


def draw(sim: dict, hist: dict):
    fig, axes = figure(height=1.15 * len(hindcast.HINDCASTS) + 0.6, width=10.5, nrows=len(hindcast.HINDCASTS), ncols=len(COLUMNS))
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
    lines = ["| crisis | statistic | record | simulated median [5%, 95%] | never happened | percentile |", "|---|---|---|---|---|---|"]
    for row in table.itertuples():
        rec = "none" if np.isnan(row.historical) else f"{row.historical:g}"
        sim = "–" if np.isnan(row.median) else f"{row.median:g} [{row.low:g}, {row.high:g}]"
        none = f"{row.none_share:.0%}" if row.statistic in NEVER_SHARE else ""
        lines.append(f"| {row.crisis} | {row.statistic} | {rec} | {sim} | {none} | {row.percentile:.0f} |")
    return "\n".join(lines) + "\n"


def draw_ranking(sim: dict, hist: dict, verdict: dict):
    """Per ranked measure: each crisis's simulated median and 90% range against the record, scores in the title."""
    names = list(hindcast.HINDCASTS)
    fig, axes = figure(height=2.6, width=10.5, ncols=len(hindcast.RANKED))
    for ax, stat in zip(axes, hindcast.RANKED):
        values = [measures.as_number(stat, sim[n][stat]) for n in names]
        low, mid, high = (np.array([np.percentile(v, q) for v in values]) for q in (5, 50, 95))
        x = np.arange(len(names))
        ax.errorbar(x, mid, yerr=[mid - low, high - mid], fmt="o", color=OKABE_ITO["blue"], ms=4, capsize=2, label="simulated median, 90% range")
        rec = np.array([float(measures.as_number(stat, hist[n][stat])) for n in names])
        ax.scatter(x, rec, marker="x", color=OKABE_ITO["vermillion"], s=40, zorder=3, label="record")
        ax.set_xticks(x)
        ax.set_xticklabels([n.rsplit("_", 1)[1] for n in names], fontsize=7)
        model, null = verdict["mean"][stat]
        rule = RULE_NAMES[scores.RULES[stat]]
        ax.set_title(f"{TITLES[stat].replace(chr(10), ' ')}\nrank corr. {verdict['rho'][stat]:.2f}; {rule}: model {model:.2f}, null {null:.2f}", fontsize=7)
        if stat in measures.NEVER and stat != "duration":
            ax.text(0.5, 0.98, f"none = {measures.NEVER[stat]:g}", transform=ax.transAxes, ha="center", va="top", fontsize=6)
        ax.tick_params(labelsize=6)
    axes[0].legend(fontsize=6, loc="upper right")
    return fig


def scores_markdown(ranks: list[dict], rows: list[dict], verdict: dict) -> str:
    """The ranking test as text: rank correlations, per-crisis scores against the null, and the goal."""
    lines = ["| measure | rank correlation of the presets' medians with the record (Spearman, 7 crises) |", "|---|---|"]
    lines += [f"| {r['measure']} | {r['rho']:.2f} |" for r in ranks]
    head = " | ".join(f"{m} {RULE_NAMES[scores.RULES[m]]}: model / null" for m in hindcast.SCORED)
    lines += ["", f"| crisis | {head} |", "|---|" + "---|" * len(hindcast.SCORED)]
    by = {(r["crisis"], r["measure"]): r for r in rows}
    for name in hindcast.HINDCASTS:
        lines.append(f"| {name} | " + " | ".join(f"{by[name, m]['model']:.2f} / {by[name, m]['null']:.2f}" for m in hindcast.SCORED) + " |")
    lines.append("| **mean** | " + " | ".join(f"**{verdict['mean'][m][0]:.2f} / {verdict['mean'][m][1]:.2f}**" for m in hindcast.SCORED) + " |")
    beats = ", ".join(f"{m}: {'yes' if verdict['beats'][m] else 'no'}" for m in hindcast.SCORED)
    lines += ["", f"Lower scores are better. Model beats the pooled null: {beats}. Goal (beats the null on "
              f"{' and '.join(hindcast.BEAT_NULL)}, rank correlation of durations >= {hindcast.GOAL_RANK}): "
              f"**{'met' if verdict['met'] else 'not met'}**."]
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
    atomic_write_text(args.out / "hindcast.md", markdown(table))
    print(markdown(table))
    ranks, rows = hindcast.ranking(sim, hist), hindcast.scored(sim, hist)
    verdict = hindcast.verdict(ranks, rows)
    paths += save(draw_ranking(sim, hist, verdict), pd.DataFrame(rows), args.out, "hindcast_ranking")
    atomic_write_text(args.out / "hindcast_scores.md", scores_markdown(ranks, rows, verdict))
    print(scores_markdown(ranks, rows, verdict))
    extreme = table[(table["percentile"] < 5) | (table["percentile"] > 95)]
    print(f"== {len(extreme)} of {len(table)} historical values outside the simulated 5-95% range; "
          f"took {time.perf_counter() - started:.0f} s; wrote {', '.join(str(p) for p in paths)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
