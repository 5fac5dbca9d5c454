"""Queries about people: who they are and what roles they hold."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, exists, update
from sqlalchemy import select as select_columns
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.direct import DirectRead
from db.models import FamilyLink, Person

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
    """The person behind an update, created on first contact and refreshed on each one
    (:func:`track`, inside the session's transaction), as a row."""
    await track(connection=await session.connection(), telegram_id=telegram_id,
                first_name=first_name, language_code=language_code, now=now)
    person = await get_person(session=session, telegram_id=telegram_id)
    assert person is not None
    return person


def as_stored(first_name: str, language_code: str | None) -> tuple[str, str | None]:
    """A name and a Telegram language as their columns keep them (cut to fit), so that what
    was stored and what an update says compare alike."""
    return first_name[:128], language_code[:16] if language_code else language_code


_PERSON = Person.__table__.c  # type: ignore[attr-defined]
_LINK = FamilyLink.__table__.c  # type: ignore[attr-defined]
_SEEN = DirectRead(
    select_columns(_PERSON.id, _PERSON.first_name, _PERSON.language_code, _PERSON.language,
                   _PERSON.active, _PERSON.last_seen_at)
    .where(_PERSON.telegram_id == bindparam("telegram_id")))
_HELP = DirectRead(
    select_columns(_PERSON.is_patient, _PERSON.is_family,
                   exists().where(_LINK.member_id == _PERSON.id, _LINK.role == "care",
                                  _LINK.revoked_at.is_(None)))
    .where(_PERSON.telegram_id == bindparam("telegram_id")))


async def track(*, connection: AsyncConnection, telegram_id: int, first_name: str,
                language_code: str | None, now: datetime) -> str | None:
    """Remember who wrote, and that they are reachable again (writing again makes a person
    active after they had blocked the bot); the language they chose, if any.

    Columns only, read in one round trip (``db.direct``): it runs before most updates, and
    most of the time it finds nothing to write.
    """
    first_name, language_code = as_stored(first_name, language_code)
    found = await _SEEN.rows(connection, telegram_id=telegram_id)
    if not found:
        # a repeated update, or the same person's update in another chat, may make the row
        # meanwhile: then that row stands, as new as this one (nobody chose a language yet)
        insert = (postgresql_insert if connection.dialect.name == "postgresql"
                  else sqlite_insert)(Person.__table__)  # type: ignore[arg-type]
        await connection.execute(insert.values(
            telegram_id=telegram_id, first_name=first_name, language_code=language_code,
            language=None, timezone=None, is_patient=False, is_family=False, active=True,
            created_at=now, last_seen_at=now).on_conflict_do_nothing(
                index_elements=[_PERSON.telegram_id]))
        return None
    person_id, stored_name, stored_code, language, active, last_seen_at = found[0]
    stale = last_seen_at is None or now - last_seen_at > SEEN_RESOLUTION
    if stale or not active or stored_name != first_name or stored_code != language_code:
        # written only when something changed: most updates then cost one read
        await connection.execute(
            update(Person.__table__).where(_PERSON.id == person_id)  # type: ignore[arg-type]
            .values(first_name=first_name, language_code=language_code, last_seen_at=now,
                    active=True))
    return language  # type: ignore[no-any-return]


async def help_flags(*, connection: AsyncConnection, telegram_id: int
                     ) -> tuple[bool, bool, bool]:
    """Whether someone practises, follows as family, and follows as care team now: what
    /help lists depends on nothing else. One indexed read in one round trip."""
    found = await _HELP.rows(connection, telegram_id=telegram_id)
    return (False, False, False) if not found else (
        bool(found[0][0]), bool(found[0][1]), bool(found[0][2]))


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
