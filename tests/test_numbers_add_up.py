"""Every number a person reads is one they can check: a count means the same on the button,
the reply, the summary, /progress, the digest and /undo; "today" is the whole day; "this week"
is Monday to Sunday everywhere, written on the screen; the words follow what was reported."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from bot.emulator import Emulator, Persona
from bot.local import LocalBot
from db.models import CheckIn, ExerciseDose
from tests.journey import done_label, onboard, press_done


def moves_of(label: str) -> int:
    """ "✅ Done: 2 × 8" → 16, "✅ Done: 8" → 8."""
    match = re.search(r"Done: (?:(\d+) × )?(\d+)", label)
    assert match, label
    return int(match.group(1) or 1) * int(match.group(2))


async def stored_moves(bot: LocalBot) -> int:
    async with bot.services.db.session() as session:
        return sum(c.reps * c.sets for c in (await session.exec(select(CheckIn))).all()
                   if c.undone_at is None)


async def whole_session(ann: Persona, feeling: str = "3 😐 OK") -> int:
    """Tap through today's session; returns the moves the buttons promised."""
    await ann.send("/today")
    total = 0
    while "Done:" in " ".join(ann.buttons()):
        label = done_label(ann)
        total += moves_of(label)
        await press_done(ann)
        sets = re.search(r"Done: (\d+) ×", label)
        said = re.search(r"You did (.+?)\. How did it feel", ann.last.text)
        assert said, ann.last.text
        if sets:  # "You did 2 × 8 = 16 moves": the count per set, the sets, and the total
            assert said.group(1) == f"{sets.group(1)} × {label.split('× ')[1]} = " \
                                    f"{moves_of(label)} moves"
        else:
            assert said.group(1) == f"{moves_of(label)} moves"
        await ann.press(feeling)
    return total


