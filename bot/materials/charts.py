"""A PNG bar chart of moves per day, for /progress and the family digest: a chart a family
would forward.

Made for tired eyes on a phone, and checked at Telegram's preview size (about 320 pixels wide,
``PREVIEW_WIDTH_PX``): big type, colours that colour-blind readers tell apart (Paul Tol's
bright scheme), and every word from the caller, already in the reader's language
(``ChartWords``): weekday and month names, the title with the total and its change, the legend.

What a reader sees: one bar per day; the daily target as a dashed line; a red mark over a day
when something hurt; a soft grey dot on a day with no practice (a rest day, not a failure);
days still to come this week as empty, lighter slots; today's bar in orange with its number.

Two steps: :func:`layout_chart` decides every shape and word as plain data (what the tests
read), :func:`draw` paints it with Pillow. Pillow rather than matplotlib's axes: a chart here
takes a few milliseconds instead of over a hundred (``bench/charts.py``), and each call owns
its own image, so worker threads never share state. The font is DejaVu Sans, the one that
ships inside matplotlib (also the report's font), found on disk without importing matplotlib.
"""

from __future__ import annotations

import io
import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import Literal

from PIL import Image, ImageDraw, ImageFont

from bot.materials.fonts import font_file, needs_cjk
from bot.materials.texts import Texts
from bot.rules.family import Digest
from bot.rules.stats import Progress

WIDTH_PX, HEIGHT_PX = 800, 560
PREVIEW_WIDTH_PX = 320  # how wide Telegram shows a photo in a phone's chat, about
SUPERSAMPLE = 2  # drawn twice as large, then scaled down: smooth edges on every shape

BAR = "#0077bb"  # blue
TODAY = "#ee7733"  # orange
PAIN = "#cc3311"  # red
REST = "#bbbbbb"  # grey
TARGET = "#222222"
TEXT = "#111111"
SOFT_TEXT = "#777777"
GRID = "#dddddd"

TICK_PX, LABEL_PX, TITLE_PX, LEGEND_PX = 23, 23, 29, 22  # at 800 px wide: ≥ 8.8 px at 320
LEFT, RIGHT, TOP = 104, 784, 84
BOTTOM_WITH_LEGEND, BOTTOM_PLAIN = HEIGHT_PX - 150, HEIGHT_PX - 96
BAR_SHARE = 0.72  # of each day's slot


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
    day_month: str = "{day} {month}"  # how a day of a month is written ("{month}{day}日")
    lang: str = "en"  # picks the font (Chinese needs its own)


@dataclass(frozen=True)
class Words:
    """A piece of text on the chart: where (its anchor), how big, which colour."""

    text: str
    x: float
    y: float
    size: int
    colour: str = TEXT
    bold: bool = False
    anchor: str = "mm"  # Pillow's text anchors: "mm" middle, "ra" right-ascender...
    rotate: bool = False


@dataclass
class Layout:
    """Everything on one chart, in pixels of the finished image."""

    bars: list[tuple[float, float, float, float, str]] = field(default_factory=list)
    rest: list[tuple[float, float]] = field(default_factory=list)  # dot centres
    pain: list[tuple[float, float]] = field(default_factory=list)  # triangle tips
    grid: list[float] = field(default_factory=list)  # y of each grid line
    target: float | None = None  # y of the dashed line
    baseline: float = 0.0
    words: list[Words] = field(default_factory=list)
    legend: list[tuple[Literal["target", "pain", "rest"], float, float]] = field(
        default_factory=list)  # handle kind and its centre
    lang: str = "en"  # the words' language, for the font


def nice_step(top: float, intervals: int = 4) -> int:
    """A round step (1, 2, 5 × a power of ten) that splits 0..top in at most ``intervals``."""
    raw = max(top / intervals, 1)
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * power
        if step >= raw and float(step).is_integer():
            return int(step)
    return int(10 * power)


def _tick(day: date, words: ChartWords, *, weekly: bool) -> str:
    """"Mon" over "23" on a week's chart; "Mon" over "23 Nov" on a longer one."""
    weekday = words.weekdays[day.weekday()]
    if weekly:
        return f"{weekday}\n{day.day}"
    return f"{weekday}\n" + words.day_month.format(day=day.day, month=words.months[day.month - 1])


