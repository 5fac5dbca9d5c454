"""A PNG bar chart of moves per day, for /progress and the family digest: a chart a family
would forward.

Drawn with matplotlib's object API (a ``Figure`` on an Agg canvas), never pyplot: pyplot keeps
global state and is not safe to use from the worker threads that ``asyncio.to_thread`` runs
this in. Made for tired eyes on a phone, and checked at Telegram's preview size (about 320
pixels wide, ``PREVIEW_WIDTH_PX``): big type, colours that colour-blind readers tell apart
(Paul Tol's bright scheme), and every word from the caller, already in the reader's language
(``ChartWords``): weekday and month names, the title with the total and its change, the legend.

What a reader sees: one bar per day; the daily target as a dashed line; a red mark over a day
when something hurt; a soft grey dot on a day with no practice (a rest day, not a failure);
days still to come this week as empty, lighter slots; today's bar in orange with its number.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from bot.materials.texts import Texts
from bot.rules.family import Digest
from bot.rules.stats import Progress

WIDTH_PX, HEIGHT_PX, DPI = 800, 560, 100
PREVIEW_WIDTH_PX = 320  # how wide Telegram shows a photo in a phone's chat, about

BAR = "#0077bb"  # blue
TODAY = "#ee7733"  # orange
PAIN = "#cc3311"  # red
REST = "#bbbbbb"  # grey
TARGET = "#222222"
TEXT = "#111111"
SOFT_TEXT = "#777777"
GRID = "#dddddd"

TICK_PT, LABEL_PT, TITLE_PT, LEGEND_PT = 17, 17, 21, 16
LEFT, RIGHT = 0.12, 0.98  # the plot's share of the width


@dataclass(frozen=True)
class ChartWords:
    """Every word on a chart, in the reader's language (from ``content/locales``)."""

    title: str
    y_label: str
    weekdays: Sequence[str]  # Monday first, short: "Mon"
    months: Sequence[str]  # January first, short: "Jan"
    target: str  # the legend for the dashed line: "daily target"
    pain: str  # "it hurt"
    rest: str  # "rest day"


def _tick(day: date, words: ChartWords, *, weekly: bool) -> str:
    """"Mon" over "23" on a week's chart; "Mon" over "23 Nov" on a longer one."""
    weekday = words.weekdays[day.weekday()]
    if weekly:
        return f"{weekday}\n{day.day}"
    return f"{weekday}\n{day.day} {words.months[day.month - 1]}"


