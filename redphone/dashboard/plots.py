"""The dashboard's views, drawn with matplotlib from the recorded days.

Each function takes ``daily`` (``CrisisModel.daily()``: arrays with a leading
day axis, or an empty dict before the first day) and the side names, and
returns a ``matplotlib.figure.Figure`` (no pyplot: the server draws from
several threads). Matplotlib renders to PNG on the server, so the page needs
no plotting library of its own: the views work offline.

``render`` turns a view's figure into PNG bytes, drawing only what changes
from day to day (``DATA``: lines, markers, fills, bars, notes) over a cached
picture of the rest (frames, ticks, labels, titles, legends). Axis limits
therefore move in steps (``horizon``, ``ceiling``), so that the cached
picture stays valid for many days: about a tenth of the drawing time.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from redphone.dashboard.events import RUNG_WORDS

# Okabe-Ito: colour-blind-safe
SIDE_COLOURS = ("#0072B2", "#D55E00")
LEVEL_COLOUR = "#555555"
CHANNEL_COLOURS = {"hotline": "#009E73", "DGMO": "#CC79A7", "mediation": "#E69F00", "ceasefire": "#000000"}
SIZE = (6.4, 3.6)
DPI = 80
SHORT_RUNGS = ("0 normal", "1 verbal", "2 mobilise", "3 border fire", "4 strikes", "5 war", "6 nuclear")
assert len(SHORT_RUNGS) == len(RUNG_WORDS)


def _figure(rows: int = 1, cols: int = 1, left: float = 0.12, **kwargs):
    # fixed margins: a layout engine would double the drawing time of every step
    fig = Figure(figsize=SIZE, dpi=DPI)
    fig.subplots_adjust(left=left, right=0.98, top=0.92, bottom=0.13, hspace=0.12, wspace=0.25)
    return fig, fig.subplots(rows, cols, squeeze=False, **kwargs)


def _days(daily: Mapping) -> np.ndarray:
    return np.arange(len(daily["crisis_level"])) if daily else np.arange(0)


def horizon(n_days: int) -> int:
    """The last day on the x axis: 10, then the next multiple of 20 (the axis moves every 20 days)."""
    last = max(n_days - 1, 0)
    return 10 if last <= 10 else -(-last // 20) * 20


def ceiling(value: float) -> float:
    """An upper y limit above ``value`` that changes rarely: 1, 2 or 5 times a power of ten."""
    if not np.isfinite(value) or value <= 0:
        return 1.0
    power = 10.0 ** np.floor(np.log10(value * 1.05))
    return float(next(m * power for m in (1, 2, 5, 10) if m * power >= value * 1.05))


def _data(fig: Figure) -> list:
    """What changes from day to day: every line, collection, patch and note on the axes."""
    return [a for ax in fig.axes for a in (*ax.lines, *ax.collections, *ax.patches, *ax.texts)]


def _frame_key(fig: Figure) -> tuple:
    # what the cached picture depends on: each axes' limits, titles and legend texts
    key = []
    for ax in fig.axes:
        legend = ax.get_legend()
        key.append((ax.get_xlim(), ax.get_ylim(), ax.get_title("left"), tuple(t.get_text() for t in legend.get_texts()) if legend else ()))
    return tuple(key)


def render(fig: Figure, cache: dict) -> bytes:
    """The figure as PNG bytes; ``cache`` (one per view and model) keeps the picture of what does not change."""
    canvas = FigureCanvasAgg(fig)
    data = _data(fig)
    key = _frame_key(fig)
    if cache.get("key") != key:
        for artist in data:
            artist.set_visible(False)
        canvas.draw()
        cache["key"], cache["frame"] = key, canvas.copy_from_bbox(fig.bbox)
        for artist in data:
            artist.set_visible(True)
    else:
        canvas.get_renderer()  # a renderer of the figure's size, to paint the cached frame into
    canvas.restore_region(cache["frame"])
    renderer = canvas.get_renderer()
    for artist in data:
        artist.draw(renderer)
    width, height = canvas.get_width_height()
    buffer = io.BytesIO()
    Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).save(buffer, "png", compress_level=1)
    return buffer.getvalue()


def _waiting(ax) -> None:
    ax.text(0.5, 0.5, "no day simulated yet: press Step", ha="center", va="center", transform=ax.transAxes, color="grey")


def ladder(daily: Mapping, sides: Sequence[str]) -> Figure:
    """Crisis level and each side's rung over time, with the day's events marked beneath."""
    fig, axes = _figure(2, 1, left=0.15, sharex=True, height_ratios=(3, 2))
    top, strip = axes[0, 0], axes[1, 0]
    top.set_title("Escalation ladder", loc="left", fontsize="medium")
    top.set_yticks(range(len(SHORT_RUNGS)), SHORT_RUNGS, fontsize="small")
    top.set_ylim(-0.3, 6.3)
    rows = ["trigger", "strike", "hotline", "DGMO", "mediation", "ceasefire"]
    strip.set_yticks(range(len(rows)), rows, fontsize="small")
    strip.set_ylim(len(rows) - 0.5, -0.5)
    strip.set_xlabel("day")
    days = _days(daily)
    if not len(days):
        _waiting(top)
        return fig
    top.step(days, daily["crisis_level"], where="mid", color=LEVEL_COLOUR, lw=5, alpha=0.3, label="crisis level")
    for s in (0, 1):
        top.step(days, daily["rung"][:, s], where="mid", color=SIDE_COLOURS[s], lw=1.6, label=f"rung {sides[s]}")
    top.legend(loc="upper right", fontsize="x-small", ncols=3)
    for s in (0, 1):  # triggers: an attack on side s; strikes: side s strikes
        hit = np.flatnonzero(daily["attack"][:, s] > 0)
        strip.scatter(hit, np.full(len(hit), 0), marker="v", color=SIDE_COLOURS[s], s=30, label=f"on {sides[s]}" if len(hit) else None)
        hit = np.flatnonzero(daily["strike"][:, s] > 0)
        strip.scatter(hit, np.full(len(hit), 1), marker="x", color=SIDE_COLOURS[s], s=25)
    for row, key in ((2, "hotline_call"), (3, "dgmo_call"), (4, "mediation"), (5, "ceasefire")):
        hit = np.flatnonzero(daily[key] > 0.5)
        strip.scatter(hit, np.full(len(hit), row), marker="|", color=CHANNEL_COLOURS[rows[row]], s=70, linewidths=2)
    strip.set_xlim(-0.5, horizon(len(days)) + 0.5)
    strip.grid(axis="x", alpha=0.3)
    return fig


def hostility(daily: Mapping, sides: Sequence[str]) -> Figure:
    """Each side's hostility distribution today (the public's histogram) and its mean over time."""
    fig, axes = _figure(1, 2, left=0.11, width_ratios=(1, 1))
    hist, trend = axes[0, 0], axes[0, 1]
    hist.set_title("Public hostility today", loc="left", fontsize="medium")
    hist.set_xlabel("hostility toward the rival")
    hist.set_ylabel("share of citizens")
    hist.set_xlim(0, 1)
    trend.set_title("Mean hostility (band: ±1 sd)", loc="left", fontsize="medium")
    trend.set_xlabel("day")
    trend.set_ylim(0, 1)
    days = _days(daily)
    if not len(days):
        _waiting(hist)
        return fig
    counts = daily["hostility_hist"][-1]  # (side, bin)
    edges = np.linspace(0.0, 1.0, counts.shape[1] + 1)
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1e-12)
    hist.set_ylim(0, ceiling(float(shares.max())))
    for s in (0, 1):
        share = shares[s]
        hist.stairs(share, edges, color=SIDE_COLOURS[s], fill=True, alpha=0.25)
        mean = float(daily["hostility_mean"][-1, s])
        hist.stairs(share, edges, color=SIDE_COLOURS[s], lw=1.4, label=sides[s])
        hist.axvline(mean, color=SIDE_COLOURS[s], ls="--", lw=1.2)
        hist.text(0.98, 0.95 - 0.09 * s, f"mean {sides[s]} {mean:.2f}", transform=hist.transAxes, ha="right", va="top", fontsize="x-small", color=SIDE_COLOURS[s])
        m, sd = daily["hostility_mean"][:, s], daily["hostility_std"][:, s]
        trend.fill_between(days, m - sd, m + sd, color=SIDE_COLOURS[s], alpha=0.15, lw=0)
        trend.plot(days, m, color=SIDE_COLOURS[s], lw=1.6, label=sides[s])
    hist.legend(loc="upper left", fontsize="x-small")
    trend.set_xlim(0, horizon(len(days)))
    return fig


def _two_panels(daily, sides, title, panels):
    fig, axes = _figure(len(panels), 1, sharex=True)
    fig.subplots_adjust(hspace=0.1)
    axes[0, 0].set_title(title, loc="left", fontsize="medium")
    days = _days(daily)
    for (key, label, ylim), ax in zip(panels, axes[:, 0]):
        ax.set_ylabel(label, fontsize="small")
        if ylim:
            ax.set_ylim(*ylim)
        if len(days):
            if not ylim:
                ax.set_ylim(0, ceiling(float(np.max(daily[key]))))
            for s in (0, 1):
                ax.plot(days, daily[key][:, s], color=SIDE_COLOURS[s], lw=1.6, label=sides[s])
    axes[-1, 0].set_xlabel("day")
    if len(days):
        axes[0, 0].legend(loc="upper right", fontsize="x-small", ncols=2)
        axes[-1, 0].set_xlim(0, horizon(len(days)))
    else:
        _waiting(axes[0, 0])
    return fig


def media(daily: Mapping, sides: Sequence[str]) -> Figure:
    """Media nationalism (reach-weighted frame) and victory claims, per side."""
    return _two_panels(daily, sides, "Media", [("media_nationalism", "nationalism", (0, 1)), ("victory_claims", "victory claims", None)])


def leaders(daily: Mapping, sides: Sequence[str]) -> Figure:
    """Each head of government's approval and belief about the rival's hostile intent."""
    return _two_panels(daily, sides, "Leaders", [("approval", "approval", (0, 1)), ("belief", "belief: rival hostile", (0, 1))])


VIEWS = (ladder, hostility, media, leaders)
