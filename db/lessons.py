"""Which lessons a person has had; each lesson reaches each person once."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import LessonDelivery
from db.once import insert_once


async def delivered(*, session: AsyncSession, person_id: int) -> set[str]:
    return set((await session.exec(
        select(LessonDelivery.lesson_id).where(LessonDelivery.person_id == person_id))).all())


async def mark_delivered(*, session: AsyncSession, person_id: int, lesson_id: str,
                         now: datetime) -> bool:
    """Record a delivery; False if this person already had this lesson."""
    return await insert_once(session=session, row=LessonDelivery(
        person_id=person_id, lesson_id=lesson_id, delivered_at=now))
