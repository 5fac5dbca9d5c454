"""Telegram file_ids of the exercise pictures, shared by every instance."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import PictureFile
from db.once import insert_once


async def file_id(*, session: AsyncSession, key: str) -> str | None:
    row = await session.get(PictureFile, key)
    return row.file_id if row is not None else None


async def remember(*, session: AsyncSession, key: str, file_id: str) -> None:
    """Keep the first file_id for a picture (another instance's, if it was quicker)."""
    await insert_once(session=session, row=PictureFile(key=key, file_id=file_id[:256]))
