"""/plan: today's plan, with reps and sets, the day's total and the safety line."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from telegram import Update

from bot.context import RehabContext
from bot.flows.practice import excluded_titles, plan_for, restore_exercise, zone_of
from bot.materials.catalogue import catalogue
from bot.rules.plan import DailyPlan
from bot.rules.practice import local_day
from db import patients
from db.models import ExerciseDose
from handlers.common import button, keyboard, lang_of, ready_patient, render, reply

PUT_BACK = "pb:"


def plan_view(update: Update, context: RehabContext, plan: DailyPlan,
              rows: Iterable[ExerciseDose]) -> dict[str, Any]:
    """The values the plan template shows."""
    exercises = catalogue()
    items = [{"title": exercises[item.exercise_id].title, "reps": item.reps, "sets": item.sets,
              "hold_seconds": item.hold_seconds} for item in plan.items]
    day_number = context.services.clock.now().toordinal()
    return {"items": items, "minutes": plan.minutes,
            "total_reps": plan.total_reps, "excluded": excluded_titles(rows),
            "held": excluded_titles(rows, held=True),
            "safety": safety_line(update, context, day_number)}


def safety_line(update: Update, context: RehabContext, n: int) -> Any:
    """The one-line safety reminder, rotating; already HTML, so marked safe."""
    from markupsafe import Markup

    return Markup(render(update, context, "safety/reminder", n=n))


async def show_plan(update: Update, context: RehabContext) -> None:
    """Today's plan, or a nudge to finish setting up first."""
    services = context.services
    found = await ready_patient(update, context)
    if found is None:
        return
    person, profile = found
    async with services.db.session() as session:
        rows = await patients.doses(session=session, patient_id=profile.id)  # type: ignore[arg-type]
    zone = zone_of(person, services.settings.default_timezone)
    plan = plan_for(profile, rows, local_day(services.clock.now(), zone))
    exercises = catalogue()
    put_back = [[button(update, context, "plan.put_back", f"{PUT_BACK}ask:{row.slot_id}",
                        title=exercises[row.exercise_id].title)]
                for row in rows
                if row.excluded and not row.held_by_care and row.exercise_id in exercises]
    await reply(update, context, "plan/today", **plan_view(update, context, plan, rows),
                markup=keyboard([button(update, context, "common.start_now", "sess:new")],
                                *put_back))


async def on_put_back_tap(update: Update, context: RehabContext) -> None:
    """"Put back" on a removed exercise: only once the care team agreed; "Not sure" keeps it
    out (the safe branch)."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    services = context.services
    action, _, slot = query.data.removeprefix(PUT_BACK).partition(":")
    if action == "yes":
        async with services.db.session() as session:
            title = await restore_exercise(session=session, telegram_id=update.effective_user.id,
                                           slot_id=slot, now=services.clock.now())
        if title is None:  # already back (a double tap), or never taken out: say nothing new
            await query.answer(services.texts.label("checkin.old", lang_of(update, context)))
            return
        await query.answer()
        await query.edit_message_text(render(update, context, "plan/put_back_done",
                                             title=title))
        return
    await query.answer()
    if action == "ask" and slot in catalogue():
        await reply(update, context, "plan/put_back_ask", title=catalogue()[slot].title,
                    markup=keyboard([button(update, context, "plan.put_back_yes",
                                            f"{PUT_BACK}yes:{slot}")],
                                    [button(update, context, "plan.put_back_unsure",
                                            f"{PUT_BACK}no:{slot}")]))
        return
    await query.edit_message_text(render(update, context, "plan/put_back_kept"))
