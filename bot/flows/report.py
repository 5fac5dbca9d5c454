"""The numbers of a report for a clinic visit, read from the database into plain data that
``bot.materials.report`` draws. Family involvement is counted, never quoted."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.flows.arm_use import history as arm_use_history
from bot.flows.practice import minutes_of, pain_reports
from bot.materials.catalogue import catalogue
from bot.rules.exercises import REGIONS, Stage
from db import care, family, patients
from db.models import CheckIn, PatientProfile, Person, PracticeSession

PERIOD_DAYS = 28


@dataclass(frozen=True)
class Day:
    day: date
    reps: int
    planned: int
    minutes: int
    difficulty: float | None


@dataclass
class ReportData:
    """Everything a report shows, as plain values."""

    name: str  # the patient's name only if they agreed, else their number ("12")
    start: date
    end: date
    stage: str  # a stage key
    side: str | None
    days: list[Day]
    pain_by_week: list[tuple[date, dict[str, int]]]  # week start → region → pain days
    difficulty_by_week: list[tuple[date, float | None]]
    changes: list[tuple[date, str, str, str | None]]  # day, kind, detail, reason
    removed: list[str]  # exercise ids: each reader gets the titles in their own words
    held: list[str]
    answers: dict[str, str]
    goal: str | None
    goal_reached: bool
    goal_minutes: int | None
    family_members: int = 0
    cheers: int = 0
    pain_days: set[date] = field(default_factory=set)
    arm_use: list[tuple[date, float | None, float | None]] = field(default_factory=list)
    name_shown: bool = True

    @property
    def days_practised(self) -> int:
        return sum(1 for d in self.days if d.reps > 0)

    @property
    def total_reps(self) -> int:
        return sum(d.reps for d in self.days)

    @property
    def total_minutes(self) -> int:
        return sum(d.minutes for d in self.days)


async def report_data(*, session: AsyncSession, profile: PatientProfile, patient: Person,
                      end: date, days: int = PERIOD_DAYS) -> ReportData:
    """The last ``days`` days up to ``end`` (the patient's own calendar)."""
    assert profile.id is not None
    start = end - timedelta(days=days - 1)
    checkins = [c for c in await patients.checkins_since(session=session, patient_id=profile.id,
                                                         since=start) if c.local_day <= end]
    sessions = list((await session.exec(select(PracticeSession).where(
        PracticeSession.patient_id == profile.id, PracticeSession.local_day >= start,
        PracticeSession.local_day <= end))).all())
    planned: dict[date, int] = {}
    for sess in sessions:
        planned[sess.local_day] = max(planned.get(sess.local_day, 0), sum(
            int(i["reps"]) * int(i["sets"]) for i in sess.items))  # type: ignore[call-overload]
    by_day: dict[date, list[CheckIn]] = {}
    for checkin in checkins:
        by_day.setdefault(checkin.local_day, []).append(checkin)
    day_rows = []
    for n in range(days):
        day = start + timedelta(days=n)
        todays = by_day.get(day, [])
        ratings = [c.difficulty for c in todays if c.difficulty]
        day_rows.append(Day(day, sum(c.reps * c.sets for c in todays), planned.get(day, 0),
                            minutes_of(todays) if todays else 0,
                            sum(ratings) / len(ratings) if ratings else None))
    pains = pain_reports(checkins)
    weeks = [start + timedelta(days=7 * w) for w in range((days + 6) // 7)]
    pain_by_week = []
    difficulty_by_week = []
    for week in weeks:
        inside = [p for p in pains if week <= p.day < week + timedelta(days=7)]
        pain_by_week.append((week, {r: len({p.day for p in inside if r in p.regions})
                                    for r in REGIONS}))
        ratings = [c.difficulty for c in checkins
                   if c.difficulty and week <= c.local_day < week + timedelta(days=7)]
        difficulty_by_week.append((week, sum(ratings) / len(ratings) if ratings else None))
    since = datetime.combine(start, time(0), tzinfo=UTC)
    changes = [(c.created_at.date(), c.kind, c.detail, c.reason)
               for c in await care.changes_of(session=session, patient_id=profile.id,
                                              since=since)]
    rows = await patients.doses(session=session, patient_id=profile.id)
    exercises = catalogue()
    members = await family.members_of(session=session, patient_id=profile.id)
    cheers = await family.cheers_between(session=session, patient_id=profile.id, start=since,
                                         end=datetime.combine(end + timedelta(days=1), time(0),
                                                              tzinfo=UTC))
    return ReportData(
        name=patient.first_name if profile.report_name_ok else str(profile.id),
        name_shown=bool(profile.report_name_ok),
        start=start, end=end, stage=Stage(profile.stage or 1).key, side=profile.affected_side,
        days=day_rows, pain_by_week=pain_by_week, difficulty_by_week=difficulty_by_week,
        changes=changes,
        removed=[r.exercise_id for r in rows
                 if r.excluded and not r.held_by_care and r.exercise_id in exercises],
        held=[r.exercise_id for r in rows
              if r.excluded and r.held_by_care and r.exercise_id in exercises],
        answers=dict(profile.safety_answers or {}), goal=profile.goal,
        goal_reached=profile.goal_reached_at is not None, goal_minutes=profile.goal_minutes,
        family_members=len(members), cheers=cheers, pain_days={p.day for p in pains},
        arm_use=await arm_use_history(session=session, patient_id=profile.id))


