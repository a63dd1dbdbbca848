"""Bayesian calibration of the status quo to the India-Pakistan record (make calibrate).

    python scripts/calibrate.py [--quick] [--write] [--seed S] [--out figures] [--posterior posteriors/status_quo.nc]

Round 1 is history matching, round 2 neural posterior estimation on datasets shaped like
the record: seven crises, one per hindcast preset, and a decade of long_run
(model.lab.inference). Writes the posterior with its provenance
(posteriors/status_quo.nc; QUICK: figures/quick/status_quo.nc) and every
diagnostic as a figure and a table in --out:

  calibration_coverage.png / .csv      simulation-based calibration over synthetic datasets
  calibration_posterior_sbc.png / .csv the same conditional on the record (posterior SBC, model.lab.sbc)
  calibration_ppc.png / .csv           posterior predictive check of every statistic (+ the held-out kinetic phase)
  calibration_loo.png / .csv           each crisis predicted by a posterior fitted without it
  calibration_identifiability.png/.csv posterior vs prior per parameter, and pairs of the best-pinned ones
  calibration_misspecification.csv     the record against everything the prior can produce
  calibration_report.md                all of it as Markdown (docs/validation.md quotes it)

With --write the posterior medians become the presets' values
(configs/preset/india_pakistan_2025.yaml; long_run and the hindcast presets extend it).
"""

from __future__ import annotations

import argparse
import datetime
import pickle
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
import yaml

from redphone.experiments.common import OKABE_ITO, PNG_METADATA, STYLE
from redphone.model.config import CONFIG_DIR, build, compose
from redphone.model.lab import calibration, inference, posterior, progress, record, sbc
from redphone.model.lab.io import atomic_savefig, atomic_write_csv, atomic_write_text

PRESETS = ("india_pakistan_2025",)  # long_run and the hindcast presets extend it



def say(message: str) -> None:
    """Progress on stderr (model.lab.progress: a line rewritten in place on a terminal, throttled lines in logs)."""
    progress.say(message if message.startswith("[") else f"[calibrate] {message}")


def set_value(text: str, key: str, value) -> str:
    """``group.name: value`` replaced in a preset's text, its comments kept; a missing entry is added to its group."""
    import re  # noqa: PLC0415

    group, name = key.split(".")
    rendered = "[" + ", ".join(f"{v:g}" for v in value) + "]" if isinstance(value, list) else f"{value:g}"
    lines = text.splitlines()
    try:
        g = next(i for i, line in enumerate(lines) if re.fullmatch(rf"{group}:\s*(#.*)?", line))
    except StopIteration:
        return text.rstrip("\n") + f"\n{group}:\n  {name}: {rendered}\n"
    i = g + 1
    while i < len(lines) and (lines[i].startswith(" ") or not lines[i].strip()):
        found = re.fullmatch(rf"(\s+{name}:\s*)([^#]*?)(\s*#.*)?", lines[i])
        if found:
            lines[i] = f"{found.group(1)}{rendered}{found.group(3) or ''}"
            return "\n".join(lines) + "\n"
        i += 1
    lines.insert(i, f"  {name}: {rendered}")
    return "\n".join(lines) + "\n"


def write_presets(values: dict, command: str, file: Path) -> None:
    """The posterior medians into the presets, their comments kept, with a provenance comment; validated by
    composing and building."""
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    for preset in PRESETS:
        path = CONFIG_DIR / "preset" / f"{preset}.yaml"
        lines = path.read_text().splitlines()
        while len(lines) > 1 and (lines[1].startswith("# calibrated") or lines[1].startswith("#   ")):
            del lines[1]  # the previous provenance comment
        shown_file = file.relative_to(ROOT) if file.is_relative_to(ROOT) else file
        lines[1:1] = ["# calibrated: the fitted values are the posterior medians of the Bayesian calibration (docs/validation.md):",
                      f"#   {command}; {stamp}; posterior {shown_file}"]
        text = "\n".join(lines) + "\n"
        ratio = calibration.ratios(compose(preset))
        for key, v in calibration.preset_values(values, ratio).items():
            text = set_value(text, key, v)
        atomic_write_text(path, text)
        build(compose(preset))  # still valid
        say(f"wrote {path.relative_to(ROOT)}")


