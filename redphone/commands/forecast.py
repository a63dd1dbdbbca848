"""Leave-future-out forecasts: fit on the past crises only, forecast the later ones, score them (make forecast).

    python scripts/forecast.py [--quick] [--seed S] [--draws N] [--out DIR]

Two holdouts (``HOLDOUTS``): the calibration fitted on the crises up to 2016
(2019 and 2025 held out), and on the crises up to 2019 (2025 held out). Each
fit is the calibration's own (``inference.fit``: history matching, then the
flow; the held-out crises enter neither round), at a smaller budget than
``make calibrate`` (``budget``). ``--draws`` posterior draws of each fit then
replay all seven hindcast presets, one run each: the held-out crises' runs
are the forecast; all seven crises' runs pooled are the null, which gives
every crisis the same distribution under the same fit (``lab.scores``).

Scores, lower is better (``lab.scores``): the peak and the third party by log
loss (add-one smoothed) and by Brier (peak >= 4, a third party involved), the
lag to the first force and the duration by CRPS in days (a lag that never
came: the 365-day horizon).

Writes <out>/forecast.md (the doc block of docs/validation.md, "Leave-future-out
forecasts"), <out>/forecast.csv (every score) and <out>/forecast.png/.pdf, all
atomically. --quick is a smoke run (small populations and budgets, into
figures/quick/); its numbers mean nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from redphone import HOME
from redphone.experiments.common import OKABE_ITO, PDF_METADATA, PNG_METADATA, figure
from redphone.model.lab import hindcast, inference, measures, scores
from redphone.model.lab.io import atomic_savefig, atomic_write_csv, atomic_write_text
from redphone.model.lab.progress import quiet

# fitted on the crises before the first held out: name -> held-out crises
HOLDOUTS = {
    "fit to 2016": ("pulwama_2019", "pahalgam_2025"),
    "fit to 2019": ("pahalgam_2025",),
}
MEASURES = ("peak", "lag", "duration", "mediated")  # scored by scores.RULES: log loss or CRPS
EVENTS = ("strikes", "third_party")  # scored by Brier
RULES = dict(log="log loss", crps="CRPS, days", brier="Brier")
DRAWS, QUICK_DRAWS = 400, 32  # posterior draws per fit, each one run of every crisis


def budget(quick: bool = False) -> inference.Budget:
    """The fit's budget: ``make calibrate``'s scale and a tenth or less of its rounds, so both holdouts fit in about ten
    minutes on 2 cores (quick: a smoke run, well under a minute after compiling)."""
    if quick:
        return inference.Budget(scale=inference.Scale(population=50, media=4, block=64), wave=64, probes=4, repeats=3, npe=128, epochs=5)
    return inference.Budget(wave=512, probes=8, repeats=4, npe=1024, epochs=100)


def forecast(holdout: tuple, fit_budget: inference.Budget, draws: int, seed: int, say=quiet) -> dict:
    """One holdout: the fit without it, ``draws`` posterior draws replayed on all seven crises, and the scores of the
    held-out crises against the null of all seven pooled. {per: {crisis: {measure: runs}}, rows: [score rows]}."""
    sim = inference.Simulator(fit_budget.scale, seed)
    sim.progress = say
    fitted = inference.fit(sim, fit_budget, seed, np.random.default_rng(seed), say=say, holdout=holdout)
    theta = fitted["posterior"].sample(fitted["obs"], draws, seed + 1)
    first = sim.count
    sim.count += draws * len(inference.CRISES)
    runs = sim.crisis_runs(theta, first, label="forecast")
    per = {c: {m: runs[m][:, i] for m in measures.EPISODE} for i, c in enumerate(inference.CRISES)}
    rows = scores.against_null({c: per[c] for c in holdout}, hindcast.historical(), MEASURES, EVENTS, null_from=per)
    return dict(per=per, rows=rows)


def _range(x: np.ndarray, stat: str) -> str:
    v = measures.as_number(stat, x)
    lo, mid, hi = np.percentile(v, [5, 50, 95])
    none = f", none in {np.mean(np.isnan(x)):.0%}" if stat in measures.NEVER and np.isnan(x).any() else ""
    return f"{mid:g} [{lo:g}, {hi:g}]{none}"


def _value(v: float) -> str:
    return "none" if np.isnan(v) else f"{v:g}"


def markdown(results: dict, draws: int) -> str:
    """The doc block: forecasts against the record, scores against the null, and what misses, in words."""
    hist = hindcast.historical()
    lines = [f"{draws} posterior draws per fit, each one run of every crisis; null: the seven crises' runs pooled. "
             "Lags and durations: median [5%, 95%] in days; a lag that never came (no force) counts as the 365-day horizon, "
             "a first episode that never became a crisis as 0 days.", "",
             "| fit | crisis | peak: record / P(>= 4) | lag to force: record / forecast | duration: record / forecast | third party: record / P |",
             "|---|---|---|---|---|---|"]
    for name, res in results.items():
        for c in HOLDOUTS[name]:
            f, h = res["per"][c], hist[c]
            lines.append(f"| {name} | {c} | {h['peak']:g} / {measures.p_peak(f['peak'], measures.STRIKES):.2f} | "
                         f"{_value(h['lag'])} / {_range(f['lag'], 'lag')} | {h['duration']:g} / {_range(f['duration'], 'duration')} | "
                         f"{'yes' if h['mediated'] > 0.5 else 'no'} / {np.mean(f['mediated'] > 0.5):.2f} |")
    lines += ["", "| fit | crisis | score (lower is better) | model | null | model better |", "|---|---|---|---|---|---|"]
    misses = []
    for name, res in results.items():
        for r in res["rows"]:
            better = r["model"] < r["null"]
            lines.append(f"| {name} | {r['crisis']} | {r['measure']} ({RULES[r['rule']]}) | {r['model']:.3g} | {r['null']:.3g} | {'yes' if better else 'no'} |")
            if not better:
                misses.append(f"{r['crisis']} {r['measure']} ({name})")
    won = sum(r["model"] < r["null"] for res in results.values() for r in res["rows"])
    total = sum(len(res["rows"]) for res in results.values())
    lines += ["", f"The forecasts beat the pooled null on {won} of {total} scores."
              + (f" No better than the null: {'; '.join(misses)}." if misses else "")]
    return "\n".join(lines) + "\n"



def table(results: dict) -> pd.DataFrame:
    return pd.DataFrame([dict(fit=name, **r) for name, res in results.items() for r in res["rows"]])


def draw(results: dict):
    """Per measure: each forecast (fit x held-out crisis) and the null, against the record."""
    cases = [(name, c) for name in results for c in HOLDOUTS[name]]
    hist = hindcast.historical()
    fig, axes = figure(height=2.8, width=10.5, ncols=4)
    x = np.arange(len(cases))
    for ax, stat in zip(axes, ("peak", "lag", "duration", "mediated")):
        for offset, (label, colour, runs) in enumerate((
            ("forecast", OKABE_ITO["blue"], [results[n]["per"][c][stat] for n, c in cases]),
            ("null (pooled)", OKABE_ITO["orange"], [scores.pooled(results[n]["per"], stat) for n, _ in cases]),
        )):
            if stat in ("peak", "mediated"):
                share = [measures.p_peak(v, measures.STRIKES) if stat == "peak" else np.mean(v > 0.5) for v in runs]
                ax.bar(x + 0.35 * offset - 0.175, share, width=0.35, color=colour, label=label)
            else:
                v = [measures.as_number(stat, r) for r in runs]
                lo, mid, hi = (np.array([np.percentile(a, q) for a in v]) for q in (5, 50, 95))
                ax.errorbar(x + 0.2 * offset - 0.1, mid, yerr=[mid - lo, hi - mid], fmt="o", ms=4, capsize=2, color=colour, label=label)
        rec = [hist[c][stat] for _, c in cases]
        rec = [float(v >= measures.STRIKES) for v in rec] if stat == "peak" else [float(measures.as_number(stat, v)) for v in rec]
        ax.scatter(x, rec, marker="x", color=OKABE_ITO["vermillion"], s=40, zorder=3, label="record")
        ax.set_title({"peak": "P(peak >= 4)", "lag": "days to first force", "duration": "duration (days)", "mediated": "P(third party)"}[stat], fontsize=8)
        ax.set_xticks(x)
        ax.set_xticklabels([f"{c.rsplit('_', 1)[1]}\n{n}" for n, c in cases], fontsize=6)
        ax.tick_params(labelsize=6)
    axes[0].legend(fontsize=6)
    return fig


def write(results: dict, draws: int, out: Path) -> list[Path]:
    """forecast.md, .csv, .png and .pdf into ``out``, each all or nothing."""
    import matplotlib.pyplot as plt  # noqa: PLC0415

    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "forecast.md", out / "forecast.csv", out / "forecast.png", out / "forecast.pdf"]
    atomic_write_text(paths[0], markdown(results, draws))
    atomic_write_csv(paths[1], table(results), index=False, float_format="%.6g", lineterminator="\n")
    fig = draw(results)
    atomic_savefig(paths[2], fig, metadata=PNG_METADATA)
    atomic_savefig(paths[3], fig, metadata=PDF_METADATA)
    plt.close(fig)
    return paths


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke run: small populations and budgets, into figures/quick")
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--draws", type=int, default=None, help=f"posterior draws per fit (default {DRAWS}; quick {QUICK_DRAWS})")
    parser.add_argument("--out", type=Path, default=None, help="default figures/ (quick: figures/quick/)")
    args = parser.parse_args(argv)
    draws = args.draws or (QUICK_DRAWS if args.quick else DRAWS)
    if draws < 2:
        print("forecast: --draws must be >= 2", file=sys.stderr)
        return 2
    out = args.out or (HOME / "figures" / ("quick" if args.quick else ""))
    fit_budget = budget(args.quick)
    started = time.perf_counter()

    def say(line: str) -> None:
        print(f"[{time.perf_counter() - started:5.0f} s] {line}", file=sys.stderr)

    results = {}
    for name, holdout in HOLDOUTS.items():
        say(f"== {name}: {', '.join(holdout)} held out; {fit_budget.wave} + {fit_budget.npe} datasets, {draws} draws")
        results[name] = forecast(holdout, fit_budget, draws, args.seed, say=say)
    paths = write(results, draws, out)
    print(markdown(results, draws))
    say(f"== took {time.perf_counter() - started:.0f} s; wrote {', '.join(str(p) for p in paths)}")
    return 0
