"""What carries an institution's effect: its pathways knocked out in turn, and a fair split of the effect among them (``make pathways``).

A channel never rescinds a strike order itself (issue 20): a leaders' call
corrects misperceived intent (``hotline.clarity``), lets a leader climb down in
private (``hotline.private_climbdown``), carries assurances that ease the
grievance (``hotline.reassurance``), holds back the day's strike planning
(``hotline.delay``) and adds to the daily chance of a ceasefire
(``hotline.ceasefire``); envoys and a pressing third party have their own
pathways. The effect of switching an institution on is measured on the
status quo (``india_pakistan_2025``, whose fitted keys are the posterior
medians) with common random numbers (every setting on the same replicates).
Write e(S) for the institution's effect with only the pathways in S on (the
others' parameters at 0, the rest at the preset's values) and N for all its
listed pathways; e(N) is the institution's effect.

*Knock-out share* of pathway j: the part of the effect lost when j alone is
set to 0,

    knock-out_j = 1 - e(N without j) / e(N)

It counts in full every interaction j takes part in: pathways that need each
other (a delay buys the time in which reassurance and cooling act) each lose
most of the effect when knocked out, so knock-out shares can add to well
above 1 and overstate what one parameter carries.

*Shapley share* of pathway j: its Shapley value (Shapley 1953) in the game
S -> e(S) over all 2^k on/off subsets of the k pathways, over the effect,

    phi_j = sum over S not holding j of |S|! (k - |S| - 1)! / k! * (e(S + j) - e(S)),   share_j = phi_j / e(N)

the marginal contribution of j averaged over every order in which the
pathways could be switched on, so an interaction is split evenly among the
pathways it needs. The values add up to e(N) - e({}) (efficiency): the part
e({}) left with every listed pathway at 0 comes from what is no listed
pathway (a third party's brokering, the terms a side complies with, the
channel's mere existence) and is reported as its own row, "no listed
pathway", with its share, so shares and that residual add to 1. Beside each
share stands the pathway's effect *alone*, e({j}) - e({}): alone far below
the Shapley value means the pathway needs the others. Intervals are 90%
paired bootstraps: replicates resampled together in every setting.

A Shapley share above one half means that one assumed number carries most of
the institution's effect. Both presets are measured: the 2025 status quo (the
essay's question) and ``uri_2016``, a first strike without precedent, where
the decision is at the margin.
"""

from __future__ import annotations

from dataclasses import dataclass

from itertools import combinations
from math import factorial

import numpy as np

from ..config import build, compose
from .runs import run_stacked
from .stats import wilson

