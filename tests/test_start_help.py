"""/start, /help and the first choice, driven as a person would through the emulator."""

from __future__ import annotations

from sqlmodel import select

from bot.emulator import Emulator
from bot.local import LocalBot
from db.models import Person


async def test_start_welcomes_and_offers_the_two_roles(bot: LocalBot, emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    replies = await ann.send("/start")
    assert len(replies) == 1
    assert "Hello, Ann!" in replies[0].text
    assert "Rehab Buddy" in replies[0].text
    assert ann.buttons() == ["💪 I am practising", "❤️ I am family", "🌐 Another language"]


async def test_choosing_practising_records_the_role_once(bot: LocalBot, emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await ann.send("/start")
    welcome = ann.last
    replies = await ann.press("I am practising")
    assert any("practising" in m.text for m in replies)
    assert welcome.inline_buttons == []  # tidied away in place
    # /start again never makes a second person
    await ann.send("/start")
    async with bot.services.db.session() as session:
        people = (await session.exec(select(Person))).all()
    assert len(people) == 1
    assert people[0].is_patient and not people[0].is_family
    assert people[0].first_name == "Ann"


async def test_family_choice_points_to_the_invite_link(bot: LocalBot, emulator: Emulator) -> None:
    ben = emulator.person("Ben")
    await ben.send("/start")
    replies = await ben.press("I am family")
    assert "invite link" in replies[-1].text


async def test_help_lists_every_command_from_the_registry(bot: LocalBot,
                                                          emulator: Emulator) -> None:
    from bot.commands import COMMANDS
    from tests.journey import onboard

    ann = emulator.person("Ann")
    await onboard(ann)
    replies = await ann.send("/help")
    text = replies[0].text
    for command in COMMANDS:  # a patient sees them all, but the care team's own
        assert (f"/{command.name} — " in text) == (command.audience != "care")
    newcomer = emulator.person("Ned")
    text = (await newcomer.send("/help"))[0].text
    assert "/start — " in text and "/today" not in text  # only what means something to Ned
    # the same registry fed the menu Telegram shows
    assert [c["command"] for c in emulator.world.commands[""]] == [c.name for c in COMMANDS]


async def test_names_are_escaped(bot: LocalBot, emulator: Emulator) -> None:
    eve = emulator.person("<b>Eve</b> & co")
    replies = await eve.send("/start")
    assert "Hello, <b>Eve</b> & co!" in replies[0].text


async def test_unknown_language_falls_back_to_english(bot: LocalBot, emulator: Emulator) -> None:
    kai = emulator.person("Kai", language_code="xx")
    replies = await kai.send("/start")
    assert "Hello, Kai!" in replies[0].text


async def test_unclear_text_gets_a_friendly_pointer(bot: LocalBot, emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    replies = await ann.send("blah")
    assert "/help" in replies[0].text
