"""Policy effects under parameter uncertainty (make policy): every institution setting against the status quo.

    python scripts/policy.py [--quick] [--draws N] [--posterior posteriors/status_quo.nc] [--out figures]

Runs each setting of model.lab.policy.SETTINGS on the same posterior draws
with the same random numbers (common random numbers), and reports each
paired effect's median, 90% interval and P(effect < 0). Writes
policy_effects.csv, policy_effects.md and policy_effects.png (a forest plot)
to --out. Nothing in the tables is typed in: they are computed here.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from experiments.common import OKABE_ITO, PNG_METADATA  # noqa: E402
from model.lab import inference, policy, posterior, progress  # noqa: E402

HEADLINE = ("p_rung4", "days_to_strike", "p_rescinded", "crisis_days", "per_decade")


def say(message: str) -> None:
    progress.say(message if message.startswith("[") else f"[policy] {message}")


def markdown(df: pd.DataFrame, metrics=None) -> str:
    """Settings as rows, metrics as columns: 'mean (median [5%, 95%]) P(<0)'."""
    metrics = metrics or list(policy.METRICS)
    lines = ["| setting | " + " | ".join(policy.METRICS[m][0] for m in metrics) + " |", "|---|" + "---|" * len(metrics)]
    base = df.groupby("metric")["baseline"].first()
    lines.append("| status quo (level) | " + " | ".join(f"{base[m]:.3g}" for m in metrics) + " |")
    for name, rows in df.groupby("setting", sort=False):
        cells = []
        for m in metrics:
            r = rows.set_index("metric").loc[m]
            cells.append("n/a" if not np.isfinite(r["median"]) else
                         f"{r['mean']:+.3g} ({r['median']:+.3g} [{r['low']:+.3g}, {r['high']:+.3g}]) P(<0) {r['p_negative']:.2f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def forest(df: pd.DataFrame, path: Path, n_draws: int) -> None:
    metrics = list(policy.METRICS)
    settings = list(dict.fromkeys(df["setting"]))
    fig, axes = plt.subplots(1, len(metrics), figsize=(2.3 * len(metrics), 0.42 * len(settings) + 1.6), sharey=True)
    y = np.arange(len(settings))[::-1]
    for ax, m in zip(axes, metrics):
        sub = df[df.metric == m].set_index("setting").loc[settings]
        ok = np.isfinite(sub["median"].to_numpy())
        colors = [OKABE_ITO["blue"] if p > 0.5 else OKABE_ITO["vermillion"] for p in sub["p_negative"].fillna(0.5)]
        ax.errorbar(sub["median"][ok], y[ok], xerr=[(sub["median"] - sub["low"])[ok], (sub["high"] - sub["median"])[ok]],
                    fmt="none", ecolor="0.5", capsize=2)
        ax.scatter(sub["median"][ok], y[ok], c=np.asarray(colors)[ok], s=18, zorder=3)
        ax.axvline(0, color="k", lw=0.6)
        ax.set_title(policy.METRICS[m][0], fontsize=7)
        ax.tick_params(labelsize=7)
    axes[0].set_yticks(y, settings, fontsize=7)
    fig.suptitle(f"Paired effects against the status quo: median and 90% interval over {n_draws} posterior draws "
                 "(blue: P(effect < 0) > 0.5)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=150, metadata=PNG_METADATA)
    plt.close(fig)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few draws, small runs (CI)")
    parser.add_argument("--draws", type=int, default=None, help="posterior draws (default 1000; quick 32)")
    parser.add_argument("--replicates", type=int, default=None, help="replicates per draw and setting (default 2)")
    parser.add_argument("--posterior", type=Path, default=None,
                        help="posterior file (default posteriors/status_quo.nc; quick: figures/quick/status_quo.nc if there)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    out = args.out or (ROOT / "figures" / ("quick" if args.quick else ""))
    file = args.posterior or (out / "status_quo.nc" if args.quick and (out / "status_quo.nc").exists() else posterior.DIR / "status_quo.nc")
    if not posterior.path_of(file).is_file():
        print(f"policy: no posterior file {file}: make calibrate writes it", file=sys.stderr)
        return 2
    scale = policy.Scale(population=50, media=4, replicates=2, long_draws=16, long_population=50, long_days=730, block=64) if args.quick else policy.Scale()
    if args.replicates:
        scale.replicates = args.replicates
    n = args.draws or (32 if args.quick else 1000)
    draws = posterior.draws(file, inference.NAMES)
    if n > len(draws):
        print(f"policy: --draws {n}: the posterior file holds {len(draws)}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    say(f"{len(policy.SETTINGS)} settings x {n} posterior draws x {scale.replicates} replicates ({file})")
    sim = policy.simulate(draws[:n], scale, args.seed, say=say)
    df = pd.DataFrame(policy.effects(sim))
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out / "policy_values.npz", settings=np.asarray(sim["settings"]), **sim["values"])  # per draw and setting
    df.to_csv(out / "policy_effects.csv", index=False)
    text = [f"Paired effects against the status quo over {n} posterior draws x {scale.replicates} replicates "
            f"({scale.population} citizens and {scale.media} outlets per side, {policy.DAYS} days; crises per decade from "
            f"{min(scale.long_draws, n)} of the draws, {scale.long_days} days of long_run each): "
            "mean effect (median [90% interval]) and P(effect < 0).", "", markdown(df, list(HEADLINE)), "", "All metrics:", "", markdown(df)]
    (out / "policy_effects.md").write_text("\n".join(text))
    plt.style.use(ROOT / "experiments" / "redphone.mplstyle")
    forest(df, out / "policy_effects.png", n)
    print("\n".join(text))
    say(f"done in {time.perf_counter() - started:.0f} s; {out / 'policy_effects.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
