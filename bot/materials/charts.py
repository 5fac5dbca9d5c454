"""A PNG bar chart of reps per day, for /progress and the family digest.

Drawn with matplotlib's object API (a ``Figure`` on an Agg canvas), never pyplot: pyplot keeps
global state and is not safe to use from the worker threads that ``asyncio.to_thread`` runs
this in. The chart is made for tired eyes on a phone: big type, high-contrast colours that also
work for colour-blind readers, and no words of its own (title and axis label come from the
caller, already translated; dates are written as numbers).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import date

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

WIDTH_PX, HEIGHT_PX, DPI = 1000, 500, 100

BAR = "#0b4f8a"  # dark blue
TODAY = "#d55e00"  # vermilion: stands out from blue, also for colour-blind readers
GOAL = "#111111"
TEXT = "#111111"
GRID = "#c8c8c8"

MAX_DATE_LABELS = 6


def _label_every(count: int) -> int:
    """Label every 7th day, or every 14th, 21st... when there are many days."""
    return 7 * max(1, math.ceil(count / (7 * MAX_DATE_LABELS)))


def _date_label(day: date) -> str:
    """Numbers only, year first, so no reader mistakes the day for the month."""
    return day.isoformat()


def reps_chart(days: Sequence[tuple[date, int]], *, title: str, y_label: str,
               goal: int | None = None) -> bytes:
    """PNG bytes of one bar per day, oldest first; the last day is today and is highlighted.

    ``goal``, if given, is drawn as a dashed line. An empty or all-zero series still gives a
    chart (with a sensible scale), so the caller never has to special-case a new patient.
    """
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(days)))
    values = [max(0, reps) for _, reps in days]
    colours = [BAR] * len(days)
    if colours:
        colours[-1] = TODAY
    axes.bar(positions, values, color=colours, width=0.8, zorder=2)

    step = _label_every(len(days))
    # Count back from today so today's bar is always labelled.
    ticks = [i for i in positions if (len(days) - 1 - i) % step == 0]
    axes.set_xticks(ticks, [_date_label(days[i][0]) for i in ticks], fontsize=15, color=TEXT)
    axes.set_xlim(-0.6, max(len(days), 1) - 0.4)

    top = max([*values, goal or 0, 5])  # an empty week still gets a readable scale
    axes.set_ylim(0, top * 1.18)
    axes.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    axes.tick_params(axis="y", labelsize=15, colors=TEXT)
    axes.tick_params(axis="x", length=6, colors=TEXT)
    axes.grid(axis="y", color=GRID, linewidth=1, zorder=0)
    if values:
        axes.annotate(f"{values[-1]}", (positions[-1], values[-1]), xytext=(0, 6),
                      textcoords="offset points", ha="center", va="bottom", fontsize=16,
                      fontweight="bold", color=TODAY)
    if goal is not None and goal > 0:
        axes.axhline(goal, color=GOAL, linestyle=(0, (6, 4)), linewidth=2.5, zorder=3)

    axes.set_title(title, fontsize=22, fontweight="bold", color=TEXT, pad=14)
    axes.set_ylabel(y_label, fontsize=17, color=TEXT)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_linewidth(1.5)
        axes.spines[side].set_color(TEXT)
    figure.set_layout_engine("constrained")

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()
