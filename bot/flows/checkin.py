"""A quick check-in, typed or tapped outside a session: stored once under its key, with the
milestones it reaches. Telegram-free; the handler confirms it with the person first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.flows.practice import patient_progress, today_of
from bot.flows.session import Pain, pain_now
from bot.rules.checkin_parse import QuickCheckIn
from bot.rules.encourage import celebrations
from db import patients
from db.models import CheckIn, PatientProfile, Person


@dataclass
class Recorded:
    """``created`` False: nothing stored now (a repeat of the same key, or not a patient)."""

    created: bool
    person: Person | None = None
    profile: PatientProfile | None = None
    day: date | None = None
    new_milestones: list[str] = field(default_factory=list)
    pain: Pain | None = None


async def record_quick(*, session: AsyncSession, telegram_id: int, checkin: QuickCheckIn,
                       key: str, now: datetime, default_zone: str,
                       pain_level: str | None = None) -> Recorded:
    """Store the check-in once under ``key`` on the patient's own day. Pain counts like pain
    in a session: by region ("unsure" is the safe branch: every region), rested today, and
    towards the care-team advice."""
    found = await patients.get_patient(session=session, telegram_id=telegram_id)
    if found is None:
        return Recorded(False)
    person, profile = found
    assert profile.id is not None
    day = today_of(person, default_zone, now)
    _, created = await patients.record_checkin(session=session, checkin=CheckIn(
        patient_id=profile.id, exercise_id=None, reps=checkin.reps, sets=checkin.sets,
        difficulty=checkin.difficulty, pain=checkin.pain, source="quick", idempotency_key=key,
        region=(checkin.region or "unsure") if checkin.pain else None,
        pain_level=(pain_level or "unsure") if checkin.pain else None,
        local_day=day, recorded_at=now))
    if not created:
        return Recorded(False)
    progress = await patient_progress(session=session, profile=profile, today=day)
    achieved = await patients.milestones(session=session, patient_id=profile.id)
    keys = [k for k in celebrations(progress, achieved=achieved, stage_before=1, stage_after=1)
            if k != "first_session"]
    new = await patients.add_milestones(session=session, patient_id=profile.id, keys=keys,
                                        now=now)
    pain = (await pain_now(session=session, patient_id=profile.id, day=day)
            if checkin.pain else None)
    return Recorded(True, person, profile, day, list(new), pain)


async def rest_today(*, session: AsyncSession, telegram_id: int, now: datetime,
                     default_zone: str) -> datetime | None:
    """A day off, chosen: no more prompts until the patient's tomorrow begins (a longer pause
    already set stays). Returns when the quiet ends, or None if not a patient."""
    found = await patients.get_patient(session=session, telegram_id=telegram_id)
    if found is None:
        return None
    person, profile = found
    zone = ZoneInfo(person.timezone or default_zone)
    tomorrow = today_of(person, default_zone, now) + timedelta(days=1)
    until = datetime.combine(tomorrow, datetime.min.time(), tzinfo=zone)
    if profile.paused_until is None or profile.paused_until < until:
        profile.paused_until = until
        session.add(profile)
    return until
