"""What a care-team member can do, Telegram-free: see a patient who invited them, set the
level, hold or put back an exercise, set a daily goal, leave a note, choose alerts. Every
action checks an active care link first; every change is logged with who and when, and
returns the one line the patient is told."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.flows.practice import (
    minutes_of,
    pain_reports,
    plan_for,
    today_of,
)
from bot.materials.catalogue import catalogue
from bot.rules.exercises import Stage
from bot.rules.plan import DailyPlan
from db import care, family, patients
from db.models import CareChange, ExerciseDose, FamilyLink, PatientProfile, Person
from db.people import get_person

NOTE_MAX = 200
GOALS = (15, 20, 30, 45, 60)
REASONS = ("assessment", "too_hard", "ready", "pain")
LOOK_BACK_DAYS = 14


@dataclass
class Access:
    """A care-team member and a patient who invited them."""

    me: Person
    link: FamilyLink
    profile: PatientProfile
    patient: Person


@dataclass
class Panel:
    """What the care team sees of one patient."""

    access: Access
    plan: DailyPlan
    days_practised: int
    minutes: int
    pain_days: dict[str, int]
    removed: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    changes: list[CareChange] = field(default_factory=list)
    out: list[tuple[str, str]] = field(default_factory=list)  # (slot, title) taken out


async def access(*, session: AsyncSession, telegram_id: int, patient_id: int) -> Access | None:
    """The care link between this person and the patient, or None: a stranger, a revoked
    therapist and a family member get nothing."""
    me = await get_person(session=session, telegram_id=telegram_id)
    if me is None or me.id is None:
        return None
    link = await family.active_link(session=session, patient_id=patient_id, member_id=me.id,
                                    role="care")
    found = await family.patient_person(session=session, patient_id=patient_id)
    if link is None or found is None:
        return None
    return Access(me, link, found[0], found[1])


async def followed(*, session: AsyncSession, telegram_id: int
                   ) -> list[tuple[PatientProfile, Person]]:
    me = await get_person(session=session, telegram_id=telegram_id)
    if me is None or me.id is None:
        return []
    return [(profile, person) for _, profile, person in
            await family.patients_of(session=session, member_id=me.id, role="care")]


async def panel(*, session: AsyncSession, found: Access, now: datetime,
                default_zone: str) -> Panel:
    profile = found.profile
    assert profile.id is not None
    today = today_of(found.patient, default_zone, now)
    since = today - timedelta(days=LOOK_BACK_DAYS - 1)
    rows = await patients.doses(session=session, patient_id=profile.id)
    checkins = await patients.checkins_since(session=session, patient_id=profile.id, since=since)
    pains: dict[str, set[date]] = {}
    for report in pain_reports(checkins):
        for region in report.regions:
            pains.setdefault(region, set()).add(report.day)
    exercises = catalogue()
    return Panel(
        access=found, plan=plan_for(profile, rows, today),
        days_practised=len({c.local_day for c in checkins if c.reps > 0}),
        minutes=minutes_of(checkins), pain_days={r: len(d) for r, d in pains.items()},
        removed=[exercises[r.exercise_id].title for r in rows
                 if r.excluded and not r.held_by_care and r.exercise_id in exercises],
        held=[exercises[r.exercise_id].title for r in rows
              if r.excluded and r.held_by_care and r.exercise_id in exercises],
        changes=(await care.changes_of(session=session, patient_id=profile.id))[-5:],
        out=[(r.slot_id, exercises[r.exercise_id].title) for r in rows
             if r.excluded and r.exercise_id in exercises])


async def _log(session: AsyncSession, found: Access, kind: str, detail: str,
               reason: str | None, now: datetime) -> None:
    assert found.profile.id is not None
    await care.log_change(session=session, patient_id=found.profile.id,
                          by_person_id=found.me.id, kind=kind, detail=detail, reason=reason,
                          now=now)


async def set_stage(*, session: AsyncSession, found: Access, stage: Stage, reason: str,
                    now: datetime) -> None:
    """The therapist sets the level, overriding placement and the rules; the reason is kept."""
    found.profile.stage = int(stage)
    found.profile.stage_changed_at = now
    session.add(found.profile)
    await _log(session, found, "stage", stage.key, reason, now)


def _row(rows: list[ExerciseDose], slot: str) -> ExerciseDose | None:
    return next((r for r in rows if r.slot_id == slot), None)


async def hold(*, session: AsyncSession, found: Access, slot: str, now: datetime) -> str | None:
    """Take an exercise out of the plan until the care team puts it back; its id (each
    reader sees its title in their own language)."""
    exercises = catalogue()
    if slot not in exercises:
        return None
    assert found.profile.id is not None
    row = _row(await patients.doses(session=session, patient_id=found.profile.id), slot)
    if row is None:  # never practised yet: held at its starting dose
        start = exercises[slot]
        row = ExerciseDose(patient_id=found.profile.id, slot_id=slot, exercise_id=start.id,
                           reps=start.reps, sets=start.sets, updated_at=now)
    exercise_id = row.exercise_id
    row.excluded, row.held_by_care, row.updated_at = True, True, now
    session.add(row)
    await _log(session, found, "hold", exercise_id, None, now)
    return exercise_id


async def restore(*, session: AsyncSession, found: Access, slot: str,
                  now: datetime) -> str | None:
    """Put back an exercise removed after pain or held, at the slot's easiest dose; the id
    of the one that was out."""
    exercises = catalogue()
    assert found.profile.id is not None
    rows = await patients.doses(session=session, patient_id=found.profile.id)
    row = _row(rows, slot)
    if row is None or not row.excluded or slot not in exercises:
        return None
    was = row.exercise_id if row.exercise_id in exercises else slot
    start = exercises[slot]
    row.exercise_id, row.reps, row.sets = start.id, start.reps, start.sets
    row.excluded, row.held_by_care, row.updated_at = False, False, now
    session.add(row)
    await _log(session, found, "restore", was, None, now)
    return was


async def set_goal(*, session: AsyncSession, found: Access, minutes: int,
                   now: datetime) -> None:
    found.profile.goal_minutes = minutes
    session.add(found.profile)
    await _log(session, found, "goal", f"{minutes} min", None, now)


async def set_note(*, session: AsyncSession, found: Access, text: str, now: datetime) -> None:
    """A short note the patient sees at the top of their next session."""
    found.profile.care_note = text[:NOTE_MAX]
    found.profile.care_note_at = now
    found.profile.care_note_shown_at = None
    session.add(found.profile)
    await _log(session, found, "note", text[:NOTE_MAX], None, now)


async def toggle_alert(*, session: AsyncSession, found: Access, what: str) -> dict[str, object]:
    """Pain, stage change, or no practice for N days (off, 2, 3, 5, 7)."""
    prefs = dict(found.link.alert_prefs or {})
    if what in ("pain", "stage"):
        prefs[what] = not prefs.get(what)
    elif what == "report":
        days = [None, 0, 1, 2, 3, 4, 5, 6]
        current = prefs.get("report_day")
        prefs["report_day"] = days[(days.index(current) + 1) % len(days)
                                   if current in days else 0]
    elif what == "quiet":
        steps = [None, 2, 3, 5, 7]
        current = prefs.get("quiet_days")
        prefs["quiet_days"] = steps[(steps.index(current) + 1) % len(steps)
                                    if current in steps else 0]
    found.link.alert_prefs = prefs
    session.add(found.link)
    return prefs
