"""After practice: what changed, and what to celebrate. Plain functions over stored rows."""

from __future__ import annotations

from datetime import date

from bot.catalogue import Stage, catalogue
from bot.plan import DailyPlan, Dose, PlannedExercise
from bot.practice import records
from bot.progression import AfterSession, plan_after_checkins
from bot.stats import Progress, milestones_reached
from db.models import CheckIn, ExerciseDose, PatientProfile


def plan_from_items(stage: Stage, items: list[dict[str, object]]) -> DailyPlan:
    """The plan a session was started with, as stored in the session row."""
    return DailyPlan(stage=stage, items=tuple(
        PlannedExercise(exercise_id=str(i["exercise_id"]), reps=int(i["reps"]),  # type: ignore[call-overload]
                        sets=int(i["sets"]), hold_seconds=i.get("hold_seconds"),  # type: ignore[arg-type,call-overload]
                        role=i["role"], slot=str(i["slot"]))  # type: ignore[arg-type]
        for i in items))


def progress_after(*, profile: PatientProfile, items: list[dict[str, object]],
                   rows: list[ExerciseDose], recent: list[CheckIn], today: date) -> AfterSession:
    doses = {r.slot_id: Dose(r.exercise_id, r.reps, r.sets) for r in rows if not r.excluded}
    excluded = {r.exercise_id for r in rows if r.excluded}
    plan = plan_from_items(Stage(profile.stage or 1), items)
    return plan_after_checkins(plan=plan, doses=doses, excluded=excluded,
                               recent=records(recent), catalogue=catalogue(), today=today)


def celebrations(progress: Progress, *, achieved: set[str], stage_before: int,
                 stage_after: int) -> list[str]:
    """Milestone keys newly reached, including a stage advanced."""
    keys = milestones_reached(progress, achieved=achieved)
    if stage_after > stage_before:
        key = f"stage_{Stage(stage_after).key}"
        if key not in achieved:
            keys.append(key)
    return keys
