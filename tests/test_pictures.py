"""Session cards with the picture of their movement: a photo with the card's words as caption,
edited in place step by step, the picture swapped for the next exercise; each picture uploaded
once and sent again by Telegram's file_id, by every instance and after a restart."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest

from bot.clock import FakeClock
from bot.emulator import Emulator, Persona
from bot.emulator.world import Message
from bot.local import LocalBot
from bot.settings import Settings
from db.engine import Database
from tests.journey import onboard


@pytest.fixture
async def bot(settings: Settings, database: Database, clock: FakeClock,
              emulator: Emulator) -> AsyncIterator[LocalBot]:
    with_pictures = settings.model_copy(update={"card_pictures": True})
    async with LocalBot(settings=with_pictures, database=database, clock=clock,
                        emulator=emulator) as local:
        yield local


def words(message: Message) -> str:
    return message.caption or message.text or ""


async def whole_session(person: Persona) -> tuple[Message, list[str]]:
    """Done and OK on every card; the card, and the picture shown at each exercise."""
    await person.press("Start now")
    card = person.last
    count = int(re.search(r"1 of (\d+)", words(card)).group(1))  # type: ignore[union-attr]
    shown = []
    for n in range(1, count + 1):
        assert card.photo is not None, f"card {n} has no picture"
        assert f"{n} of {count}" in words(card)
        shown.append(card.photo["file_unique_id"])
        done = next(b for b in person.buttons(card) if b.startswith("✅ Done:"))
        await person.press(done, message=card)
        assert card.photo["file_unique_id"] == shown[-1]  # the same exercise: words change
        assert "How did it feel?" in words(card)
        await person.press("3 😐 OK", message=card)
        assert person.last is card or n == count  # edited in place, never sent again
    return card, shown


async def test_every_card_has_its_picture_uploaded_once(bot: LocalBot,
                                                        emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await onboard(ann)  # left side affected
    card, shown = await whole_session(ann)
    assert "Session closed:" in words(card)  # the closing words, as its caption
    assert len(set(shown)) == len(shown)  # a picture of its own for each exercise
    uploads = emulator.world.uploads["photo"]
    assert uploads == len(shown)
    ben = emulator.person("Ben")  # a busy morning: the same plan for someone else
    await onboard(ben)
    _, again = await whole_session(ben)
    assert again == shown  # the same pictures, sent by file_id
    assert emulator.world.uploads["photo"] == uploads  # nothing uploaded twice
    files = sorted(p.name for p in bot.services.settings.pictures_dir.iterdir())
    assert len(files) == len(shown) and all(f.endswith(".png") for f in files)
    assert all("-left-" in f for f in files)  # Ann and Ben's left side: mirrored pictures


async def test_the_right_side_gets_its_own_pictures(bot: LocalBot, emulator: Emulator) -> None:
    ann, cy = emulator.person("Ann"), emulator.person("Cy")
    await onboard(ann)
    _, left = await whole_session(ann)
    await cy.send("/start")
    await cy.press("I am practising")
    await cy.press("I understand")
    await cy.press("Right side")
    for answer in ("Yes", "Yes", "No"):
        await cy.press(answer)
    await cy.press("London")
    await cy.press("Morning 09:00")
    await cy.press("Done")
    for answer in ("Yes", "Yes", "No", "Yes", "Yes"):
        await cy.press(answer)
    _, right = await whole_session(cy)
    assert set(left).isdisjoint(right)


async def test_pain_and_a_double_tap_on_a_picture_card(bot: LocalBot,
                                                       emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await onboard(ann)
    await ann.press("Start now")
    card = ann.last
    picture = card.photo
    assert picture is not None
    done = next(b for b in ann.buttons(card) if b.startswith("✅ Done:"))
    await ann.press(done, message=card)
    await ann.press("🤕 It hurt", message=card)
    assert "Where did it hurt?" in words(card) and card.photo == picture
    await ann.press("Shoulder", message=card)
    await ann.press("A little", message=card)
    assert "2 of" in words(card) and card.photo != picture  # on to the next, its picture
    assert any("Thank you for telling me" in (m.text or "") for m in ann.messages)


@pytest.mark.parametrize("label", ["✅ Done:", "➖ Fewer", "➕ More", "⏭ Skip",
                                   "⏹ Stop for today", "🚨 I feel unwell"])
async def test_a_double_tap_on_a_picture_card_gets_no_apology(
        bot: LocalBot, emulator: Emulator, label: str,
        caplog: pytest.LogCaptureFixture) -> None:
    import logging

    ann = emulator.person("Ann")
    await onboard(ann)
    await ann.press("Start now")
    card = ann.last
    label = next(b for b in ann.buttons(card) if b.startswith(label))
    _, button = ann.find_button(label, card)
    with caplog.at_level(logging.ERROR):
        await ann.press(label, message=card)
        after = (card.caption, card.photo)
        await ann.press_data(button["callback_data"], message=card)
        await ann.press_data(button["callback_data"], message=card)  # and an hour late
    assert (card.caption, card.photo) == after  # the second tap changed nothing
    assert not [m for m in ann.messages if "Sorry" in words(m)]
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_a_restart_sends_the_pictures_by_their_file_id(
        settings: Settings, database: Database, clock: FakeClock, emulator: Emulator,
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """Another instance, or the same after a restart with an empty picture folder, sends by
    the file_ids kept in the database: no upload."""
    first = settings.model_copy(update={"card_pictures": True})
    async with LocalBot(settings=first, database=database, clock=clock, emulator=emulator):
        ann = emulator.person("Ann")
        await onboard(ann)
        _, shown = await whole_session(ann)
    uploads = emulator.world.uploads["photo"]
    fresh = first.model_copy(update={"pictures_dir": tmp_path_factory.mktemp("empty")})
    async with LocalBot(settings=fresh, database=database, clock=clock, emulator=emulator):
        ben = emulator.person("Ben")
        await onboard(ben)
        _, again = await whole_session(ben)
    assert again == shown and emulator.world.uploads["photo"] == uploads
    assert not any(fresh.pictures_dir.iterdir())  # nothing drawn: nothing needed drawing


async def test_a_lesson_that_a_picture_explains_comes_with_it(bot: LocalBot,
                                                              emulator: Emulator) -> None:
    """/learn: "Look after the shoulder" shows the arm resting on a pillow, under its words;
    lessons without a picture are words."""
    ann = emulator.person("Ann")
    await onboard(ann)
    lessons = [(await ann.send("/learn"))[-1] for _ in range(5)]
    assert [m.photo is not None for m in lessons] == [False, False, False, False, True]
    assert words(lessons[-1]).startswith("💪 Look after the shoulder")
    assert "Support the arm." in words(lessons[-1])
