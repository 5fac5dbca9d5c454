"""The one list of commands: it feeds /help and the menu Telegram shows (setMyCommands)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    name: str
    # the description is the label ``commands.<name>`` in content/locales/<lang>/labels.yaml
    audience: str = "everyone"  # everyone | patient | family


COMMANDS: tuple[Command, ...] = (
    Command("start"),
    Command("today", "patient"),
    Command("checkin", "patient"),
    Command("plan", "patient"),
    Command("progress", "patient"),
    Command("learn", "patient"),
    Command("goal", "patient"),
    Command("undo", "patient"),
    Command("remind", "patient"),
    Command("timezone", "patient"),
    Command("pause", "patient"),
    Command("resume", "patient"),
    Command("invite", "patient"),
    Command("family"),
    Command("alerts", "patient"),
    Command("digest"),
    Command("group", "patient"),
    Command("link"),
    Command("help"),
)
