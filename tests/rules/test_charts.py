"""The reps chart: real PNG bytes of a sensible size for any series, drawn off pyplot."""

from __future__ import annotations

import ast
import struct
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.materials import charts
from bot.materials.charts import reps_chart

TODAY = date(2026, 11, 25)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def series(values: list[int]) -> list[tuple[date, int]]:
    return [(TODAY - timedelta(days=len(values) - 1 - i), v) for i, v in enumerate(values)]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def chart(values: list[int], goal: int | None = None) -> bytes:
    return reps_chart(series(values), title="Reps per day", y_label="Reps", goal=goal)


@pytest.mark.parametrize(
    "values",
    [[], [0] * 28, [(i * 7) % 23 for i in range(28)], [5], [0, 0, 500], list(range(90))],
    ids=["empty", "all-zero", "28-days", "one-day", "spike", "90-days"],
)
def test_renders_a_png_of_about_1000_by_500(values: list[int]) -> None:
    width, height = png_size(chart(values))
    assert 900 <= width <= 1100
    assert 450 <= height <= 550


def test_goal_line_and_words_from_the_caller() -> None:
    plain = chart([3, 4, 5])
    assert png_size(chart([3, 4, 5], goal=10)) == png_size(plain)
    assert chart([3, 4, 5], goal=10) != plain
    other_words = reps_chart(series([3, 4, 5]), title="Wiederholungen", y_label="Anzahl")
    assert other_words != plain


def test_different_data_gives_different_bytes() -> None:
    assert chart([1, 2, 3]) != chart([3, 2, 1])
    assert chart([0] * 27 + [10]) != chart([0] * 28)


def test_non_latin_words_render() -> None:
    data = reps_chart(series([1, 2]), title="Повторения за день", y_label="Ελληνικά")
    assert png_size(data)[0] > 0


def test_does_not_import_pyplot() -> None:
    """pyplot's global state is not thread-safe; the module must not import it."""
    tree = ast.parse(Path(charts.__file__).read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {f"{node.module}.{alias.name}" for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) for alias in node.names}
    assert not any("pyplot" in name for name in imported)
    assert any("backend_agg" in name for name in imported)


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
