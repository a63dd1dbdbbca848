"""What carries each institution's effect: its pathways knocked out one at a time (make pathways).

    python scripts/pathways.py [--replicates N] [--out figures]

Writes pathways.md (the shares, and the levels with Wilson 95% intervals) and
pathways.csv to --out; docs/validation.md quotes them. QUICK: 200 replicates.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from model.lab import io, pathways  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replicates", type=int, default=pathways.Scale.replicates)
    parser.add_argument("--quick", action="store_true", help="200 replicates, into figures/quick")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.replicates < 10:
        parser.error(f"--replicates = {args.replicates}: needs at least 10")
    out = args.out or ROOT / "figures" / ("quick" if args.quick else "")
    scale = pathways.Scale(replicates=200 if args.quick else args.replicates)
    outcomes, rows = {}, []
    for inst in pathways.INSTITUTIONS:
        print(f"[pathways] {inst}: {len(pathways.settings(inst))} settings x {scale.replicates} replicates", flush=True)
        outcomes[inst] = pathways.measure(inst, scale)
        rows += pathways.shares(outcomes[inst], inst)
    print(f"[pathways] social drivers: {len(pathways.driver_settings())} settings x {scale.replicates} replicates", flush=True)
    drivers = pathways.measure("", scale, runs=pathways.driver_settings())
    text = (f"Knock-out shares at the posterior median (`{pathways.PRESET}`, {scale.replicates} paired replicates, "
            f"{scale.population} citizens per side, {pathways.DAYS} days, seed {scale.seed}; `make pathways`)\n\n"
            + pathways.markdown(rows, outcomes) + "\n" + pathways.level_table(outcomes)
            + "\nThe social drivers, each at two ends with everything else at the posterior median:\n\n" + pathways.driver_table(drivers))
    out.mkdir(parents=True, exist_ok=True)
    io.atomic_write_text(out / "pathways.md", text)
    io.atomic_write_text(out / "pathways.csv", pd.DataFrame(rows).to_csv(index=False))
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
