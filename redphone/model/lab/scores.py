"""Proper scores of simulated draws against the record, the pooled null they are judged against, and rank correlation.

A forecast here is a sample: the simulated values of one measure for one
crisis (``lab.measures``). Every score is negatively oriented (lower is
better), so "the model beats the null" always reads ``model < null``:

* ``crps`` (continuous ranked probability score, Gneiting & Raftery 2007,
  eq. 21) of a sample against a number: ``E|X - y| - E|X - X'| / 2``, in the
  measure's unit (days). "Never" is the number ``measures.NEVER`` gives it
  (a lag or strike that never came: the 365-day horizon), so a lag forecast
  is scored as one distribution with a point mass at the horizon.
* ``log_loss``: ``-ln p(y)`` of a categorical forecast (peak rung 0-6, or a
  yes/no), ``p`` the sample's shares with one draw added to every category
  (add-one smoothing): a category the sample never visited costs
  ``ln(n + k)``, not infinity.
* ``brier``: ``(p - o)^2`` of the sample's share ``p`` of an event against its
  outcome ``o`` (0 or 1): peak >= 4, a third party involved.

The **null** forecast gives every crisis the same distribution: the draws of
all crises pooled (``pooled``). A model that knows nothing of which crisis
is which scores the null; one that tells them apart scores lower.

``spearman``: the rank correlation of two sequences (average ranks for ties;
NaN, "never", ranked above every number, as ``hindcast.percentile`` ranks it).
"""

from __future__ import annotations

import numpy as np

from . import measures


def crps(draws, value: float) -> float:
    """Sample CRPS of ``draws`` against ``value`` (numbers; NaN-free: see ``measures.as_number``); NaN without draws."""
    x = np.sort(np.asarray(draws, float))
    n = len(x)
    if n == 0:
        return float("nan")
    # E|X - X'| over all ordered pairs from the sorted sample: sum_i (2i - n + 1) x_i * 2 / n^2 (i from 0)
    spread = 2.0 * np.sum((2.0 * np.arange(n) - n + 1.0) * x) / n**2
    return float(np.mean(np.abs(x - value)) - 0.5 * spread)


def log_loss(draws, value, levels) -> float:
    """-ln p(value), p the shares of ``draws`` among ``levels`` with one draw added to each (add-one smoothing)."""
    x = np.asarray(draws, float)
    levels = np.asarray(levels, float)
    counts = np.array([(x == level).sum() for level in levels], float) + 1.0
    hit = levels == value
    if not hit.any():
        raise ValueError(f"log_loss: {value} is not one of the levels {levels.tolist()}")
    return float(-np.log(counts[hit][0] / counts.sum()))


def brier(flags, outcome) -> float:
    """(share of ``flags`` that are true - ``outcome``)^2: the Brier score of a sample's forecast of one event."""
    return float((np.mean(np.asarray(flags, float)) - float(outcome)) ** 2)


def ranks(values) -> np.ndarray:
    """Average ranks (1 = smallest), ties sharing their mean rank, NaN ("never") above every number."""
    x = np.asarray(values, float)
    x = np.where(np.isnan(x), np.inf, x)
    order = np.argsort(x, kind="stable")
    r = np.empty(len(x))
    r[order] = np.arange(1, len(x) + 1)
    for v in np.unique(x):
        tie = x == v
        r[tie] = r[tie].mean()
    return r


def spearman(a, b) -> float:
    """Spearman's rank correlation: Pearson's of the average ranks. NaN when either side has no spread."""
    ra, rb = ranks(a), ranks(b)
    if ra.std() == 0 or rb.std() == 0:
        return float("nan")
    return float(np.corrcoef(ra, rb)[0, 1])


# measure -> how a sample of it is scored: a number (CRPS) or a category (log loss over its levels)
RULES = dict(peak="log", lag="crps", strike="crps", kinetic="crps", duration="crps", mediated="log")
LEVELS = dict(peak=np.arange(measures.RUNGS), mediated=np.array([0.0, 1.0]))
# events scored by the Brier score: name -> (measure, the event as a function of its values)
EVENTS = dict(
    strikes=("peak", lambda v: measures.reached(v, measures.STRIKES)),  # peak >= 4: strikes on territory
    third_party=("mediated", lambda v: np.asarray(v, float) > 0.5),
)


def score(measure: str, draws, value: float) -> float:
    """The measure's proper score (``RULES``) of a sample against one value; NaN ("never") per ``measures.NEVER``."""
    if RULES[measure] == "log":
        return log_loss(np.round(np.asarray(draws, float)), float(np.round(value)), LEVELS[measure])
    return crps(measures.as_number(measure, draws), float(measures.as_number(measure, value)))


def event_score(event: str, draws, value: float) -> float:
    """The Brier score of the sample's share of ``event`` (``EVENTS``) against whether it happened."""
    measure, happened = EVENTS[event]
    return brier(happened(draws), bool(happened(np.array([value]))[0]))


def pooled(sim: dict, measure: str, crises=None) -> np.ndarray:
    """The null's draws: ``measure``'s draws of every crisis in ``sim`` ({crisis: {measure: draws}}) pooled."""
    return np.concatenate([np.asarray(sim[c][measure], float) for c in (crises or sim)])


def against_null(sim: dict, hist: dict, measures_scored, events=(), null_from: dict | None = None) -> list[dict]:
    """One row per crisis and score: the model's score of its own draws, the null's of the pooled draws.

    ``sim``: {crisis: {measure: draws}} for the crises scored; ``hist``: {crisis: {measure: value}};
    ``null_from``: the draws pooled into the null (default ``sim``: every crisis scored).
    """
    null_from = null_from or sim
    rows = []
    for crisis in sim:
        for m in measures_scored:
            rows.append(dict(crisis=crisis, measure=m, rule=RULES[m], record=hist[crisis][m],
                             model=score(m, sim[crisis][m], hist[crisis][m]), null=score(m, pooled(null_from, m), hist[crisis][m])))
        for e in events:
            m = EVENTS[e][0]
            rows.append(dict(crisis=crisis, measure=e, rule="brier", record=hist[crisis][m],
                             model=event_score(e, sim[crisis][m], hist[crisis][m]), null=event_score(e, pooled(null_from, m), hist[crisis][m])))
    return rows