def shown(stat: str, x):
    """A statistic back in days or rates (the log ones), else as is."""
    x = np.asarray(x, float)
    return np.expm1(x) if stat in inference.LOG_STATS else x


# --------------------------------------------------------------------------- tables


def coverage_table(res: dict) -> pd.DataFrame:
    n = res["budget"].sbc_draws
    r = res["ranks"] / n
    cov = inference.covered(r, (0.5, 0.9))
    rows = []
    for j, name in enumerate(inference.NAMES):
        row = dict(parameter=name)
        for lv in (0.5, 0.9):
            row[f"coverage_{int(lv * 100)}"] = float(cov[lv][j])
        # uniformity of the ranks: Kolmogorov-Smirnov against U(0, 1)
        from scipy.stats import kstest  # noqa: PLC0415

        row["ks_p"] = float(kstest(r[:, j], "uniform").pvalue)
        rows.append(row)
    return pd.DataFrame(rows)


def ppc_table(res: dict) -> pd.DataFrame:
    obs, sims = res["observed"], res["ppc_x"]
    rows = []
    for j, s in enumerate(inference.STATS):
        v = shown(s, sims[:, j])
        h = float(shown(s, obs[j]))
        lo, med, hi = np.quantile(v, [0.05, 0.5, 0.95])
        rows.append(dict(statistic=s, label=inference.STAT_LABELS[s], record=h, median=med, low=lo, high=hi,
                         percentile=float(np.mean(v <= h + 1e-9)), inside=bool(lo - 1e-9 <= h <= hi + 1e-9), fitted=True))
    # held out: the kinetic phase (median over each dataset's crises with one)
    rec = inference.record_crises()
    kin = res["ppc"]["kinetic"]
    per = np.array([np.median(row[np.isfinite(row)]) if np.isfinite(row).any() else np.nan for row in kin])
    per = per[np.isfinite(per)]
    h = float(np.nanmedian(rec["kinetic"]))
    lo, med, hi = np.quantile(per, [0.05, 0.5, 0.95]) if len(per) else (np.nan,) * 3
    rows.append(dict(statistic="kinetic_days", label="kinetic phase, days (median), HELD OUT", record=h, median=med, low=lo, high=hi,
                     percentile=float(np.mean(per <= h)) if len(per) else np.nan, inside=bool(lo <= h <= hi), fitted=False))
    return pd.DataFrame(rows)


def loo_table(res: dict) -> pd.DataFrame:
    rec = inference.record_crises()
    rows = []
    for i, crisis in enumerate(inference.CRISES):
        runs = res["loo"][crisis]
        peak, lag = runs["peak"], runs["lag"]
        h_peak, h_lag = int(rec["peak"][0, i]), float(rec["lag"][0, i])
        lag_ok = lag[np.isfinite(lag)]
        row = dict(crisis=crisis, record_peak=h_peak, p_peak_equal=float(np.mean(peak == h_peak)),
                   peak_median=float(np.median(peak)), p_peak_below=float(np.mean(peak < h_peak)), p_peak_above=float(np.mean(peak > h_peak)),
                   record_lag=h_lag, p_kinetic=float(np.mean(np.isfinite(lag))))
        if len(lag_ok):
            row.update(lag_median=float(np.median(lag_ok)), lag_low=float(np.quantile(lag_ok, 0.05)), lag_high=float(np.quantile(lag_ok, 0.95)))
        else:
            row.update(lag_median=np.nan, lag_low=np.nan, lag_high=np.nan)
        row["lag_inside"] = bool(np.isfinite(h_lag) and len(lag_ok) and row["lag_low"] <= h_lag <= row["lag_high"]) if np.isfinite(h_lag) \
            else bool(row["p_kinetic"] < 0.95)
        rows.append(row)
    return pd.DataFrame(rows)


def identifiability_table(res: dict) -> pd.DataFrame:
    draws, box = res["draws"], res["box"]
    q = np.quantile(draws, [0.05, 0.5, 0.95], axis=0)
    rows = []
    for j, f in enumerate(inference.PRIOR):
        rows.append(dict(parameter=f.key, prior_low=f.lo, prior_high=f.hi, box_low=box.low[j], box_high=box.high[j],
                         median=q[1, j], low=q[0, j], high=q[2, j], contraction=float(res["contraction"][j]),
                         pinned=bool(res["contraction"][j] >= 0.5)))
    return pd.DataFrame(rows)


