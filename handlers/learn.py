"""/learn sends the next short lesson; /goal sets a functional goal in the patient's words."""

from __future__ import annotations

from telegram import Update

from bot.context import RehabContext
from bot.flows.practice import stage_of
from bot.materials import catalogue
from bot.rules.practice import next_lesson
from db import lessons, patients
from handlers.common import clear_buttons, not_ready, reply
from handlers.groups import tell_groups

GOAL_MAX = 200


async def learn(update: Update, context: RehabContext) -> None:
    """The next lesson for this patient's stage, each once, in order."""
    user = update.effective_user
    assert user is not None
    services = context.services
    async with services.db.session() as session:
        found = await patients.get_patient(session=session, telegram_id=user.id)
        if found is None:
            await not_ready(update, context)
            return
        person, profile = found
        had = await lessons.delivered(session=session, person_id=person.id)  # type: ignore[arg-type]
        lesson_id = next_lesson(catalogue.lessons(), stage=stage_of(profile),
                                audience="patient", delivered=had)
        if lesson_id is not None:
            await lessons.mark_delivered(session=session, person_id=person.id,  # type: ignore[arg-type]
                                         lesson_id=lesson_id, now=services.clock.now())
    if lesson_id is None:
        await reply(update, context, "learn/all_read")
    else:
        await reply(update, context, f"lessons/{lesson_id}", side=profile.affected_side)


async def goal(update: Update, context: RehabContext) -> None:
    """/goal button my shirt — set it; /goal alone — show it and how to set one."""
    user = update.effective_user
    assert user is not None and update.effective_message is not None
    services = context.services
    text = " ".join(context.args or []).strip()
    async with services.db.session() as session:
        found = await patients.get_patient(session=session, telegram_id=user.id)
        if found is None:
            await not_ready(update, context)
            return
        _, profile = found
        if not text:
            await reply(update, context, "goal/show", goal=profile.goal)
            return
        if len(text) > GOAL_MAX:
            await reply(update, context, "goal/too_long", limit=GOAL_MAX)
            return
        profile.goal = text
        profile.goal_reached_at = None
        session.add(profile)
    await reply(update, context, "goal/set", goal=text)


async def goal_reached(update: Update, context: RehabContext) -> None:
    """The patient says they reached their goal: celebrate it once."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    services = context.services
    async with services.db.session() as session:
        found = await patients.get_patient(session=session, telegram_id=user.id)
        if found is None or not found[1].goal or found[1].goal_reached_at is not None:
            await query.answer(services.texts.label("checkin.old", "en"))
            return
        _, profile = found
        profile.goal_reached_at = services.clock.now()
        session.add(profile)
        await patients.add_milestones(session=session, patient_id=profile.id,  # type: ignore[arg-type]
                                      keys=["goal_reached"], now=services.clock.now())
    await query.answer()
    await clear_buttons(update)
    await reply(update, context, "milestones/reached", key="goal_reached", n=0,
                goal=profile.goal)
    await tell_groups(context, profile.id, "family/group_milestone", key="goal_reached")  # type: ignore[arg-type]