def layout_chart(days: Sequence[tuple[date, int]], *, words: ChartWords,
                 target: int | None = None, pain_days: Collection[date] = (),
                 through: date | None = None) -> Layout:
    """Every shape and word: ``days`` oldest first, the last one today; ``through`` (a later
    day) leaves empty slots for the rest of the week."""
    shown = list(days)
    today = shown[-1][0] if shown else None
    future: list[date] = []
    if today is not None and through is not None and through > today:
        future = [today + timedelta(days=n) for n in range(1, (through - today).days + 1)]
    slots = [d for d, _ in shown] + future
    values = [max(0, reps) for _, reps in shown]
    rest_days = [i for i, v in enumerate(values) if v == 0 and i < len(values) - 1]
    hurt = [i for i, (d, _) in enumerate(shown) if d in pain_days]
    has_target = target is not None and target > 0
    legend_kinds: list[Literal["target", "pain", "rest"]] = (
        (["target"] if has_target else []) + (["pain"] if hurt else [])
        + (["rest"] if rest_days else []))
    bottom = BOTTOM_WITH_LEGEND if legend_kinds else BOTTOM_PLAIN
    top_value = max([*values, target or 0, 5])
    step = nice_step(top_value * 1.05)
    scale_top = max(step * math.ceil(top_value * 1.22 / step), step)
    height = bottom - TOP

    def y_of(value: float) -> float:
        return bottom - value / scale_top * height

    layout = Layout(baseline=bottom, lang=words.lang)
    slot = (RIGHT - LEFT) / max(len(slots), 1)
    centre = [LEFT + slot * (i + 0.5) for i in range(len(slots))]
    layout.grid = [y_of(v) for v in range(step, int(scale_top) + 1, step)]
    for value in range(0, int(scale_top) + 1, step):
        layout.words.append(Words(f"{value}", LEFT - 14, y_of(value), TICK_PX, anchor="rm"))
    for i, value in enumerate(values):
        half = slot * BAR_SHARE / 2
        colour = TODAY if i == len(values) - 1 else BAR
        if value > 0:
            layout.bars.append((centre[i] - half, y_of(value), centre[i] + half, bottom, colour))
    layout.rest = [(centre[i], bottom - 9) for i in rest_days]
    layout.pain = [(centre[i], y_of(values[i]) - 10) for i in hurt]
    if has_target:
        layout.target = y_of(target or 0)
    if values:
        lift = 44 if hurt and hurt[-1] == len(values) - 1 else 18
        layout.words.append(Words(f"{values[-1]}", centre[len(values) - 1],
                                  y_of(values[-1]) - lift, LABEL_PX, TODAY, bold=True))
    weekly = len(slots) <= 7
    ticks = range(len(slots)) if weekly else [i for i, d in enumerate(slots)
                                              if d.weekday() == 0]
    for i in ticks:
        layout.words.append(Words(_tick(slots[i], words, weekly=weekly), centre[i],
                                  bottom + 14, TICK_PX,
                                  SOFT_TEXT if slots[i] in future else TEXT, anchor="ma"))
    layout.words.append(Words(words.title, WIDTH_PX / 2, 36, TITLE_PX, bold=True))
    layout.words.append(Words(words.y_label, 26, (TOP + bottom) / 2, LABEL_PX, rotate=True))
    if legend_kinds:
        labels = {"target": words.target, "pain": words.pain, "rest": words.rest}
        widths = [60 + _text_width(labels[k], LEGEND_PX, words.lang) for k in legend_kinds]
        x = (WIDTH_PX - sum(widths) - 36 * (len(widths) - 1)) / 2
        y = HEIGHT_PX - 34
        for kind, width in zip(legend_kinds, widths, strict=True):
            layout.legend.append((kind, x + 20, y))
            layout.words.append(Words(labels[kind], x + 54, y, LEGEND_PX, anchor="lm"))
            x += width + 36
    return layout


@cache
def _font(size: int, bold: bool = False, lang: str = "en") -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_file(lang, bold=bold)), size)


def _text_width(text: str, size: int, lang: str = "en") -> float:
    return _font(size, lang=lang).getlength(text)


