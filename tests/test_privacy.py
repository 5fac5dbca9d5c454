"""Your data: /export sends all of it, /delete erases all of it (every table checked), and the
people it was shared with are told."""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy import inspect as sa_inspect
from sqlmodel import SQLModel, select

from bot.emulator import Emulator
from bot.local import LocalBot
from db.models import CheckIn, PatientProfile, Person
from tests.journey import onboard
from tests.test_care import therapist_of
from tests.test_family import invite_link, join


async def test_export_sends_the_check_ins_and_everything_else(bot: LocalBot,
                                                             emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await onboard(ann)
    await ann.send("did 12, hard")
    await ann.press("Save it")
    await ann.send("did 8")
    await ann.press("Save it")
    await ann.send("/export")
    files = [m for m in ann.messages if m.document is not None][-2:]
    checkins = emulator.world.files[files[0].document["file_id"]].content.decode()
    rows = list(csv.DictReader(io.StringIO(checkins)))
    assert [(r["reps"], r["difficulty"]) for r in rows] == [("12", "4"), ("8", "")]
    everything = json.loads(emulator.world.files[files[1].document["file_id"]].content)
    assert everything["person"][0]["first_name"] == "Ann"
    assert everything["patient_profile"][0]["safety_answers"]["swallow"] == "yes"
    assert everything["reminder"] and "token_hash" not in json.dumps(everything)
    assert "records in all" in files[1].caption


async def _referencing(bot: LocalBot, person_id: int, profile_id: int) -> list[str]:
    """Every row in every table that still points at the person or their profile."""
    found = []
    async with bot.services.db.session() as session:
        for table in SQLModel.metadata.sorted_tables:
            if table.name == "alembic_version":
                continue
            targets = {}
            for fk in table.foreign_keys:
                if fk.column.table.name == "person":
                    targets[fk.parent.name] = person_id
                if fk.column.table.name == "patient_profile":
                    targets[fk.parent.name] = profile_id
            if table.name == "person":
                targets["id"] = person_id
            if table.name == "patient_profile":
                targets["id"] = profile_id
            for column, value in targets.items():
                rows = (await session.exec(select(table).where(
                    table.c[column] == value))).all()  # type: ignore[call-overload]
                found += [f"{table.name}.{column}" for _ in rows]
    return found


async def test_delete_erases_every_table_and_tells_who_shared(bot: LocalBot,
                                                             emulator: Emulator) -> None:
    ann, ben, lee = emulator.person("Ann"), emulator.person("Ben"), emulator.person("Lee")
    await onboard(ann)
    await join(ben, await invite_link(ann))
    await therapist_of(ann, lee)
    await ann.send("/today")
    await ann.press("Stop for today")
    await ann.send("did 10, my wrist hurts")
    await ann.press("A lot")
    await ann.send("/armuse")
    await ann.press("3")
    await ben.send("/family")
    await ben.press("Cheer Ann")
    await ben.press("You can do this! 💪")
    await lee.send("/patients")
    await lee.press("Ann")
    await lee.press("Daily goal")
    await lee.press("30 min")
    async with bot.services.db.session() as session:
        person = (await session.exec(select(Person).where(Person.first_name == "Ann"))).one()
        profile = (await session.exec(select(PatientProfile))).one()
        assert (await session.exec(select(CheckIn))).all()
    assert len(await _referencing(bot, person.id, profile.id)) > 10  # there is a lot to erase

    await ann.send("/delete")
    assert "Delete everything?" in ann.last.text
    question, yes = ann.find_button("Yes, delete everything")
    await ann.press("Yes, delete everything")
    assert "Everything I stored about you is deleted" in ann.last.text
    assert await _referencing(bot, person.id, profile.id) == []
    assert "Ann has stopped sharing their practice with you" in ben.last.text
    assert "Ann has stopped sharing their practice with you" in lee.last.text
    await ann.press_data(yes["callback_data"], message=question)  # a double tap
    assert "That step is already done ✓" in ann.toasts
    await ben.send("/progress")
    assert "Ann" not in ben.last.text
    await lee.send("/patients")
    assert "Nobody has invited you" in lee.last.text


async def test_cancel_keeps_everything_and_a_family_member_can_delete_too(
        bot: LocalBot, emulator: Emulator) -> None:
    ann, ben = emulator.person("Ann"), emulator.person("Ben")
    await onboard(ann)
    await join(ben, await invite_link(ann))
    await ben.send("/delete")
    await ben.press("Cancel")
    assert "Nothing was deleted" in ben.last.text
    await ben.send("/delete")
    await ben.press("Yes, delete everything")
    assert "Ben no longer follows your practice" in ann.last.text
    await ann.send("/family")
    assert "Ben" not in ann.last.text
    async with bot.services.db.session() as session:
        assert [p.first_name for p in (await session.exec(select(Person))).all()] == ["Ann"]


def test_every_table_reaches_a_person_through_a_cascading_key() -> None:
    """A new table that holds someone's data must hang off person or patient_profile with ON
    DELETE CASCADE (or SET NULL for an author), or /delete would leave it behind."""
    for table in SQLModel.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name in ("person", "patient_profile"):
                assert fk.ondelete in ("CASCADE", "SET NULL"), (table.name, fk.parent.name)
    assert sa_inspect(Person).columns["id"].primary_key
