"""A PostgreSQL schema of the benchmark's own, dropped after, so a run leaves nothing in the
database it was pointed at (the tests' database, on this machine)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import create_async_engine

from bot.settings import normalise_database_url


@asynccontextmanager
async def own_schema(url: str) -> AsyncIterator[tuple[str, str]]:
    """``(url, schema)``: the normalised URL and a fresh schema in it, dropped on the way out."""
    url = normalise_database_url(url)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(url)
    async with admin.begin() as conn:
        await conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield url, schema
    finally:
        async with admin.begin() as conn:
            await conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.dispose()
