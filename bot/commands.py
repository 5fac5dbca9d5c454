"""The one list of commands: it feeds /help and the menu Telegram shows (setMyCommands)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    name: str
    # the description is the label ``commands.<name>`` in content/locales/<lang>/labels.yaml
    audience: str = "everyone"  # everyone | patient | care | any (patient, family or care)


COMMANDS: tuple[Command, ...] = (
    Command("start"),
    Command("today", "patient"),
    Command("checkin", "patient"),
    Command("plan", "patient"),
    Command("progress", "any"),
    Command("learn", "patient"),
    Command("goal", "patient"),
    Command("undo", "patient"),
    Command("remind", "patient"),
    Command("timezone", "any"),
    Command("pause", "patient"),
    Command("resume", "patient"),
    Command("invite", "patient"),
    Command("family", "any"),
    Command("alerts", "patient"),
    Command("digest", "any"),
    Command("group", "patient"),
    Command("link", "any"),
    Command("safety", "any"),
    Command("careteam", "patient"),
    Command("patients", "care"),
    Command("report", "any"),
    Command("armuse", "patient"),
    Command("export", "any"),
    Command("delete", "any"),
    Command("language"),
    Command("help"),
)


def commands_for(*, patient: bool, family: bool, care: bool = False) -> tuple[Command, ...]:
    """The commands that mean something to this person, for /help."""
    def shown(command: Command) -> bool:
        if command.audience == "patient":
            return patient
        if command.audience == "care":
            return care
        if command.audience == "any":
            return patient or family or care
        return True

    return tuple(c for c in COMMANDS if shown(c))
