"""Policy effects under parameter uncertainty (make policy): every institution setting against the status quo.

    python scripts/policy.py [--quick] [--draws N] [--replicates R] [--long-draws N] [--posterior posteriors/status_quo.nc]
                             [--out figures] [--render-only] [--estimate]

Runs each setting of model.lab.policy.SETTINGS on the same posterior draws with
the same random numbers (common random numbers), R replicates per draw, and
reports the posterior of each per-draw expected effect (median, 90% interval,
P(effect < 0)) with the share of its spread that is replicate noise; which
fitted parameters drive each institution's effect (first-order indices); and,
for each parameter the record cannot pin, the effect as a curve over its prior
range with the value where the institution starts (or stops) helping.

Writes to --out (each file atomically):

  policy_runs.npz                 every run's values, the draws' parameters and the scale: all the rest is rendered from it
  policy_effects.csv / .md / .png the effects table and the forest plot
  policy_drivers.csv / .png       first-order indices of each parameter, per setting and probability
  policy_thresholds.csv / .png    curves and crossing values over the unpinned parameters (+ policy_threshold_curves.csv)

--render-only re-renders tables and figures from policy_runs.npz without simulating; --estimate times a small
fraction at the run's shapes and prints how long the whole run would take on this machine.
Nothing in the tables is typed in: they are computed here.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
import time
from pathlib import Path

from redphone import HOME

ROOT = HOME  # the checkout (or the installed package): configs/, posteriors/, figures/ lie here

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from redphone.experiments.common import OKABE_ITO, PNG_METADATA, STYLE  # noqa: E402
from redphone.model.lab import io, policy, posterior, progress  # noqa: E402

HEADLINE = ("p_rung4", "p_rung5", "days_to_strike", "p_rescinded", "per_decade", "force_share", "institutions_30y")
RUNS = "policy_runs.npz"
# what --quick runs: small populations, few draws, two years of long_run (CI and the Makefile test)
QUICK = policy.Scale(population=50, media=4, replicates=4, long_draws=8, long_replicates=2, long_population=50, long_days=730, block=64)


def say(message: str) -> None:
    progress.say(message if message.startswith("[") else f"[policy] {message}")


# --------------------------------------------------------------------------- atomic writes


def write_csv(path: Path, df: pd.DataFrame) -> None:
    io.atomic_write_csv(path, df, index=False, float_format="%.6g", lineterminator="\n")


def write_figure(path: Path, fig) -> None:
    io.atomic_savefig(path, fig, dpi=150, metadata=PNG_METADATA)
    plt.close(fig)


def save_runs(path: Path, sim: dict, meta: dict) -> None:
    """Every run's values, the draws and the provenance: what --render-only reads."""
    arrays = {f"{m}__num": num for m, (num, den) in sim["runs"].items()}
    arrays.update({f"{m}__den": den for m, (num, den) in sim["runs"].items()})

    def write(tmp):
        with open(tmp, "wb") as f:
            np.savez_compressed(f, settings=np.asarray(sim["settings"]), names=np.asarray(sim["names"]), theta=sim["theta"],
                                meta=np.asarray(json.dumps(meta)), **arrays)

    io._atomic(path, write)


def load_runs(path: Path) -> tuple[dict, dict]:
    with np.load(path, allow_pickle=False) as z:
        metrics = sorted({k.split("__")[0] for k in z.files if "__" in k}, key=lambda m: list(policy.METRICS).index(m))
        runs = {m: (z[f"{m}__num"], z[f"{m}__den"]) for m in metrics}
        sim = dict(settings=[str(s) for s in z["settings"]], names=tuple(str(s) for s in z["names"]), theta=z["theta"], runs=runs)
        meta = json.loads(str(z["meta"]))
    sim["values"] = policy.per_draw(runs)
    return sim, meta


# --------------------------------------------------------------------------- tables


