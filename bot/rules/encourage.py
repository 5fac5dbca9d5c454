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


def tone(difficulties: list[int], *, pain: bool) -> str:
    """How the words after practice should sound, from what the person reported: "pain"
    (thank them for saying so, no cheering), "hard" (ratings of 4 or 5 on average: kind,
    not jubilant), else "cheer"."""
    if pain:
        return "pain"
    if difficulties and sum(difficulties) / len(difficulties) >= 4:
        return "hard"
    return "cheer"


def dose_changes(before: dict[str, tuple[str, int, int]],
                 after: dict[str, tuple[str, int, int, str]]) -> list[dict[str, object]]:
    """What changed in the plan, slot by slot, and why: ``before`` maps a slot to
    (exercise, reps, sets); ``after`` to (exercise, reps, sets, reason). A slot whose
    exercise, reps and sets stayed the same is not a change."""
    changes: list[dict[str, object]] = []
    for slot, (exercise_id, reps, sets, reason) in sorted(after.items()):
        old = before.get(slot)
        if old is None or old == (exercise_id, reps, sets):
            continue
        changes.append({"exercise_id": exercise_id, "was": old[0], "reps": reps, "sets": sets,
                        "more": reps * sets > old[1] * old[2] or exercise_id != old[0],
                        "reason": reason})
    return changes
