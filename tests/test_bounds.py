"""Nothing grows without bound: at most 5 invite links waiting and 20 people following one
patient, each limit met with a clear word."""

from __future__ import annotations

import re

from sqlmodel import select

from bot.emulator import Emulator
from bot.local import LocalBot
from db import family
from db.models import Invitation, PatientProfile
from db.people import touch_person
from tests.journey import onboard


async def test_at_most_five_links_wait_at_once(bot: LocalBot, emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await onboard(ann)
    for _ in range(5):
        await ann.send("/invite")
        assert "t.me/RehabBuddyBot?start=" in ann.last.text
    await ann.send("/careteam")
    assert "5 links waiting" in ann.last.text
    async with bot.services.db.session() as session:
        assert len((await session.exec(select(Invitation))).all()) == 5


async def test_at_most_twenty_people_follow_one_patient(bot: LocalBot,
                                                       emulator: Emulator) -> None:
    ann, zoe, yan = emulator.person("Ann"), emulator.person("Zoe"), emulator.person("Yan")
    await onboard(ann)
    await ann.send("/invite")
    token = re.search(r"start=([A-Za-z0-9_-]+)", ann.last.text).group(1)
    await ann.send("/invite")
    second = re.search(r"start=([A-Za-z0-9_-]+)", ann.last.text).group(1)
    await yan.send(f"/start {second}")  # opened, not yet accepted
    async with bot.services.db.session() as session:
        profile = (await session.exec(select(PatientProfile))).one()
        for n in range(19):
            member = await touch_person(session=session, telegram_id=900 + n,
                                        first_name=f"M{n}", language_code="en",
                                        now=bot.clock.now())
            await family.add_link(session=session, patient_id=profile.id,
                                  member_id=member.id, now=bot.clock.now())
    await zoe.send(f"/start {token}")
    await zoe.press("Yes, follow")  # the 20th
    assert "You now follow" in " ".join(m.text or "" for m in zoe.messages)
    await yan.press("Yes, follow")  # one too many
    assert "already shares with as many people as I allow" in yan.last.text
    await ann.send("/invite")
    assert "You already share with 20 people" in ann.last.text
    await ann.send("/family")
    assert len(ann.last.text) < 4096 and len(ann.buttons()) == 20


async def test_a_clinics_patient_list_is_paged(bot: LocalBot, emulator: Emulator) -> None:
    lee = emulator.person("Lee")
    await lee.send("/start")
    async with bot.services.db.session() as session:
        from db import patients
        from db.people import get_person

        me = await get_person(session=session, telegram_id=lee.user.id)
        for n in range(25):
            person = await touch_person(session=session, telegram_id=5000 + n,
                                        first_name=f"P{n:02d}", language_code="en",
                                        now=bot.clock.now())
            profile = await patients.ensure_profile(session=session, person=person,
                                                    now=bot.clock.now())
            await family.add_link(session=session, patient_id=profile.id, member_id=me.id,
                                  now=bot.clock.now(), role="care")
    await lee.send("/patients")
    assert "page 1 of 3 (25 in all)" in lee.last.text
    assert len(lee.buttons()) == 11 and lee.buttons()[-1] == "Next ➡️"
    await lee.press("Next ➡️")
    assert "page 2 of 3" in lee.last.text and lee.buttons()[-2:] == ["⬅️ Back", "Next ➡️"]
    await lee.press("Next ➡️")
    assert "page 3 of 3" in lee.last.text and len(lee.buttons()) == 6
    await lee.press("P24")
    assert "P24" in lee.last.text and len(lee.last.text) < 4096
