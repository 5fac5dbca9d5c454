"""Who people are: remembered on first contact, refreshed without a write on every update."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, select

from db.direct import DirectRead
from db.engine import Database
from db.models import FamilyLink, PatientProfile, Person
from db.people import (
    get_person,
    help_flags,
    mark_inactive,
    set_language,
    set_role,
    touch_person,
    track,
)

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def test_touch_creates_once_and_writes_only_on_change(database: Database) -> None:
    async with database.session() as session:
        await touch_person(session=session, telegram_id=7, first_name="Ann",
                           language_code="en", now=T0)
    async with database.session() as session:
        await touch_person(session=session, telegram_id=7, first_name="Ann",
                           language_code="en", now=T0 + timedelta(minutes=5))
        assert not session.dirty  # nothing to write
    async with database.session() as session:
        person = await get_person(session=session, telegram_id=7)
    assert person is not None and person.last_seen_at == T0
    async with database.session() as session:
        await touch_person(session=session, telegram_id=7, first_name="Annie",
                           language_code="en", now=T0 + timedelta(minutes=6))
    async with database.session() as session:
        await mark_inactive(session=session, telegram_id=7)
    async with database.session() as session:
        await touch_person(session=session, telegram_id=7, first_name="Annie",
                           language_code="en", now=T0 + timedelta(minutes=7))
    async with database.session() as session:
        person = await get_person(session=session, telegram_id=7)
    assert person is not None
    assert (person.first_name, person.active) == ("Annie", True)
    assert person.last_seen_at == T0 + timedelta(minutes=7)


async def test_tracking_reads_the_chosen_language_and_makes_a_person_once(
        database: Database) -> None:
    """``track`` runs before most updates, on a Core connection with its read in one round
    trip (``db.direct``): a new person is made once, even when two of their updates race."""
    async with database.connect() as connection:
        assert await track(connection=connection, telegram_id=8, first_name="Bo",
                           language_code="es", now=T0) is None
    async with database.connect() as connection:  # the same update again: no second row
        assert await track(connection=connection, telegram_id=8, first_name="Bo",
                           language_code="es", now=T0) is None
    async with database.session() as session:
        await set_language(session=session, telegram_id=8, language="zh-hans")
    async with database.connect() as connection:
        assert await track(connection=connection, telegram_id=8, first_name="Bo",
                           language_code="es", now=T0 + timedelta(minutes=20)) == "zh-hans"
    async with database.session() as session:
        person = await get_person(session=session, telegram_id=8)
    assert person is not None and person.last_seen_at == T0 + timedelta(minutes=20)


async def test_help_reads_who_someone_is_now(database: Database) -> None:
    """What /help lists: practising, following as family, in a care team (not once the link
    is revoked); nobody known yet is none of them."""
    async with database.connect() as connection:
        assert await help_flags(connection=connection, telegram_id=9) == (False, False, False)
    async with database.session() as session:
        patient = await touch_person(session=session, telegram_id=10, first_name="Pat",
                                     language_code="en", now=T0)
        nurse = await touch_person(session=session, telegram_id=9, first_name="Nia",
                                   language_code="en", now=T0)
        await set_role(session=session, telegram_id=10, role="patient")
        await set_role(session=session, telegram_id=9, role="family")
        await session.flush()
        profile = PatientProfile(person_id=patient.id, created_at=T0)
        session.add(profile)
        await session.flush()
        link = FamilyLink(patient_id=profile.id, member_id=nurse.id, role="care",
                          created_at=T0)
        session.add(link)
    async with database.connect() as connection:
        assert await help_flags(connection=connection, telegram_id=9) == (False, True, True)
        assert await help_flags(connection=connection, telegram_id=10) == (True, False, False)
    async with database.session() as session:
        link.revoked_at = T0 + timedelta(days=1)
        session.add(link)
    async with database.connect() as connection:
        assert await help_flags(connection=connection, telegram_id=9) == (False, True, False)


async def test_a_direct_read_gives_values_as_the_columns_type_them(database: Database) -> None:
    """Instants come back aware and in UTC, flags as booleans, on SQLite as on PostgreSQL."""
    async with database.session() as session:
        await touch_person(session=session, telegram_id=11, first_name="Al",
                           language_code=None, now=T0)
    person = Person.__table__.c  # type: ignore[attr-defined]
    read = DirectRead(select(person.last_seen_at, person.active, person.first_name)
                      .where(person.telegram_id == bindparam("telegram_id")))
    async with database.connect() as connection:
        rows = await read.rows(connection, telegram_id=11)
        assert await read.rows(connection, telegram_id=12) == []
    assert rows == [(T0, True, "Al")]
    assert rows[0][0].utcoffset() == timedelta(0) and rows[0][1] is True
