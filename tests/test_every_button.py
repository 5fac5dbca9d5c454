"""Every button the bot shows, pressed twice more: a person with a tremor double-taps, and old
buttons stay in the chat. None of it may bring an apology or an ERROR line."""

from __future__ import annotations

import logging

import pytest

from bot.emulator import Emulator, Persona
from bot.local import LocalBot
from tests.journey import onboard, press_done
from tests.test_care import therapist_of
from tests.test_family import invite_link, join


async def a_busy_week(ann: Persona, ben: Persona, lee: Persona) -> None:
    """Most screens of the bot, as three people would meet them."""
    await onboard(ann)
    await ann.press("Start now")
    await ann.press("Fewer")
    await ann.press("Back")
    await press_done(ann)
    await ann.press("It hurt")
    await ann.press("Not sure")
    await ann.press("A little")
    await ann.send("/checkin")
    await ann.press("10")
    await ann.press("3 😐 OK")
    await ann.send("did 12 hard")
    await ann.press("Save it")
    await ann.send("/remind")
    await ann.send("/pause")
    await ann.press("1 day")
    await ann.send("/resume")
    await ann.send("/alerts")
    await ann.press("When it hurt")
    await ann.send("/safety")
    await join(ben, await invite_link(ann))
    await ben.press("London")
    await ben.send("/family")
    await ben.press("Cheer Ann")
    await ben.press("You can do this! 💪")
    await ann.press("Thanks!")
    await ben.send("/digest")
    await therapist_of(ann, lee)
    await lee.send("/patients")
    await lee.press("Ann")
    await lee.press("Set level")
    await lee.press("elbow")
    await lee.press("Alerts")
    await ann.send("/armuse")
    await ann.press("3")
    await ann.send("/family")
    await ann.send("/delete")
    await ann.press("Cancel")


def record_buttons(emulator: Emulator) -> dict[int, list[tuple[object, str]]]:
    """Every button shown in each chat, as it was shown (before later edits took it away)."""
    seen: dict[int, list[tuple[object, str]]] = {}

    def listen(kind: str, message: object) -> None:
        if kind in ("new", "edit"):
            for button in message.inline_buttons:  # type: ignore[attr-defined]
                if "callback_data" in button:
                    pair = (message, button["callback_data"])
                    chat = seen.setdefault(message.chat.id, [])  # type: ignore[attr-defined]
                    if pair not in chat:
                        chat.append(pair)

    emulator.world.listeners.append(listen)
    return seen


async def test_every_button_twice_more_brings_no_apology(
        bot: LocalBot, emulator: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    ann, ben, lee = emulator.person("Ann"), emulator.person("Ben"), emulator.person("Lee")
    shown = record_buttons(emulator)
    await a_busy_week(ann, ben, lee)
    emulator.world.listeners.pop()
    pressed = 0
    with caplog.at_level(logging.ERROR):
        for person in (ann, ben, lee):
            buttons = list(shown.get(person.chat.id, []))
            # deleting everything last, so the other buttons meet the data they were made for
            buttons.sort(key=lambda pair: pair[1].startswith("del:yes"))
            for message, data in buttons:
                for _ in range(2):
                    await person.press_data(data, message=message)  # type: ignore[arg-type]
                    pressed += 1
    assert pressed > 300
    apologies = [m.text for p in (ann, ben, lee) for m in p.messages
                 if "Sorry, something went wrong" in (m.text or "")]
    assert apologies == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
