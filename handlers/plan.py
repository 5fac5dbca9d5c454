"""/plan: today's plan, with reps and sets, the day's total and the safety line."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from telegram import Update

from bot.context import RehabContext
from bot.flows.practice import excluded_titles, plan_for, zone_of
from bot.materials.catalogue import catalogue
from bot.rules.plan import DailyPlan
from bot.rules.practice import local_day
from db import patients
from db.models import ExerciseDose
from handlers.common import button, keyboard, ready_patient, render, reply


def plan_view(update: Update, context: RehabContext, plan: DailyPlan,
              rows: Iterable[ExerciseDose]) -> dict[str, Any]:
    """The values the plan template shows."""
    exercises = catalogue()
    items = [{"title": exercises[item.exercise_id].title, "reps": item.reps, "sets": item.sets,
              "hold_seconds": item.hold_seconds} for item in plan.items]
    day_number = context.services.clock.now().toordinal()
    return {"items": items, "minutes": plan.minutes,
            "total_reps": plan.total_reps, "excluded": excluded_titles(rows),
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
    await reply(update, context, "plan/today", **plan_view(update, context, plan, rows),
                markup=keyboard([button(update, context, "common.start_now", "sess:new")]))