def markdown(df: pd.DataFrame, metrics=None) -> str:
    """Settings as rows, metrics as columns: 'median [5%, 95%] P(<0)' of the per-draw expected effect."""
    metrics = [m for m in (metrics or list(policy.METRICS)) if m in set(df["metric"])]
    lines = ["| setting | " + " | ".join(policy.METRICS[m][0] for m in metrics) + " |", "|---|" + "---|" * len(metrics)]
    base = df.groupby("metric")["baseline"].first()
    lines.append("| status quo (level) | " + " | ".join(f"{base[m]:.3g}" for m in metrics) + " |")
    for name, rows in df.groupby("setting", sort=False):
        cells = []
        for m in metrics:
            r = rows.set_index("metric").loc[m]
            cells.append("n/a" if not np.isfinite(r["median"]) else
                         f"{r['median']:+.3g} [{r['low']:+.3g}, {r['high']:+.3g}] P(<0) {r['p_negative']:.2f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _share(v) -> str:
    if not np.isfinite(v):
        return "n/a"
    return "1 (all noise)" if v >= 1 else f"{v:.2f}"  # estimated above 1: no spread across draws beyond the noise


def noise_markdown(df: pd.DataFrame, metrics) -> str:
    metrics = [m for m in metrics if m in set(df["metric"])]
    lines = ["| setting | " + " | ".join(policy.METRICS[m][1] for m in metrics) + " |", "|---|" + "---|" * len(metrics)]
    for name, rows in df.groupby("setting", sort=False):
        r = rows.set_index("metric")
        lines.append(f"| {name} | " + " | ".join(_share(r.loc[m, "noise_share"]) + (
            f"; [{r.loc[m, 'low_signal']:+.3g}, {r.loc[m, 'high_signal']:+.3g}]"
            if np.isfinite(r.loc[m, "low_signal"]) and r.loc[m, "noise_share"] < 1 else "")
            for m in metrics) + " |")
    return "\n".join(lines) + "\n"


def drivers_markdown(drivers: pd.DataFrame, metric: str, top: int = 3) -> str:
    lines = ["| setting | largest first-order indices (share of the effect's variance across draws, noise removed) |", "|---|---|"]
    for name, rows in drivers[drivers.metric == metric].groupby("setting", sort=False):
        r = rows.dropna(subset=["index"]).sort_values("index", ascending=False).head(top)
        cell = ", ".join(f"{p} {v:.2f}" for p, v in zip(r["parameter"], r["index"])) or f"n/a (more than {1 - policy.MOSTLY_NOISE:.0%} of its spread is replicate noise)"
        lines.append(f"| {name} | {cell} |")
    return "\n".join(lines) + "\n"


def thresholds_markdown(th: pd.DataFrame, metric: str) -> str:
    lines = ["| setting | parameter (prior range) | the institution lowers the probability | significantly (90%) |", "|---|---|---|---|"]

    def where(kind, value):
        return {"everywhere": "over the whole range", "nowhere": "nowhere in the range", "": "n/a"}.get(kind) or f"{kind} {value:.3g}"

    t = th[(th.metric == metric) & (th.helps.isin(["above", "below"]) | th.significant.isin(["above", "below"]))]
    if t.empty:
        return "(no effect changes sign over an unpinned parameter's range; policy_thresholds.csv has every pair)\n"
    for r in t.itertuples():
        lines.append(f"| {r.setting} | {r.parameter} [{r.prior_low:g}, {r.prior_high:g}] | {where(r.helps, r.value)} | "
                     f"{where(r.significant, r.significant_value)} |")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- figures


def forest(df: pd.DataFrame, n_draws: int, replicates: int) -> plt.Figure:
    """One row per setting, one panel per metric: median and 90% interval of the per-draw expected effect."""
    metrics = [m for m in policy.METRICS if m in set(df["metric"])]
    settings = list(dict.fromkeys(df["setting"]))
    cols = 4
    rows = -(-len(metrics) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.1 * cols + 2.2, (0.22 * len(settings) + 0.9) * rows + 0.6), sharey=True, squeeze=False)
    y = np.arange(len(settings))[::-1]
    for ax, m in zip(axes.flat, metrics):
        sub = df[df.metric == m].set_index("setting").loc[settings]
        ok = np.isfinite(sub["median"].to_numpy())
        colors = np.asarray([OKABE_ITO["blue"] if p > 0.5 else OKABE_ITO["vermillion"] for p in sub["p_negative"].fillna(0.5)])
        ax.hlines(y[ok], sub["low"][ok], sub["high"][ok], color="0.55", lw=1.2)
        ax.scatter(sub["median"][ok], y[ok], c=colors[ok], s=16, zorder=3)
        ax.scatter(sub["mean"][ok], y[ok], marker="|", color="k", s=30, zorder=4, lw=0.8)
        ax.axvline(0, color="k", lw=0.6)
        ax.set_title("\n".join(textwrap.wrap(policy.METRICS[m][1], 26)), fontsize=8)
        ax.tick_params(labelsize=7)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5))  # tick labels that do not run into each other
        ax.grid(axis="x", lw=0.3, alpha=0.5)
    for ax in axes.flat[len(metrics):]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_yticks(y, settings, fontsize=7)
    fig.suptitle(f"Effects against the status quo: per-draw expected effect over {n_draws} posterior draws x {replicates} replicates;\n"
                 "dot: median (blue: P(effect < 0) > 0.5), bar: 90% interval, tick: mean", fontsize=9)
    return fig


