"""Quick check-ins: typed or tapped, confirmed, stored once; unclear text changes nothing;
/undo within ten minutes."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.emulator import Emulator
from bot.local import LocalBot
from db.models import CheckIn
from tests.journey import onboard


async def live(bot: LocalBot) -> list[CheckIn]:
    async with bot.services.db.session() as session:
        rows = (await session.exec(select(CheckIn).order_by(CheckIn.id))).all()
    return [c for c in rows if c.undone_at is None]


async def test_typed_checkin_is_confirmed_then_stored_once(bot: LocalBot,
                                                           emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await onboard(ann)
    await ann.send("did 12 reps hard")
    assert "12 moves" in ann.last.text and "4 of 5" in ann.last.text
    assert await live(bot) == []  # nothing until confirmed
    confirm = ann.last
    data = ann.find_button("Save it")[1]["callback_data"]
    await ann.press("Save it")
    await ann.press_data(data, message=confirm)  # pressed twice
    stored = await live(bot)
    assert [(c.reps, c.difficulty, c.source) for c in stored] == [(12, 4, "quick")]


async def test_unclear_and_out_of_range_text_change_nothing(bot: LocalBot,
                                                            emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await onboard(ann)
    await ann.send("banana")
    assert "did 12" in ann.last.text
    await ann.send("did 9000")
    assert "500" in ann.last.text
    assert await live(bot) == []


async def test_checkin_by_taps_and_cancel(bot: LocalBot, emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await onboard(ann)
    await ann.send("/checkin")
    await ann.press("15")
    await ann.press("2 🙂 Easy")
    await ann.send("10 / 3")
    await ann.press("Cancel")
    assert "nothing saved" in ann.last.text
    assert [(c.reps, c.difficulty) for c in await live(bot)] == [(15, 2)]


async def test_forged_checkin_data_is_checked(bot: LocalBot, emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await onboard(ann)
    await ann.send("did 5")
    await ann.press_data("q:ok:99999:1:0:0")
    assert await live(bot) == []


async def test_undo_within_ten_minutes(bot: LocalBot, emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await onboard(ann)
    await ann.send("did 8")
    await ann.press("Save it")
    await ann.send("/undo")
    assert "Take back your last check-in: 8 moves?" in ann.last.text
    assert len(await live(bot)) == 1  # one tap never erases practice: it asks first
    await ann.press("No, keep it")
    assert "Nothing was taken back" in ann.last.text and len(await live(bot)) == 1
    await ann.send("/undo")
    asked = ann.last
    yes = ann.find_button("Yes, take it back")[1]["callback_data"]
    await ann.press("Yes, take it back")
    assert "Taken back: 8 moves" in asked.text
    assert await live(bot) == []
    await ann.press_data(yes, message=asked)  # a double tap says the same, takes nothing more
    assert "Taken back: 8 moves" in asked.text
    assert not any("Sorry" in (m.text or "") for m in ann.messages)
    await ann.send("/undo")
    assert "nothing to take back" in ann.last.text
    await ann.send("did 9")
    await ann.press("Save it")
    bot.clock.advance(timedelta(minutes=11))
    await ann.send("/undo")
    assert "nothing to take back" in ann.last.text
    assert [c.reps for c in await live(bot)] == [9]
