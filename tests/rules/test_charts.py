"""The reps chart: real PNG bytes of a sensible size for any series, drawn off pyplot."""

from __future__ import annotations

import ast
import struct
import threading
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.materials import charts
from bot.materials.charts import ChartWords, Layout, layout_chart, nice_step, reps_chart

TODAY = date(2026, 11, 25)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def series(values: list[int]) -> list[tuple[date, int]]:
    return [(TODAY - timedelta(days=len(values) - 1 - i), v) for i, v in enumerate(values)]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


WORDS = ChartWords(title="235 moves this week (+35 on last week)", y_label="Moves",
                   weekdays=["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
                   months=["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
                           "Oct", "Nov", "Dec"],
                   target="daily target", pain="it hurt", rest="rest day")


def chart(values: list[int], goal: int | None = None) -> bytes:
    return reps_chart(series(values), words=WORDS, target=goal)


def texts_on(layout: Layout) -> list[str]:
    return [w.text for w in layout.words]


@pytest.mark.parametrize(
    "values",
    [[], [0] * 28, [(i * 7) % 23 for i in range(28)], [5], [0, 0, 500], list(range(90))],
    ids=["empty", "all-zero", "28-days", "one-day", "spike", "90-days"],
)
def test_renders_a_png_of_a_phone_friendly_size(values: list[int]) -> None:
    width, height = png_size(chart(values))
    assert (width, height) == (charts.WIDTH_PX, charts.HEIGHT_PX)


def test_every_word_is_readable_at_telegrams_preview_size() -> None:
    """Scaled to the width Telegram shows in a phone's chat, no text is under 7.5 pixels."""
    layout = layout_chart(series([(i * 7) % 23 for i in range(28)]), words=WORDS, target=20,
                          pain_days={TODAY - timedelta(days=2)})
    scale = charts.PREVIEW_WIDTH_PX / charts.WIDTH_PX
    sizes = [w.size * scale for w in layout.words]
    assert len(sizes) > 10 and min(sizes) >= 7.5, sizes
    # and nothing is drawn outside the picture
    assert all(0 <= w.x <= charts.WIDTH_PX and 0 <= w.y <= charts.HEIGHT_PX
               for w in layout.words)


def test_a_week_has_weekday_labels_the_target_pain_and_rest() -> None:
    monday = date(2026, 11, 30)
    days = [(monday + timedelta(days=i), v) for i, v in enumerate([80, 0, 95, 60])]
    layout = layout_chart(days, words=WORDS, target=90, pain_days={monday + timedelta(days=2)},
                          through=monday + timedelta(days=6))
    words = texts_on(layout)
    ticks = [w for w in words if "\n" in w]
    assert ticks == ["Mon\n30", "Tue\n1", "Wed\n2", "Thu\n3", "Fri\n4", "Sat\n5", "Sun\n6"]
    assert "235 moves this week (+35 on last week)" in words
    assert {"daily target", "it hurt", "rest day"} <= set(words)
    assert "60" in words  # today's number over today's bar
    assert len(layout.bars) == 3 and len(layout.rest) == 1 and len(layout.pain) == 1
    assert layout.target is not None and layout.bars[0][1] > layout.target  # 80 under 90
    future = [w for w in layout.words if w.text in ("Fri\n4", "Sat\n5", "Sun\n6")]
    assert {w.colour for w in future} == {charts.SOFT_TEXT}  # days to come, lighter
    no_pain = layout_chart(days[:1], words=WORDS, through=monday + timedelta(days=6))
    assert not {"daily target", "it hurt", "rest day"} & set(texts_on(no_pain))


def test_four_weeks_label_each_monday_with_its_date() -> None:
    ticks = [t for t in texts_on(layout_chart(series([5] * 28), words=WORDS)) if "\n" in t]
    assert ticks and all(t.startswith("Mon\n") for t in ticks)
    assert len(ticks) == 4 and ticks[-1] == "Mon\n23 Nov"


def test_target_pain_and_words_change_the_picture() -> None:
    plain = chart([3, 4, 5])
    assert png_size(chart([3, 4, 5], goal=10)) == png_size(plain)
    assert chart([3, 4, 5], goal=10) != plain
    hurt = reps_chart(series([3, 4, 5]), words=WORDS, pain_days={TODAY})
    assert hurt != plain
    other = reps_chart(series([3, 4, 5]), words=replace(WORDS, title="Wiederholungen"))
    assert other != plain


def test_different_data_gives_different_bytes() -> None:
    assert chart([1, 2, 3]) != chart([3, 2, 1])
    assert chart([0] * 27 + [10]) != chart([0] * 28)


def test_non_latin_words_render() -> None:
    data = reps_chart(series([1, 2]), words=replace(WORDS, title="Повторения за день",
                                                    y_label="Ελληνικά"))
    assert png_size(data)[0] > 0


def test_round_steps_on_the_scale() -> None:
    assert [nice_step(t) for t in (5, 12, 90, 126, 480, 2000)] == [2, 5, 25, 50, 200, 500]


def test_does_not_import_pyplot() -> None:
    """pyplot's global state is not thread-safe, and matplotlib's axes are slow: the chat
    charts are drawn with Pillow, each call on its own image."""
    tree = ast.parse(Path(charts.__file__).read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {f"{node.module}.{alias.name}" for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) for alias in node.names}
    assert not any("matplotlib" in name for name in imported)
    assert any(name.startswith("PIL") for name in imported)


def test_renders_from_several_threads_at_once() -> None:
    results: dict[int, bytes] = {}

    def draw(index: int) -> None:
        results[index] = chart([index] * 28)

    threads = [threading.Thread(target=draw, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 6
    assert all(data[:8] == PNG_SIGNATURE for data in results.values())
    assert results[1] == chart([1] * 28)
