"""A family group that removes the bot: its link ends, and nobody is marked as having blocked
the bot (before, the sender of a group message was marked inactive)."""

from __future__ import annotations

import asyncio
import re

from sqlmodel import select

from bot.emulator import Emulator
from bot.local import LocalBot
from db.models import GroupLink, Person
from tests.journey import onboard


async def test_a_group_that_removed_the_bot_loses_its_link_and_marks_nobody(
        bot: LocalBot, emulator: Emulator) -> None:
    ann, ben = emulator.person("Ann"), emulator.person("Ben")
    await onboard(ann)
    await ben.send("/start")
    group = emulator.world.add_group("The Smiths")
    code = re.search(r"/link ([A-Z0-9]{8})", (await ann.send("/group"))[0].text).group(1)
    in_group = ben.in_chat(group)
    await in_group.send(f"/link {code}")
    group.bot_member = False  # the group removes the bot
    await in_group.send("/link ABCDEFGH")  # the reply to the group is refused (403)
    await ann.send("did 120")  # a milestone the group would have heard about
    await ann.press("Save it")
    async with bot.services.db.session() as session:
        links = (await session.exec(select(GroupLink))).all()
        people = (await session.exec(select(Person))).all()
    assert [link.revoked_at is not None for link in links] == [True]
    assert all(p.active for p in people)  # Ben wrote in the group; he blocked nothing


async def test_a_patient_who_blocks_the_bot_is_not_shared_until_they_come_back(
        bot: LocalBot, emulator: Emulator) -> None:
    from datetime import timedelta

    from tests.test_family import invite_link, join

    ann, ben = emulator.person("Ann"), emulator.person("Ben")
    await onboard(ann)
    await join(ben, await invite_link(ann))
    await ann.send("/alerts")
    await ann.press("No session for a few days")
    ann.block()
    await ben.send("/family")
    await ben.press("Cheer Ann")
    await ben.press("You can do this! 💪")  # delivering it finds Ann has blocked the bot
    await ben.send("/progress")
    assert "sharing is paused" in ben.last.text
    before = len(ben.messages)
    await bot.advance(timedelta(days=7))  # a Sunday digest and a quiet spell pass
    assert not [m for m in ben.messages[before:] if "Ann" in (m.text or "")]
    ann.user.blocked_bot = False
    await ann.send("/start")  # Ann comes back
    await ben.send("/progress")
    assert "Your progress" in ben.messages[-2].text or "Ann" in ben.messages[-2].text
    assert "sharing is paused" not in ben.messages[-2].text


async def test_telegram_saying_the_patient_blocked_the_bot_pauses_sharing(
        bot: LocalBot, emulator: Emulator) -> None:
    from tests.test_family import invite_link, join

    ann, ben = emulator.person("Ann"), emulator.person("Ben")
    await onboard(ann)
    await join(ben, await invite_link(ann))
    await ann.block_and_tell()
    await ben.send("/progress")
    assert "sharing is paused" in ben.last.text
    await ann.unblock()
    await ben.send("/progress")
    assert "sharing is paused" not in ben.messages[-2].text


async def test_a_group_removing_the_bot_or_becoming_a_supergroup(
        bot: LocalBot, emulator: Emulator) -> None:
    ann, ben = emulator.person("Ann"), emulator.person("Ben")
    await onboard(ann)
    await ben.send("/start")
    first, second = (emulator.world.add_group(t) for t in ("Smiths", "Joneses"))
    for group in (first, second):
        code = re.search(r"/link ([A-Z0-9]{8})", (await ann.send("/group"))[0].text).group(1)
        await ben.in_chat(group).send(f"/link {code}")
    # the first group becomes a supergroup: the link follows its new id
    new, update_id = emulator.world.migrate_group(ben.user, first)
    await asyncio.wait_for(emulator.settle(update_id), 10)  # type: ignore[misc]
    # the second group removes the bot
    await asyncio.wait_for(emulator.settle(emulator.world.bot_membership(  # type: ignore[misc]
        ben.user, second, old="member", new="left")), 10)
    async with bot.services.db.session() as session:
        links = {link.chat_id: link.revoked_at for link in
                 (await session.exec(select(GroupLink))).all()}
    assert links[new.id] is None and first.id not in links
    assert links[second.id] is not None
    await ann.send("did 120")
    await ann.press("Save it")
    assert any("News from Ann" in (m.text or "") for m in ben.in_chat(new).messages)