def misspec_table(res: dict) -> pd.DataFrame:
    m = res["misspecification"]
    rows = [dict(statistic=s, record=float(shown(s, res["observed"][j])), prior_predictive_percentile=m["percentile"][s],
                 inside_range=m["inside"][s]) for j, s in enumerate(inference.CRISIS_STATS)]
    f = res["frequency"]["frequency"]  # the frequency step's candidates: the crisis-fitted posterior's decades
    h = res["observed"][inference.STATS.index("frequency")]
    rows.append(dict(statistic="frequency (crisis-fitted draws)", record=float(np.expm1(h)), prior_predictive_percentile=float(np.mean(f <= h)),
                     inside_range=bool(f.min() <= h <= f.max())))
    rows.append(dict(statistic="all (Mahalanobis)", record=m["mahalanobis"], prior_predictive_percentile=m["mahalanobis_percentile"],
                     inside_range=m["mahalanobis_percentile"] < 0.999))
    return pd.DataFrame(rows)


def md(df: pd.DataFrame, digits: int = 3) -> str:
    def fmt(v):
        if isinstance(v, (bool, np.bool_)):
            return "yes" if v else "**no**"
        if isinstance(v, (float, np.floating)):
            return "" if not np.isfinite(v) else f"{0.0 if abs(v) < 1e-12 else v:.{digits}g}"
        return str(v)

    lines = ["| " + " | ".join(df.columns) + " |", "|" + "---|" * len(df.columns)]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- figures


def fig_coverage(res, path):
    m, k = np.shape(res["ranks"])
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    sbc.ecdf_panel(ax, res["ranks"] / res["budget"].sbc_draws, "fractional rank of the true value among posterior draws",
                   f"Simulation-based calibration: {m} synthetic datasets, {k} parameters")
    fig.tight_layout()
    atomic_savefig(path, fig, dpi=150, metadata=PNG_METADATA)
    plt.close(fig)


