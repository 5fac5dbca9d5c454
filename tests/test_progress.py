"""What the patient sees of their own progress: /progress with its chart, /plan, /learn,
/goal, and milestones celebrated once each over days of practice."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.emulator import Emulator, Persona
from bot.local import LocalBot
from db.models import LessonDelivery, Milestone
from tests.journey import onboard


async def quick(patient: Persona, reps: int) -> None:
    await patient.send(f"did {reps}")
    await patient.press("Save it")


async def test_progress_shows_real_numbers_and_a_chart(bot: LocalBot, emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await onboard(ann)
    await quick(ann, 20)  # Monday of the first week
    bot.clock.advance(timedelta(days=7))
    await quick(ann, 30)  # Monday of the next week
    bot.clock.advance(timedelta(days=1))
    await quick(ann, 12)
    replies = await ann.send("/progress")
    text = replies[0].text
    assert "Streak: 2 days" in text
    assert "Moves this week: 42 (last week 20)" in text
    assert "Working on: forearm and wrist" in text
    photo = replies[1]
    assert photo.photo is not None and photo.photo["width"] > 300
    png = emulator.world.files[photo.photo["file_id"]].content
    assert png.startswith(b"\x89PNG")
    assert "All together: 62" in photo.caption


async def test_milestones_are_celebrated_once(bot: LocalBot, emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await onboard(ann)
    for day in range(3):
        await quick(ann, 40)
        if day < 2:
            bot.clock.advance(timedelta(days=1))
    texts = [m.text or "" for m in ann.messages]
    assert sum("3 days in a row" in t for t in texts) == 1
    assert sum("100 moves" in t for t in texts) == 1
    await quick(ann, 5)  # same day again: nothing new to celebrate
    texts = [m.text or "" for m in ann.messages]
    assert sum("3 days in a row" in t for t in texts) == 1
    async with bot.services.db.session() as session:
        keys = sorted((await session.exec(select(Milestone.key))).all())
    assert keys == ["reps_100", "streak_3"]


async def test_plan_learn_and_goal(bot: LocalBot, emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await onboard(ann)
    plan = (await ann.send("/plan"))[0].text
    assert "Your plan for today" in plan and "moves in all" in plan
    first = (await ann.send("/learn"))[0].text
    second = (await ann.send("/learn"))[0].text
    assert first != second
    async with bot.services.db.session() as session:
        delivered = (await session.exec(select(LessonDelivery.lesson_id))).all()
    assert len(delivered) == len(set(delivered)) == 2
    assert "/goal button my shirt" in (await ann.send("/goal"))[0].text
    await ann.send("/goal hold a cup <with> my left hand")
    assert "hold a cup <with> my left hand" in ann.last.text
    replies = await ann.send("/progress")
    assert "Goal: hold a cup <with> my left hand" in replies[0].text
    await ann.press("I reached my goal!")  # one tap asks first
    assert "Did you reach your goal: hold a cup <with> my left hand?" in ann.last.text
    await ann.press("Not yet")
    assert "Your goal stays" in ann.last.text
    await ann.press("I reached my goal!")
    asked = ann.last
    yes = ann.find_button("Yes, I did it!")[1]["callback_data"]
    await ann.press("Yes, I did it!")
    assert "You reached your goal: hold a cup <with> my left hand!" in asked.text
    assert "What would you like to work towards next?" in ann.last.text
    await ann.press_data(yes, message=asked)  # a double tap celebrates nothing twice
    assert ann.toasts[-1] == "Already celebrated ✓"
    assert sum("You reached your goal" in (m.text or "") for m in ann.messages) == 1
    # reached: no longer shown as the goal, kept in the history, the next one asked for
    progress = (await ann.send("/progress"))[0].text
    assert "Goal:" not in progress
    shown = (await ann.send("/goal"))[0].text
    assert "Goals you reached" in shown and "• hold a cup <with> my left hand" in shown
    assert "What would you like to do again with your hand?" in shown
    digest = (await ann.send("/digest"))[0].text
    assert "Goal:" not in digest
    await ann.send("/goal button my shirt")
    await ann.send("/progress")
    await ann.press_data(yes, message=asked)  # the old "yes" never marks the new goal
    assert "Goal: button my shirt" in (await ann.send("/progress"))[0].text
    assert "x" * 10 not in (await ann.send("/goal " + "x" * 250))[0].text


async def test_commands_before_onboarding_point_to_setup(bot: LocalBot,
                                                         emulator: Emulator) -> None:
    ben = emulator.person("Ben")
    for command in ("/today", "/plan", "/progress", "/checkin"):
        replies = await ben.send(command)
        assert "let us set up your practice" in replies[0].text