PRESET = "india_pakistan_2025"
# Where a decision is at the margin: a severe attack with no precedent of publicised retaliation yet (Uri 2016, the
# first strike without precedent). Under the 2025 precedent the posterior makes a strike near certain, and no driver
# or channel can move a probability near 1; whether a leader sets the precedent is where they act.
MARGIN = "uri_2016"
PRESETS = (PRESET, MARGIN)
DAYS = 365
ACCEPTED = {"mediation.refuse": [0.0, 0.0], "mediation.p_willing": 1.0}
# institution: (what switches it on, what the comparison switches off, its pathways' parameters)
INSTITUTIONS = {
    "automatic hotline": ({"institutions.hotline": True, "hotline.automatic": True}, {},
                          ("hotline.clarity", "hotline.private_climbdown", "hotline.reassurance", "hotline.delay", "hotline.ceasefire")),
    "backchannel": ({"institutions.backchannel": True}, {},
                    ("backchannel.audience_cut", "backchannel.reassurance", "backchannel.delay", "backchannel.ceasefire")),
    # the third party as in the status quo (India refuses it: it presses but brokers nothing) against none at all
    "third party": ({}, {"institutions.mediation": False},
                    ("mediation.pressure", "mediation.reassurance", "mediation.delay", "mediation.ceasefire", "standoff.comply_mediation")),
}
METRICS = {"p_rung4": "P(peak rung >= 4)", "p_force": "P(peak rung >= 3)"}
# The essay's social drivers at two ends of their ranges (low, high): public hostility (its baseline), media
# nationalism (outlets' slant), an election far or near, a military without a say or a hawkish one (advising force,
# with weight), a popular or an unpopular leader. tests/test_mechanisms.py pins each direction; make pathways
# measures each at the posterior median.
DRIVERS = {
    "public hostility": ({"public.baseline": 0.2}, {"public.baseline": 0.9}),
    "media nationalism": ({"media.slant": [0.2, 0.2]}, {"media.slant": [0.9, 0.9]}),
    # 2019: Pulwama came about two months before the general election
    "an election": ({"political.first_election": [3000, 3000]}, {"political.first_election": [60, 800]}),
    "a hawkish military": ({"military.influence": [0.0, 0.0]},
                           {"military.influence": [0.8, 0.8], "military.provocation_rung": [6.0, 6.0], "military.doctrine": 2.0}),
    "the leader's standing": ({"political.approval_base": [0.8, 0.8]}, {"political.approval_base": [0.2, 0.2]}),
}
DRIVER_ENDS = {
    "public hostility": ("baseline 0.2", "baseline 0.9"), "media nationalism": ("slant 0.2", "slant 0.9"),
    "an election": ("in 3,000 days", "in 60 days (India)"), "a hawkish military": ("no say", "influence 0.8, advising up to rung 6"),
    "the leader's standing": ("approval 0.8", "approval 0.2"),
}
# Full war as a choice: no incidents and no third party, so if full war comes, a leader chose it. Under the
# posterior's nuclear shadow none does (the stability-instability paradox); a leader who discounts it (Cold Start's
# premise that Pakistan's nuclear threshold is high: Ladwig 2007; nuclear_cost 20, escalation_risk 0) may, and every
# driver at its extreme at once makes that likelier. On the 2025 trigger, with its precedent.
DISCOUNTED = {"dyad.accident_rate": 0.0, "institutions.mediation": False, "political.nuclear_cost": [20.0, 20.0],
              "political.escalation_risk": 0.0}
EXTREME = {**DISCOUNTED, "public.baseline": 0.95, "media.slant": [0.95, 0.95], "political.first_election": [10, 10],
           "military.influence": [0.8, 0.8], "military.provocation_rung": [6.0, 6.0], "military.doctrine": 2.0,
           "political.approval_base": [0.2, 0.2]}
EXTREME_BASE = DISCOUNTED


@dataclass
class Scale:
    replicates: int = 1600  # what docs/validation.md shows: two shares sit near one half, and 400 replicates left them
    # +-0.1 wide (make pathways: 816 s on 2 cores, with make policy beside it for half of that)
    population: int = 100
    media: int = 6
    seed: int = 20250422


def setting_name(dropped=()) -> str:
    """The name of the setting with the institution on and the pathways ``dropped`` at 0: "with", "with, a, b = 0"."""
    return "with" if not dropped else f"with, {', '.join(dropped)} = 0"


def settings(institution: str, preset: str = PRESET, every_subset: bool = False) -> dict:
    """{name: (preset, overrides)}: without the institution, with it, and with it less each pathway (knock-outs); with
    ``every_subset``, with it under every on/off subset of its pathways (the Shapley game: the knock-outs among them)."""
    on, off, paths = INSTITUTIONS[institution]
    drops = [d for size in range(len(paths) + 1) for d in combinations(paths, size)] if every_subset else [(), *((k,) for k in paths)]
    out = {"without": (preset, dict(off))}
    for dropped in drops:
        out[setting_name(dropped)] = (preset, {**on, **dict.fromkeys(dropped, 0.0)})
    return out


def driver_settings() -> dict:
    """{name: (preset, overrides)}: each driver's two ends on both presets, and the full-war pair on the 2025 one."""
    out = {}
    for preset in PRESETS:
        for name, (low, high) in DRIVERS.items():
            out[f"{preset} {name}: low"], out[f"{preset} {name}: high"] = (preset, low), (preset, high)
    out["extreme: status quo"], out["extreme: every driver"] = (PRESET, EXTREME_BASE), (PRESET, EXTREME)
    return out


def _peak_rung(daily, summary):
    """What a pathways run brings back: the crisis's peak rung (the lab's run loop drops the rest)."""
    return summary["peak_rung"]


