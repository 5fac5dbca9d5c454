"""After practice: the plan a session ran, and what to celebrate. Plain functions."""

from __future__ import annotations

from bot.rules.exercises import Stage
from bot.rules.plan import DailyPlan, PlannedExercise
from bot.rules.stats import Progress, milestones_reached


def plan_from_items(stage: Stage, items: list[dict[str, object]]) -> DailyPlan:
    """The plan a session was started with, as stored in the session row."""
    return DailyPlan(stage=stage, items=tuple(
        PlannedExercise(exercise_id=str(i["exercise_id"]), reps=int(i["reps"]),  # type: ignore[call-overload]
                        sets=int(i["sets"]), hold_seconds=i.get("hold_seconds"),  # type: ignore[arg-type,call-overload]
                        role=i["role"], slot=str(i["slot"]))  # type: ignore[arg-type]
        for i in items))


def celebrations(progress: Progress, *, achieved: set[str], stage_before: int,
                 stage_after: int) -> list[str]:
    """Milestone keys newly reached, including a stage advanced."""
    keys = milestones_reached(progress, achieved=achieved)
    if stage_after > stage_before:
        key = f"stage_{Stage(stage_after).key}"
        if key not in achieved:
            keys.append(key)
    return keys
