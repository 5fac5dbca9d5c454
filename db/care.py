"""Care-team queries: the change log. Access itself is a care-role link (``db.family``)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import CareChange


async def log_change(*, session: AsyncSession, patient_id: int, by_person_id: int | None,
                     kind: str, detail: str, reason: str | None, now: datetime) -> CareChange:
    change = CareChange(patient_id=patient_id, by_person_id=by_person_id, kind=kind,
                        detail=detail[:200], reason=reason[:64] if reason else None,
                        created_at=now)
    session.add(change)
    return change


async def changes_of(*, session: AsyncSession, patient_id: int, since: datetime | None = None
                     ) -> list[CareChange]:
    query = select(CareChange).where(CareChange.patient_id == patient_id)
    if since is not None:
        query = query.where(CareChange.created_at >= since)
    return list((await session.exec(query.order_by(col(CareChange.created_at),
                                                   col(CareChange.id)))).all())
