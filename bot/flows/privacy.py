"""Your data: everything stored about a person, as a CSV of check-ins and a JSON of the rest;
and erasing it all, after which the people they shared with are told the link ended.
Telegram-free."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from db import family, patients, privacy
from db.models import Person
from db.people import get_person

CSV_COLUMNS = ("local_day", "exercise_id", "reps", "sets", "difficulty", "pain", "region",
               "pain_level", "source", "recorded_at", "undone_at")


@dataclass(frozen=True)
class Export:
    checkins_csv: bytes
    everything_json: bytes
    rows: int


@dataclass(frozen=True)
class Erased:
    """Who should hear that a link ended: (person, template, values)."""

    tell: list[tuple[Person, str, dict[str, str]]]


async def export(*, session: AsyncSession, telegram_id: int) -> Export | None:
    person = await get_person(session=session, telegram_id=telegram_id)
    if person is None:
        return None
    found = await patients.get_patient(session=session, telegram_id=telegram_id)
    data = await privacy.everything(session=session, person=person,
                                    profile=found[1] if found else None)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in data.get("check_in", []):
        writer.writerow(row)
    rest = {table: rows for table, rows in data.items() if table != "check_in"}
    return Export(out.getvalue().encode(), json.dumps(rest, indent=2, default=str).encode(),
                  sum(len(rows) for rows in data.values()))


async def erase(*, session: AsyncSession, telegram_id: int) -> Erased | None:
    """Erase everything about this person; None if nothing is stored."""
    person = await get_person(session=session, telegram_id=telegram_id)
    if person is None or person.id is None:
        return None
    tell: list[tuple[Person, str, dict[str, str]]] = []
    found = await patients.get_patient(session=session, telegram_id=telegram_id)
    if found is not None and found[1].id is not None:
        for role in ("family", "care"):
            for _, member in await family.members_of(session=session, patient_id=found[1].id,
                                                     role=role):
                tell.append((member, "family/removed_notice", {"patient": person.first_name}))
    for role in ("family", "care"):
        for _, _, patient in await family.patients_of(session=session, member_id=person.id,
                                                      role=role):
            tell.append((patient, "family/left_notice", {"member": person.first_name}))
    await privacy.erase(session=session, person_id=person.id)
    return Erased(tell)
