"""/progress: the streak, this week against last, the difficulty trend, the stage and goal,
and a chart of reps per day over four weeks (drawn off the event loop)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date
from typing import Any

from telegram import Update

from bot.catalogue import Stage
from bot.charts import reps_chart
from bot.context import RehabContext
from bot.practice import day_logs, local_day, window_start, zone_of
from bot.stats import Progress, summarise
from db import patients
from db.models import PatientProfile
from handlers.common import button, keyboard, lang_of, render, reply


async def patient_progress(*, session: Any, profile: PatientProfile, today: date) -> Progress:
    """The patient's numbers as of ``today``: four weeks of days, and all-time totals (which
    the milestones count) read from the database rather than from the window."""
    since = window_start(today)
    checkins = await patients.checkins_since(session=session, patient_id=profile.id,  # type: ignore[arg-type]
                                             since=since)
    sessions = await patients.finished_sessions(session=session, patient_id=profile.id,  # type: ignore[arg-type]
                                                since=since)
    progress = summarise(day_logs(checkins, sessions), today=today)
    return replace(
        progress,
        total_reps=await patients.total_reps(session=session, patient_id=profile.id),  # type: ignore[arg-type]
        total_sessions=await patients.total_finished_sessions(session=session,
                                                              patient_id=profile.id))  # type: ignore[arg-type]


async def show_progress(update: Update, context: RehabContext) -> None:
    """The patient's own progress view."""
    user = update.effective_user
    assert user is not None
    services = context.services
    query = update.callback_query
    if query is not None:
        await query.answer()
    async with services.db.session() as session:
        found = await patients.get_patient(session=session, telegram_id=user.id)
    if found is None or found[1].onboarding_step != "done":
        from handlers.family import family_progress

        if not await family_progress(update, context):
            await reply(update, context, "plan/not_ready",
                        markup=keyboard([button(update, context, "start.patient",
                                                "role:patient")]))
        return
    person, profile = found
    today = local_day(services.clock.now(), zone_of(person, services.settings.default_timezone))
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
    text = render(update, context, "progress/view", progress=progress, stage_name=stage_name,
                  goal=profile.goal, own=own, patient=name)
    markup = None
    if own and profile.goal and profile.goal_reached_at is None:
        markup = keyboard([button(update, context, "goal.reached", "goal:reached")])
    await context.bot.send_message(chat_id, text, reply_markup=markup)
    png = await asyncio.to_thread(
        reps_chart, list(progress.reps_by_day), title=label("chart.title", lang),
        y_label=label("chart.y_label", lang))
    await context.bot.send_photo(chat_id, png, caption=render(
        update, context, "progress/chart_caption", progress=progress))