def fig_ppc(res, table, path):
    stats = list(inference.STATS) + ["kinetic_days"]
    fig, axes = plt.subplots(2, (len(stats) + 1) // 2, figsize=(3 * ((len(stats) + 1) // 2), 5.5))
    kin = res["ppc"]["kinetic"]
    held = np.array([np.median(row[np.isfinite(row)]) if np.isfinite(row).any() else np.nan for row in kin])
    for ax, s in zip(axes.flat, stats):
        row = table.set_index("statistic").loc[s]
        v = held[np.isfinite(held)] if s == "kinetic_days" else shown(s, res["ppc_x"][:, inference.STATS.index(s)])
        ax.hist(v, bins=20, color=OKABE_ITO["blue"], alpha=0.7)
        ax.axvline(row.record, color=OKABE_ITO["vermillion"], lw=2, label="record")
        ax.set_title(("HELD OUT: " if not row.fitted else "") + row.label, fontsize=8)
    axes.flat[0].legend(fontsize=8)
    fig.suptitle("Posterior predictive check: datasets simulated from posterior draws (bars) vs the record (line)")
    fig.tight_layout()
    atomic_savefig(path, fig, dpi=150, metadata=PNG_METADATA)
    plt.close(fig)


def fig_loo(res, table, path):
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
    rec = inference.record_crises()
    for i, crisis in enumerate(inference.CRISES):
        runs = res["loo"][crisis]
        peaks = runs["peak"]
        for rung in range(0, 7):
            share = np.mean(peaks == rung)
            if share > 0:
                axes[0].scatter(i, rung, s=400 * share, color=OKABE_ITO["blue"], alpha=0.6)
        axes[0].scatter(i, rec["peak"][0, i], marker="x", color=OKABE_ITO["vermillion"], s=60, zorder=3)
        lag = runs["lag"][np.isfinite(runs["lag"])]
        if len(lag):
            axes[1].boxplot([lag], positions=[i], widths=0.5, showfliers=False)
        if np.isfinite(rec["lag"][0, i]):
            axes[1].scatter(i, rec["lag"][0, i], marker="x", color=OKABE_ITO["vermillion"], s=60, zorder=3)
    for ax in axes:
        ax.set_xticks(range(len(inference.CRISES)), [c.replace("_", " ") for c in inference.CRISES], rotation=30, fontsize=8)
    axes[0].set_ylabel("peak rung (dot area: predicted share; x: record)")
    axes[1].set_ylabel("days to first kinetic action (box: predicted; x: record)")
    axes[1].set_yscale("log")
    fig.suptitle("Leave one crisis out: each crisis predicted by a posterior fitted to the other six")
    fig.tight_layout()
    atomic_savefig(path, fig, dpi=150, metadata=PNG_METADATA)
    plt.close(fig)


def fig_identifiability(res, table, path, pairs: int = 6):
    draws, prior = res["draws"], inference.PRIOR
    order = np.argsort(-res["contraction"])[:pairs]
    fig = plt.figure(figsize=(16, 8))
    ax = fig.add_axes([0.17, 0.12, 0.3, 0.8])
    y = np.arange(len(prior))
    ax.barh(y, res["contraction"], color=OKABE_ITO["blue"])
    ax.axvline(0.5, color="0.5", ls="--", lw=0.8)
    ax.set_yticks(y, [f.key for f in prior], fontsize=7)
    ax.set_xlabel("contraction: 1 - posterior var / prior var")
    ax.set_xlim(min(-0.1, float(res["contraction"].min())), 1)
    ax.set_title("What the record pins down")
    for a, i in enumerate(order):
        for b, j in enumerate(order):
            if b >= a:
                continue
            sub = fig.add_axes([0.52 + b * 0.08, 0.82 - a * 0.13, 0.075, 0.11])
            sub.scatter(draws[:, j], draws[:, i], s=1, alpha=0.3, color=OKABE_ITO["blue"])
            sub.set_xlim(prior[j].lo, prior[j].hi)
            sub.set_ylim(prior[i].lo, prior[i].hi)
            sub.tick_params(labelsize=5)
            if b == 0:
                sub.set_ylabel(prior[i].key.split(".")[1], fontsize=6)
            if a == len(order) - 1:
                sub.set_xlabel(prior[j].key.split(".")[1], fontsize=6)
    fig.suptitle("Identifiability: contraction per parameter (left) and pairs of the best-pinned (right, axes: prior ranges)")
    atomic_savefig(path, fig, dpi=150, metadata=PNG_METADATA)
    plt.close(fig)


# --------------------------------------------------------------------------- main


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small budgets and runs (CI): minutes, not an hour")
    parser.add_argument("--write", action="store_true", help="write the posterior medians into the presets")
    parser.add_argument("--seed", type=int, default=20250422)
    parser.add_argument("--npe", type=int, default=None, help="round-2 datasets (default 10000; quick 640)")
    parser.add_argument("--out", type=Path, default=None, help="figures and tables (default figures/, quick figures/quick/)")
    parser.add_argument("--posterior", type=Path, default=None,
                        help="the posterior file (default posteriors/status_quo.nc; quick: <out>/status_quo.nc)")
    parser.add_argument("--slurm", action="store_true",
                        help="simulation rounds as SLURM job arrays (configs/hydra/launcher/slurm.yaml's settings)")
    parser.add_argument("--slurm-chunk", type=int, default=500, help="datasets per SLURM job")
    parser.add_argument("--slurm-set", action="append", default=[], metavar="KEY=VALUE",
                        help="a launcher setting, e.g. partition=debug or timeout_min=30 (repeatable)")
    args = parser.parse_args(argv)
    out = args.out or (ROOT / "figures" / ("quick" if args.quick else ""))
    post_path = args.posterior or (out / "status_quo.nc" if args.quick else posterior.DIR / "status_quo.nc")
    budget = inference.Budget.quick() if args.quick else inference.Budget()
    if args.npe:
        budget.npe = args.npe
    started = time.perf_counter()
    revision = posterior.git_revision()  # the code that runs, before anything can change the checkout
    say(f"{len(inference.NAMES)} parameters, {len(inference.STATS)} statistics; budget: {budget}")
    remote = None
    if args.slurm:
        settings = {}
        for item in args.slurm_set:
            key, _, value = item.partition("=")
            settings[key] = yaml.safe_load(value)
        remote = inference.Remote(folder=str(out / ".submitit"), chunk=args.slurm_chunk, settings=settings, say=say)
    res = inference.calibrate(budget, args.seed, say, remote)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "calibration.pkl", "wb") as f:  # everything, before any table or figure (scripts/calibrate.py --replot)
        pickle.dump({k: v for k, v in res.items() if k != "posterior"}, f)
    plt.style.use(STYLE)
    tables = dict(coverage=coverage_table(res), posterior_sbc=sbc.table(res["posterior_sbc"], inference.PRIOR), ppc=ppc_table(res), loo=loo_table(res),
                  identifiability=identifiability_table(res), misspecification=misspec_table(res))
    for name, df in tables.items():
        atomic_write_csv(out / f"calibration_{name}.csv", df, index=False)
    fig_coverage(res, out / "calibration_coverage.png")
    fig = sbc.figure(res["posterior_sbc"], OKABE_ITO["blue"])
    atomic_savefig(out / "calibration_posterior_sbc.png", fig, dpi=150, metadata=PNG_METADATA)
    plt.close(fig)
    fig_ppc(res, tables["ppc"], out / "calibration_ppc.png")
    fig_loo(res, tables["loo"], out / "calibration_loo.png")
    fig_identifiability(res, tables["identifiability"], out / "calibration_identifiability.png")
    seconds = time.perf_counter() - started
    b = res["budget"]
    budget_attrs = dict(wave=b.wave, probes=b.probes, repeats=b.repeats, wave_datasets=res["wave"]["simulations"],
                        wave_kept=len(res["wave"]["kept"]), npe_datasets=b.npe,
                        posterior_sbc_datasets=b.psbc, frequency_decades=b.frequency, frequency_ess=int(res["frequency"]["ess"]), sbc_datasets=b.sbc, ppc_datasets=b.ppc, loo_runs=b.loo * len(inference.CRISES), datasets=res["simulations"],
                        population=b.scale.population, media=b.scale.media, long_population=b.scale.long_population,
                        long_days=b.scale.long_days, crisis_days=inference.DAYS)
    rng = np.random.default_rng(args.seed)
    posterior.write(post_path, inference.NAMES, res["draws"], inference.PRIOR_BOX.draw(len(res["draws"]), rng), inference.STATS,
                    res["observed"], res["ppc_x"], posterior.provenance(args.seed, budget_attrs, seconds, record.PATH, revision))
    say(f"wrote {post_path}")
    cov = tables["coverage"]
    report = [
        f"Budget: {res['simulations']} simulated datasets ({res['wave']['simulations']} in history matching, of which "
        f"{len(res['wave']['kept'])} of {b.wave} prior draws were kept; {b.npe} for NPE, "
        f"{b.sbc} for coverage, {b.ppc} predictive) and {b.loo * len(inference.CRISES)} leave-one-out runs; {seconds / 60:.1f} minutes.",
        f"Mean coverage of central 90% intervals over {b.sbc} synthetic datasets: {cov['coverage_90'].mean():.2f} "
        f"(50%: {cov['coverage_50'].mean():.2f}).",
        f"Frequency step: {b.frequency} crisis-fitted draws ran a decade of long_run each; kernel width {res['frequency']['width']:.2f} "
        f"on log(1 + crises per decade); effective sample size {res['frequency']['ess']:.0f}.", "",
        "### Coverage (simulation-based calibration)", "", md(cov),
        "### Posterior SBC (conditional on the record)", "", sbc.report(res["posterior_sbc"], tables["posterior_sbc"]), "",
        md(tables["posterior_sbc"]),
        "### Posterior predictive check", "", md(tables["ppc"]),
        "### Leave one crisis out", "", md(tables["loo"]),
        "### Misspecification: the record against the prior predictive", "", md(tables["misspecification"]),
        "### Identifiability", "", md(tables["identifiability"]),
    ]
    atomic_write_text(out / "calibration_report.md", "\n".join(report))
    if args.write:
        write_presets(inference.median_values(res["draws"]), "make calibrate" + (" QUICK=1" if args.quick else ""), post_path)
    print("\n".join(report))
    say(f"done in {seconds:.0f} s; figures and tables in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
