"""Forged buttons with ids too large for the database: no traceback, no apology, nothing
changed (before, 2**63 raised OverflowError and the person got "Sorry, something went
wrong")."""

from __future__ import annotations

import logging

import pytest

from bot.emulator import Emulator
from bot.local import LocalBot
from tests.journey import onboard

HUGE = str(2**63)
FORGED = [f"s:{HUGE}:0:r:10", f"s:1:{HUGE}:r:10", f"s:1:0:r:{HUGE}", f"prog:p:{HUGE}",
          f"rmd:del:{HUGE}", f"snz:{HUGE}:15", f"skp:{HUGE}", f"fam:acc:{HUGE}",
          f"fam:rm:{HUGE}", f"chr:{HUGE}", f"thx:{HUGE}", f"ct:o:{HUGE}", f"pb:yes:{HUGE}",
          f"s:{'9' * 40}:0:skip"]


@pytest.mark.parametrize("data", FORGED)
async def test_a_forged_huge_id_gets_no_apology(bot: LocalBot, emulator: Emulator,
                                                data: str,
                                                caplog: pytest.LogCaptureFixture) -> None:
    ann = emulator.person("Ann")
    await onboard(ann)
    before = len(ann.messages)
    with caplog.at_level(logging.ERROR):
        await ann.press_data(data)
    assert not [m for m in ann.messages[before:] if "Sorry" in (m.text or "")]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_new_persons_first_updates_in_two_chats_at_once_make_one_person(
        bot: LocalBot, emulator: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    """Before, both updates tried to create the same person: IntegrityError and an apology,
    sometimes in the family group."""
    import asyncio

    from sqlmodel import func, select

    from db.models import Person

    group = emulator.world.add_group("The Smiths")
    people = [emulator.person(f"New{n}") for n in range(10)]
    with caplog.at_level(logging.ERROR):
        await asyncio.gather(*(job for p in people
                               for job in (p.send("/help"), p.in_chat(group).send("/link"))))
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    sorry = [m for m in emulator.world.messages.values() if "Sorry" in (m.text or "")]
    assert sorry == []
    async with bot.services.db.session() as session:
        count = (await session.exec(select(func.count()).select_from(Person))).one()
    assert count == len(people)


async def test_a_very_long_language_code_is_cut_to_fit(bot: LocalBot,
                                                      emulator: Emulator) -> None:
    eve = emulator.person("Eve", language_code="x" * 40)
    replies = await eve.send("/start")
    assert replies and "Sorry" not in replies[0].text
