"""Calibrate the status quo to the India-Pakistan record by ABC over batched runs (make calibrate).

    python scripts/calibrate.py [--quick] [--write] [--draws N] [--seed S]

Draws parameter vectors within the documented ranges (model.lab.calibration.FIT),
runs each as stacked settings of the seven hindcast presets (a simulated
history: the first crisis of each, one year) and
of decade-long long_run runs, keeps the closest by pattern distance, re-runs
the accepted ones with more replicates, and reports the best: each pattern,
historical vs simulated with a 95% interval, the held-out pattern included.
Writes figures/calibration.png, figures/calibration_patterns.csv and
figures/calibration_draws.csv; with --write, the fitted values go into
configs/preset/india_pakistan_2025.yaml with provenance (long_run and the
hindcast presets extend it).
"""

from __future__ import annotations

import argparse
import pickle
import datetime
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
import yaml  # noqa: E402
from omegaconf import OmegaConf  # noqa: E402

from experiments.common import OKABE_ITO, PNG_METADATA  # noqa: E402
from model.lab import calibration, record  # noqa: E402
from model.lab import progress  # noqa: E402
from model.config import CONFIG_DIR, build, compose  # noqa: E402
from model.lab.stats import wilson  # noqa: E402

PRESETS = ("india_pakistan_2025",)  # long_run and the hindcast presets extend it


def say(message: str) -> None:
    """Progress on stderr (model.lab.progress: a line rewritten in place on a terminal, throttled lines in logs)."""
    progress.say(message if message.startswith("[") else f"[calibrate] {message}")


class PresetDumper(yaml.SafeDumper):
    """The presets' own style: pairs and scripted events on one line, groups as blocks."""


PresetDumper.add_representer(list, lambda d, data: d.represent_sequence(
    "tag:yaml.org,2002:seq", data, flow_style=all(not isinstance(x, (list, dict)) for x in data)))
PresetDumper.add_representer(dict, lambda d, data: d.represent_mapping(
    "tag:yaml.org,2002:map", data, flow_style="day" in data and "target" in data))


def write_presets(values: dict, score: float, command: str) -> None:
    """The fitted values into both presets, with a provenance comment; validated by composing and building."""
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    for preset in PRESETS:
        path = CONFIG_DIR / "preset" / f"{preset}.yaml"
        text = path.read_text()
        header = [line for line in text.splitlines() if line.startswith("#") and not line.startswith("# calibrated")]
        header = [h for h in header if "make calibrate" not in h and "fit score" not in h]
        cfg = OmegaConf.load(path)
        ratio = calibration.ratios(compose(preset))
        for key, v in calibration.preset_values(values, ratio).items():
            OmegaConf.update(cfg, key, v, merge=True)
        provenance = [
            f"# calibrated: status-quo values fitted by ABC to the record since 1990 (docs/validation.md);",
            f"#   command: {command}; date: {stamp}; fit score (pattern distance, 0 = perfect): {score:.3f}",
        ]
        body = yaml.dump(OmegaConf.to_container(cfg), Dumper=PresetDumper, sort_keys=False, width=120)
        path.write_text("\n".join(header[:1] + provenance + header[1:]) + "\n" + body)
        build(compose(preset))  # still valid
        say(f"wrote {path.relative_to(ROOT)}")


def markdown(rows: pd.DataFrame) -> str:
    """The pattern table of docs/validation.md."""
    lines = ["| pattern | historical | simulated (95% interval) | match | fitted |", "|---|---|---|---|---|"]
    def fmt(v):
        return f"{0.0 if abs(v) < 1e-9 else v:.3g}"

    for r in rows.itertuples():
        lines.append(f"| {r.label} | {fmt(r.historical)} | {fmt(r.simulated)} ({fmt(r.low)} to {fmt(r.high)}) | {'yes' if r.match else '**no**'} | {'yes' if r.fitted else 'held out'} |")
    return "\n".join(lines) + "\n"


def err(est, lo, hi):
    """Error-bar half-widths, never negative (Wilson at 0 or 1, NaN-safe)."""
    return [[max(est - lo, 0.0) if np.isfinite(lo) else 0.0], [max(hi - est, 0.0) if np.isfinite(hi) else 0.0]]