async def test_one_count_everywhere_and_today_is_the_whole_day(
        bot: LocalBot, emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await onboard(ann)
    await ann.send("did 12")
    await ann.press("Save it")
    assert "Saved: 12 moves. Well done!" in ann.last.text
    total = await whole_session(ann)
    assert await stored_moves(bot) == total + 12
    summary = next(m.text for m in reversed(ann.messages) if "Today:" in (m.text or ""))
    # the day's total, and this session's part of it
    assert f"Today: {total + 12} moves (this session: {total} moves in" in summary
    # /progress and /digest say the same number for the same week, and name the week
    replies = await ann.send("/progress")
    progress = replies[0].text
    chart = replies[1].photo
    assert chart is not None and (chart["width"], chart["height"]) == (800, 560)
    assert emulator.world.files[chart["file_id"]].content[:4] == b"\x89PNG"
    assert "This week: Mon 23 Nov – Sun 29 Nov" in progress
    assert f"Moves this week: {total + 12} " in progress
    digest = (await ann.send("/digest"))[0].text
    assert "Mon 23 Nov – Sun 29 Nov (so far)" in digest
    assert f"Moves: {total + 12} " in digest
    # a check-in of 3 sets of 10 is 30 moves, and /undo takes back the same 30
    await ann.send("3x10")
    assert "3 × 10 = 30 moves" in ann.last.text
    await ann.press("Save it")
    assert "Saved: 3 × 10 = 30 moves" in ann.last.text
    await ann.send("/undo")
    await ann.press("Yes, take it back")
    assert "Taken back: 3 × 10 = 30 moves" in ann.last.text
    assert await stored_moves(bot) == total + 12


async def test_a_set_count_is_shown_as_sets_and_counted_so(
        bot: LocalBot, emulator: Emulator) -> None:
    """An exercise planned as 2 × 8: the button says so, and 16 moves are stored and shown."""
    ann = emulator.person("Ann")
    await onboard(ann)
    async with bot.services.db.session() as session:
        for dose in (await session.exec(select(ExerciseDose))).all():
            dose.sets = 2
            session.add(dose)
    await ann.send("/today")
    label = done_label(ann)
    assert re.fullmatch(r"✅ Done: 2 × \d+", label), label
    per_set = int(label.split("× ")[1])
    await ann.press("More")
    assert f"2 × {per_set + 2}" in ann.buttons()
    await ann.press(f"2 × {per_set + 2}")
    assert f"You did 2 × {per_set + 2} = {2 * (per_set + 2)} moves" in ann.last.text
    await ann.press("3 😐 OK")
    await ann.press("Stop for today")
    assert await stored_moves(bot) == 2 * (per_set + 2)
    summary = next(m.text for m in reversed(ann.messages) if "Today:" in (m.text or ""))
    assert f"Today: {2 * (per_set + 2)} moves in 1 exercise" in summary


async def test_the_digest_covers_the_same_week_as_progress(
        bot: LocalBot, emulator: Emulator) -> None:
    """Practice on Monday and on Saturday; the Sunday digest covers Mon–Sun, as /progress."""
    ann = emulator.person("Ann")
    await onboard(ann)
    await ann.send("did 20")
    await ann.press("Save it")
    bot.clock.advance(timedelta(days=5))
    await ann.send("did 30")
    await ann.press("Save it")
    await bot.advance(timedelta(days=1, hours=10))  # Sunday 18:00 UTC has passed
    digest = next(m.text for m in ann.messages if "Your week" in (m.text or ""))
    assert "Mon 23 Nov – Sun 29 Nov" in digest and "(so far)" not in digest
    assert "Moves: 50 " in digest
    assert "Days with practice: 2 of 7" in digest
    progress = (await ann.send("/progress"))[0].text
    assert "Moves this week: 50 " in progress


async def test_zero_is_not_a_check_in(bot: LocalBot, emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await onboard(ann)
    await ann.send("did 0")
    assert "No moves today? That is OK" in ann.last.text
    assert "Well done" not in ann.last.text
    assert await stored_moves(bot) == 0
    async with bot.services.db.session() as session:
        assert (await session.exec(select(CheckIn))).all() == []
    offer = ann.last
    rest = ann.find_button("Rest today")[1]["callback_data"]
    await ann.press("Rest today")
    assert "I will not remind you again today" in offer.text
    await ann.press_data(rest, message=offer)  # a double tap: the same words, no apology
    assert "I will not remind you again today" in offer.text
    assert not any("Sorry" in (m.text or "") for m in ann.messages)
    # no prompt for the rest of today, the next one tomorrow morning
    before = len(ann.messages)
    await bot.advance(timedelta(hours=14))  # Monday 23:00
    assert len(ann.messages) == before
    await bot.advance(timedelta(hours=11))  # Tuesday 10:00: the 09:00 prompt came
    assert any("practice" in (m.text or "").lower() for m in ann.messages[before:])


async def test_the_words_follow_what_was_reported(bot: LocalBot, emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await onboard(ann)
    await ann.send("I did 5 and it hurt")
    await ann.press(ann.buttons()[0])  # where
    await ann.press("A little")
    saved = next(m.text for m in reversed(ann.messages) if "Saved:" in (m.text or ""))
    assert "Well done" not in saved and "Thank you for telling me" in saved
    total = await whole_session(ann, feeling="5 🥵 Too hard")
    assert total > 0
    summary = next(m.text for m in reversed(ann.messages) if "Today:" in (m.text or ""))
    assert "Great work" not in summary and "🎉" not in summary
    assert "That was hard work, Ann." in summary
    assert "tap a smaller number" in summary


async def test_a_change_of_plan_is_explained(bot: LocalBot, emulator: Emulator) -> None:
    """Two "very easy" days raise the dose, and the summary says which and why."""
    ann = emulator.person("Ann")
    await onboard(ann)
    await whole_session(ann, feeling="1 😀 Very easy")
    bot.clock.advance(timedelta(days=1))
    await whole_session(ann, feeling="1 😀 Very easy")
    summary = next(m.text for m in reversed(ann.messages) if "Today:" in (m.text or ""))
    assert "Your plan changed:" in summary, summary
    assert re.search(r"• .+: (\d+ × )?\d+ now, it felt easy\.", summary), summary
    bot.clock.advance(timedelta(days=1))
    await ann.send("/today")
    changed = re.search(r"• (.+): (?:(\d+) × )?(\d+) now", summary)
    assert changed
    # the card for that exercise shows the new dose
    title, reps = changed.group(1), changed.group(3)
    seen = []
    while "Done:" in " ".join(ann.buttons()):
        if f"· {title}" in ann.last.text:
            seen.append(done_label(ann))
        await ann.press("Skip")
    assert (seen and seen[0].endswith(f" {reps}")) or seen[0].endswith(f"× {reps}")
