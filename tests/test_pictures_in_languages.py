"""Charts and the PDF report in Chinese: every glyph drawn from a font that has it (the font
ships with the dependencies), none falling back to an empty box."""

from __future__ import annotations

import io
import warnings
from datetime import date, timedelta

from PIL import Image
from pypdf import PdfReader

from bot.flows.report import Day, ReportData
from bot.materials.charts import chart_words, layout_chart, reps_chart
from bot.materials.fonts import font_file, missing_glyphs
from bot.materials.report import report_for
from bot.materials.texts import texts

START = date(2026, 11, 2)
DAYS = [(START + timedelta(days=i), (i * 37) % 90) for i in range(28)]


def test_a_chinese_chart_has_every_glyph() -> None:
    words = chart_words(texts(), "zh-Hans", weekly=False, total=420, last_week=380)
    layout = layout_chart(DAYS, words=words, target=60, pain_days={START + timedelta(days=20)})
    shown = "".join(w.text for w in layout.words)
    assert "最近4周" in shown and "周一" in shown and "11月2日" in shown and "每天目标" in shown
    assert missing_glyphs(shown, "zh-Hans") == set()
    assert missing_glyphs(shown, "en") >= {"周", "最"}  # the Latin font would draw boxes
    assert font_file("zh-Hans").exists()  # shipped by a dependency, not the system
    png = reps_chart(DAYS, words=words, target=60, pain_days={START + timedelta(days=20)})
    image = Image.open(io.BytesIO(png))
    assert image.size == (800, 560)


def test_the_chinese_report_draws_every_glyph_and_reads_back() -> None:
    days = [Day(START + timedelta(days=i), (i * 37) % 90, 60, 15, 3.0) for i in range(28)]
    data = ReportData(
        name="12", name_shown=False, start=START, end=START + timedelta(days=27), stage="wrist",
        side="left", days=days, pain_by_week=[(START, {"wrist": 1})],
        difficulty_by_week=[(START, 3.2)], changes=[(START, "stage", "elbow", "assessment")],
        removed=["bottle_hammer"], held=[], answers={"cleared": "yes"}, goal="拿稳杯子",
        goal_reached=False, goal_minutes=None, family_members=2, cheers=5,
        pain_days={START + timedelta(days=20)})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pdf, caption = report_for(data, texts(), "zh-Hans", reader="李")
    assert not [w for w in caught if "missing from font" in str(w.message)]
    # pypdf reads the embedded CJK font's two-byte codes with a NUL between characters
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text().replace("\x00", "")
    for words in ("居家练习：患者12", "练习天数", "拿水瓶慢慢敲", "级别：手肘（根据我的评估）",
                  "拿稳杯子"):
        assert words in text, words
    assert caption.startswith("📄 报告，11月2日至2026年11月29日")
