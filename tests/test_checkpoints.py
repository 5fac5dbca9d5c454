"""SQLite's write-ahead log is checkpointed by a task of its own, not by whichever commit
crosses SQLite's threshold (that commit waited 50-150 ms: a person's check-in, or the day's
sweep). On PostgreSQL there is nothing to do."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert

from bot.clock import FakeClock
from bot.emulator import Emulator
from bot.local import LocalBot
from bot.settings import Settings
from db.checkpoints import Checkpointer
from db.engine import Database
from db.models import Person

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def test_a_checkpoint_copies_the_log_and_commits_leave_it_alone(
        database: Database) -> None:
    checkpointer = Checkpointer(database)
    if not checkpointer.needed:
        assert database.engine.dialect.name == "postgresql"
        return
    async with database.engine.connect() as conn:
        # a commit no longer checkpoints at SQLite's 1,000 pages: only at the backstop
        assert (await conn.exec_driver_sql("PRAGMA wal_autocheckpoint")).scalar_one() == 10000
    await checkpointer.once()  # start from an empty log
    for start in range(0, 3000, 500):  # writes: a log of many pages
        async with database.engine.begin() as conn:
            await conn.execute(insert(Person), [
                {"telegram_id": 10_000 + i, "first_name": "x" * 60, "created_at": T0}
                for i in range(start, start + 500)])
    busy, logged, copied = await checkpointer.once()
    assert busy == 0 and logged > 20 and copied == logged
    assert checkpointer.done == 2


async def test_the_bot_checkpoints_while_it_runs_on_sqlite_only(
        settings: Settings, database: Database, clock: FakeClock, emulator: Emulator) -> None:
    async with LocalBot(settings=settings, database=database, clock=clock,
                        emulator=emulator) as local:
        checkpointer = local.services.extras["checkpointer"]
        running = checkpointer._task is not None
        assert running == (database.engine.dialect.name == "sqlite")
    assert checkpointer._task is None  # stopped with the bot
