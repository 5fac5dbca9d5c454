"""Everything stored about one person, to export it or erase it. Every table that holds a
person's data reaches them through ``person.id`` or their ``patient_profile.id``; erasing the
person row erases the rest through the foreign keys' ON DELETE CASCADE (a care-team change
keeps its entry in the patient's log, without its author)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlmodel import SQLModel, col, delete, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import (
    AlertSent,
    ArmUse,
    CareChange,
    CheckIn,
    Cheer,
    DigestSchedule,
    DigestSent,
    ExerciseDose,
    FamilyLink,
    GoalReached,
    GroupLink,
    Invitation,
    LessonDelivery,
    Milestone,
    PatientProfile,
    Person,
    PracticeSession,
    Reminder,
    SentPrompt,
)

# tables keyed by the patient's profile, and by the person themselves
BY_PATIENT: Sequence[type[SQLModel]] = (
    Reminder, SentPrompt, CheckIn, ExerciseDose, PracticeSession, Milestone, Invitation,
    GroupLink, ArmUse, CareChange, GoalReached)
_SKIP = {"token_hash"}  # a hash of an invite secret says nothing about the person


def as_dict(row: SQLModel) -> dict[str, Any]:
    values = {}
    for column in sa_inspect(type(row)).columns:
        if column.key in _SKIP:
            continue
        value = getattr(row, column.key)
        values[column.key] = value.isoformat() if hasattr(value, "isoformat") else value
    return values


async def everything(*, session: AsyncSession, person: Person,
                     profile: PatientProfile | None) -> dict[str, list[dict[str, Any]]]:
    """Every row about this person, table by table (check-ins included)."""
    out: dict[str, list[dict[str, Any]]] = {"person": [as_dict(person)]}
    if profile is not None:
        out["patient_profile"] = [as_dict(profile)]
        for model in BY_PATIENT:
            rows = (await session.exec(select(model).where(
                model.patient_id == profile.id))).all()  # type: ignore[attr-defined]
            out[model.__tablename__] = [as_dict(r) for r in rows]  # type: ignore[attr-defined]
    mine = (col(FamilyLink.member_id) == person.id) if profile is None else or_(
        col(FamilyLink.member_id) == person.id, col(FamilyLink.patient_id) == profile.id)
    out["family_link"] = [as_dict(r) for r in (await session.exec(
        select(FamilyLink).where(mine))).all()]
    for model, column in ((LessonDelivery, LessonDelivery.person_id),
                          (DigestSchedule, DigestSchedule.person_id),
                          (DigestSent, DigestSent.person_id),
                          (Cheer, Cheer.from_person_id), (AlertSent, AlertSent.member_id)):
        rows = (await session.exec(select(model).where(column == person.id))).all()
        out.setdefault(model.__tablename__, []).extend(as_dict(r) for r in rows)  # type: ignore[attr-defined]
    if profile is not None:
        for model in (Cheer, AlertSent, DigestSent):
            rows = (await session.exec(select(model).where(
                model.patient_id == profile.id))).all()  # type: ignore[attr-defined]
            seen = {r["id"] for r in out.get(model.__tablename__, [])}  # type: ignore[attr-defined]
            out.setdefault(model.__tablename__, []).extend(  # type: ignore[attr-defined]
                as_dict(r) for r in rows if r.id not in seen)
    return out


async def erase(*, session: AsyncSession, person_id: int) -> None:
    """Delete the person; the database deletes what hangs off them."""
    await session.exec(delete(Person).where(col(Person.id) == person_id))  # type: ignore[call-overload]
