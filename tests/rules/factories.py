"""A small but realistic catalogue built in code, so the rules are tested apart from content.

Five stages with three to five slots each, some with easier/harder variants (one linked on one
side only, as content may do), and functional tasks at three levels.
"""

from __future__ import annotations

from datetime import date, timedelta

from bot.rules.exercises import Exercise, Kind, Need, Region, StageKey
from bot.rules.progression import CheckInRecord

TODAY = date(2026, 11, 23)  # a Monday
_REGION: dict[str, Region] = {"shoulder": "shoulder", "elbow": "elbow", "wrist": "wrist",
                              "hand_gross": "hand", "hand_fine": "hand"}


def exercise(
    id: str,
    stage: StageKey,
    *,
    reps: int = 10,
    sets: int = 2,
    max_reps: int = 15,
    hold: int | None = None,
    easier: str | None = None,
    harder: str | None = None,
    level: StageKey | None = None,
    kind: Kind = "range_of_motion",
    regions: list[Region] | None = None,
    needs: list[Need] | None = None,
) -> Exercise:
    """One exercise with plausible defaults; only the fields the rules read matter."""
    fine = stage == "hand_fine" or level == "hand_fine"
    return Exercise(
        id=id,
        stage=stage,
        level=level,
        kind=kind,
        motor="fine" if fine else "gross",
        regions=regions or [_REGION[level or stage]],
        needs=needs or [],
        title=id.replace("_", " ").capitalize(),
        rep="Move, then come back.",
        instructions="Sit tall at a table. Move slowly and smoothly.",
        reps=reps,
        sets=sets,
        max_reps=max_reps,
        hold_seconds=hold,
        safety="Stop if it hurts and tell your therapist.",
        easier=easier,
        harder=harder,
    )


def catalogue() -> dict[str, Exercise]:
    """The test catalogue, keyed by id."""
    exercises = [
        # shoulder: 5 slots; the table slide family has three variants
        exercise("table_slide_assisted", "shoulder", reps=8, max_reps=12, harder="table_slide"),
        exercise("table_slide", "shoulder", easier="table_slide_assisted", harder="table_reach"),
        exercise("table_reach", "shoulder", reps=8, max_reps=12, easier="table_slide"),
        exercise("shoulder_shrug", "shoulder", hold=2, kind="arm_strength"),
        exercise("shoulder_blade_squeeze", "shoulder", hold=3, kind="arm_strength"),
        exercise("lean_on_forearm", "shoulder", reps=6, max_reps=10, hold=5),
        exercise("towel_circles", "shoulder", kind="coordination"),
        # elbow: 4 slots; the bend family is linked on both sides
        exercise("elbow_bend_supported", "elbow", harder="elbow_bend"),
        exercise("elbow_bend", "elbow", easier="elbow_bend_supported", harder="elbow_bend_weight"),
        exercise(
            "elbow_bend_weight",
            "elbow",
            reps=8,
            max_reps=12,
            easier="elbow_bend",
            kind="arm_strength",
        ),
        exercise("elbow_push_table", "elbow", kind="arm_strength"),
        exercise("elbow_straighten_slide", "elbow"),
        exercise("elbow_tap_knee", "elbow", kind="coordination"),
        # wrist: 4 slots; forearm_turn names its easier variant only on its own side
        exercise("forearm_turn_supported", "wrist"),
        exercise("forearm_turn", "wrist", easier="forearm_turn_supported"),
        exercise("wrist_lift", "wrist", hold=2, kind="arm_strength"),
        exercise("wrist_side_to_side", "wrist"),
        exercise("wrist_rock_on_table", "wrist", kind="coordination"),
        # hand, gross: 3 slots (fewer than the usual four)
        exercise("fist_open_close", "hand_gross", harder="ball_squeeze", kind="hand_strength"),
        exercise(
            "ball_squeeze",
            "hand_gross",
            reps=8,
            max_reps=12,
            hold=3,
            easier="fist_open_close",
            kind="hand_strength",
        ),
        exercise("towel_scrunch", "hand_gross", kind="hand_strength"),
        exercise("cup_grasp_release", "hand_gross", kind="hand_skills"),
        # hand, fine: 4 slots
        exercise("thumb_to_fingers", "hand_fine", kind="coordination"),
        exercise("coin_pinch", "hand_fine", reps=8, max_reps=12, kind="hand_skills"),
        exercise("finger_lifts", "hand_fine", kind="coordination"),
        exercise("pegs_in_cup", "hand_fine", reps=8, max_reps=12, kind="hand_skills"),
        # functional tasks at three levels
        exercise(
            "wipe_table",
            "functional",
            level="shoulder",
            reps=5,
            sets=1,
            max_reps=10,
            kind="hand_skills",
        ),
        exercise(
            "turn_door_handle",
            "functional",
            level="wrist",
            reps=5,
            sets=1,
            max_reps=10,
            kind="hand_skills",
        ),
        exercise(
            "open_jar", "functional", level="wrist", reps=5, sets=1, max_reps=10, kind="hand_skills"
        ),
        exercise(
            "drink_from_cup",
            "functional",
            level="hand_gross",
            reps=5,
            sets=1,
            max_reps=10,
            kind="hand_skills",
        ),
        exercise(
            "button_shirt",
            "functional",
            level="hand_fine",
            reps=3,
            sets=1,
            max_reps=6,
            kind="hand_skills",
        ),
    ]
    return {item.id: item for item in exercises}


def record(
    exercise_id: str,
    days_ago: int,
    *,
    target: int = 20,
    done: int | None = None,
    difficulty: int | None = 3,
    pain: bool = False,
    today: date = TODAY,
) -> CheckInRecord:
    """A check-in ``days_ago`` before ``today``; by default the target was met at 3."""
    return CheckInRecord(
        exercise_id=exercise_id,
        day=today - timedelta(days=days_ago),
        target_reps=target,
        reps_done=target if done is None else done,
        difficulty=difficulty,
        pain=pain,
    )
