"""Queries about people: who they are and what roles they hold."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import Person
from db.once import insert_once

SEEN_RESOLUTION = timedelta(minutes=15)  # last_seen_at is kept to about this precision


async def get_person(*, session: AsyncSession, telegram_id: int) -> Person | None:
    result = await session.exec(select(Person).where(Person.telegram_id == telegram_id))
    return result.first()


async def touch_person(
    *,
    session: AsyncSession,
    telegram_id: int,
    first_name: str,
    language_code: str | None,
    now: datetime,
) -> Person:
    """The person behind an update, created on first contact and refreshed on each one.

    Writing again also makes a person active again after they had blocked the bot.
    """
    language_code = language_code[:16] if language_code else language_code  # fits the column
    person = await get_person(session=session, telegram_id=telegram_id)
    if person is None:
        person = Person(
            telegram_id=telegram_id,
            first_name=first_name[:128],
            language_code=language_code,
            created_at=now,
            last_seen_at=now,
        )
        if await insert_once(session=session, row=person):
            return person
        # the same person's update in another chat made them meanwhile: use that row
        person = await get_person(session=session, telegram_id=telegram_id)
        assert person is not None
    stale = person.last_seen_at is None or now - person.last_seen_at > SEEN_RESOLUTION
    if (stale or not person.active or person.first_name != first_name[:128]
            or person.language_code != language_code):
        # written only when something changed: most updates then cost one read, not a write
        person.first_name = first_name[:128]
        person.language_code = language_code
        person.last_seen_at = now
        person.active = True
        session.add(person)
    return person


async def set_role(*, session: AsyncSession, telegram_id: int, role: str) -> Person | None:
    """Mark someone as practising ('patient') or as family; both may hold at once."""
    person = await get_person(session=session, telegram_id=telegram_id)
    if person is None:
        return None
    if role == "patient":
        person.is_patient = True
    elif role == "family":
        person.is_family = True
    else:
        raise ValueError(f"unknown role {role!r}")
    session.add(person)
    return person


async def mark_inactive(*, session: AsyncSession, telegram_id: int) -> None:
    """The person blocked the bot: skip them until they write again."""
    person = await get_person(session=session, telegram_id=telegram_id)
    if person is not None and person.active:
        person.active = False
        session.add(person)


async def set_language(*, session: AsyncSession, telegram_id: int, language: str) -> bool:
    """Store the language someone chose; False if they are not known (yet)."""
    person = await get_person(session=session, telegram_id=telegram_id)
    if person is None:
        return False
    if person.language != language:
        person.language = language
        session.add(person)
    return True
