"""Glue between stored rows and the plain rules: a patient's plan for a day, their local day,
their progress numbers. No Telegram here; handlers and the scheduler call these."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.catalogue import Exercise, Stage, catalogue
from bot.plan import DailyPlan, Dose, build_plan
from bot.progression import CheckInRecord
from bot.stats import DayLog
from db.models import CheckIn, ExerciseDose, PatientProfile, Person

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


def zone_of(person: Person, default: str) -> ZoneInfo:
    return ZoneInfo(person.timezone or default)


def local_day(now: datetime, zone: ZoneInfo) -> date:
    return now.astimezone(zone).date()


def stage_of(profile: PatientProfile) -> Stage:
    return Stage(profile.stage or Stage.SHOULDER)


def plan_for(profile: PatientProfile, rows: Iterable[ExerciseDose], day: date) -> DailyPlan:
    """Today's plan from the patient's stage and their own doses."""
    doses = {}
    excluded = set()
    for row in rows:
        if row.excluded:
            excluded.add(row.exercise_id)
            excluded.add(row.slot_id)
        else:
            doses[row.slot_id] = Dose(row.exercise_id, row.reps, row.sets)
    return build_plan(stage=stage_of(profile), catalogue=catalogue(), doses=doses,
                      excluded=excluded, day=day)


def excluded_titles(rows: Iterable[ExerciseDose]) -> list[str]:
    exercises = catalogue()
    return [exercises[row.exercise_id].title for row in rows
            if row.excluded and row.exercise_id in exercises]


def exercise(exercise_id: str) -> Exercise | None:
    return catalogue().get(exercise_id)


def day_logs(checkins: Sequence[CheckIn], sessions_by_day: dict[date, int]) -> list[DayLog]:
    """Per-day totals for the statistics, from raw check-ins and finished sessions."""
    days: dict[date, dict[str, object]] = {}
    for checkin in checkins:
        entry = days.setdefault(checkin.local_day, {"reps": 0, "diff": [], "pain": False})
        entry["reps"] = int(entry["reps"]) + checkin.reps * checkin.sets  # type: ignore[call-overload]
        if checkin.difficulty:
            entry["diff"].append(checkin.difficulty)  # type: ignore[union-attr]
        entry["pain"] = bool(entry["pain"]) or checkin.pain
    for day in sessions_by_day:
        days.setdefault(day, {"reps": 0, "diff": [], "pain": False})
    return [DayLog(day=day, reps=int(v["reps"]), sessions=sessions_by_day.get(day, 0),  # type: ignore[call-overload]
                   difficulties=tuple(v["diff"]), pain=bool(v["pain"]))  # type: ignore[arg-type]
            for day, v in sorted(days.items())]


def records(checkins: Sequence[CheckIn]) -> list[CheckInRecord]:
    """Check-ins of named exercises, as the progression rules read them."""
    return [CheckInRecord(exercise_id=c.exercise_id, day=c.local_day,
                          target_reps=c.target_reps or c.reps * c.sets,
                          reps_done=c.reps * c.sets,
                          difficulty=c.difficulty, pain=c.pain)
            for c in checkins if c.exercise_id]


def window_start(today: date, days: int = 28) -> date:
    """The first day the statistics look at: four weeks back, and the whole previous week."""
    return min(today - timedelta(days=days - 1), today - timedelta(days=today.weekday() + 7))


def next_lesson(*, stage: Stage, audience: str, delivered: set[str]) -> str | None:
    """The first lesson, in order, for this reader and stage that they have not had. A family
    member gets only lessons written for family (the "both" ones speak to the patient)."""
    from bot.catalogue import lessons

    for lesson in lessons():
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
