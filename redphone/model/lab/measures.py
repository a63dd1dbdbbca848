"""Every measured thing, defined once, with one name: what the lab, the figures and the reports count.

The model's side reads ``dyad.summary`` (the one definition of a crisis
episode, in the kernel); the record's side reads ``lab.record``. Both are
reduced by the same functions here, so a statistic of the record and of a
simulated history can only differ in their data.

==================  =============================================  ==============================================
measure             model (``dyad.summary``, the first episode)     record (``data/india_pakistan_crises.csv``)
==================  =============================================  ==============================================
``peak``            ``first_peak``                                   ``peak_rung``
``lag``             ``days_to_kinetic``: trigger to the first day    ``lag_kinetic``: ``first_kinetic - start``
                    at level >= 3, force of any kind (NaN: none)     (NaN: none)
``strike``          ``days_to_strike``: trigger to the first day     ``lag_strike``: ``first_strike - start``
                    at level >= 4, a strike on territory (NaN)       (NaN: none; 2019 and 2025 only since 1990)
``kinetic``         ``kinetic_days``: first day at >= 3 to the       ``kinetic_days``: ``end - first_kinetic``
                    crisis end (``duration - days_to_kinetic``)
``duration``        ``duration``: trigger to the last day at >= 2    ``duration``: ``end - start``
``mediated``        ``first_mediated`` (pressed, refused or not)     ``third_party`` (yes, informal, contested)
==================  =============================================  ==============================================

Every span is counted as one date less another ("end - first"), never both
days inclusive, on both sides: a crisis whose trigger and end fall on the same
day lasts 0 days, and ``kinetic == duration - lag`` in the model and the
record alike. The crisis end is one day on both sides: the model's last day
at level >= 2 of the first episode (not the later day its episode closes,
after ``dyad.crisis_end_days`` of calm), the record's ``end`` date.

"Never" (NaN) is a value of its own. Ranked (``hindcast.percentile``, the
rank correlations) it lies above every number. Scored (``lab.scores``) it is
the number ``NEVER`` gives: a lag or strike that never came is the horizon
(``HORIZON``, the 365 days each crisis is simulated), a kinetic phase or
crisis that never happened lasts 0 days.

Over whole runs: ``p_peak(peak, k)``, the share of runs (or crises) whose
peak reached rung ``k`` (P(peak >= k)); ``per_decade(crises, days)``, crises
per decade at ``DAYS_PER_DECADE`` days a decade, the record's calendar decade.
"""

from __future__ import annotations

import numpy as np

# Rungs (dyad.py): a crisis is level >= 2; force (kinetic action) >= 3; strikes on territory >= 4; war >= 5
CRISIS, KINETIC, STRIKES, WAR = 2, 3, 4, 5
DAYS_PER_DECADE = 3652.5  # ten calendar years (the record counts crises per ten years)
PEAK_BINS = ("2", "3", "4", "5+")
RUNGS = 7  # levels 0-6
HORIZON = 365  # days each crisis is simulated (hindcast.DAYS, calibration.FIT_DAYS)

# measure -> (dyad.summary key, record column); the first episode of a run against one historical crisis
EPISODE = dict(
    peak=("first_peak", "peak_rung"),
    lag=("days_to_kinetic", "lag_kinetic"),
    strike=("days_to_strike", "lag_strike"),
    kinetic=("kinetic_days", "kinetic_days"),
    duration=("duration", "duration"),
    mediated=("first_mediated", "third_party"),
)
LABELS = dict(
    peak="peak rung", lag="days from trigger to first use of force (level >= 3)",
    strike="days from trigger to first strike on territory (level >= 4)", kinetic="days from first use of force to the crisis end",
    duration="duration, days (trigger to last day at level >= 2)", mediated="third party involved",
)


# what "never" (NaN) stands for when a measure is scored as a number (see the module docstring)
NEVER = dict(lag=float(HORIZON), strike=float(HORIZON), kinetic=0.0, duration=0.0)


def as_number(measure: str, values):
    """A measure's values with "never" (NaN) replaced by the number ``NEVER`` gives it (unchanged where it has none)."""
    values = np.asarray(values, float)
    return np.where(np.isnan(values), NEVER[measure], values) if measure in NEVER else values


def episode(summary: dict) -> dict:
    """The first episode's measures of simulated runs, from ``dyad.summary`` (arrays of any shape, NumPy or JAX)."""
    return {measure: summary[key] for measure, (key, _) in EPISODE.items()}


def record_episode(rows) -> dict:
    """The same measures of historical crises, from rows of ``record.load()``: {measure: float array (crisis,)}."""
    return {measure: rows[column].to_numpy(float) for measure, (_, column) in EPISODE.items()}


def reached(peak, k: int) -> np.ndarray:
    """Whether each peak reached rung ``k`` (peak >= k)."""
    return np.asarray(peak) >= k


def p_peak(peak, k: int, axis=None):
    """P(peak >= k): the share of runs (or crises) whose peak reached rung ``k``, over ``axis``."""
    return np.mean(reached(peak, k), axis=axis)


def peak_interval(peak, k: int):
    """P(peak >= k) with its Wilson 95% interval (``stats.proportion``)."""
    from .stats import proportion  # noqa: PLC0415

    return proportion(reached(peak, k))


def peak_shares(peaks) -> np.ndarray:
    """Shares of crises peaking at rungs 2, 3, 4 and >= 5 (``PEAK_BINS``; a crisis peaks at 2 or more)."""
    peaks = np.asarray(peaks)
    n = max(len(peaks), 1)
    return np.array([(peaks <= CRISIS).sum(), (peaks == KINETIC).sum(), (peaks == STRIKES).sum(), reached(peaks, WAR).sum()]) / n


def is_crisis(peak) -> np.ndarray:
    """Whether an episode became a crisis (its peak reached level 2; below, an alert)."""
    return reached(peak, CRISIS)


def episodes(in_crisis) -> list[tuple[int, int]]:
    """(first day, last day + 1) of each crisis episode in one run's daily ``in_crisis`` series."""
    flags = np.concatenate([[0], (np.asarray(in_crisis) > 0.5).astype(np.int8), [0]])
    edges = np.diff(flags)
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)))


def episode_peaks(level, in_crisis) -> np.ndarray:
    """The peak crisis level of every episode of every run (daily arrays (run, day))."""
    level = np.asarray(level)
    return np.array([level[r, a:b].max() for r in range(level.shape[0]) for a, b in episodes(np.asarray(in_crisis)[r])], dtype=int)


def per_decade(crises, days):
    """Crises per decade from counts over ``days`` days."""
    return np.asarray(crises, float) * DAYS_PER_DECADE / days


def record_per_decade(n_crises: int, years: int) -> float:
    """The record's rate: ``n_crises`` over ``years`` calendar years, per decade (the same decade as ``per_decade``)."""
    return 10.0 * n_crises / years
