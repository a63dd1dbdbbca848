"""Sobol indices and PRIM boxes for the status quo, on batched runs (make sensitivity).

    python scripts/sensitivity.py [--quick] [--n N] [--replicates R]

Sobol (SALib, Saltelli sampling, no second order) over model.lab.sensitivity.FACTORS,
crossed with hotline x Track-II; outputs P(peak rung >= 4), crisis days and
post-crisis hostility. PRIM (EMA Workbench) on the same runs: where is
P(peak rung >= 5) >= --prim-threshold? Writes into figures/: sobol.png,
sobol.csv, prim.png, prim_box.csv, prim_trajectory.csv, sensitivity_runs.csv.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from redphone import HOME  # noqa: E402

ROOT = HOME  # the checkout (or the installed package): configs/, data/, figures/ lie here

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from redphone.experiments.common import OKABE_ITO, PNG_METADATA, STYLE
from redphone.model.lab import progress, sensitivity
from redphone.model.lab.io import atomic_savefig, atomic_write_csv

LABELS = dict(p_rung4="P(peak rung >= 4)", crisis_days="crisis days", hostility_post="post-crisis hostility")


def say(message: str) -> None:
    """Progress on stderr (model.lab.progress: a line rewritten in place on a terminal, throttled lines in logs)."""
    progress.say(message if message.startswith("[") else f"[sensitivity] {message}")


def sobol_figure(indices: pd.DataFrame, path: Path) -> None:
    plt.style.use(STYLE)
    outputs = [o for o in sensitivity.OUTPUTS if o in set(indices.output)]
    fig, axes = plt.subplots(1, len(outputs), figsize=(5 * len(outputs), 6), sharey=True)
    axes = np.atleast_1d(axes)
    names = list(sensitivity.FACTORS)
    y = np.arange(len(names))
    hot, t2 = sensitivity.SWITCHES
    for ax, output in zip(axes, outputs):
        sq = indices[(indices.output == output) & (indices[hot] == 0) & (indices[t2] == 0)].set_index("parameter").loc[names]
        ax.barh(y - 0.2, sq.ST, 0.4, xerr=sq.ST_conf, color=OKABE_ITO["blue"], label="total ST (status quo)", capsize=2)
        ax.barh(y + 0.2, sq.S1, 0.4, xerr=sq.S1_conf, color=OKABE_ITO["orange"], label="first-order S1 (status quo)", capsize=2)
        markers = {(1, 0): ("^", "ST, hotline on"), (0, 1): ("v", "ST, Track-II on"), (1, 1): ("D", "ST, both on")}
        for (h, t), (m, label) in markers.items():
            other = indices[(indices.output == output) & (indices[hot] == h) & (indices[t2] == t)].set_index("parameter")
            if len(other):
                ax.scatter(other.loc[names].ST, y - 0.2, marker=m, color=OKABE_ITO["black"], s=14, label=label, zorder=3)
        ax.set_title(LABELS[output])
        ax.axvline(0, color="0.5", lw=0.5)
        ax.set_xlabel("Sobol index (95% bootstrap interval)")
    axes[0].set_yticks(y, names)
    axes[0].invert_yaxis()
    axes[-1].legend(fontsize=7, loc="lower right")
    fig.suptitle("Sobol indices of the status quo (india_pakistan_2025), crossed with hotline x Track-II")
    atomic_savefig(path, fig, dpi=150, metadata=PNG_METADATA)
    plt.close(fig)


def prim_figure(trajectory: pd.DataFrame, box: pd.DataFrame, prob: dict, chosen: int, path: Path) -> None:
    # the style lays figures out with constrained layout: tight_layout() after a colorbar raises
    plt.style.use(STYLE)
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4))
    sc = a.scatter(trajectory.coverage, trajectory.density, c=trajectory.res_dim, cmap="viridis", s=14)
    a.scatter([trajectory.loc[chosen, "coverage"]], [trajectory.loc[chosen, "density"]], facecolor="none", edgecolor="red", s=80, label="reported box")
    fig.colorbar(sc, ax=a, label="restricted dimensions")
    a.set_xlabel("coverage")
    a.set_ylabel("density")
    a.set_title("PRIM peeling trajectory")
    a.legend(fontsize=8)
    bounds = dict(zip(prob["names"], prob["bounds"]))
    for j, (name, row) in enumerate(box.iterrows()):
        lo, hi = bounds.get(name, (0, 1))
        if name not in bounds:  # a switch: show which levels remain
            b.text(0.5, j, f"{name.split('.')[-1]}: {row['min']}", ha="center", va="center", fontsize=8)
            continue
        x0 = (float(row["min"]) - lo) / (hi - lo)
        x1 = (float(row["max"]) - lo) / (hi - lo)
        b.plot([0, 1], [j, j], color="0.8", lw=6)
        b.plot([x0, x1], [j, j], color=OKABE_ITO["vermillion"], lw=6)
    b.set_yticks(range(len(box)), box.index)
    b.set_xlabel("position within the sampled range (0 = low end, 1 = high end)")
    b.set_title("box where P(rung >= 5) is high")
    atomic_savefig(path, fig, dpi=150, metadata=PNG_METADATA)
    plt.close(fig)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small N, few replicates (CI)")
    parser.add_argument("--n", type=int, default=None, help="Sobol base sample size (a power of 2)")
    parser.add_argument("--replicates", type=int, default=None)
    parser.add_argument("--prim-threshold", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=1962)
    parser.add_argument("--out", type=Path, default=ROOT / "figures")
    parser.add_argument("--reuse", action="store_true", help="reuse OUT/sensitivity_runs.csv from an earlier run of the same design")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.quick:
        n, reps, pop, media, chunk = args.n or 8, args.replicates or 4, 50, 4, 144
    else:
        n, reps, pop, media, chunk = args.n or 128, args.replicates or 8, 200, 8, 576
    prob, sample, settings, dims, _ = sensitivity.design(n, args.seed, population=pop, media=media)
    say(f"{len(sample)} Sobol points x {2 ** len(sensitivity.SWITCHES)} switch settings = {len(settings)} settings x {reps} replicates")
    args.out.mkdir(parents=True, exist_ok=True)
    if args.reuse:
        results = pd.read_csv(args.out / "sensitivity_runs.csv")
        assert len(results) == len(settings), "the saved runs are of another design"
    else:
        results = sensitivity.run(settings, dims, 120, reps, args.seed, chunk, say)
        atomic_write_csv(args.out / "sensitivity_runs.csv", results, index=False)
    indices = sensitivity.sobol(prob, results, len(sample), args.seed)
    atomic_write_csv(args.out / "sobol.csv", indices, index=False)
    sobol_figure(indices, args.out / "sobol.png")
    hot, t2 = sensitivity.SWITCHES
    sq = indices[(indices[hot] == 0) & (indices[t2] == 0)]
    for output in sensitivity.OUTPUTS:
        top = sq[sq.output == output].sort_values("ST", ascending=False).head(5)
        print(f"{LABELS[output]} (status quo; mean over settings {results[output].mean():.3f}):")
        for _, r in top.iterrows():
            print(f"  {r.parameter:28s} ST {r.ST:.3f} ± {r.ST_conf:.3f}   S1 {r.S1:.3f} ± {r.S1_conf:.3f}")
    mean_st = sq.groupby("parameter").ST.mean().sort_values(ascending=False)
    print("mean ST over the three outputs (status quo):", ", ".join(f"{k} {v:.3f}" for k, v in mean_st.head(5).items()))
    box, stats, share, traj = sensitivity.prim(sample, prob, results, args.prim_threshold)
    print(f"PRIM: {share:.3f} of settings have P(peak rung >= 5) >= {args.prim_threshold}")
    if box is not None:
        atomic_write_csv(args.out / "prim_box.csv", box)
        print(f"box: coverage {stats['coverage']:.3f}, density {stats['density']:.3f}, mass {stats['mass']:.3f}")
        print(box.to_string())
        atomic_write_csv(args.out / "prim_trajectory.csv", traj)
        prim_figure(traj, box, prob, int(stats.name), args.out / "prim.png")
    say(f"done in {time.perf_counter() - started:.0f} s; figures in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