def measure(runs: dict, scale: Scale = Scale()) -> dict:
    """Each setting {name: (preset, overrides)} on the same replicates: {name: {metric: per-replicate booleans}}."""
    size = {"population.public": scale.population, "population.media": scale.media, "days": DAYS}
    built = [build(compose(preset, {**size, **over})) for preset, over in runs.values()]
    # blocks of 256 runs: one compiled program for every call, whatever its number of settings
    peak = np.asarray(run_stacked([p for p, _ in built], built[0][1], DAYS, scale.replicates, scale.seed, keep=_peak_rung,
                                  block=256, progress=lambda line: None))
    return {name: dict(p_rung4=peak[i] >= 4, p_force=peak[i] >= 3, p_war=peak[i] >= 5) for i, name in enumerate(runs)}


def driver_table(outcomes: dict) -> str:
    """Each driver's effect on P(peak rung >= 3) and P(peak rung >= 4), low end against high end, paired, with Wilson
    intervals, on both presets."""
    ci = lambda x: "{:.3f} [{:.3f}, {:.3f}]".format(*wilson(int(x.sum()), len(x))[:3])  # noqa: E731
    lines = ["| preset | driver | low end | high end | P(peak >= 3) low -> high | P(peak >= 4) low -> high | effect on P(peak >= 4) |",
             "|---|---|---|---|---|---|---|"]
    for preset in PRESETS:
        for name in DRIVERS:
            lo, hi = outcomes[f"{preset} {name}: low"], outcomes[f"{preset} {name}: high"]
            ends = DRIVER_ENDS[name]
            lines.append(f"| {preset} | {name} | {ends[0]} | {ends[1]} | {ci(lo['p_force'])} -> {ci(hi['p_force'])} | "
                         f"{ci(lo['p_rung4'])} -> {ci(hi['p_rung4'])} | {hi['p_rung4'].mean() - lo['p_rung4'].mean():+.3f} |")
    war = [outcomes[k]["p_war"] for k in ("extreme: status quo", "extreme: every driver")]
    w = [wilson(int(x.sum()), len(x)) for x in war]
    lines += ["", "Full war as a choice (2025 trigger, no incidents, no third party, a leader discounting the nuclear shadow): "
              f"P(peak rung >= 5) {w[0][0]:.3f} [{w[0][1]:.3f}, {w[0][2]:.3f}] with the drivers at the posterior median, "
              f"{w[1][0]:.3f} [{w[1][1]:.3f}, {w[1][2]:.3f}] with every driver at its extreme."]
    return "\n".join(lines) + "\n"


def _paired_effects(outcomes: dict, metric: str, boot: int, seed: int) -> tuple[dict, dict]:
    """Each setting's effect against "without" ({name: float}) and its paired-bootstrap draws ({name: (boot,)}): the
    replicates resampled together in every setting (common random numbers)."""
    values = {name: np.asarray(v[metric], float) for name, v in outcomes.items()}
    n = len(values["without"])
    idx = np.random.default_rng(seed).integers(0, n, size=(boot, n))
    base, base_b = values["without"].mean(), values["without"][idx].mean(1)
    return ({name: v.mean() - base for name, v in values.items()}, {name: v[idx].mean(1) - base_b for name, v in values.items()})


def _interval(draws: np.ndarray) -> tuple[float, float]:
    """The 90% percentile interval of the finite bootstrap draws (NaN when none is: an effect of 0)."""
    draws = draws[np.isfinite(draws)]
    return tuple(float(q) for q in np.quantile(draws, [0.05, 0.95])) if len(draws) else (np.nan, np.nan)


def shares(outcomes: dict, institution: str, metric: str = "p_rung4", preset: str = PRESET, boot: int = 1000, seed: int = 0) -> list[dict]:
    """Rows: the institution's effect (with its 90% paired-bootstrap interval), and each pathway's share of it
    (knock-out), with the effect left and a 90% paired-bootstrap interval of the share (replicates resampled together in
    every setting: common random numbers)."""
    _, _, paths = INSTITUTIONS[institution]
    effects, draws = _paired_effects(outcomes, metric, boot, seed)
    effect = effects["with"]
    effect_low, effect_high = _interval(draws["with"])
    rows = []
    for key in paths:
        left = effects[setting_name((key,))]
        with np.errstate(divide="ignore", invalid="ignore"):
            low, high = _interval(1.0 - draws[setting_name((key,))] / draws["with"])
        rows.append(dict(preset=preset, institution=institution, metric=metric, parameter=key, effect=effect, effect_low=effect_low,
                         effect_high=effect_high, effect_without=left,
                         share=(1.0 - left / effect) if effect != 0 else np.nan, share_low=low, share_high=high))
    return rows


