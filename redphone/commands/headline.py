"""The headline numbers of README and docs/validation.md: the status quo against single institutions.

    python scripts/headline.py [--replicates N] [--population N] [--days N] [--seed S]

Runs the `india_pakistan_2025` preset (the Pahalgam-like crisis) under each
headline setting of configs/policy/settings.yaml as stacked settings of one compiled call, on the same replicate
keys (common random numbers), and prints a Markdown table: P(peak rung >= 3,
>= 4, >= 5) with Wilson 95% intervals, the median days from the trigger to the
first strike among runs with one, the share of runs in which a strike order
was rescinded, and mean crisis days. Only replicate noise is in the intervals:
parameter uncertainty is the calibration issue's (a posterior) to add.
"""

from __future__ import annotations

import argparse

import jax
import numpy as np

from redphone.model import engine
from redphone.model.config import build, compose
from redphone.model.params import stack
from redphone.model.lab import measures, packages
from redphone.model.lab.stats import wilson



def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replicates", type=int, default=400)
    parser.add_argument("--population", type=int, default=1000)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args(argv)
    size = {"population.public": args.population, "population.media": 20, "days": args.days}
    settings = packages.headline()  # configs/policy/settings.yaml: the one definition of the policy settings
    built = [build(compose(packages.PRESET, {**size, **over})) for over in settings.values()]
    reps = np.arange(args.replicates, dtype=np.int32)
    _, summary = jax.device_get(engine.run_settings(args.seed, reps, stack([p for p, _ in built]), built[0][1], args.days))
    n = args.replicates
    print(f"india_pakistan_2025, {n} replicates, {args.population} citizens per side, {args.days} days, seed {args.seed}\n")
    print("| setting | P(peak >= 3) | P(peak >= 4) | P(peak >= 5) | days to first strike (median) | P(order rescinded) | crisis days (mean) |")
    print("|---|---|---|---|---|---|---|")
    for i, name in enumerate(settings):
        peak = summary["peak_rung"][i]
        cells = []
        for rung in (3, 4, 5):
            est, lo, hi, _ = wilson(int(measures.reached(peak, rung).sum()), n)
            cells.append(f"{est:.3f} [{lo:.3f}, {hi:.3f}]")
        lag = measures.episode(summary)["lag"][i]
        lag = f"{np.nanmedian(lag):.0f}" if np.isfinite(lag).any() else "none"
        cells += [lag, f"{np.mean(summary['rescinded'][i] > 0):.3f}", f"{summary['crisis_days'][i].mean():.1f}"]
        print(f"| {name} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
