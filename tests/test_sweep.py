"""The day's sweep (prompts of an ended day: answered or missed) on PostgreSQL: its commit
does not wait for the disk, and only that transaction's (everything else a person logs waits
for its flush as before); losing a sweep in a crash loses nothing, as the next sweep decides
the same rows the same way. And a batch the database is slow to decide is let go within
``Dispatcher.SWEEP_WITHIN_MS``, changing nothing, so a tick stays short; the batches get
smaller for a while and the sweep goes on (docs/scale.md, the rollover)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlmodel import select

from bot.jobs.dispatch import Dispatcher
from bot.local import LocalBot
from db.engine import Database
from db.models import CheckIn, PatientProfile, Person, SentPrompt
from db.reminders import resolve_ended

DAY_END = datetime(2026, 11, 25, tzinfo=UTC)


async def seed(database: Database) -> None:
    morning = DAY_END - timedelta(hours=15)
    async with database.session() as session:
        for telegram_id in (1, 2):
            person = Person(telegram_id=telegram_id, first_name="Ann", created_at=morning,
                            is_patient=True)
            session.add(person)
            await session.flush()
            profile = PatientProfile(person_id=person.id, onboarding_step="done", stage=1,
                                     created_at=morning, placement_answers={})
            session.add(profile)
            await session.flush()
            session.add(SentPrompt(patient_id=profile.id, kind="exercise", due_at=morning,
                                   sent_at=morning, status="sent", local_day=morning.date(),
                                   attempts=1, day_ends_at=DAY_END))
            if telegram_id == 1:
                session.add(CheckIn(patient_id=profile.id, reps=10, local_day=morning.date(),
                                    recorded_at=morning, source="typed",
                                    idempotency_key="practised"))


async def test_the_sweep_alone_commits_without_waiting_for_the_disk(database: Database) -> None:
    postgres = database.engine.dialect.name == "postgresql"
    await seed(database)
    async with database.session() as session:
        assert await resolve_ended(session=session, now=DAY_END, limit=500) == (1, 1)
        if postgres:
            assert (await session.exec(text("SHOW synchronous_commit"))).one()[0] == "off"  # type: ignore[call-overload]
    async with database.session() as session:  # the same pooled connection, next transaction
        if postgres:
            assert (await session.exec(text("SHOW synchronous_commit"))).one()[0] == "on"  # type: ignore[call-overload]
        statuses = sorted((await session.exec(select(SentPrompt.status))).all())
    assert statuses == ["answered", "missed"]
    async with database.session() as session:  # decided once: a second sweep finds none
        assert await resolve_ended(session=session, now=DAY_END, limit=500) == (0, 0)


async def statuses(database: Database) -> list[str]:
    async with database.session() as session:
        return sorted((await session.exec(select(SentPrompt.status))).all())


async def test_a_batch_the_database_is_slow_to_decide_is_let_go_and_taken_up_later(
        database: Database, bot: LocalBot) -> None:
    await seed(database)
    dispatcher: Dispatcher = bot.services.extras["dispatcher"]
    if database.engine.dialect.name != "postgresql":
        await dispatcher.sweep_missed(DAY_END)  # no time limit on SQLite: decided at once
        assert await statuses(database) == ["answered", "missed"]
        return
    async with database.engine.connect() as holder:  # another transaction holds a row
        await holder.execute(text("SELECT id FROM sent_prompt LIMIT 1 FOR UPDATE"))
        await dispatcher.sweep_missed(DAY_END)  # waits SWEEP_WITHIN_MS for it, then lets go
        assert dispatcher.stats["sweep_let_go"] == 1
        assert dispatcher._sweep_batch == Dispatcher.SWEEP_BATCH // 2
        await holder.rollback()
    assert await statuses(database) == ["sent", "sent"]  # nothing changed, nothing counted
    assert dispatcher.stats.get("missed", 0) == 0
    await dispatcher.sweep_missed(DAY_END)  # the next tick
    assert await statuses(database) == ["answered", "missed"]
    assert dispatcher._sweep_batch == Dispatcher.SWEEP_BATCH  # back to its size
    assert dispatcher.stats["missed"] == 1


async def test_after_midnight_the_sweep_goes_on_between_ticks_a_batch_a_step(
        database: Database, bot: LocalBot) -> None:
    """The tick sweeps only what fits in what it has left; between ticks, a step every few
    seconds takes a whole batch while any are left, then looks no more until a tick finds
    a full batch again. No step runs while a tick does."""
    await seed(database)
    dispatcher: Dispatcher = bot.services.extras["dispatcher"]
    dispatcher.SWEEP_BATCH = dispatcher._sweep_batch = 1  # a prompt a batch, to count them
    ticker = bot.ticker
    bot.clock.set(DAY_END + timedelta(seconds=5))
    async with ticker._busy:  # a tick is running
        await ticker.step(bot.app)
    assert await statuses(database) == ["sent", "sent"]
    await ticker.step(bot.app)
    assert await statuses(database) == ["answered", "sent"]
    assert dispatcher.sweep_backlog  # a full batch: there may be more
    await ticker.step(bot.app)
    assert await statuses(database) == ["answered", "missed"]
    await ticker.step(bot.app)  # finds none: the steps stop looking
    assert not dispatcher.sweep_backlog
    assert dispatcher.stats["missed"] == 1  # each prompt decided once
