"""Writing a row exactly once: the database's unique constraints decide, not the caller."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession


async def insert_once(*, session: AsyncSession, row: SQLModel) -> bool:
    """Insert ``row`` in a savepoint; False (and nothing changed) if a unique constraint says
    it is there already, from a repeated update, a restart or another process."""
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True