def draw(layout: Layout) -> bytes:
    """Paint a layout: PNG bytes, ``WIDTH_PX`` × ``HEIGHT_PX``."""
    k = SUPERSAMPLE
    image = Image.new("RGB", (WIDTH_PX * k, HEIGHT_PX * k), "white")
    pen = ImageDraw.Draw(image)
    for y in layout.grid:
        pen.line([(LEFT * k, y * k), (RIGHT * k, y * k)], fill=GRID, width=2 * k)
    for x0, y0, x1, y1, colour in layout.bars:
        pen.rectangle([x0 * k, y0 * k, x1 * k, y1 * k], fill=colour)
    pen.line([(LEFT * k, layout.baseline * k), (RIGHT * k, layout.baseline * k)], fill=TEXT,
             width=2 * k)
    for x, y in layout.rest:
        pen.ellipse([(x - 8) * k, (y - 8) * k, (x + 8) * k, (y + 8) * k], fill=REST)
    for x, y in layout.pain:
        _triangle(pen, x, y, k)
    if layout.target is not None:
        _dashes(pen, LEFT, RIGHT, layout.target, k)
    for kind, x, y in layout.legend:
        if kind == "target":
            _dashes(pen, x - 18, x + 22, y, k)
        elif kind == "pain":
            _triangle(pen, x, y + 9, k)
        else:
            pen.ellipse([(x - 8) * k, (y - 8) * k, (x + 8) * k, (y + 8) * k], fill=REST)
    one_weight = needs_cjk(layout.lang)  # a bold Chinese word is stroked a little instead
    for words in layout.words:
        font = _font(words.size * k, words.bold, layout.lang)
        stroke = k if words.bold and one_weight else 0
        if words.rotate and one_weight:  # Chinese stands upright, one character a line
            pen.multiline_text((words.x * k, words.y * k), "\n".join(words.text), font=font,
                               fill=words.colour, anchor="mm", align="center", spacing=2 * k)
            continue
        if words.rotate:
            box = font.getbbox(words.text)
            label = Image.new("RGBA", (box[2] + 4, box[3] + 4), (255, 255, 255, 0))
            ImageDraw.Draw(label).text((2, 2), words.text, font=font, fill=words.colour,
                                       stroke_width=stroke, stroke_fill=words.colour)
            turned = label.rotate(90, expand=True)
            image.paste(turned, (int(words.x * k - turned.width / 2),
                                 int(words.y * k - turned.height / 2)), turned)
            continue
        pen.multiline_text((words.x * k, words.y * k), words.text, font=font,
                           fill=words.colour, anchor=words.anchor, align="center",
                           spacing=4 * k, stroke_width=stroke, stroke_fill=words.colour)
    small = image.reduce(k)  # a box filter over each k×k block: smooth, and quick
    buffer = io.BytesIO()
    small.save(buffer, format="PNG", compress_level=1)  # a flat chart compresses well anyway
    return buffer.getvalue()


def _triangle(pen: ImageDraw.ImageDraw, x: float, tip: float, k: int) -> None:
    """A red mark pointing down at a day when something hurt; ``tip`` is its lowest point."""
    pen.polygon([((x - 11) * k, (tip - 18) * k), ((x + 11) * k, (tip - 18) * k),
                 (x * k, tip * k)], fill=PAIN)


def _dashes(pen: ImageDraw.ImageDraw, x0: float, x1: float, y: float, k: int) -> None:
    x = x0
    while x < x1:
        pen.line([(x * k, y * k), (min(x + 16, x1) * k, y * k)], fill=TARGET, width=3 * k)
        x += 26


def reps_chart(days: Sequence[tuple[date, int]], *, words: ChartWords,
               target: int | None = None, pain_days: Collection[date] = (),
               through: date | None = None) -> bytes:
    """PNG bytes of :func:`layout_chart`. An empty or all-zero series still gives a chart
    with a sensible scale, so the caller never has to special-case a new patient."""
    return draw(layout_chart(days, words=words, target=target, pain_days=pain_days,
                             through=through))


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
        rest=texts.label("chart.rest", lang),
        day_month=texts.label("chart.day_month", lang, day="{day}", month="{month}"),
        lang=lang)


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