def shapley_values(game: np.ndarray) -> np.ndarray:
    """Shapley values of the k players of a game given on all 2^k coalitions (``game[mask]``: bit j of mask set, player
    j in; any trailing axes are carried along): shape (k, ...). They add up to game[all] - game[none]."""
    game = np.asarray(game, float)
    k = int(np.log2(game.shape[0]))
    if game.shape[0] != 2**k:
        raise ValueError(f"a game on {game.shape[0]} coalitions: expected 2^k")
    weight = [factorial(s) * factorial(k - s - 1) / factorial(k) for s in range(k)]
    values = np.zeros((k,) + game.shape[1:])
    for j in range(k):
        for mask in range(2**k):
            if not mask >> j & 1:  # a coalition without j, and j joining it
                values[j] += weight[mask.bit_count()] * (game[mask | 1 << j] - game[mask])
    return values


NO_PATHWAY = "no listed pathway"


def shapley(outcomes: dict, institution: str, metric: str = "p_rung4", preset: str = PRESET, boot: int = 1000, seed: int = 0,
            held_off: tuple = ()) -> list[dict]:
    """Rows: each pathway's Shapley value and share of the institution's effect with a 90% paired-bootstrap interval,
    its effect alone and its knock-out loss (all on the same replicates), then the residual row ``NO_PATHWAY``: the
    effect with every listed pathway at 0. ``outcomes`` holds ``settings(institution, preset, every_subset=True)``.
    With ``held_off``, those pathways stay at 0 in every coalition: the game among the others, whose effect is the
    institution's without them (the same runs: every subset is already there)."""
    _, _, listed = INSTITUTIONS[institution]
    if unknown := set(held_off) - set(listed):
        raise ValueError(f"{institution} has no pathway {sorted(unknown)}: its pathways are {list(listed)}")
    paths = tuple(p for p in listed if p not in held_off)
    effects, draws = _paired_effects(outcomes, metric, boot, seed)
    # coalition mask: bit j set, pathway j on (kept at the preset's value); the held-off ones are dropped in every one
    names = [setting_name(tuple(p for p in listed if p in held_off or not mask >> paths.index(p) & 1)) for mask in range(2 ** len(paths))]
    game = np.array([effects[name] for name in names])
    game_b = np.array([draws[name] for name in names])
    value, value_b = shapley_values(game), shapley_values(game_b)
    effect, residual, everything = game[-1], game[0], len(names) - 1
    common = dict(preset=preset, institution=institution, metric=metric, effect=effect, effect_low=_interval(game_b[-1])[0],
                  effect_high=_interval(game_b[-1])[1])
    rows = []
    with np.errstate(divide="ignore", invalid="ignore"):
        for j, key in enumerate(paths):
            low, high = _interval(value_b[j] / game_b[-1])
            rows.append(dict(common, parameter=key, alone=game[1 << j] - residual, value=value[j],
                             knock_out=effect - game[everything & ~(1 << j)], share=value[j] / effect if effect else np.nan,
                             share_low=low, share_high=high))
        low, high = _interval(game_b[0] / game_b[-1])
        rows.append(dict(common, parameter=NO_PATHWAY, alone=residual, value=residual, knock_out=np.nan,
                         share=residual / effect if effect else np.nan, share_low=low, share_high=high))
    return rows


