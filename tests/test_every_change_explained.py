"""Every change is said as it is done: a pause names its exact end and keeps it, "Change" on a
reminder changes it (typed too), no reminders is said out loud, a shared location works after
setting up, and the small words are right."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.emulator import Emulator
from bot.local import LocalBot
from db.models import Person, Reminder
from tests.journey import onboard
from tests.test_reminders import prompts_in


def local_hours(messages: list, zone: str = "Europe/London") -> list[str]:
    return [datetime.fromtimestamp(m.date, UTC).astimezone(ZoneInfo(zone)).strftime("%a %H:%M")
            for m in messages]


async def test_a_one_day_pause_names_its_exact_end_and_keeps_it(
        bot: LocalBot, emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await onboard(ann, reminders=("Morning 09:00", "Evening 18:00"))
    await bot.advance(timedelta(days=4, minutes=5))  # Friday 09:05 in London
    before = len(prompts_in(ann))
    await ann.send("/pause")
    await ann.press("1 day")
    assert "quiet until Saturday 09:05" in ann.last.text
    await bot.advance(timedelta(days=1, hours=10))  # Saturday 19:05
    sent = local_hours(prompts_in(ann)[before:])
    assert sent == ["Sat 18:00"], sent  # Friday 18:00 and Saturday 09:00 were in the pause


async def test_change_changes_by_tap_and_by_typing(bot: LocalBot, emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await onboard(ann, reminders=("Morning 09:00", "Evening 18:00"))
    await ann.send("/remind")
    await ann.press("Change 2")
    assert "Pick a new time for your 18:00 reminder" in ann.last.text
    await ann.send("/remind 19:45")  # typed, as the screen suggests
    assert "Reminder changed" in ann.last.text
    assert "1. 09:00" in ann.last.text and "2. 19:45" in ann.last.text
    assert "3." not in ann.last.text
    await ann.send("/remind 07:30")  # a later /remind adds, as usual
    assert "Reminder added" in ann.last.text and "3." in ann.last.text
    async with bot.services.db.session() as session:
        times = sorted(r.local_time for r in (await session.exec(
            select(Reminder).where(Reminder.kind == "exercise"))).all())
        person = (await session.exec(select(Person))).one()
    assert times == ["07:30", "09:00", "19:45"]
    assert person.pending_action is None


async def test_setting_up_without_reminders_says_so_and_offers_one(
        bot: LocalBot, emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await onboard(ann, reminders=())
    finished = next(m for m in ann.messages if "You are all set" in (m.text or ""))
    assert "no reminders" in finished.text and "will not send practice prompts" in finished.text
    await ann.press("Add a reminder", message=finished)
    await ann.press("17:00")
    assert "1. 17:00" in ann.last.text


async def test_a_shared_location_after_setting_up_changes_the_zone(
        bot: LocalBot, emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await onboard(ann)
    await ann.send("/timezone")
    await ann.share_location(48.85, 2.35)  # Paris
    assert "Is your time zone Europe/Paris" in ann.last.text
    assert ann.buttons() == ["👍 Yes", "👎 No"]  # on the question itself
    await ann.press("Yes")
    assert "Europe/Paris" in ann.last.text
    assert "already done" not in " ".join(ann.toasts)
    async with bot.services.db.session() as session:
        person = (await session.exec(select(Person))).one()
        morning = (await session.exec(select(Reminder).where(
            Reminder.kind == "exercise"))).one()
    assert person.timezone == "Europe/Paris"
    assert morning.next_due_at.astimezone(ZoneInfo("Europe/Paris")).hour == 9
    await ann.share_location(51.5, -0.12)  # London again, then "No": the list of cities
    await ann.press("No")
    assert "Tap your city" in ann.last.text or "city" in ann.last.text.lower()


async def test_small_words(bot: LocalBot, emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await ann.send("/start")
    await ann.press("I am practising")
    disclaimer = ann.last
    await ann.press("I understand")
    assert "not a" in disclaimer.text.lower() or len(disclaimer.text) > 100  # still there
    assert disclaimer.inline_buttons == []
    assert ann.last is not disclaimer
    await ann.press("Left side")
    assert "Question 1 of" in ann.last.text
    for _ in range(3):
        await ann.press("Yes" if "Question 3" not in ann.last.text else "No")
    await ann.press("London")
    await ann.press("Morning 09:00")
    assert "☑️ Morning 09:00" in ann.buttons() and "✅ Morning 09:00" not in ann.buttons()
    await ann.press("Done")
    for label in ("Yes", "Yes", "No", "Yes", "Yes"):
        await ann.press(label)
    await ann.press("Start now")
    card = ann.last.text
    assert card.count("⚠️") + card.count("🛟") + card.count("🐢") + card.count("🤝") <= 1
    progress = (await ann.send("/progress"))[0].text
    assert "Streak: 0" not in progress and "0 days" not in progress
    # every prompt opener reads as a sentence
    await bot.advance(timedelta(days=5))
    for prompt in prompts_in(ann):
        first = prompt.text.splitlines()[0]
        assert not first.endswith("here, Ann?"), first
