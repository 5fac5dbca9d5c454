"""The minute-long memo of who was seen (``bot.seen``), and that the journeys that change a
person's row go to the database whatever it holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.emulator import Emulator
from bot.local import LocalBot
from bot.seen import FRESH, Seen, SeenRecently
from db.models import Person
from db.people import get_person
from tests.journey import onboard

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


def seen(at: datetime = NOW, **changes: object) -> Seen:
    values: dict[str, object] = {"language": "es", "first_name": "Ann",
                                 "language_code": "en", "at": at}
    return Seen(**(values | changes))  # type: ignore[arg-type]


def test_a_person_is_remembered_for_a_minute_and_only_as_they_were() -> None:
    memo = SeenRecently()
    memo.note(7, seen())
    assert memo.get(7, first_name="Ann", language_code="en", now=NOW + FRESH / 2) == seen()
    assert memo.get(7, first_name="Ann", language_code="en", now=NOW + FRESH) is None
    assert memo.get(7, first_name="Anna", language_code="en", now=NOW) is None  # renamed
    assert memo.get(7, first_name="Ann", language_code="de", now=NOW) is None
    assert memo.get(8, first_name="Ann", language_code="en", now=NOW) is None
    memo.forget(7)
    assert memo.get(7, first_name="Ann", language_code="en", now=NOW) is None


def test_with_another_instance_live_nothing_is_remembered() -> None:
    memo = SeenRecently()
    memo.note(7, seen())
    memo.alone = False
    assert memo.get(7, first_name="Ann", language_code="en", now=NOW) is None
    memo.note(8, seen())
    memo.alone = True
    assert memo.get(8, first_name="Ann", language_code="en", now=NOW) is None


async def test_a_blocked_person_who_comes_back_is_active_again_at_once(
        bot: LocalBot, emulator: Emulator) -> None:
    """Seen a moment ago, then marked blocked (a prompt's 403): unblocking tells the bot with
    a my_chat_member update, which always reaches the database."""
    ann = emulator.person("Ann")
    await onboard(ann)
    ann.block()
    async with bot.services.db.session() as session:  # as the dispatcher does on a 403
        person = await get_person(session=session, telegram_id=ann.user.id)
        assert isinstance(person, Person)
        person.active = False
        session.add(person)
    await bot.advance(timedelta(seconds=5))
    await ann.unblock()
    async with bot.services.db.session() as session:
        person = await get_person(session=session, telegram_id=ann.user.id)
        assert person is not None and person.active


async def test_after_erasing_everything_the_next_message_starts_afresh(
        bot: LocalBot, emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await onboard(ann)
    await ann.send("/delete")
    await ann.press("Yes, delete everything")
    await ann.send("/start")
    assert "Welcome" in ann.last.text or "Hello" in ann.last.text
    async with bot.services.db.session() as session:
        assert await get_person(session=session, telegram_id=ann.user.id) is not None
