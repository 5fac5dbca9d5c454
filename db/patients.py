"""Queries about a patient's practice: profile, reminders, doses, sessions, check-ins, milestones.

Keyword-only functions over an open session; the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import (
    CheckIn,
    ExerciseDose,
    GoalReached,
    Milestone,
    PatientProfile,
    Person,
    PracticeSession,
    Reminder,
)
from db.once import insert_once


async def get_patient(
    *, session: AsyncSession, telegram_id: int
) -> tuple[Person, PatientProfile] | None:
    row = (await session.exec(
        select(Person, PatientProfile)
        .join(PatientProfile, col(PatientProfile.person_id) == col(Person.id))
        .where(Person.telegram_id == telegram_id)
    )).first()
    return (row[0], row[1]) if row else None


async def ensure_profile(*, session: AsyncSession, person: Person, now: datetime) -> PatientProfile:
    """The person's patient profile; made once, however often /start is pressed."""
    existing = (await session.exec(
        select(PatientProfile).where(PatientProfile.person_id == person.id)
    )).first()
    if existing is not None:
        return existing
    profile = PatientProfile(person_id=person.id, created_at=now)  # type: ignore[arg-type]
    if not await insert_once(session=session, row=profile):  # made meanwhile by a duplicate
        return (await session.exec(
            select(PatientProfile).where(PatientProfile.person_id == person.id)
        )).one()
    person.is_patient = True
    session.add(person)
    return profile


# ---- reminders -------------------------------------------------------------------------------
async def reminders(*, session: AsyncSession, patient_id: int, kind: str = "exercise"
                    ) -> list[Reminder]:
    return list((await session.exec(
        select(Reminder).where(Reminder.patient_id == patient_id, Reminder.kind == kind)
        .order_by(col(Reminder.local_time), col(Reminder.id))
    )).all())


async def add_reminder(*, session: AsyncSession, patient_id: int, local_time: str,
                       weekdays: int, next_due_at: datetime, now: datetime,
                       kind: str = "exercise") -> Reminder:
    reminder = Reminder(patient_id=patient_id, kind=kind, local_time=local_time,
                        weekdays=weekdays, next_due_at=next_due_at, created_at=now)
    session.add(reminder)
    await session.flush()
    return reminder


async def remove_reminder(*, session: AsyncSession, patient_id: int, reminder_id: int) -> bool:
    reminder = await session.get(Reminder, reminder_id)
    if reminder is None or reminder.patient_id != patient_id:
        return False
    await session.delete(reminder)
    await session.flush()
    return True


# ---- doses -----------------------------------------------------------------------------------
async def doses(*, session: AsyncSession, patient_id: int) -> list[ExerciseDose]:
    return list((await session.exec(
        select(ExerciseDose).where(ExerciseDose.patient_id == patient_id)
    )).all())


async def put_dose(*, session: AsyncSession, patient_id: int, slot_id: str, exercise_id: str,
                   reps: int, sets: int, excluded: bool, now: datetime) -> None:
    row = (await session.exec(select(ExerciseDose).where(
        ExerciseDose.patient_id == patient_id, ExerciseDose.slot_id == slot_id))).first()
    if row is None:
        row = ExerciseDose(patient_id=patient_id, slot_id=slot_id, exercise_id=exercise_id,
                           reps=reps, sets=sets, excluded=excluded, updated_at=now)
    else:
        row.exercise_id, row.reps, row.sets, row.excluded = exercise_id, reps, sets, excluded
        row.updated_at = now
    session.add(row)


# ---- sessions --------------------------------------------------------------------------------
async def get_session(*, session: AsyncSession, session_id: int) -> PracticeSession | None:
    return await session.get(PracticeSession, session_id, with_for_update=True)


async def open_session(*, session: AsyncSession, patient_id: int, local_day: date
                       ) -> PracticeSession | None:
    return (await session.exec(
        select(PracticeSession).where(PracticeSession.patient_id == patient_id,
                                      PracticeSession.local_day == local_day,
                                      PracticeSession.status == "active")
        .order_by(col(PracticeSession.id).desc())
    )).first()


