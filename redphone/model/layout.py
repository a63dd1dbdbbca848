"""The state's layout: what each index of a state array means, in one place for the kernels, the files and the dashboard.

The integers are the kernels' own (``sectors/political.py`` defines them,
next to the code that writes them); the names here are keyed by them, so a
reordering in the kernel reorders every reader. Readers (``lab.io``, the
dashboard's event log) import this module, never a number of their own.
"""

from __future__ import annotations

from .sectors.political import BACKCHANNEL, CABINET, CBM, EXECUTED, GIVEN, HEAD, HOTLINE, KINETIC, NO_ORDER, OPPOSITION, RESCIND_CAUSES, RESCINDED

__all__ = [
    "BACKCHANNEL", "CABINET", "CBM", "EXECUTED", "GIVEN", "HEAD", "HOTLINE", "INSTITUTIONS", "KINETIC", "NO_ORDER",
    "OPPOSITION", "ORDER_EVENTS", "RESCIND_CAUSES", "RESCINDED",
]

# DyadState.established (and the daily output ``established``, the files' ``institution`` axis), by index
INSTITUTIONS = tuple(name for name, _ in sorted({"hotline": HOTLINE, "backchannel": BACKCHANNEL, "cbm": CBM}.items(), key=lambda kv: kv[1]))
# PoliticalState.order_event (the daily output ``order``), by value
ORDER_EVENTS = tuple(name for name, _ in sorted({"none": NO_ORDER, "given": GIVEN, "executed": EXECUTED, "rescinded": RESCINDED}.items(), key=lambda kv: kv[1]))
