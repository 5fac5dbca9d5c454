"""The day's sweep (prompts of an ended day: answered or missed) commits on PostgreSQL
without waiting for the disk, and only that transaction does: everything else a person logs
waits for its flush as before. Losing a sweep in a crash loses nothing: the next sweep
decides the same rows the same way (docs/scale.md, the rollover)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlmodel import select

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
