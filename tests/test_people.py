"""Who people are: remembered on first contact, refreshed without a write on every update."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from db.engine import Database
from db.people import get_person, mark_inactive, touch_person

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
