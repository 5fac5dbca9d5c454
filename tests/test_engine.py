"""The pool gives back connections clean: a transaction a failure left open is rolled back
when its connection goes back (on SQLite only when one is open: a rollback is one more
hand-off to the connection's thread), and a read begins nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from db.engine import Database
from db.models import Person
from db.people import help_flags, track

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def people(database: Database) -> int:
    async with database.read() as connection:
        return int((await connection.execute(
            select(func.count()).select_from(Person))).scalar_one())


async def test_a_failed_write_leaves_nothing_and_holds_no_lock(database: Database) -> None:
    for attempt in range(6):  # more than the pool holds: every connection gets one
        with pytest.raises(RuntimeError):
            async with database.connect() as connection:
                await track(connection=connection, telegram_id=100 + attempt,
                            first_name="Ann", language_code="en", now=T0)
                raise RuntimeError("after the write, before the commit")
        with pytest.raises(RuntimeError):
            async with database.session() as session:
                session.add(Person(telegram_id=200 + attempt, first_name="Bo", created_at=T0))
                await session.flush()
                raise RuntimeError("after the flush, before the commit")
    assert await people(database) == 0
    # a transaction left open would hold SQLite's write lock: the next writer would wait
    for n in range(6):
        async with asyncio.timeout(5):
            async with database.connect() as connection:
                await track(connection=connection, telegram_id=300 + n, first_name="Cy",
                            language_code="en", now=T0)
    assert await people(database) == 6


async def test_a_read_begins_nothing(database: Database) -> None:
    async with database.connect() as connection:
        await track(connection=connection, telegram_id=7, first_name="Ann",
                    language_code="en", now=T0)
    async with database.read() as connection:
        assert await help_flags(connection=connection, telegram_id=7) == (False, False, False)
        assert not connection.in_transaction()


async def test_a_transaction_begun_beneath_sqlalchemy_is_rolled_back_on_return(
        database: Database) -> None:
    """The pool's own check, for work done on the driver itself (as ``db.direct`` reads are):
    SQLite says whether a transaction is open, and only then is there a rollback."""
    async with database.read() as connection:
        if connection.dialect.name != "sqlite":
            pytest.skip("the check on return is SQLite's (PostgreSQL keeps the pool's own)")
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
        await driver.execute(  # the sqlite3 module begins a transaction before an insert
            "insert into person (telegram_id, first_name, is_patient, is_family, active, "
            "created_at) values (9, 'Di', 0, 0, 1, '2026-12-01 09:00:00')")
        assert driver.in_transaction
    assert await people(database) == 0
    async with asyncio.timeout(5):  # and its write lock went with it
        async with database.connect() as connection:
            await track(connection=connection, telegram_id=10, first_name="Ed",
                        language_code="en", now=T0)
    assert await people(database) == 1
