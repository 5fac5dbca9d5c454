"""Shared steps for journey tests: a patient taps through onboarding."""

from __future__ import annotations

from bot.emulator import Persona


async def onboard(patient: Persona, *, answers: tuple[bool, ...] = (True, True, False),
                  city: str = "London", reminders: tuple[str, ...] = ("Morning 09:00",)) -> None:
    """/start → practising → disclaimer → side → placement → city → reminders → done."""
    await patient.send("/start")
    await patient.press("I'm practising")
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
