"""What carries each institution's effect, and how far the social drivers move the decision (make pathways).

    python scripts/pathways.py [--replicates N] [--quick] [--out figures]

At the posterior median (the presets hold it), on the 2025 status quo and on
uri_2016 (a first strike without precedent): each channel's effect with each
pathway knocked out in turn, each social driver at two ends, and full war as a
choice. Writes pathways.md and pathways.csv to --out (default figures/;
--quick: 100 replicates of 50 citizens into figures/quick/: a smoke run).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from redphone import HOME
from redphone.model.lab import io, pathways

ROOT = HOME  # the checkout (or the installed package): figures/ lies here


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replicates", type=int, default=pathways.Scale.replicates)
    parser.add_argument("--quick", action="store_true", help="100 replicates of 50 citizens, into figures/quick (a smoke run)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.replicates < 10:
        parser.error(f"--replicates = {args.replicates}: needs at least 10")
    out = args.out or ROOT / "figures" / ("quick" if args.quick else "")
    scale = pathways.Scale(replicates=100, population=50) if args.quick else pathways.Scale(replicates=args.replicates)
    outcomes, rows = {}, []
    for preset in pathways.PRESETS:
        for inst in pathways.INSTITUTIONS:
            runs = pathways.settings(inst, preset)
            print(f"[pathways] {preset}, {inst}: {len(runs)} settings x {scale.replicates} replicates", flush=True)
            outcomes[preset, inst] = pathways.measure(runs, scale)
            for metric in pathways.METRICS:
                rows += pathways.shares(outcomes[preset, inst], inst, metric, preset)
    runs = pathways.driver_settings()
    print(f"[pathways] social drivers: {len(runs)} settings x {scale.replicates} replicates", flush=True)
    drivers = pathways.measure(runs, scale)
    text = (f"At the posterior median ({scale.replicates} paired replicates per setting, {scale.population} citizens per side, "
            f"{pathways.DAYS} days, seed {scale.seed}; `make pathways`).\n\n"
            "Each channel's pathways knocked out in turn (share = 1 - effect left / effect):\n\n"
            + pathways.markdown(rows, scale.replicates) + "\nThe levels behind them:\n\n" + pathways.level_table(outcomes)
            + "\nThe social drivers, each at two ends with everything else at the posterior median:\n\n" + pathways.driver_table(drivers))
    out.mkdir(parents=True, exist_ok=True)
    io.atomic_write_text(out / "pathways.md", text)
    io.atomic_write_text(out / "pathways.csv", pd.DataFrame(rows).to_csv(index=False))
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