def drivers_figure(drivers: pd.DataFrame, metric: str) -> plt.Figure:
    d = drivers[drivers.metric == metric]
    settings = list(dict.fromkeys(d["setting"]))
    params = list(dict.fromkeys(d["parameter"]))
    grid = d.pivot(index="setting", columns="parameter", values="index").loc[settings, params].to_numpy(float)
    fig, ax = plt.subplots(figsize=(0.42 * len(params) + 3.2, 0.3 * len(settings) + 2.6))
    cmap = plt.get_cmap("Blues").with_extremes(bad="0.85")  # grey: no index (the effect is mostly replicate noise)
    im = ax.imshow(np.ma.masked_invalid(grid), vmin=0, vmax=1, cmap=cmap, aspect="auto")
    for (i, j), v in np.ndenumerate(grid):
        if np.isfinite(v) and v >= 0.05:
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=6, color="w" if v > 0.5 else "k")
    ax.set_xticks(range(len(params)), params, rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(len(settings)), settings, fontsize=7)
    fig.colorbar(im, ax=ax, label="first-order index", shrink=0.8)
    ax.set_title(f"What drives each effect on {policy.METRICS[metric][1]}:\nshare of its variance across posterior draws "
                 "(binned conditional means; replicate noise removed; grey: effect mostly replicate noise)", fontsize=8)
    return fig


