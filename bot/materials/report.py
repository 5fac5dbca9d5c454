"""The report for a clinic visit, as a PDF of one or two A4 pages: the period, days practised,
minutes and moves per day against the plan, difficulty and pain by body region by week, what
changed and why, the safety answers, the goals, and family involvement (counts only).

fpdf2 writes the PDF (it embeds only the glyphs used); the chart is drawn with matplotlib's
object API. The fonts ship with the dependencies (``bot.materials.fonts``): DejaVu Sans, and
Noto Sans CJK SC for Chinese. CPU-bound: call it off the event loop.
"""

from __future__ import annotations

import io
from datetime import date
from functools import cache
from typing import TYPE_CHECKING

from bot.flows.report import ReportData
from bot.materials.catalogue import catalogue, reading
from bot.materials.fonts import font_file, matplotlib_family
from bot.materials.locale_format import when
from bot.materials.texts import Texts
from bot.materials.words import change_words

if TYPE_CHECKING:
    from fpdf import FPDF

BLUE, GREY, ORANGE = "#0b4f8a", "#6f6f6f", "#d55e00"
QUESTIONS = ("cleared", "swallow", "shoulder_pain", "sitting", "feeling")
REGIONS = ("shoulder", "elbow", "wrist", "hand")
STAGE_KEYS = ("shoulder", "elbow", "wrist", "hand_gross", "hand_fine")

WEEKLY_FROM_DAYS = 60  # a longer period is drawn a bar a week, so it stays readable (and fast)


class Words:
    """Every word of the report in the reader's language (``report.*`` in labels.yaml)."""

    def __init__(self, texts: Texts, lang: str) -> None:
        self.texts, self.lang = texts, lang

    def __call__(self, key: str, **values: object) -> str:
        return self.texts.label(f"report.{key}", self.lang, **values)

    def day(self, value: date, year: bool = False) -> str:
        return when(value, "yMMMd" if year else "MMMd", self.lang)

    def label(self, key: str, **values: object) -> str:
        return self.texts.label(key, self.lang, **values)


def _bars(data: ReportData, words: Words
          ) -> tuple[list[str], list[int], list[int], list[bool], str]:
    """Labels, moves done, moves planned and pain marks per bar: a bar a day, or a week."""
    if len(data.days) <= WEEKLY_FROM_DAYS:
        return ([words.day(d.day) for d in data.days], [d.reps for d in data.days],
                [d.planned for d in data.days], [d.day in data.pain_days for d in data.days],
                words("per_day"))
    labels, done, planned, pain = [], [], [], []
    for start in range(0, len(data.days), 7):
        week = data.days[start:start + 7]
        labels.append(words.day(week[0].day))
        done.append(sum(d.reps for d in week))
        planned.append(sum(d.planned for d in week))
        pain.append(any(d.day in data.pain_days for d in week))
    return labels, done, planned, pain, words("per_week")