def figure(rows: pd.DataFrame, hist: dict, sim: dict, path: Path) -> None:
    plt.style.use(ROOT / "experiments" / "redphone.mplstyle")
    fig, axes = plt.subplots(1, 3, figsize=(13, 4.2), gridspec_kw=dict(width_ratios=[1.3, 1.3, 1]))
    h_col, s_col = OKABE_ITO["black"], OKABE_ITO["blue"]
    # peak rungs
    ax = axes[0]
    x = np.arange(len(record.PEAK_BINS))
    n_h = hist["n"]
    for j, _ in enumerate(record.PEAK_BINS):
        est, lo, hi, _ = wilson(round(hist["peak_share"][j] * n_h), n_h)
        ax.errorbar(x[j] - 0.12, est, err(est, lo, hi), fmt="o", color=h_col, capsize=3, label="record 1990-2025" if j == 0 else None)
        r = rows.set_index("pattern").loc[f"peak_{record.PEAK_BINS[j]}"]
        ax.errorbar(x[j] + 0.12, r.simulated, err(r.simulated, r.low, r.high), fmt="s", color=s_col, capsize=3, label="model (fitted)" if j == 0 else None)
    ax.set_xticks(x, [f"rung {b}" for b in record.PEAK_BINS])
    ax.set_ylabel("share of crises")
    ax.set_title("peak rung")
    ax.legend(fontsize=8)
    # days: lag, kinetic (held out), duration
    ax = axes[1]
    names = [("lag", "lag to kinetic\n(mean)", hist["lag"]), ("kinetic", "kinetic phase\n(median, held out)", hist["kinetic"]), ("duration", "duration\n(median)", hist["duration"])]
    for j, (key, label, values) in enumerate(names):
        ax.scatter(np.full(len(values), j - 0.12), values, color=h_col, s=12, alpha=0.6)
        central = np.mean(values) if key == "lag" else np.median(values)
        ax.plot([j - 0.25, j + 0.01], [central] * 2, color=h_col, lw=2)
        r = rows.set_index("pattern").loc[key]
        ax.errorbar(j + 0.12, r.simulated, err(r.simulated, r.low, r.high), fmt="s", color=s_col, capsize=3)
    ax.set_yscale("log")
    ax.set_xticks(range(3), [label for _, label, _ in names])
    ax.set_ylabel("days (dots: historical crises; bar: their mean/median)")
    ax.set_title("timing")
    # third party and frequency
    ax = axes[2]
    tp = rows.set_index("pattern").loc["third_party"]
    est, lo, hi, _ = wilson(hist["third_party_n"], n_h)
    ax.errorbar(-0.12, est, err(est, lo, hi), fmt="o", color=h_col, capsize=3)
    ax.errorbar(0.12, tp.simulated, err(tp.simulated, tp.low, tp.high), fmt="s", color=s_col, capsize=3)
    fr = rows.set_index("pattern").loc["frequency"]
    lam = hist["n"]  # Poisson interval for the record's rate (exact, Garwood)
    from scipy.stats import chi2  # noqa: PLC0415

    lo_r, hi_r = chi2.ppf(0.025, 2 * lam) / 2, chi2.ppf(0.975, 2 * lam + 2) / 2
    scale = 10.0 / hist["years"]
    ax2 = ax.twinx()
    ax2.errorbar(0.88, hist["per_decade"], err(hist["per_decade"], lo_r * scale, hi_r * scale), fmt="o", color=h_col, capsize=3)
    ax2.errorbar(1.12, fr.simulated, err(fr.simulated, fr.low, fr.high), fmt="s", color=s_col, capsize=3)
    ax.set_xticks([0, 1], ["third-party\ninvolvement (share)", "crises per decade\n(right axis)"])
    ax.set_xlim(-0.5, 1.5)
    ax.set_ylim(0, 1.05)
    ax2.set_ylim(0, max(6, fr.high * 1.1))
    ax.set_title("termination and frequency")
    fig.suptitle("Status quo vs the India-Pakistan record since 1990 (95% intervals)")
    fig.tight_layout()
    fig.savefig(path, dpi=150, metadata=PNG_METADATA)
    plt.close(fig)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few draws, small runs (CI)")
    parser.add_argument("--write", action="store_true", help="write the fitted values into the presets")
    parser.add_argument("--draws", type=int, default=None)
    parser.add_argument("--accept", type=int, default=None)
    parser.add_argument("--seed", type=int, default=20250422)
    parser.add_argument("--out", type=Path, default=ROOT / "figures")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.quick:
        draws, accept = args.draws or 8, args.accept or 2
        scale = calibration.Scale(population=100, media=4, replicates=8, long_population=50, long_replicates=2, long_days=730, chunk=8)
        final = calibration.Scale(population=100, media=4, replicates=16, long_population=50, long_replicates=2, long_days=730, chunk=2)
    else:
        draws, accept = args.draws or 768, args.accept or 16
        scale = calibration.Scale()
        final = calibration.Scale(replicates=100, long_replicates=12, chunk=accept)
    say(f"ABC: {draws} draws of {len(calibration.FIT)} parameters, accept {accept}, seed {args.seed}")
    fit = calibration.abc(draws, accept, scale, args.seed, say)
    say(f"tolerance {fit['tolerance']:.3f} after {fit['seconds']:.0f} s; refining the accepted with {final.replicates} + {final.long_replicates} replicates")
    refined = calibration.refine(fit["accepted"], final, args.seed + 1, say)
    best = refined[0]
    hist = record.patterns(record.nuclear_era(record.load()))
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "calibration.pkl", "wb") as f:
        pickle.dump(dict(fit=fit, refined=refined), f)
    rows = pd.DataFrame(calibration.report_rows(best["sim"], best["freq"], hist))
    args.out.mkdir(parents=True, exist_ok=True)
    rows.to_csv(args.out / "calibration_patterns.csv", index=False)
    (args.out / "calibration_table.md").write_text(markdown(rows))
    draws_df = pd.DataFrame([{**r["values"], **{f"d_{k}": v for k, v in r["terms"].items()}, "distance": r["distance"]} for r in fit["all"]])
    draws_df["accepted"] = draws_df["distance"] <= fit["tolerance"]
    draws_df.to_csv(args.out / "calibration_draws.csv", index=False)
    figure(rows, hist, best["sim"], args.out / "calibration.png")
    print(f"fit score {best['distance']:.3f}  terms " + ", ".join(f"{k} {v:.3f}" for k, v in best["terms"].items()))
    print("fitted values:")
    for key, v in best["values"].items():
        acc = draws_df.loc[draws_df.accepted, key]
        print(f"  {key:28s} {v:8.4f}   accepted draws: {acc.min():.3f} .. {acc.max():.3f}")
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(rows.round(3).to_string(index=False))
    print(f"kinetic-phase held out: historical median {np.median(hist['kinetic']):.1f} days")
    if args.write:
        command = "make calibrate" + (" QUICK=1" if args.quick else "")
        write_presets(best["values"], best["distance"], command)
    say(f"done in {time.perf_counter() - started:.0f} s; figures in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