async def finished_sessions(*, session: AsyncSession, patient_id: int, since: date
                            ) -> dict[date, int]:
    rows = (await session.exec(
        select(PracticeSession.local_day, func.count())
        .where(PracticeSession.patient_id == patient_id, PracticeSession.status == "finished",
               PracticeSession.local_day >= since)
        .group_by(col(PracticeSession.local_day))
    )).all()
    return {day: int(count) for day, count in rows}


# ---- check-ins -------------------------------------------------------------------------------
async def record_checkin(*, session: AsyncSession, checkin: CheckIn) -> tuple[CheckIn, bool]:
    """Store a check-in once: a second attempt with the same idempotency key returns the first
    (``created`` False) and changes nothing."""
    if await insert_once(session=session, row=checkin):
        return checkin, True
    existing = (await session.exec(
        select(CheckIn).where(CheckIn.idempotency_key == checkin.idempotency_key)
    )).one()
    return existing, False


async def checkins_since(*, session: AsyncSession, patient_id: int, since: date
                         ) -> list[CheckIn]:
    """Live (not undone) check-ins from ``since`` on, oldest first."""
    return list((await session.exec(
        select(CheckIn).where(CheckIn.patient_id == patient_id, CheckIn.local_day >= since,
                              col(CheckIn.undone_at).is_(None))
        .order_by(col(CheckIn.recorded_at), col(CheckIn.id))
    )).all())


async def total_reps(*, session: AsyncSession, patient_id: int) -> int:
    value = (await session.exec(
        select(func.coalesce(func.sum(CheckIn.reps * CheckIn.sets), 0))
        .where(CheckIn.patient_id == patient_id, col(CheckIn.undone_at).is_(None))
    )).one()
    return int(value)


async def total_finished_sessions(*, session: AsyncSession, patient_id: int) -> int:
    return int((await session.exec(
        select(func.count()).select_from(PracticeSession)
        .where(PracticeSession.patient_id == patient_id, PracticeSession.status == "finished")
    )).one())


async def last_live(*, session: AsyncSession, patient_id: int, now: datetime,
                    window: timedelta) -> CheckIn | None:
    """The newest live check-in, if younger than ``window``: what /undo would take back."""
    last = (await session.exec(
        select(CheckIn).where(CheckIn.patient_id == patient_id, col(CheckIn.undone_at).is_(None))
        .order_by(col(CheckIn.recorded_at).desc(), col(CheckIn.id).desc())
    )).first()
    if last is None or now - last.recorded_at > window:
        return None
    return last


async def undo_checkin(*, session: AsyncSession, patient_id: int, checkin_id: int,
                       now: datetime, window: timedelta) -> tuple[CheckIn | None, bool]:
    """Take back one check-in of this patient's, if younger than ``window``. Returns it and
    whether it was taken back now (False: it was already, as after a double tap)."""
    row = await session.get(CheckIn, checkin_id)
    if row is None or row.patient_id != patient_id:
        return None, False
    if row.undone_at is not None:
        return row, False
    if now - row.recorded_at > window:
        return None, False
    row.undone_at = now
    session.add(row)
    return row, True


# ---- milestones ------------------------------------------------------------------------------
async def milestones(*, session: AsyncSession, patient_id: int) -> set[str]:
    return set((await session.exec(
        select(Milestone.key).where(Milestone.patient_id == patient_id))).all())


async def add_milestones(*, session: AsyncSession, patient_id: int, keys: Iterable[str],
                         now: datetime) -> list[str]:
    """Record each milestone once; returns the ones that are new now."""
    return [key for key in keys if await insert_once(
        session=session, row=Milestone(patient_id=patient_id, key=key, achieved_at=now))]



# ---- goals -------------------------------------------------------------------------------------
async def goals_reached(*, session: AsyncSession, patient_id: int) -> list[GoalReached]:
    """Goals reached, newest first."""
    return list((await session.exec(
        select(GoalReached).where(GoalReached.patient_id == patient_id)
        .order_by(col(GoalReached.reached_at).desc(), col(GoalReached.id).desc()))).all())


async def checkins_stored(*, session: AsyncSession) -> int:
    """Every live check-in of every patient: a figure for the operator, nobody's data."""
    return int((await session.exec(
        select(func.count()).select_from(CheckIn).where(col(CheckIn.undone_at).is_(None))
    )).one())
