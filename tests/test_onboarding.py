"""A new patient goes from /start to a plan by taps alone; interrupted, they resume."""

from __future__ import annotations

from sqlmodel import select

from bot.emulator import Emulator, Persona
from bot.local import LocalBot
from db.models import PatientProfile, Person, Reminder
from tests.journey import onboard


async def test_taps_alone_take_a_new_patient_to_their_first_plan(
    bot: LocalBot, emulator: Emulator
) -> None:
    ann = emulator.person("Ann")
    await ann.send("/start")
    await ann.press("I am practising")
    assert "not medical advice" in ann.last.text.lower() or "therapist" in ann.last.text.lower()
    await ann.press("I understand")
    assert "affected" in ann.last.text
    await ann.press("Left side")
    assert "lift" in ann.last.text  # first placement question: the shoulder
    await ann.press("Yes")
    assert "elbow" in ann.last.text
    await ann.press("Yes")
    assert "palm" in ann.last.text
    replies = await ann.press("No")  # cannot turn the palm: start at forearm and wrist
    texts = " ".join(m.text for m in replies)
    assert "forearm and wrist" in texts
    assert "Where are you?" in texts
    await ann.press("London")
    assert "When should I remind you?" in ann.last.text
    assert ann.chat.reply_keyboard is None  # the "share my location" keyboard is gone
    await ann.press("Morning 09:00")
    assert "☑️ Morning 09:00" in ann.buttons()
    await ann.press("Evening 18:00")
    await ann.press("Evening 18:00")  # changed her mind
    replies = await ann.press("Done")
    assert "I will remind you at 09:00" in " ".join(m.text for m in replies)
    assert "5 safety questions" in " ".join(m.text for m in replies)  # before any plan
    assert "Question 1 of 5" in replies[-1].text
    assert ann.buttons() == ["👍 Yes", "👎 No", "🤷 Not sure"]
    for answer in ("Yes", "Yes", "No", "Yes", "Yes"):
        replies = await ann.press(answer)
    plan = replies[-1].text
    assert "Your plan for today" in plan
    assert "minutes" in plan and "moves" in plan
    assert ann.buttons() == ["▶️ Start now", "⏰ Later"]

    async with bot.services.db.session() as session:
        person = (await session.exec(select(Person))).one()
        profile = (await session.exec(select(PatientProfile))).one()
        reminders = (await session.exec(select(Reminder))).all()
    assert person.timezone == "Europe/London"
    assert profile.stage == 3 and profile.affected_side == "left"
    assert profile.onboarding_step == "done" and profile.disclaimer_accepted_at is not None
    assert [(r.kind, r.local_time) for r in reminders] == [("exercise", "09:00"),
                                                           ("lesson", "09:30")]


async def test_an_interrupted_onboarding_resumes_and_never_duplicates(
    bot: LocalBot, emulator: Emulator
) -> None:
    ann = emulator.person("Ann")
    await ann.send("/start")
    await ann.press("I am practising")
    await ann.press("I understand")
    await ann.press("Right side")
    old_question = ann.last
    await ann.send("/start")  # comes back later
    assert "lift" in ann.last.text  # the same question again, not the beginning
    await ann.press("No")
    # the old copy of the question is stale now: a tap on it changes nothing
    await ann.press("Yes", message=old_question)
    assert "That step is already done ✓" in ann.toasts
    async with bot.services.db.session() as session:
        profiles = (await session.exec(select(PatientProfile))).all()
    assert len(profiles) == 1
    assert profiles[0].stage == 1  # shoulder: the first "no" wins
    assert profiles[0].placement_answers == {"lift_shoulder": "no"}


async def to_the_timezone_step(patient: Persona) -> None:
    await patient.send("/start")
    await patient.press("I am practising")
    await patient.press("I understand")
    await patient.press("Left side")
    await patient.press("No")


async def test_timezone_by_typing_by_suggestion_and_by_location(
    bot: LocalBot, emulator: Emulator
) -> None:
    ben = emulator.person("Ben")
    await to_the_timezone_step(ben)
    await ben.send("Atlantis")
    assert "I do not know Atlantis" in ben.last.text
    await ben.send("Londn")
    assert "Did you mean" in ben.last.text
    await ben.press("London")
    assert "When should I remind you?" in ben.last.text

    cy = emulator.person("Cy")
    await to_the_timezone_step(cy)
    await cy.share_location(48.85, 2.35)  # Paris
    assert "Europe/Paris" in " ".join(m.text for m in cy.messages[-2:])
    await cy.press("Yes")
    assert "When should I remind you?" in cy.last.text

    dee = emulator.person("Dee")
    await to_the_timezone_step(dee)
    await dee.send("america/new_york")
    assert "America/New_York" in dee.messages[-2].text


async def test_helper_onboard_reaches_the_plan(bot: LocalBot, emulator: Emulator) -> None:
    eve = emulator.person("Eve")
    await onboard(eve)
    assert "Your plan for today" in eve.last.text


async def test_typing_works_at_every_step(bot: LocalBot, emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await ann.send("/start")
    await ann.press("I am practising")
    await ann.send("I understand")
    assert "affected" in ann.last.text
    await ann.send("Right")
    assert "lift" in ann.last.text
    await ann.send("yes")
    await ann.send("No.")
    assert "Where are you?" in ann.messages[-2].text  # then the "share location" keyboard
    await ann.send("Madrid")
    assert "When should I remind you?" in ann.last.text
    await ann.send("banana")  # not an answer: the step comes back with its buttons
    assert "When should I remind you?" in ann.last.text
    await ann.send("done")
    assert "Question 1 of 5" in ann.last.text
    await ann.send("banana")  # not an answer: the question comes back with its buttons
    assert "Question 1 of 5" in ann.last.text
    for answer in ("yes", "Not sure", "no", "yes"):
        await ann.send(answer)
    await ann.send("yes")
    assert "Your plan for today" in ann.last.text
    async with bot.services.db.session() as session:
        profile = (await session.exec(select(PatientProfile))).one()
    assert (profile.affected_side, profile.stage) == ("right", 2)
    assert profile.safety_answers == {"cleared": "yes", "swallow": "unsure",
                                      "shoulder_pain": "no", "sitting": "yes", "feeling": "yes"}


async def test_typing_gmt_asks_london_or_utc(bot: LocalBot, emulator: Emulator) -> None:
    """"GMT" is what people in the UK call UK time: read as UTC, their reminders would come an
    hour late all summer. The bot asks, and London keeps summer time."""
    ann = emulator.person("Ann")
    await ann.send("/start")
    await ann.press("I am practising")
    await ann.press("I understand")
    await ann.press("Left side")
    for answer in ("Yes", "Yes", "No"):
        await ann.press(answer)
    await ann.send("GMT")
    assert ann.buttons() == ["London", "UTC"]
    await ann.press("London")
    assert "Europe/London" in " ".join(m.text or "" for m in ann.messages[-3:])
