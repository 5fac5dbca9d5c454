"""A guided session by taps: cards edited in place, check-ins stored exactly once, pain
handled calmly, a summary with real numbers, milestones celebrated once."""

from __future__ import annotations

import re

from sqlmodel import select

from bot.emulator import Emulator, Persona
from bot.local import LocalBot
from bot.materials.catalogue import catalogue
from db.models import CheckIn, Milestone, PracticeSession
from tests.journey import onboard, press_done


async def checkins(bot: LocalBot) -> list[CheckIn]:
    async with bot.services.db.session() as session:
        return list((await session.exec(select(CheckIn).order_by(CheckIn.id))).all())


def target_of(text: str) -> int:
    match = re.search(r"🎯 (?:(\d+) × )?(\d+)", text)
    assert match, text
    return int(match.group(2))


async def test_a_whole_session_by_taps(bot: LocalBot, emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await onboard(ann)
    await ann.press("Start now")
    card = ann.last
    count = int(re.search(r"1 of (\d+)", card.text).group(1))
    assert 8 <= count <= 11  # main, one for each other part of the limb, two daily tasks
    total = 0
    for n in range(1, count + 1):
        assert f"{n} of {count}" in card.text
        reps = target_of(card.text)
        sets = int(m.group(1)) if (m := re.search(r"🎯 (\d+) ×", card.text)) else 1
        await press_done(ann)
        assert "How did it feel?" in ann.last.text
        await ann.press("3 😐 OK")
        total += reps * sets
        if n < count:
            assert ann.last is card  # the same message, edited in place
    tail = " ".join(m.text or "" for m in ann.messages[-3:])
    assert f"Today: {total} moves in {count} exercises" in tail
    assert "first session is done" in tail
    assert "Session closed: " + str(count) + " of " + str(count) in card.text
    stored = await checkins(bot)
    assert len(stored) == count
    assert sum(c.reps * c.sets for c in stored) == total
    async with bot.services.db.session() as session:
        sess = (await session.exec(select(PracticeSession))).one()
        milestones = (await session.exec(select(Milestone.key))).all()
    assert sess.status == "finished"
    assert ("first_session" in milestones and "reps_100" not in milestones) or total >= 100


async def test_double_press_old_button_and_duplicate_update_record_once(
    bot: LocalBot, emulator: Emulator
) -> None:
    ann = emulator.person("Ann")
    await onboard(ann)
    await ann.press("Start now")
    card = ann.last
    reps = target_of(card.text)
    await press_done(ann)
    feel = ann.find_button("4 😓 Hard")[1]["callback_data"]
    await ann.press("4 😓 Hard")
    # the same button again (a double press), then the same update delivered again
    await ann.press_data(feel, message=card)
    assert "That step is already done ✓" in ann.toasts
    assert len(await checkins(bot)) == 1
    # an old "Done" from the first card after the session moved on
    await ann.press_data(f"s:{feel.split(':')[1]}:0:r:{reps}", message=card)
    assert len(await checkins(bot)) == 1
    # the session goes on at exercise 2 regardless
    assert "2 of" in card.text


async def test_fewer_more_skip_and_stop(bot: LocalBot, emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await onboard(ann)
    await ann.press("Start now")
    reps = target_of(ann.last.text)
    await ann.press("Fewer")
    sets = int(m.group(1)) if (m := re.search(r"🎯 (\d+) ×", ann.last.text)) else 1
    prefix = f"{sets} × " if sets > 1 else ""  # the buttons say a count per set, with the sets
    fewer = [b.removeprefix(prefix) for b in ann.buttons() if b.startswith(prefix)
             and b.removeprefix(prefix).isdigit()]
    assert fewer and all(int(b) < reps for b in fewer)
    await ann.press("Back")
    await ann.press("More")
    await ann.press(f"{prefix}{reps + 5}")
    await ann.press("2 🙂 Easy")
    await ann.press("Skip")
    await ann.press("Stop for today")
    stored = await checkins(bot)
    assert [(c.reps, c.difficulty) for c in stored] == [(reps + 5, 2)]
    assert "Session closed: 1 of" in ann.messages[-2].text or "Session closed: 1 of" in " ".join(
        m.text for m in ann.messages)


async def test_pain_gets_a_calm_safety_message_and_feeds_the_rules(
    bot: LocalBot, emulator: Emulator
) -> None:
    ann = emulator.person("Ann")
    await onboard(ann)
    await ann.press("Start now")
    target_of(ann.last.text)
    await press_done(ann)
    title = re.search(r"1 of \d+ · (.+)", ann.last.text).group(1).strip()
    own = next(ex for ex in catalogue().values() if ex.title == title).regions[0]
    label = {"shoulder": "Shoulder", "elbow": "Elbow", "wrist": "Forearm or wrist",
             "hand": "Hand or fingers"}[own]
    await ann.press("It hurt")
    assert "Where did it hurt?" in ann.last.text
    assert ann.buttons()[0] == label  # the exercise's own region first
    await ann.press(label)
    assert "How much did your" in ann.last.text
    assert await checkins(bot) == []  # nothing is stored until the report is whole
    replies = await ann.press("A little")
    assert any("Stop" in m.text and "care team" in m.text for m in replies)
    stored = await checkins(bot)
    assert stored[0].pain is True and stored[0].difficulty is None
    assert (stored[0].region, stored[0].pain_level) == (own, "little")


async def test_a_stranger_cannot_press_someone_elses_session(
    bot: LocalBot, emulator: Emulator
) -> None:
    ann = emulator.person("Ann")
    mallory = emulator.person("Mallory")
    await onboard(ann)
    await onboard(mallory)
    await ann.press("Start now")
    data = ann.find_button(ann.buttons()[0])[1]["callback_data"]
    await mallory.press_data(data, message=mallory.last)
    assert "That button is not for you." in mallory.toasts
    assert await checkins(bot) == []


async def finish_session(patient: Persona, feeling: str) -> list[tuple[str, int]]:
    """Tap through today's session at the target, all with ``feeling``; returns the cards'
    (title, reps) as planned."""
    await patient.send("/today")
    card = patient.last
    planned = []
    while "Session closed" not in card.text:
        title = card.text.split("·", 1)[1].split("\n", 1)[0].strip()
        reps = target_of(card.text)
        planned.append((title, reps))
        await press_done(patient)
        await patient.press(feeling)
    return planned


async def test_easy_days_grow_the_plan_and_hard_days_shrink_it(
    bot: LocalBot, emulator: Emulator
) -> None:
    from datetime import timedelta

    ann = emulator.person("Ann")
    await onboard(ann)
    first = dict(await finish_session(ann, "1 😀 Very easy"))
    bot.clock.advance(timedelta(days=1))
    second = dict(await finish_session(ann, "1 😀 Very easy"))
    bot.clock.advance(timedelta(days=1))
    third = dict(await finish_session(ann, "5 🥵 Too hard"))
    grown = [t for t in third if t in second and t in first and third[t] > first[t]]
    assert grown, (first, second, third)  # two easy days on target: more reps
    bot.clock.advance(timedelta(days=1))
    fourth = dict(await finish_session(ann, "5 🥵 Too hard"))
    bot.clock.advance(timedelta(days=1))
    fifth = dict(await finish_session(ann, "3 😐 OK"))
    shrunk = [t for t in fifth if t in fourth and t in third and fifth[t] < third[t]]
    assert shrunk, (third, fourth, fifth)  # two days too hard: fewer
