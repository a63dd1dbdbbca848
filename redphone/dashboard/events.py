"""The day's events in words, for the dashboard's log.

``describe_day`` reads one day's outputs (``dyad.daily_outputs``, as recorded
by ``CrisisModel``) and the day before, and says what happened. It is pure:
arrays in, a sentence out. Channels that stay open while a crisis lasts (a
mediator, the backchannel) are told when they open, not every day.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from redphone.model.layout import EXECUTED, GIVEN, INSTITUTIONS, RESCIND_CAUSES, RESCINDED

RUNG_WORDS = (
    "normal relations",
    "diplomatic and verbal hostility",
    "mobilisation",
    "limited cross-border fire",
    "strikes on the rival's territory",
    "full conventional war",
    "nuclear use",
)
# words for the state's codes, keyed by the names of redphone.model.layout (the one place of the state's layout)
INSTITUTION_WORDS = tuple(dict(hotline="a leader hotline", backchannel="an envoy backchannel", cbm="confidence-building measures")[name] for name in INSTITUTIONS)
RESCIND_WORDS = tuple(dict(none="", hotline="after a hotline call", backchannel="through the backchannel", mediation="under third-party pressure",
                           reconsidered="the leader reconsidered")[cause] for cause in RESCIND_CAUSES)
SEVERE = 0.6  # attack severity called "severe" in the log
CLAIM = 1e-3  # reach-weighted victory claims above this are news


def _on(outputs: Mapping, key: str, index: int | None = None) -> float:
    value = np.asarray(outputs[key])
    return float(value if index is None else value[index])


def _kinetic(actor: str, target: str, rung: int) -> str:
    if rung <= 3:
        return f"{actor} fires across the border at {target}"
    if rung == 4:
        return f"{actor} strikes {target}'s territory"
    return f"{actor} strikes {target} in full conventional war"


def describe_day(day: int, today: Mapping, yesterday: Mapping | None = None, sides: Sequence[str] = ("A", "B")) -> str | None:
    """One line for day `day` ("day 15: B strikes A's territory; A's media claim victory"), or None if nothing happened."""
    events: list[str] = []
    before = yesterday

    def started(key: str) -> bool:
        return _on(today, key) > 0.5 and (before is None or _on(before, key) < 0.5)

    if started("in_crisis"):
        events.append("a crisis opens")
    for s in (0, 1):
        severity = _on(today, "attack", s)
        if severity > 0:
            kind = "a severe attack" if severity >= SEVERE else "an attack"
            events.append(f"{kind} hits {sides[s]} (severity {severity:.2f})")
    rung = np.asarray(today["rung"]).astype(int)
    old = np.asarray(before["rung"]).astype(int) if before is not None else np.zeros_like(rung)
    nuclear = rung.max() >= 6 and (before is None or old.max() < 6)
    for s in (0, 1):
        if rung[s] != old[s] and not (nuclear and rung[s] == 6):
            verb = "escalates" if rung[s] > old[s] else "steps down"
            events.append(f"{sides[s]} {verb} to rung {rung[s]} ({RUNG_WORDS[rung[s]]})")
    if nuclear:
        events.append("nuclear weapons are used")
    if _on(today, "accident") > 0.5:
        events.append("an incident escalates by accident")
    for s in (0, 1):
        if _on(today, "strike", s) > 0:
            events.append(_kinetic(sides[s], sides[1 - s], int(rung[s])))
    for s in (0, 1):
        if _on(today, "loss", s) > 0:
            events.append(f"{sides[s]} suffers losses")
    if _on(today, "hotline_call") > 0.5:
        events.append("the leaders talk on the hotline")
    if _on(today, "dgmo_call") > 0.5:
        events.append("the DGMOs talk on their line")
    for s in (0, 1):
        order = int(_on(today, "order", s))
        if order == GIVEN:
            events.append(f"{sides[s]}'s leader orders a strike; the operation is being planned")
        elif order == EXECUTED:
            events.append(f"{sides[s]} executes its strike order")
        elif order == RESCINDED:
            cause = RESCIND_WORDS[int(_on(today, "rescind_cause", s))]
            events.append(f"{sides[s]}'s strike order is rescinded ({cause})")
    for s in (0, 1):
        if _on(today, "complied", s) > 0.5:
            events.append(f"{sides[1 - s]} complies with {sides[s]}'s demands")
    if _on(today, "repeak") > 0.5:
        events.append("a new attack re-ignites the crisis")
    if started("backchannel_use"):
        events.append("envoys open a backchannel")
    if started("mediation"):
        if _on(today, "mediation_refused") > 0.5:
            events.append("a third party steps in; mediation is refused, it only presses")
        else:
            events.append("a third party steps in to mediate")
    if _on(today, "ceasefire") > 0.5:
        events.append("a ceasefire is agreed")
    for s in (0, 1):
        if _on(today, "victory_claims", s) > CLAIM:
            events.append(f"{sides[s]}'s media claim victory")
    if before is not None and _on(before, "in_crisis") > 0.5 and _on(today, "in_crisis") < 0.5:
        events.append("the crisis ends")
    created = np.asarray(today["established"]) > 0.5
    had = np.asarray(before["established"]) > 0.5 if before is not None else created
    for k in np.flatnonzero(created & ~had):
        events.append(f"{INSTITUTION_WORDS[k]} is set up after the crisis")
    if not events:
        return None
    return f"day {day}: " + "; ".join(events)


def event_log(outputs: Sequence[Mapping], sides: Sequence[str] = ("A", "B"), last: int = 12) -> list[str]:
    """The most recent `last` days that had events, newest first."""
    lines = []
    for day in range(len(outputs) - 1, -1, -1):
        line = describe_day(day, outputs[day], outputs[day - 1] if day > 0 else None, sides)
        if line:
            lines.append(line)
            if len(lines) >= last:
                break
    return lines
