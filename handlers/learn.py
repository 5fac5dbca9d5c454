"""/learn sends the next short lesson; /goal sets a functional goal in the patient's words."""

from __future__ import annotations

from telegram import Update

from bot.context import RehabContext
from bot.flows.practice import goal_code, reach_goal, stage_of
from bot.materials import catalogue
from bot.rules.practice import next_lesson
from db import lessons, patients
from handlers.cards import send_with_picture
from handlers.common import button, edit_text, keyboard, lang_of, not_ready, render, reply
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
        meta = next(m for m in catalogue.lessons() if m.id == lesson_id)
        assert update.effective_chat is not None
        await send_with_picture(context, update.effective_chat.id, f"lesson-{lesson_id}",
                                meta.pose, profile.affected_side,
                                render(update, context, f"lessons/{lesson_id}",
                                       side=profile.affected_side))


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
            history = await patients.goals_reached(session=session, patient_id=profile.id)  # type: ignore[arg-type]
            await reply(update, context, "goal/show", goal=profile.goal,
                        reached=[g.goal for g in history[:5]])
            return
        if len(text) > GOAL_MAX:
            await reply(update, context, "goal/too_long", limit=GOAL_MAX)
            return
        profile.goal = text
        profile.goal_reached_at = None
        session.add(profile)
    await reply(update, context, "goal/set", goal=text)


async def goal_reached(update: Update, context: RehabContext) -> None:
    """"I reached my goal!" asks first; "Yes" keeps the goal in the history, celebrates it
    once and asks for the next one. A double tap changes nothing more."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and query.data is not None and user is not None
    services = context.services
    lang = lang_of(update, context)
    parts = query.data.split(":")
    if parts[1] == "reached":  # the button under /progress: ask
        async with services.db.session() as session:
            found = await patients.get_patient(session=session, telegram_id=user.id)
        if found is None or not found[1].goal:
            await query.answer(services.texts.label("checkin.old", lang))
            return
        await query.answer()
        code = goal_code(found[1].goal)
        await reply(update, context, "goal/confirm", goal=found[1].goal, markup=keyboard(
            [button(update, context, "goal.yes", f"goal:yes:{code}")],
            [button(update, context, "goal.not_yet", "goal:no")]))
        return
    if parts[1] == "no":
        await query.answer()
        await edit_text(update, render(update, context, "goal/not_yet"))
        return
    async with services.db.session() as session:
        outcome, text = await reach_goal(session=session, telegram_id=user.id,
                                         code=parts[2] if len(parts) > 2 else "",
                                         now=services.clock.now())
        found = await patients.get_patient(session=session, telegram_id=user.id)
    if outcome != "reached":
        await query.answer(services.texts.label(
            "goal.celebrated" if outcome == "already" else "checkin.old", lang))
        return
    await query.answer()
    assert found is not None
    await edit_text(update, render(update, context, "milestones/reached", key="goal_reached",
                                   n=0, goal=text))
    await reply(update, context, "goal/next")
    await tell_groups(context, found[1].id, "family/group_milestone", key="goal_reached")  # type: ignore[arg-type]
