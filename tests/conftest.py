"""Fixtures: a real database (SQLite file, or PostgreSQL when REHAB_TEST_DATABASE_URL says so),
the Bot API emulator on a real port, and the real bot polling it, with an injected clock."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.clock import FakeClock
from bot.emulator import Emulator
from bot.local import LocalBot
from bot.settings import Settings, normalise_database_url
from db.engine import Database
from db.migrate import upgrade

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday morning

# Property tests judge results, not speed: a busy CI machine must not fail them on a deadline.
hypothesis_settings.register_profile("rehab", deadline=None)
hypothesis_settings.load_profile("rehab")


def postgres_url() -> str | None:
    url = os.environ.get("REHAB_TEST_DATABASE_URL", "").strip()
    return normalise_database_url(url) if url.startswith("postgres") else None


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[tuple[str, str | None]]:
    """``(url, schema)``: a fresh SQLite file, or a fresh PostgreSQL schema dropped afterwards."""
    pg = postgres_url()
    if pg is None:
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}", None
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(pg)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield pg, schema
    finally:
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


@pytest.fixture
async def database(database_url: tuple[str, str | None]) -> AsyncIterator[Database]:
    url, schema = database_url
    db = Database.from_url(url, schema=schema)
    await upgrade(db.engine)
    yield db
    await db.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def emulator(clock: FakeClock) -> AsyncIterator[Emulator]:
    async with Emulator(wall=lambda: clock.now().timestamp()) as emu:
        yield emu


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # journeys drive hundreds of updates at one pretend instant: the rate limit has its own
    # tests (tests/test_flood.py), and is off here; so are the cards' pictures, which have
    # theirs (tests/test_pictures.py): here a card is its words, as with CARD_PICTURES=false
    return Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}",
                    rate_limit=0, card_pictures=False, pictures_dir=tmp_path / "pictures")


@pytest.fixture
async def bot(settings: Settings, database: Database, clock: FakeClock,
              emulator: Emulator) -> AsyncIterator[LocalBot]:
    async with LocalBot(settings=settings, database=database, clock=clock,
                        emulator=emulator) as local:
        yield local
