"""The monthly arm-use check, stored one tap at a time (a double tap changes nothing), and its
history for the progress view and the report. Telegram-free."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.flows.practice import today_of
from bot.rules import arm_use as rules
from db import patients
from db.models import ArmUse, PatientProfile
from db.once import insert_once


@dataclass(frozen=True)
class Step:
    """Where the check stands: the next question (None when done) and the means so far."""

    question: tuple[str, str] | None
    number: int
    amount: float | None
    quality: float | None
    previous: tuple[date, float | None, float | None] | None = None
    changed: bool = False  # this tap stored an answer (else: stale, or a double tap)


async def _answers(session: AsyncSession, patient_id: int, day: date
                   ) -> dict[str, tuple[int | None, int | None]]:
    rows = (await session.exec(select(ArmUse).where(ArmUse.patient_id == patient_id,
                                                    ArmUse.taken_on == day))).all()
    return {r.item: (r.amount, r.quality) for r in rows}


async def history(*, session: AsyncSession, patient_id: int
                  ) -> list[tuple[date, float | None, float | None]]:
    """Each check taken: its day and its amount and quality means, oldest first."""
    rows = (await session.exec(select(ArmUse).where(ArmUse.patient_id == patient_id)
                               .order_by(col(ArmUse.taken_on)))).all()
    days: dict[date, list[ArmUse]] = {}
    for row in rows:
        days.setdefault(row.taken_on, []).append(row)
    return [(day, rules.mean(r.amount for r in items), rules.mean(r.quality for r in items))
            for day, items in days.items()]


async def is_due(*, session: AsyncSession, profile: PatientProfile, today: date) -> bool:
    last = (await session.exec(select(func.max(ArmUse.taken_on)).where(
        ArmUse.patient_id == profile.id))).one()
    return rules.due(last_taken=last, started=profile.created_at.date(), today=today)


async def step(*, session: AsyncSession, patient_id: int, day: date) -> Step:
    answers = await _answers(session, patient_id, day)
    asked = sum((a is not None) + (q is not None) for a, q in answers.values())
    previous = [h for h in await history(session=session, patient_id=patient_id) if h[0] < day]
    return Step(rules.next_question(answers), asked + 1,
                rules.mean(a for a, _ in answers.values()),
                rules.mean(q for _, q in answers.values()), previous[-1] if previous else None)


async def answer(*, session: AsyncSession, telegram_id: int, item: str, part: str, value: int,
                 now: datetime, default_zone: str) -> Step | None:
    """Store one answer (on the patient's own day) if it answers the question being asked;
    None if not a patient. A stale or repeated tap changes nothing and returns where the
    check stands."""
    found = await patients.get_patient(session=session, telegram_id=telegram_id)
    if found is None or found[1].id is None:
        return None
    patient_id = found[1].id
    day = today_of(found[0], default_zone, now)
    answers = await _answers(session, patient_id, day)
    if rules.next_question(answers) == (item, part) and (
            value in rules.SCALE or value == rules.NOT_SURE):
        row = (await session.exec(select(ArmUse).where(
            ArmUse.patient_id == patient_id, ArmUse.taken_on == day, ArmUse.item == item))).first()
        if row is None:
            row = ArmUse(patient_id=patient_id, taken_on=day, item=item, answered_at=now)
            if not await insert_once(session=session, row=row):
                return await step(session=session, patient_id=patient_id, day=day)
        setattr(row, part, value)
        row.answered_at = now
        session.add(row)
        await session.flush()
        return replace(await step(session=session, patient_id=patient_id, day=day),
                       changed=True)
    return await step(session=session, patient_id=patient_id, day=day)
