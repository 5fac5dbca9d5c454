"""Every screen tells a person where they stand: a family member is never pushed into the
patient's path, and every dead end offers the next step."""

from __future__ import annotations

import re

from bot.emulator import Emulator, Persona
from bot.local import LocalBot
from tests.journey import onboard
from tests.test_family import invite_link, join


def shown(person: Persona) -> list[str]:
    """The buttons' words, without their leading emoji."""
    return [re.sub(r"^\W+", "", label) for label in person.buttons()]


def texts_of(person: Persona, start: int = 0) -> str:
    return "\n".join(m.text or "" for m in person.messages[start:])


async def test_family_following_nobody_is_told_so_and_how_to_get_a_link(
        bot: LocalBot, emulator: Emulator) -> None:
    sam = emulator.person("Sam")
    await sam.send("/start")
    await sam.press("I am family")
    replies = await sam.send("/progress")
    text = replies[0].text
    assert "You are here as family" in text and "do not follow anyone yet" in text
    assert "/invite" in text
    assert "I am practising" not in " ".join(sam.buttons())  # no patient path by default
    for command in ("/today", "/plan", "/checkin", "/alerts", "/group", "/learn", "/remind"):
        replies = await sam.send(command)
        assert "You are here as family" in replies[-1].text, (command, replies[-1].text)
        assert "disclaimer" not in replies[-1].text.lower()
    replies = await sam.send("did 12")
    assert "You are here as family" in replies[-1].text
    # /start: where they stand, and practising too is a deliberate choice offered there
    mark = len(sam.messages)
    await sam.send("/start")
    screen = texts_of(sam, mark)
    assert "Welcome back, Sam" in screen and "People you follow" in screen
    assert "People who follow your practice" not in screen
    assert "I practise myself too" in shown(sam)


async def test_a_removed_family_member_who_tapped_practising_returns_to_family(
        bot: LocalBot, emulator: Emulator) -> None:
    pat, sam = emulator.person("Pat"), emulator.person("Sam")
    await onboard(pat)
    await join(sam, await invite_link(pat))
    await pat.send("/family")
    await pat.press("Remove Sam")
    await pat.press("Yes, remove Sam")
    # Sam, removed, looks for progress: told where they stand, no patient path on offer
    replies = await sam.send("/progress")
    assert "do not follow anyone yet" in replies[-1].text
    # Sam chooses to practise on purpose, then is invited back as family
    await sam.send("/start")
    await sam.press("I practise myself too")
    assert "disclaimer" in sam.last.text.lower() or "I understand" in " ".join(sam.buttons())
    await join(sam, await invite_link(pat))
    mark = len(sam.messages)
    await sam.send("/start")
    screen = texts_of(sam, mark)
    assert "Welcome back, Sam" in screen and "• Pat" in screen
    assert "not a medical device" not in screen.lower() and "I understand" not in shown(sam)
    replies = await sam.send("hello there")
    assert "I understand" not in " ".join(b["text"] for m in replies for b in m.inline_buttons)
    mark = len(sam.messages)
    await sam.send("/family")
    screen = texts_of(sam, mark)
    assert "People you follow" in screen and "People who follow your practice" not in screen


async def test_dead_ends_offer_the_next_step(bot: LocalBot, emulator: Emulator) -> None:
    new = emulator.person("Noor")
    for command in ("/alerts", "/group", "/today"):
        replies = await new.send(command)
        assert "set up your practice" in replies[-1].text, command
        assert "I am practising" in shown(new) and "I am family" in shown(new)
    replies = await new.send("did 12")
    assert "set up your practice" in replies[-1].text
    assert "I am practising" in shown(new)
    replies = await new.send("help")
    assert "/start — " in replies[-1].text  # typed "help" is /help
    # a patient half way through setting up is offered to go on, not to start again
    await new.press("I am practising")
    replies = await new.send("/progress")
    assert "Go on setting up my practice" in shown(new)
    await new.press("Go on setting up my practice")
    assert "I understand" in " ".join(new.buttons())
    ann = emulator.person("Ann")
    await onboard(ann)
    replies = await ann.send("HELP")
    assert "/today — " in replies[-1].text
