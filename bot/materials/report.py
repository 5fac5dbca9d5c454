"""The report for a clinic visit, as a PDF of one or two A4 pages: the period, days practised,
minutes and moves per day against the plan, difficulty and pain by body region by week, what
changed and why, the safety answers, the goals, and family involvement (counts only).

fpdf2 writes the PDF (it embeds only the glyphs used); the chart is drawn with matplotlib's
object API like the chat charts. The font is DejaVu Sans, which ships inside matplotlib, so
names in most scripts print without a system font. CPU-bound: call it off the event loop.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
from fpdf import FPDF
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.flows.report import ReportData
from bot.materials.texts import Texts

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
BLUE, GREY, ORANGE = "#0b4f8a", "#6f6f6f", "#d55e00"
QUESTIONS = {"cleared": "Therapist or doctor said home arm exercise is fine",
             "swallow": "Safe to eat and drink as practice",
             "shoulder_pain": "Affected shoulder painful now",
             "sitting": "Sits steadily without support",
             "feeling": "Can feel when something hurts the affected arm"}
ANSWERS = {"yes": "yes", "no": "no", "unsure": "not sure"}


WEEKLY_FROM_DAYS = 60  # a longer period is drawn a bar a week, so it stays readable (and fast)


def _bars(data: ReportData) -> tuple[list[str], list[int], list[int], list[bool], str]:
    """Labels, moves done, moves planned and pain marks per bar: a bar a day, or a week."""
    if len(data.days) <= WEEKLY_FROM_DAYS:
        return ([d.day.strftime("%d %b") for d in data.days], [d.reps for d in data.days],
                [d.planned for d in data.days], [d.day in data.pain_days for d in data.days],
                "moves per day")
    labels, done, planned, pain = [], [], [], []
    for start in range(0, len(data.days), 7):
        week = data.days[start:start + 7]
        labels.append(week[0].day.strftime("%d %b"))
        done.append(sum(d.reps for d in week))
        planned.append(sum(d.planned for d in week))
        pain.append(any(d.day in data.pain_days for d in week))
    return labels, done, planned, pain, "moves per week"


def _chart(data: ReportData) -> bytes:
    """Moves done (bars) against what was planned (marks), with pain marked."""
    labels, done, planned, pain, unit = _bars(data)
    figure = Figure(figsize=(9, 3.2), dpi=100, facecolor="white")
    figure.subplots_adjust(left=0.08, right=0.99, bottom=0.12, top=0.86)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    x = list(range(len(labels)))
    axes.bar(x, done, color=BLUE, width=0.8, label="moves done", zorder=2)
    marks = [(i, v) for i, v in zip(x, planned, strict=True) if v]
    axes.scatter([i for i, _ in marks], [v for _, v in marks], marker="_",
                 s=max(40, 260 * 28 // max(28, len(x))), linewidths=3, color=GREY,
                 label="planned", zorder=3)
    for i in x:
        if pain[i]:
            axes.plot(i, max(done[i], planned[i]) * 1.03 + 3, marker="v", color=ORANGE,
                      zorder=4)
    step = max(1, len(x) // 8)
    axes.set_xticks(x[::step], labels[::step])
    axes.set_ylabel(unit)
    axes.grid(axis="y", color="#dddddd", zorder=0)
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2, frameon=False)
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


class _Pdf(FPDF):
    def header(self) -> None:
        self.set_font("dejavu", "", 8)
        self.set_text_color(110)
        self.cell(0, 5, "Rehab Buddy · home practice report · not a medical record",
                  new_x="LMARGIN", new_y="NEXT", align="R")
        self.set_text_color(0)


def build_report(data: ReportData, *, labels: dict[str, str] | None = None) -> bytes:
    """The PDF's bytes. ``labels`` translates stage keys and answers when given."""
    names = labels or {}
    pdf = _Pdf(format="A4")
    pdf.add_font("dejavu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("dejavu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=14)
    pdf.add_page()
    pdf.set_font("dejavu", "B", 16)
    pdf.cell(0, 9, f"Home practice: {data.name}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("dejavu", "", 10)
    side = f" · affected side: {data.side}" if data.side in ("left", "right") else ""
    pdf.cell(0, 6, f"{data.start:%d %b %Y} to {data.end:%d %b %Y} ({len(data.days)} days)"
             f" · level: {names.get(data.stage, data.stage)}{side}",
             new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _table(pdf, [("Days practised", f"{data.days_practised} of {len(data.days)}"),
                 ("Moves in all", str(data.total_reps)),
                 ("Minutes in all (estimated)", str(data.total_minutes)),
                 ("Daily goal", f"{data.goal_minutes} minutes" if data.goal_minutes
                  else "growing from 15 minutes toward 60")])
    pdf.ln(2)
    pdf.set_font("dejavu", "B", 11)
    pdf.cell(0, 7, "Moves against the plan (▼ pain that day or week)",
             new_x="LMARGIN", new_y="NEXT")
    pdf.image(io.BytesIO(_chart(data)), w=180)
    pdf.ln(1)
    pdf.set_font("dejavu", "B", 11)
    pdf.cell(0, 7, "By week: difficulty (1 very easy – 5 too hard) and days with pain",
             new_x="LMARGIN", new_y="NEXT")
    rows = [("Week of", "Difficulty", "Shoulder", "Elbow", "Wrist", "Hand")]
    difficulty = dict(data.difficulty_by_week)
    for week, regions in data.pain_by_week:
        mean = difficulty.get(week)
        rows.append((f"{week:%d %b}", f"{mean:.1f}" if mean is not None else "–",
                     *(str(regions.get(r, 0)) for r in ("shoulder", "elbow", "wrist", "hand"))))
    _grid(pdf, rows)
    pdf.ln(3)
    _section(pdf, "Changes to the plan, and why")
    lines = [f"{day:%d %b}: {kind} {detail}" + (f" ({reason})" if reason else "")
             for day, kind, detail, reason in data.changes]
    lines += [f"Taken out after pain: {t}" for t in data.removed]
    lines += [f"On hold (care team): {t}" for t in data.held]
    _lines(pdf, lines or ["No changes in this period."])
    _section(pdf, "Safety answers (entry check)")
    _lines(pdf, [f"{QUESTIONS.get(key, key)}: {ANSWERS.get(value, value)}"
                 for key, value in sorted(data.answers.items())] or ["Not answered yet."])
    _section(pdf, "Use of the affected arm, self-rated each month (0 not at all – 5 as before)")
    _lines(pdf, [f"{day:%d %b %Y}: how much {_score(amount)}, how well {_score(quality)}"
                 for day, amount, quality in data.arm_use] or ["Not answered yet."])
    _section(pdf, "Goals")
    goal = (f"In their own words: {data.goal}" + (" (reached)" if data.goal_reached else "")
            if data.goal else "No goal set.")
    _lines(pdf, [goal])
    _section(pdf, "Family involvement (counts only)")
    _lines(pdf, [f"Family members following: {data.family_members}",
                 f"Cheers received in this period: {data.cheers}"])
    return bytes(pdf.output())


def _score(value: float | None) -> str:
    return f"{value:.1f}" if value is not None else "not sure"


def _section(pdf: FPDF, title: str) -> None:
    pdf.set_font("dejavu", "B", 11)
    pdf.cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("dejavu", "", 10)


def _lines(pdf: FPDF, lines: list[str]) -> None:
    for line in lines:
        pdf.multi_cell(0, 5, "• " + line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _table(pdf: FPDF, rows: list[tuple[str, str]]) -> None:
    for key, value in rows:
        pdf.set_font("dejavu", "", 10)
        pdf.cell(70, 6, key)
        pdf.set_font("dejavu", "B", 10)
        pdf.cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")


def _grid(pdf: FPDF, rows: list[tuple[str, ...]]) -> None:
    widths = (30, 28, 28, 28, 28, 28)
    for n, row in enumerate(rows):
        pdf.set_font("dejavu", "B" if n == 0 else "", 9)
        for width, value in zip(widths, row, strict=True):
            pdf.cell(width, 6, value, border=1, align="C")
        pdf.ln(6)


STAGE_KEYS = ("shoulder", "elbow", "wrist", "hand_gross", "hand_fine")


def report_for(data: ReportData, texts: Texts, lang: str, *, reader: str) -> tuple[bytes, str]:
    """The PDF in the reader's language and the caption that goes with it; CPU-bound (call
    it off the event loop)."""
    labels = {key: texts.label(f"stage.{key}", lang) for key in STAGE_KEYS}
    caption = texts.render("care/report_caption", lang, name=reader, start=data.start,
                           end=data.end, days=data.days_practised, total=len(data.days))
    return build_report(data, labels=labels), caption
