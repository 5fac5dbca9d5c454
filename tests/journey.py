"""Shared steps for journey tests: a patient taps through onboarding."""

from __future__ import annotations

from bot.emulator import Persona

SAFE_ANSWERS = ("Yes", "Yes", "No", "Yes", "Yes")  # cleared, swallow, shoulder pain, sit, feel


async def onboard(patient: Persona, *, answers: tuple[bool, ...] = (True, True, False),
                  city: str = "London", reminders: tuple[str, ...] = ("Morning 09:00",),
                  safety: tuple[str, ...] | None = SAFE_ANSWERS) -> None:
    """/start → practising → disclaimer → side → placement → city → reminders → done → the
    entry check (``safety``: the five answers, by button label; None leaves it unanswered)."""
    await patient.send("/start")
    await patient.press("I am practising")
    await patient.press("I understand")
    await patient.press("Left side")
    for yes in answers:
        await patient.press("Yes" if yes else "No")
    if city.startswith("type:"):
        await patient.send(city.removeprefix("type:"))
    else:
        await patient.press(city)
    for label in reminders:
        await patient.press(label)
    await patient.press("Done")
    for label in safety or ():
        await patient.press(label)


def done_label(persona: Persona) -> str:
    """The card's "Done" button as the person reads it: "✅ Done: 8" or "✅ Done: 2 × 8"."""
    for label in persona.buttons():
        if label.startswith("✅ Done:"):
            return label
    raise AssertionError(f"no Done button; the buttons are {persona.buttons()}")


async def press_done(persona: Persona) -> None:
    await persona.press(done_label(persona))
