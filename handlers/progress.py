"""/progress: the streak, this week against last, the difficulty trend, the stage and goal,
and a chart of reps per day over four weeks (drawn off the event loop). A patient sees their
own; a family member sees a patient who invited them, only while the link lasts."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update

from bot import drawing
from bot.context import RehabContext
from bot.flows.practice import daily_target, patient_progress, today_of
from bot.rules.exercises import Stage
from bot.rules.family import MAX_FOLLOWERS
from bot.rules.stats import Progress
from db import family, patients
from db.models import PatientProfile
from handlers.common import (
    button,
    current_person,
    keyboard,
    lang_of,
    not_ready,
    record_id,
    render,
    reply,
)


async def show_progress(update: Update, context: RehabContext) -> None:
    """The patient's own progress view (or, for family, the progress of whom they follow)."""
    user = update.effective_user
    assert user is not None
    services = context.services
    query = update.callback_query
    if query is not None:
        await query.answer()
    async with services.db.session() as session:
        found = await patients.get_patient(session=session, telegram_id=user.id)
    if found is None or found[1].onboarding_step != "done":
        if not await family_progress(update, context):
            await not_ready(update, context)
        return
    person, profile = found
    today = today_of(person, services.settings.default_timezone, services.clock.now())
    async with services.db.session() as session:
        progress = await patient_progress(session=session, profile=profile, today=today)
    await send_progress(update, context, chat_id=update.effective_chat.id,  # type: ignore[union-attr]
                        profile=profile, name=person.first_name, progress=progress, own=True)


async def send_progress(update: Update, context: RehabContext, *, chat_id: int,
                        profile: PatientProfile, name: str, progress: Progress,
                        own: bool) -> None:
    """The progress message and its chart; shared by the patient's and the family's view."""
    lang = lang_of(update, context)
    label = context.services.texts.label
    stage_name = label(f"stage.{Stage(profile.stage or 1).key}", lang)
    week_end = progress.week_start + timedelta(days=6) if progress.week_start else None
    text = render(update, context, "progress/view", progress=progress, stage_name=stage_name,
                  goal=profile.goal, own=own, patient=name, week_end=week_end)
    markup = None
    if own and profile.goal and profile.goal_reached_at is None:
        markup = keyboard([button(update, context, "goal.reached", "goal:reached")])
    await context.bot.send_message(chat_id, text, reply_markup=markup)
    async with context.services.db.session() as session:
        target = await daily_target(session=session, profile=profile,
                                    day=progress.reps_by_day[-1][0])
    png = await drawing.progress_chart(context.services.texts, lang, progress, target=target)
    await context.bot.send_photo(chat_id, png, caption=render(
        update, context, "progress/chart_caption", progress=progress))


async def family_progress(update: Update, context: RehabContext) -> bool:
    """/progress from someone who follows patients: choose, or show the only one. Returns
    False if the person follows nobody."""
    me = await current_person(update, context)
    if me is None:
        return False
    async with context.services.db.session() as session:
        following = (await family.patients_of(session=session, member_id=me.id)  # type: ignore[arg-type]
                     )[:MAX_FOLLOWERS]
    if not following:
        return False
    if len(following) == 1:
        await show_patient_progress(update, context, following[0][1].id)  # type: ignore[arg-type]
        return True
    rows = [[button(update, context, "family.progress", f"prog:p:{profile.id}",
                    patient=person.first_name)] for _, profile, person in following]
    await reply(update, context, "family/choose", markup=keyboard(*rows))
    return True


async def on_progress_tap(update: Update, context: RehabContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    try:
        patient_id = record_id(query.data.split(":")[2])
    except (IndexError, ValueError):
        await query.answer()
        return
    await query.answer()
    await show_patient_progress(update, context, patient_id)


async def show_patient_progress(update: Update, context: RehabContext, patient_id: int) -> None:
    """The patient's progress, for a family member: only through an active link."""
    services = context.services
    me = await current_person(update, context)
    async with services.db.session() as session:
        link = (await family.active_link(session=session, patient_id=patient_id,
                                         member_id=me.id)  # type: ignore[union-attr,arg-type]
                if me is not None else None)
        if link is None:
            await reply(update, context, "family/no_access")
            return
        found = await family.patient_person(session=session, patient_id=patient_id)
        assert found is not None
        profile, patient = found
        if not patient.active:  # they blocked the bot: sharing pauses until they come back
            await reply(update, context, "family/paused", patient=patient.first_name)
            return
        today = today_of(patient, services.settings.default_timezone, services.clock.now())
        progress = await patient_progress(session=session, profile=profile, today=today)
    await send_progress(update, context, chat_id=update.effective_chat.id,  # type: ignore[union-attr]
                        profile=profile, name=patient.first_name, progress=progress, own=False)


