"""Progress of long work, on stderr: one line rewritten in place on a terminal, one line per update in a log.

Messages of unfinished work end with ``…``; on a terminal each such message
replaces the one before it, and the next message that does not end with it
closes the line. In a file or a pipe each message is a line of its own, but
unfinished-work messages at most one every ``LOG_EVERY`` seconds.
"""

from __future__ import annotations

import sys
import time

PARTIAL = "…"
LOG_EVERY = 10.0
_open = {"line": False, "logged": None}  # logged: when the last unfinished-work line went to a log


def say(message: str, stream=None) -> None:
    stream = stream or sys.stderr
    tty = stream.isatty()
    if tty and message.endswith(PARTIAL):
        stream.write("\r\033[K" + message)
        _open["line"] = True
    elif message.endswith(PARTIAL) and _open["logged"] is not None and time.monotonic() - _open["logged"] < LOG_EVERY:
        return
    else:
        _open["logged"] = time.monotonic() if message.endswith(PARTIAL) else None
        stream.write(("\r\033[K" if tty and _open["line"] else "") + message + "\n")
        _open["line"] = False
    stream.flush()


def quiet(message: str) -> None:
    pass


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


class Meter:
    """How far a piece of work is: done of total, the rate so far, and the time left at that rate.

    The first update includes the compile, so the rate (and the time left)
    settles after the second chunk.
    """

    def __init__(self, total: int, unit: str = "runs", label: str = "", started: float | None = None):
        self.total, self.unit, self.label = total, unit, label
        self.started = time.perf_counter() if started is None else started

    def line(self, done: int, detail: str = "") -> str:
        elapsed = time.perf_counter() - self.started
        rate = done / elapsed if elapsed > 0 else 0.0
        head = f"[{self.label}] " if self.label else ""
        text = f"{head}{done}/{self.total} {self.unit} ({100 * done / max(self.total, 1):.0f}%){detail}, {_duration(elapsed)}, {rate:.3g} {self.unit}/s"
        if done == 0:
            return f"{head}0/{self.total} {self.unit}{detail} {PARTIAL}"
        if done < self.total:
            return f"{text}, about {_duration((self.total - done) / rate)} left {PARTIAL}"
        return text


class Interrupted(KeyboardInterrupt):
    """Ctrl-C between chunks: ``done`` of ``total`` runs had been fetched (and are dropped with the call)."""

    def __init__(self, done: int, total: int, unit: str = "runs"):
        super().__init__(f"interrupted after {done}/{total} {unit}")
        self.done, self.total, self.unit = done, total, unit
