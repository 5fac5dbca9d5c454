"""Real taps: a double tap never gets an apology or an ERROR line, and a tap answered an hour
late (the bot was down) still does its work."""

from __future__ import annotations

import logging

import pytest

from bot.emulator import Emulator
from bot.local import LocalBot
from tests.journey import onboard


def errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


async def double_tap(person, label: str) -> None:  # type: ignore[no-untyped-def]
    message, button = person.find_button(label)
    await person.press(label)
    await person.press_data(button["callback_data"], message=message)


@pytest.mark.parametrize("steps", [
    ["/start", "I am practising"],
    ["/start", "I am practising", "I understand"],
    ["/start", "I am practising", "I understand", "Left side"],
])
async def test_a_double_tap_in_onboarding_gets_no_apology(
        bot: LocalBot, emulator: Emulator, steps: list[str],
        caplog: pytest.LogCaptureFixture) -> None:
    ann = emulator.person("Ann")
    with caplog.at_level(logging.ERROR):
        await ann.send(steps[0])
        for label in steps[1:-1]:
            await ann.press(label)
        await double_tap(ann, steps[-1])
    assert not [m for m in ann.messages if "Sorry" in (m.text or "")]
    assert errors(caplog) == []


@pytest.mark.parametrize("label", ["Start now", "Later", "Fewer", "More", "Skip",
                                   "Stop for today", "I feel unwell"])
async def test_a_double_tap_in_a_session_gets_no_apology(
        bot: LocalBot, emulator: Emulator, label: str,
        caplog: pytest.LogCaptureFixture) -> None:
    ann = emulator.person("Ann")
    await onboard(ann)
    with caplog.at_level(logging.ERROR):
        if label not in ("Start now", "Later"):
            await ann.press("Start now")
        await double_tap(ann, label)
    assert not [m for m in ann.messages if "Sorry" in (m.text or "")]
    assert errors(caplog) == []


async def test_a_double_tap_on_pause_gets_no_apology(
        bot: LocalBot, emulator: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    ann = emulator.person("Ann")
    await onboard(ann)
    await ann.send("/pause")
    with caplog.at_level(logging.ERROR):
        await double_tap(ann, "3 days")
    assert not [m for m in ann.messages if "Sorry" in (m.text or "")]
    assert errors(caplog) == []


async def test_a_tap_answered_an_hour_late_still_does_its_work(
        bot: LocalBot, emulator: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    """Before, "I understand" answered late stored the step but sent no side buttons."""
    ann = emulator.person("Ann")
    await ann.send("/start")
    await ann.press("I am practising")
    emulator.world.presses_late_by = 3600
    with caplog.at_level(logging.ERROR):
        await ann.press("I understand")
        assert "Left side" in " ".join(ann.buttons())
        await ann.press("Left side")
        assert "lift" in ann.last.text
    assert errors(caplog) == []
    assert not [m for m in ann.messages if "Sorry" in (m.text or "")]