def build_chart(days: Sequence[tuple[date, int]], *, words: ChartWords,
                target: int | None = None, pain_days: Collection[date] = (),
                through: date | None = None) -> Figure:
    """The chart as a matplotlib ``Figure``: ``days`` oldest first, the last one today;
    ``through`` (a later day) leaves empty slots for the rest of the week."""
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    shown = list(days)
    today = shown[-1][0] if shown else None
    future: list[date] = []
    if today is not None and through is not None and through > today:
        future = [today + timedelta(days=n) for n in range(1, (through - today).days + 1)]
    slots = [d for d, _ in shown] + future
    values = [max(0, reps) for _, reps in shown]
    positions = list(range(len(slots)))
    colours = [BAR] * len(values)
    if colours:
        colours[-1] = TODAY
    # one collection of thick lines draws every bar: far cheaper than a patch per bar
    axes_px = WIDTH_PX * (RIGHT - LEFT)
    bar_pt = 0.72 * axes_px / max(len(slots), 1) * 72 / DPI
    axes.vlines(positions[:len(values)], 0, values, colors=colours, linewidth=bar_pt,
                capstyle="butt", zorder=2)
    top = max([*values, target or 0, 5])
    rest = [i for i, v in enumerate(values) if v == 0 and i < len(values) - 1]
    if rest:  # a rest day is a day, not a hole: a soft dot on the baseline
        axes.scatter(rest, [top * 0.02] * len(rest), s=90, color=REST, zorder=3)
    pain = [i for i, d in enumerate(slots[:len(values)]) if d in pain_days]
    if pain:
        axes.scatter(pain, [values[i] + top * 0.06 for i in pain], s=170, marker="v",
                     color=PAIN, zorder=4)
    if target is not None and target > 0:
        axes.axhline(target, color=TARGET, linestyle=(0, (6, 4)), linewidth=2.5, zorder=3)
    if values:
        axes.annotate(f"{values[-1]}", (positions[len(values) - 1], values[-1]),
                      xytext=(0, 8 if not pain or pain[-1] != len(values) - 1 else 26),
                      textcoords="offset points", ha="center", va="bottom",
                      fontsize=LABEL_PT, fontweight="bold", color=TODAY)

    weekly = len(slots) <= 7
    ticks = positions if weekly else [i for i, d in enumerate(slots) if d.weekday() == 0]
    axes.set_xticks(ticks, [_tick(slots[i], words, weekly=weekly) for i in ticks],
                    fontsize=TICK_PT, color=TEXT)
    for i, tick in zip(ticks, axes.get_xticklabels(), strict=True):
        if slots[i] in future:
            tick.set_color(SOFT_TEXT)
    axes.set_xlim(-0.6, max(len(slots), 1) - 0.4)
    axes.set_ylim(0, top * 1.22)
    axes.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    axes.tick_params(axis="y", labelsize=TICK_PT, colors=TEXT)
    axes.tick_params(axis="x", length=0, colors=TEXT, pad=8)
    axes.grid(axis="y", color=GRID, linewidth=1, zorder=0)
    figure.text(0.5, 0.965, words.title, ha="center", va="top", fontsize=TITLE_PT,
                fontweight="bold", color=TEXT)
    axes.set_ylabel(words.y_label, fontsize=LABEL_PT, color=TEXT)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    axes.spines["bottom"].set_linewidth(1.5)
    axes.spines["bottom"].set_color(TEXT)

    legend = []
    if target is not None and target > 0:
        legend.append(Line2D([], [], color=TARGET, linestyle=(0, (6, 4)), linewidth=2.5,
                             label=words.target))
    if pain:
        legend.append(Line2D([], [], color=PAIN, marker="v", linestyle="", markersize=12,
                             label=words.pain))
    if rest:
        legend.append(Line2D([], [], color=REST, marker="o", linestyle="", markersize=10,
                             label=words.rest))
    if legend:
        figure.legend(handles=legend, loc="lower center", ncols=len(legend), frameon=False,
                      fontsize=LEGEND_PT, handlelength=1.8, columnspacing=1.4)
    figure.subplots_adjust(left=LEFT, right=RIGHT, top=0.86,
                           bottom=0.27 if legend else 0.18)
    return figure


def reps_chart(days: Sequence[tuple[date, int]], *, words: ChartWords,
               target: int | None = None, pain_days: Collection[date] = (),
               through: date | None = None) -> bytes:
    """PNG bytes of :func:`build_chart`. An empty or all-zero series still gives a chart
    with a sensible scale, so the caller never has to special-case a new patient."""
    figure = build_chart(days, words=words, target=target, pain_days=pain_days,
                         through=through)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white",
                   pil_kwargs={"compress_level": 1})  # a flat chart compresses well anyway
    return buffer.getvalue()


def chart_words(texts: Texts, lang: str, *, weekly: bool, total: int,
                last_week: int | None) -> ChartWords:
    """The words of a chart in ``lang``; the title carries the week's total and its change
    from last week (none for a first week)."""
    change = None if last_week is None else total - last_week
    return ChartWords(
        title=texts.label("chart.week_title" if weekly else "chart.title", lang, total=total,
                          change=change),
        y_label=texts.label("chart.y_label", lang),
        weekdays=texts.label("chart.weekdays", lang).split(","),
        months=texts.label("chart.months", lang).split(","),
        target=texts.label("chart.target", lang), pain=texts.label("chart.pain", lang),
        rest=texts.label("chart.rest", lang))


def week_chart(texts: Texts, lang: str, digest: Digest, *, target: int | None) -> bytes:
    """The digest's chart: Monday to Sunday of the digest's week, the days to come empty."""
    return reps_chart(digest.reps_by_day,
                      words=chart_words(texts, lang, weekly=True, total=digest.reps,
                                        last_week=digest.reps_last_week),
                      target=target, pain_days=digest.pain_days, through=digest.week_end)


def progress_chart(texts: Texts, lang: str, progress: Progress, *,
                   target: int | None) -> bytes:
    """/progress's chart: the last four weeks, titled with this week against the last."""
    return reps_chart(progress.reps_by_day,
                      words=chart_words(texts, lang, weekly=False,
                                        total=progress.this_week_reps,
                                        last_week=progress.last_week_reps),
                      target=target, pain_days=progress.pain_days)