def _chart(data: ReportData, words: Words) -> bytes:
    """Moves done (bars) against what was planned (marks), with pain marked."""
    # matplotlib is imported when a report is drawn, not when the bot starts (half a second
    # and tens of megabytes that most processes never need)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    labels, done, planned, pain, unit = _bars(data, words)
    figure = Figure(figsize=(9, 3.2), dpi=100, facecolor="white")
    figure.subplots_adjust(left=0.08, right=0.99, bottom=0.12, top=0.86)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    x = list(range(len(labels)))
    font = FontProperties(family=matplotlib_family(words.lang))  # Chinese needs its own
    axes.bar(x, done, color=BLUE, width=0.8, label=words("done"), zorder=2)
    marks = [(i, v) for i, v in zip(x, planned, strict=True) if v]
    axes.scatter([i for i, _ in marks], [v for _, v in marks], marker="_",
                 s=max(40, 260 * 28 // max(28, len(x))), linewidths=3, color=GREY,
                 label=words("planned"), zorder=3)
    for i in x:
        if pain[i]:
            axes.plot(i, max(done[i], planned[i]) * 1.03 + 3, marker="v", color=ORANGE,
                      zorder=4)
    step = max(1, len(x) // 8)
    axes.set_xticks(x[::step], labels[::step], fontproperties=font)
    axes.set_ylabel(unit, fontproperties=font)
    axes.grid(axis="y", color="#dddddd", zorder=0)
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2, frameon=False, prop=font)
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


@cache
def _pdf_class() -> type[FPDF]:
    """fpdf2's document with our heading on every page (imported when first needed)."""
    from fpdf import FPDF

    class Pdf(FPDF):
        heading = ""

        def header(self) -> None:
            self.set_font("body", "", 8)
            self.set_text_color(110)
            self.cell(0, 5, self.heading, new_x="LMARGIN", new_y="NEXT", align="R")
            self.set_text_color(0)

    return Pdf


def build_report(data: ReportData, words: Words) -> bytes:
    """The PDF's bytes, every word in the reader's language."""
    pdf = _pdf_class()(format="A4")
    pdf.heading = words("heading")  # type: ignore[attr-defined]
    pdf.add_font("body", "", str(font_file(words.lang)))
    pdf.add_font("body", "B", str(font_file(words.lang, bold=True)))
    pdf.set_auto_page_break(auto=True, margin=14)
    pdf.add_page()
    pdf.set_font("body", "B", 16)
    name = data.name if data.name_shown else words("patient", number=data.name)
    pdf.cell(0, 9, words("title", name=name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("body", "", 10)
    pdf.cell(0, 6, words("period", start=words.day(data.start, True),
                         end=words.day(data.end, True), days=len(data.days),
                         level=words.label(f"stage.{data.stage}")
                         if data.stage in STAGE_KEYS else data.stage,
                         side=data.side if data.side in ("left", "right") else None),
             new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _table(pdf, [(words("days_practised"), words("of", part=data.days_practised,
                                                 whole=len(data.days))),
                 (words("moves_in_all"), str(data.total_reps)),
                 (words("minutes_in_all"), str(data.total_minutes)),
                 (words("daily_goal"), words("goal_minutes", minutes=data.goal_minutes))])
    pdf.ln(2)
    pdf.set_font("body", "B", 11)
    pdf.cell(0, 7, words("chart_title"), new_x="LMARGIN", new_y="NEXT")
    pdf.image(io.BytesIO(_chart(data, words)), w=180)
    pdf.ln(1)
    pdf.set_font("body", "B", 11)
    pdf.cell(0, 7, words("by_week"), new_x="LMARGIN", new_y="NEXT")
    rows = [(words("week_of"), words("difficulty"),
             *(words.label(f"region.{r}") for r in REGIONS))]
    difficulty = dict(data.difficulty_by_week)
    for week, regions in data.pain_by_week:
        mean = difficulty.get(week)
        rows.append((words.day(week), f"{mean:.1f}" if mean is not None else "–",
                     *(str(regions.get(r, 0)) for r in REGIONS)))
    _grid(pdf, rows)
    pdf.ln(3)
    _section(pdf, words("changes"))
    lines = []
    for day, kind, detail, reason in data.changes:
        what, to, why = change_words(words.texts, words.lang, kind, detail, reason)
        lines.append(words("change_line", day=words.day(day), what=what, to=to, why=why))
    exercises = catalogue(words.lang)
    lines += [words("taken_out", title=exercises[t].title) for t in data.removed]
    lines += [words("on_hold", title=exercises[t].title) for t in data.held]
    _lines(pdf, lines or [words("no_changes")])
    _section(pdf, words("safety"))
    _lines(pdf, [words("answer", question=words(f"q_{key}"), answer=words(f"a_{value}"))
                 for key, value in sorted(data.answers.items())
                 if key in QUESTIONS and value in ("yes", "no", "unsure")]
           or [words("not_answered")])
    _section(pdf, words("arm_use"))
    _lines(pdf, [words("arm_use_line", day=words.day(day, True),
                       amount=_score(amount, words), quality=_score(quality, words))
                 for day, amount, quality in data.arm_use] or [words("not_answered")])
    _section(pdf, words("goals"))
    _lines(pdf, [words("goal", goal=data.goal, reached=data.goal_reached) if data.goal
                 else words("no_goal")])
    _section(pdf, words("family"))
    _lines(pdf, [words("family_members", count=data.family_members),
                 words("cheers", count=data.cheers)])
    return bytes(pdf.output())


def _score(value: float | None, words: Words) -> str:
    return f"{value:.1f}" if value is not None else words("not_sure")


def _section(pdf: FPDF, title: str) -> None:
    pdf.set_font("body", "B", 11)
    pdf.cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("body", "", 10)


def _lines(pdf: FPDF, lines: list[str]) -> None:
    for line in lines:
        pdf.multi_cell(0, 5, "• " + line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _table(pdf: FPDF, rows: list[tuple[str, str]]) -> None:
    for key, value in rows:
        pdf.set_font("body", "", 10)
        pdf.cell(70, 6, key)
        pdf.set_font("body", "B", 10)
        pdf.cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")


def _grid(pdf: FPDF, rows: list[tuple[str, ...]]) -> None:
    widths = (26, 24, 28, 24, 40, 36)  # the longest region names fit ("Antebrazo o muñeca")
    for n, row in enumerate(rows):
        pdf.set_font("body", "B" if n == 0 else "", 9)
        for width, value in zip(widths, row, strict=True):
            pdf.cell(width, 6, value, border=1, align="C")
        pdf.ln(6)


def report_for(data: ReportData, texts: Texts, lang: str, *, reader: str) -> tuple[bytes, str]:
    """The PDF in the reader's language and the caption that goes with it; CPU-bound (call
    it off the event loop)."""
    caption = texts.render("care/report_caption", lang, name=reader, start=data.start,
                           end=data.end, days=data.days_practised, total=len(data.days))
    with reading(lang):  # exercise titles in the reader's words
        return build_report(data, Words(texts, lang)), caption
