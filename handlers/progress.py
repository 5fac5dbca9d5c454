"""/progress: the streak, this week against last, the difficulty trend, the stage and goal,
and a chart of reps per day over four weeks (drawn off the event loop)."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from telegram import Update

from bot.catalogue import Stage
from bot.charts import reps_chart
from bot.context import RehabContext
from bot.practice import day_logs, local_day, window_start, zone_of
from bot.stats import summarise
from db import patients
from db.models import PatientProfile
from handlers.common import button, keyboard, lang_of, render, reply


async def progress_numbers(*, session: Any, profile: PatientProfile, today: date
                           ) -> dict[str, Any]:
    """Everything the statistics need, read in one place."""
    since = window_start(today)
    checkins = await patients.checkins_since(session=session, patient_id=profile.id,  # type: ignore[arg-type]
                                             since=since)
    sessions = await patients.finished_sessions(session=session, patient_id=profile.id,  # type: ignore[arg-type]
                                                since=since)
    logs = day_logs(checkins, sessions)
    total = await patients.total_reps(session=session, patient_id=profile.id)  # type: ignore[arg-type]
    total_sessions = await patients.total_finished_sessions(session=session,
                                                            patient_id=profile.id)  # type: ignore[arg-type]
    window_reps = sum(log.reps for log in logs)
    window_sessions = sum(log.sessions for log in logs)
    # Days before the window still count towards the totals (for milestones).
    if total > window_reps or total_sessions > window_sessions:
        from bot.stats import DayLog

        logs.append(DayLog(day=since.replace(year=since.year - 1),
                           reps=max(0, total - window_reps),
                           sessions=max(0, total_sessions - window_sessions)))
    return {"logs": logs}


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
        numbers = await progress_numbers(session=session, profile=profile, today=today)
    await send_progress(update, context, chat_id=update.effective_chat.id,  # type: ignore[union-attr]
                        profile=profile, name=person.first_name, logs=numbers["logs"],
                        today=today, own=True)


async def send_progress(update: Update, context: RehabContext, *, chat_id: int,
                        profile: PatientProfile, name: str, logs: list[Any], today: date,
                        own: bool) -> None:
    """The progress message and its chart; shared by the patient's and the family's view."""
    lang = lang_of(update, context)
    label = context.services.texts.label
    progress = summarise(logs, today=today)
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
