"""Every button the bot shows, pressed twice more: a person with a tremor double-taps, and old
buttons stay in the chat. None of it may bring an apology or an ERROR line."""

from __future__ import annotations

import logging
import random
import re

import pytest
from telegram.ext import CallbackQueryHandler

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
    await ann.send("did 0")
    await ann.press("Rest today")
    await ann.send("did 8")
    await ann.press("Save it")
    await ann.send("/undo")
    await ann.press("Yes, take it back")
    await ann.send("/goal hold a cup")
    await ann.send("/progress")
    await ann.press("I reached my goal!")
    await ann.press("Yes, I did it!")
    await ann.send("/remind")
    await ann.press("Change 1")
    await ann.send("/remind 07:30")
    await ben.send("/family")
    await ben.press("Stop following Ann")
    await ben.press("No, keep it as it is")
    await ann.send("/family")
    await ann.press("Remove Ben")
    await ann.press("Yes, remove Ben")
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


def one_match(pattern: str, rng: random.Random) -> str:
    """A random string the regular expression matches at its start (a small generator over
    Python's own parse of the pattern: literals, sets, branches, groups, repeats)."""
    out: list[str] = []

    def walk(items: object) -> None:
        for op, arg in items:  # type: ignore[attr-defined]
            name = str(op)
            if name == "LITERAL":
                out.append(chr(arg))
            elif name == "IN":
                choices = [chr(a) for o, a in arg if str(o) == "LITERAL"]
                ranges = [(lo, hi) for o, (lo, hi) in
                          ((o, a) for o, a in arg if str(o) == "RANGE")]
                if ranges and (not choices or rng.random() < 0.5):
                    lo, hi = rng.choice(ranges)
                    out.append(chr(rng.randint(lo, hi)))
                else:
                    out.append(rng.choice(choices or ["0"]))
            elif name == "BRANCH":
                walk(rng.choice(arg[1]))
            elif name == "SUBPATTERN":
                walk(arg[-1])
            elif name in ("MAX_REPEAT", "MIN_REPEAT"):
                low, high, sub = arg
                for _ in range(rng.randint(low, min(high, low + 3))):
                    walk(sub)
            elif name == "ANY":
                out.append(rng.choice("0123456789:x"))
            # AT (anchors) and the rest add nothing

    walk(re._parser.parse(pattern))  # type: ignore[attr-defined]
    return "".join(out)


TAILS = ("", "0", "1", ":1", ":1:1", ":1:1:1", ":0:0:0:0", ":x", ":-1", f":{2**63}",
         ":99999999", "::", ":9:9:r:10")


async def test_every_kind_of_button_forged_or_repeated_brings_no_apology(
        bot: LocalBot, emulator: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    """Not only the buttons a week showed: for every button pattern the bot listens to,
    generated data (its prefix with ids, values, junk and huge numbers after it), pressed
    twice by a patient and by a stranger. Nothing may bring an apology or an ERROR line."""
    ann, eve = emulator.person("Ann"), emulator.person("Eve")
    await onboard(ann)
    await ann.press("Start now")
    await eve.send("/help")  # a stranger, with a message of the bot's to press on
    patterns = [h.pattern.pattern for group in bot.app.handlers.values() for h in group
                if isinstance(h, CallbackQueryHandler) and h.pattern is not None]
    assert len(patterns) >= 25
    rng = random.Random(12)
    pressed = 0
    with caplog.at_level(logging.ERROR):
        for pattern in patterns:
            for tail in TAILS:
                head = one_match(pattern, rng)
                data = (head + (tail[1:] if head.endswith(":") and tail[:1] == ":"
                                else tail))[:64]
                for person in (ann, eve, ann):  # the patient twice: a double tap
                    await person.press_data(data)
                    pressed += 1
    assert pressed > 25 * len(TAILS) * 2
    apologies = [m.text for p in (ann, eve) for m in p.messages
                 if "Sorry, something went wrong" in (m.text or "")]
    assert apologies == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