def thresholds_figure(th: pd.DataFrame, curves: pd.DataFrame, metric: str) -> plt.Figure | None:
    t = th[th.metric == metric]
    params = list(dict.fromkeys(t["parameter"]))
    if not params:
        return None
    if curves[curves.metric == metric].empty:  # too few draws for a bin: say so rather than leave an older figure
        fig, ax = plt.subplots(figsize=(6, 1.5))
        ax.axis("off")
        ax.text(0.5, 0.5, f"No threshold curves for {policy.METRICS[metric][1]}: too few draws per bin", ha="center", va="center")
        return fig
    cols = min(3 if len(params) <= 12 else 4, len(params))
    rows = -(-len(params) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.0 * cols, 2.8 * rows + 0.8), squeeze=False)
    colours = list(OKABE_ITO.values())[1:]
    for ax, p in zip(axes.flat, params):
        for i, setting in enumerate(dict.fromkeys(t["setting"])):
            c = curves[(curves.metric == metric) & (curves.parameter == p) & (curves.setting == setting)]
            if c.empty:
                continue
            col = colours[i % len(colours)]
            ax.plot(c["x"], c["mean"], color=col, lw=1.2, label=setting, marker="o", ms=2.5)
            ax.fill_between(c["x"], c["low"], c["high"], color=col, alpha=0.12, lw=0)
            row = t[(t.parameter == p) & (t.setting == setting)].iloc[0]
            if row["significant"] in ("above", "below") and np.isfinite(row["significant_value"]):
                ax.axvline(row["significant_value"], color=col, lw=0.8, ls=":")  # from here on it helps, significantly
            if row["helps"] in ("above", "below") and np.isfinite(row["value"]):
                ax.plot([row["value"]], [0.0], marker="v", color=col, ms=5, zorder=4)  # the mean crosses zero
        ax.axhline(0, color="k", lw=0.6)
        ax.set_xlabel(p, fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in axes.flat[len(params):]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel(f"effect on {policy.METRICS[metric][1]}", fontsize=7)
    legend = {}
    for ax in axes.flat:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            legend.setdefault(label, handle)
    if legend:
        fig.legend(list(legend.values()), list(legend), loc="outside lower center", ncol=min(6, len(legend)), fontsize=7, frameon=False)
    fig.suptitle(f"Parameters the record cannot pin: per-draw effect on {policy.METRICS[metric][1]} over each one's prior range\n"
                 "(binned means over posterior draws, 90% band; below zero the institution helps; triangle: the mean crosses zero; "
                 "dotted: the band's upper bound does)",
                 fontsize=8)
    return fig


# --------------------------------------------------------------------------- render and run


def render(sim: dict, meta: dict, out: Path) -> str:
    """Every table and figure from the simulated runs (what --render-only redoes): returns the Markdown."""
    df = pd.DataFrame(policy.effects(sim))
    write_csv(out / "policy_effects.csv", df)
    used = list(sim["names"])
    ratio = policy.unpinned(sim["theta"], used, limit=-np.inf)
    loose = [k for k in used if ratio[k] > policy.UNPINNED]
    drivers = pd.DataFrame(policy.decompose(sim))
    drivers["posterior_prior_sd"] = drivers["parameter"].map(ratio)
    write_csv(out / "policy_drivers.csv", drivers)
    th_rows = policy.thresholds(sim, loose)
    th = pd.DataFrame([{k: v for k, v in r.items() if k != "curve"} for r in th_rows],
                      columns=["setting", "metric", "parameter", "prior_low", "prior_high", "helps", "value", "significant", "significant_value"])
    th["helps"], th["significant"] = th["helps"].fillna(""), th["significant"].fillna("")
    curves = pd.DataFrame([dict(setting=r["setting"], metric=r["metric"], parameter=r["parameter"], x=x, mean=m, low=lo, high=hi, count=c)
                           for r in th_rows for x, m, lo, hi, c in zip(*(r["curve"][k] for k in ("x", "mean", "low", "high", "count")))],
                          columns=["setting", "metric", "parameter", "x", "mean", "low", "high", "count"])
    write_csv(out / "policy_thresholds.csv", th)
    write_csv(out / "policy_threshold_curves.csv", curves)
    plt.style.use(STYLE)
    n, reps = meta["draws"], meta["scale"]["replicates"]
    write_figure(out / "policy_effects.png", forest(df, n, reps))
    write_figure(out / "policy_drivers.png", drivers_figure(drivers, "p_rung4"))
    fig = thresholds_figure(th, curves, "p_rung4")
    if fig is not None:
        write_figure(out / "policy_thresholds.png", fig)
    sc = meta["scale"]
    long_n = min(sc["long_draws"], n)
    text = [
        f"Effects against the status quo over {n} posterior draws x {reps} replicates per draw "
        f"({sc['population']} citizens and {sc['media']} outlets per side, {policy.DAYS} days; common random numbers). "
        + (f"Long-run metrics from {long_n} of the draws x {sc['long_replicates']} replicates of long_run "
           f"({sc['long_days'] / 365:.3g} years, {sc['long_population']} citizens)"
           f"{' (fewer draws: long runs cost ' + str(round(sc['long_days'] / policy.DAYS)) + ' crisis-years each)' if long_n < n else ''}. "
           if long_n else "No long runs (--long-draws 0). ") +
        "Each cell: the posterior of the per-draw expected effect (its mean over the draw's replicates, minus the status quo's): "
        "median [90% interval] and P(effect < 0).",
        f"Posterior: {meta['posterior']} ({len(used)} fitted parameters used"
        + (f"; fitted but not in the posterior, left at the preset's values: {', '.join(meta['missing'])}" if meta.get("missing") else "")
        + (f"; in the posterior but no longer fitted, ignored: {', '.join(meta['extra'])}" if meta.get("extra") else "") + ").",
        "", markdown(df, list(HEADLINE)), "",
        "Share of each effect's spread across draws that is replicate noise (jackknife over replicates / variance across draws; "
        "an estimate at or above 1 reads 'all noise': the draws differ by no more than their replicates do); after it, the 90% "
        "interval with that noise taken out (each draw's effect shrunk towards the mean by sqrt(1 - share)): the spread of "
        "parameter uncertainty alone:", "",
        noise_markdown(df, HEADLINE), "",
        "What drives the effect on P(rung >= 4) (first-order indices over the posterior's parameters; policy_drivers.csv has all):", "",
        drivers_markdown(drivers, "p_rung4"), "",
        *(["What drives the effect on the long run's share of crises with force:", "", drivers_markdown(drivers, "force_share"), ""]
          if "force_share" in sim["runs"] else []),
        f"Parameters the record cannot pin (posterior sd / prior sd > {policy.UNPINNED}): "
        + (", ".join(f"{k} ({ratio[k]:.2f})" for k in loose) or "none") + ". Where the effect on P(rung >= 4) changes sign over one "
        "(binned means; policy_thresholds.csv has every pair, policy_thresholds.png the curves):", "",
        thresholds_markdown(th, "p_rung4") if loose else "(none)\n", "",
        "All metrics:", "", markdown(df),
    ]
    md = "\n".join(text)
    io.atomic_write_text(out / "policy_effects.md", md)
    return md


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few draws, small runs (CI)")
    parser.add_argument("--draws", type=int, default=None, help="posterior draws (default 500; quick 24)")
    parser.add_argument("--replicates", type=int, default=None, help="replicates per draw and setting (default 16; quick 4)")
    parser.add_argument("--long-draws", type=int, default=None, help="draws that also run long_run (default 128, 4 replicates each; quick 8 x 2)")
    parser.add_argument("--posterior", type=Path, default=None,
                        help="posterior file (default posteriors/status_quo.nc; quick: <out>/status_quo.nc if there)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None, help="folder of the outputs (default figures/; quick figures/quick/)")
    parser.add_argument("--render-only", action="store_true", help=f"re-render tables and figures from <out>/{RUNS}, no simulation")
    parser.add_argument("--estimate", action="store_true",
                        help="time a small fraction at the run's shapes and print how long the whole run would take here; nothing written")
    args = parser.parse_args(argv)
    out = args.out or (ROOT / "figures" / ("quick" if args.quick else ""))
    started = time.perf_counter()
    if args.render_only:
        if not (out / RUNS).is_file():
            print(f"policy: --render-only: no {out / RUNS}: run scripts/policy.py without it first", file=sys.stderr)
            return 2
        sim, meta = load_runs(out / RUNS)
        print(render(sim, meta, out))
        say(f"rendered from {out / RUNS} in {time.perf_counter() - started:.0f} s")
        return 0
    for flag, value, lo in (("--draws", args.draws, 2), ("--replicates", args.replicates, 2), ("--long-draws", args.long_draws, 0)):
        if value is not None and value < lo:
            print(f"policy: {flag} = {value}: expected a whole number >= {lo}", file=sys.stderr)
            return 2
    file = args.posterior or (out / "status_quo.nc" if args.quick and (out / "status_quo.nc").exists() else posterior.DIR / "status_quo.nc")
    if not posterior.path_of(file).is_file():
        print(f"policy: no posterior file {file}: make calibrate writes it", file=sys.stderr)
        return 2
    scale = policy.Scale(**vars(QUICK)) if args.quick else policy.Scale()
    if args.replicates:
        scale.replicates = args.replicates
    if args.long_draws is not None:
        scale.long_draws = args.long_draws
    tree, _ = posterior.load(file)
    used, missing, extra = policy.parameters(tree["posterior"].data_vars)
    if not used:
        print(f"policy: {file} holds none of the fitted parameters (calibration.FIT): make calibrate writes a posterior of them",
              file=sys.stderr)
        return 2
    if missing:
        say(f"warning: {len(missing)} fitted parameter(s) not in {file} stay at the preset's values (re-run make calibrate): "
            + ", ".join(missing))
    n = args.draws or (24 if args.quick else 500)
    draws = posterior.draws(file, used)
    if n > len(draws):
        print(f"policy: --draws = {n}: the posterior file holds {len(draws)} draws (allowed: 2 to {len(draws)})", file=sys.stderr)
        return 2
    if args.estimate:
        est = policy.estimate(draws, scale, args.seed, n, names=used, say=say)
        total = sum(v["seconds"] for v in est.values())
        print(f"estimated: {total / 60:.1f} min for {n} draws x {scale.replicates} replicates and long_run on {min(scale.long_draws, n)} "
              f"draws x {scale.long_replicates} (" + ", ".join(f"{k} {v['seconds'] / 60:.1f} min" for k, v in est.items())
              + "; rendering adds seconds), timed here in " + f"{time.perf_counter() - started:.0f} s")
        return 0
    say(f"{len(policy.SETTINGS)} settings x {n} posterior draws x {scale.replicates} replicates; long_run on {min(scale.long_draws, n)} "
        f"draws x {scale.long_replicates} ({file}; {len(used)} fitted parameters)")
    sim = policy.simulate(draws[:n], scale, args.seed, names=used, say=say)
    out.mkdir(parents=True, exist_ok=True)
    shown = posterior.path_of(file).resolve()
    shown = shown.relative_to(ROOT) if shown.is_relative_to(ROOT) else shown
    meta = dict(draws=n, scale=sim["scale"], posterior=str(shown), seed=args.seed, missing=list(missing), extra=list(extra),
                git_revision=posterior.git_revision(), seconds=time.perf_counter() - started)
    save_runs(out / RUNS, sim, meta)
    say(f"simulated in {meta['seconds']:.0f} s; rendering")
    print(render(sim, meta, out))
    say(f"done in {time.perf_counter() - started:.0f} s; {out / 'policy_effects.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