def takeover(outcomes: dict, rows: list[dict], boot: int = 1000, seed: int = 0) -> dict | None:
    """Does the effect lean on one parameter, or on the decision? ``rows``: ``shapley(outcomes, ...)``'s of one
    institution, preset and metric. Where the largest Shapley share is above one half beyond its noise (the lower end
    of its interval), that pathway held at 0 and the effect split again among the rest (``shapley(held_off=...)``): if
    another pathway then carries most of the smaller effect, the effect leans on whatever eases the same term of the
    decision, not on that one assumed number. None when no share is."""
    top = max((r for r in rows if r["parameter"] != NO_PATHWAY), key=lambda r: r["share"])
    if not top["share_low"] > 0.5:
        return None
    institution, metric, preset = top["institution"], top["metric"], top["preset"]
    rest = shapley(outcomes, institution, metric, preset, boot, seed, held_off=(top["parameter"],))
    second = max((r for r in rest if r["parameter"] != NO_PATHWAY), key=lambda r: r["share"])
    return dict(preset=preset, institution=institution, metric=metric, held_off=top["parameter"], share=top["share"],
                share_low=top["share_low"], share_high=top["share_high"], effect=top["effect"], effect_left=second["effect"],
                effect_left_low=second["effect_low"], effect_left_high=second["effect_high"], next=second["parameter"],
                next_share=second["share"], next_low=second["share_low"], next_high=second["share_high"])


def takeover_markdown(rows: list[dict], n: int) -> str:
    if not rows:
        return "No pathway carries more than one half of an institution's effect beyond its noise.\n"
    lines = [f"| preset | institution | pathway held at 0 | its Shapley share [90%] | effect (n = {n}) | effect without it [90%] | "
             "largest share among the rest [90%] |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['preset']} | {r['institution']} | `{r['held_off']}` | {r['share']:.2f} [{r['share_low']:.2f}, {r['share_high']:.2f}] | "
                     f"{r['effect']:+.3f} | {r['effect_left']:+.3f} [{r['effect_left_low']:+.3f}, {r['effect_left_high']:+.3f}] | "
                     f"`{r['next']}` {r['next_share']:.2f} [{r['next_low']:.2f}, {r['next_high']:.2f}] |")
    return "\n".join(lines) + "\n"


def markdown(rows: list[dict], n: int) -> str:
    lines = [f"| preset | institution | metric | effect (n = {n}) | pathway knocked out (set to 0) | effect left | share of the effect [90%] |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['preset']} | {r['institution']} | {METRICS[r['metric']]} | {r['effect']:+.3f} | `{r['parameter']}` | "
                     f"{r['effect_without']:+.3f} | {r['share']:.2f} [{r['share_low']:.2f}, {r['share_high']:.2f}] |")
    return "\n".join(lines) + "\n"


def shapley_markdown(rows: list[dict], n: int) -> str:
    lines = [f"| preset | institution | metric | effect [90%] (n = {n}) | pathway | effect alone | Shapley value | knock-out loss | "
             "Shapley share [90%] |", "|---|---|---|---|---|---|---|---|---|"]
    cell = lambda x: "" if np.isnan(x) else f"{round(x, 3) + 0.0:+.3f}"  # noqa: E731  (+ 0.0: no "-0.000")
    share = lambda x: f"{round(x, 2) + 0.0:.2f}"  # noqa: E731
    for r in rows:
        name = r["parameter"] if r["parameter"] == NO_PATHWAY else f"`{r['parameter']}`"
        lines.append(f"| {r['preset']} | {r['institution']} | {METRICS[r['metric']]} | {r['effect']:+.3f} [{r['effect_low']:+.3f}, "
                     f"{r['effect_high']:+.3f}] | {name} | {cell(r['alone'])} | {cell(r['value'])} | {cell(r['knock_out'])} | "
                     f"{share(r['share'])} [{share(r['share_low'])}, {share(r['share_high'])}] |")
    return "\n".join(lines) + "\n"


def level_table(outcomes: dict) -> str:
    """The levels behind the knock-out shares, with Wilson 95% intervals: outcomes {(preset, institution): {setting: ...}}
    (of the Shapley game's settings, those of ``settings``)."""
    lines = ["| preset | institution | setting | P(peak rung >= 4) | P(peak rung >= 3) |", "|---|---|---|---|---|"]
    for (preset, inst), runs in outcomes.items():
        for name in settings(inst, preset):
            cells = []
            for m in ("p_rung4", "p_force"):
                est, lo, hi, _ = wilson(int(runs[name][m].sum()), len(runs[name][m]))
                cells.append(f"{est:.3f} [{lo:.3f}, {hi:.3f}]")
            lines.append(f"| {preset} | {inst} | {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
