"""A patient's practice from stored rows: their zone and local day, today's plan, their
progress numbers, and what a finished session changes. Telegram-free; takes an open session."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.materials.catalogue import catalogue
from bot.rules.encourage import plan_from_items
from bot.rules.exercises import Exercise, Stage
from bot.rules.placement import active_start
from bot.rules.plan import DailyPlan, Dose, build_plan, minutes_done
from bot.rules.practice import local_day, window_start
from bot.rules.progression import AfterSession, CheckInRecord, plan_after_checkins
from bot.rules.safety import (
    PainReport,
    cleared,
    excluded_by_entry_check,
    is_severe,
    pain_regions,
)
from bot.rules.stats import DayLog, Progress, summarise
from db import patients
from db.models import CheckIn, ExerciseDose, GoalReached, PatientProfile, Person


def zone_of(person: Person, default: str) -> ZoneInfo:
    return ZoneInfo(person.timezone or default)


def today_of(person: Person, default: str, now: datetime) -> date:
    """The person's own calendar day at ``now``."""
    return local_day(now, zone_of(person, default))


def stage_of(profile: PatientProfile) -> Stage:
    return Stage(profile.stage or Stage.SHOULDER)


def entry_exclusions(profile: PatientProfile) -> frozenset[str]:
    """Exercises the entry-check answers leave out (none answered: all that need an answer)."""
    return excluded_by_entry_check(profile.safety_answers or {}, catalogue())


def plan_for(profile: PatientProfile, rows: Iterable[ExerciseDose], day: date) -> DailyPlan:
    """Today's plan from the patient's stage, their own doses and their entry check."""
    doses = {}
    excluded = set(entry_exclusions(profile))
    for row in rows:
        if row.excluded:
            excluded.add(row.exercise_id)
            excluded.add(row.slot_id)
        else:
            doses[row.slot_id] = Dose(row.exercise_id, row.reps, row.sets)
    stage = stage_of(profile)
    return build_plan(stage=stage, catalogue=catalogue(), doses=doses, excluded=excluded,
                      day=day, active_start=active_start(profile.placement_answers or {}, stage))


def excluded_titles(rows: Iterable[ExerciseDose], *, held: bool = False) -> list[str]:
    """Titles taken out of the plan: for pain, or (``held``) by the care team."""
    exercises = catalogue()
    return [exercises[row.exercise_id].title for row in rows
            if row.excluded and row.held_by_care == held and row.exercise_id in exercises]


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


def minutes_of(checkins: Iterable[CheckIn]) -> int:
    """About how many minutes these check-ins took (repetitions, holds, getting ready)."""
    exercises = catalogue()
    return minutes_done((c.reps * c.sets, ex.hold_seconds if (ex := exercises.get(
        c.exercise_id or "")) else None) for c in checkins)


def pain_reports(checkins: Iterable[CheckIn]) -> list[PainReport]:
    """Every pain report, from a session or a quick check-in, by body region."""
    exercises = catalogue()
    return [PainReport(day=c.local_day,
                       regions=pain_regions(c.region, exercises.get(c.exercise_id or "")),
                       severe=is_severe(c.pain_level))
            for c in checkins if c.pain]


def progress_after(*, profile: PatientProfile, items: list[dict[str, object]],
                   rows: list[ExerciseDose], recent: list[CheckIn], today: date) -> AfterSession:
    """What the progression rules make of a finished session's plan and the recent check-ins
    (pain by region from every path, and the entry check)."""
    doses = {r.slot_id: Dose(r.exercise_id, r.reps, r.sets) for r in rows if not r.excluded}
    excluded = {r.exercise_id for r in rows if r.excluded} | entry_exclusions(profile)
    plan = plan_from_items(stage_of(profile), items)
    return plan_after_checkins(plan=plan, doses=doses, excluded=excluded,
                               recent=records(recent), catalogue=catalogue(), today=today,
                               pains=pain_reports(recent),
                               may_grow=cleared(profile.safety_answers or {}))


async def patient_progress(*, session: AsyncSession, profile: PatientProfile,
                           today: date) -> Progress:
    """The patient's numbers as of ``today``: four weeks of days, and all-time totals (which
    the milestones count) read from the database rather than from the window."""
    assert profile.id is not None
    since = window_start(today)
    checkins = await patients.checkins_since(session=session, patient_id=profile.id, since=since)
    sessions = await patients.finished_sessions(session=session, patient_id=profile.id,
                                                since=since)
    progress = summarise(day_logs(checkins, sessions), today=today)
    return replace(
        progress,
        total_reps=await patients.total_reps(session=session, patient_id=profile.id),
        total_sessions=await patients.total_finished_sessions(session=session,
                                                              patient_id=profile.id))


async def restore_exercise(*, session: AsyncSession, telegram_id: int, slot_id: str,
                           now: datetime) -> str | None:
    """Put a removed exercise back in the plan, at its slot's easiest starting dose (the
    patient says their care team agreed). Returns its title, or None if nothing was removed
    there for this patient."""
    found = await patients.get_patient(session=session, telegram_id=telegram_id)
    if found is None or found[1].id is None:
        return None
    rows = await patients.doses(session=session, patient_id=found[1].id)
    row = next((r for r in rows if r.slot_id == slot_id and r.excluded
                and not r.held_by_care), None)  # what the care team held, they put back
    exercises = catalogue()
    if row is None or slot_id not in exercises:
        return None
    title = exercises[row.exercise_id].title if row.exercise_id in exercises else slot_id
    start = exercises[slot_id]
    await patients.put_dose(session=session, patient_id=found[1].id, slot_id=slot_id,
                            exercise_id=start.id, reps=start.reps, sets=start.sets,
                            excluded=False, now=now)
    return title


def goal_code(goal: str) -> str:
    """A short fingerprint of a goal's words, carried by its "reached" button, so that an old
    button never marks a newer goal as reached."""
    return format(zlib.crc32(goal.encode()), "x")


async def reach_goal(*, session: AsyncSession, telegram_id: int, code: str,
                     now: datetime) -> tuple[str, str | None]:
    """The patient confirms they reached the goal whose fingerprint is ``code``: keep it in
    the history, clear it as the current goal (the next one is asked for), celebrate once.
    Returns ("reached", goal), ("already", goal) for a repeat, or ("stale", None)."""
    found = await patients.get_patient(session=session, telegram_id=telegram_id)
    if found is None or found[1].id is None:
        return "stale", None
    profile = found[1]
    if profile.goal and goal_code(profile.goal) == code:
        reached = GoalReached(patient_id=profile.id, goal=profile.goal, reached_at=now)
        session.add(reached)
        profile.goal, profile.goal_reached_at = None, now
        session.add(profile)
        await patients.add_milestones(session=session, patient_id=profile.id,
                                      keys=["goal_reached"], now=now)
        return "reached", reached.goal
    history = await patients.goals_reached(session=session, patient_id=profile.id)
    if history and goal_code(history[0].goal) == code:
        return "already", history[0].goal
    return "stale", None


async def daily_target(*, session: AsyncSession, profile: PatientProfile, day: date) -> int:
    """The moves in the patient's plan for ``day``: the dashed line on their charts."""
    if profile.id is None or profile.onboarding_step != "done":
        return 0
    rows = await patients.doses(session=session, patient_id=profile.id)
    return plan_for(profile, rows, day).total_reps
