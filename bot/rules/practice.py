"""Small rules of daily practice: reminder presets, when lessons come, the rep counts offered,
the patient's local day, the statistics window, and which lesson is next."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.rules.exercises import LessonMeta, Stage

PRESETS = {"morning": "09:00", "midday": "13:00", "evening": "18:00"}
LESSON_DAYS = 0b0010101  # Monday, Wednesday, Friday: three short lessons a week
MAX_REPS = 500


def lesson_time(reminder_times: list[str]) -> str:
    """Lessons come half an hour after the first practice reminder (10:30 without one), so
    they never arrive on top of a prompt."""
    first = min(reminder_times) if reminder_times else "10:00"
    hour, minute = map(int, first.split(":"))
    total = min(hour * 60 + minute + 30, 20 * 60)
    return f"{total // 60:02d}:{total % 60:02d}"


def rep_choices(target: int, *, fewer: bool) -> list[int]:
    """The counts offered when a patient did fewer or more than the target."""
    if fewer:
        return sorted({max(1, round(target * k)) for k in (0.2, 0.4, 0.6, 0.8)} - {target})
    return [v for v in (target + 2, target + 5, target + 10) if v <= MAX_REPS]


def local_day(now: datetime, zone: ZoneInfo) -> date:
    return now.astimezone(zone).date()


def window_start(today: date, days: int = 28) -> date:
    """The first day the statistics look at: four weeks back, and the whole previous week."""
    return min(today - timedelta(days=days - 1), today - timedelta(days=today.weekday() + 7))


def next_lesson(lessons: Iterable[LessonMeta], *, stage: Stage, audience: str,
                delivered: set[str]) -> str | None:
    """The first lesson, in order, for this reader and stage that they have not had. A family
    member gets only lessons written for family (the "both" ones speak to the patient)."""
    for lesson in lessons:
        if lesson.id in delivered:
            continue
        if audience == "patient" and lesson.audience == "family":
            continue
        if audience == "family" and lesson.audience != "family":
            continue
        if audience == "patient" and stage.key not in lesson.stages:
            continue
        return lesson.id
    return None
