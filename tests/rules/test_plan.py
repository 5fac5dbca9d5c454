"""The daily plan: roles, variety by day, exclusions, personal doses and session length."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.rules.exercises import Stage
from bot.rules.plan import (
    DAILY_MINUTES_MAX,
    FUNCTIONAL_TASKS,
    LIMB_STAGES,
    SESSION_MINUTES,
    DailyPlan,
    Dose,
    PlannedExercise,
    Variants,
    build_plan,
    daily_goal_minutes,
    minutes_done,
    rotate,
)
from tests.rules.factories import TODAY, catalogue

CATALOGUE = catalogue()


def plan_for(stage: Stage, **kwargs: object) -> DailyPlan:
    arguments: dict[str, object] = {
        "catalogue": CATALOGUE,
        "doses": {},
        "excluded": frozenset(),
        "day": TODAY,
    }
    arguments.update(kwargs)
    return build_plan(stage=stage, **arguments)  # type: ignore[arg-type]


def stage_of(exercise_id: str) -> Stage:
    return CATALOGUE[exercise_id].motor_stage


@pytest.mark.parametrize("stage", list(Stage))
def test_roles_and_stages(stage: Stage) -> None:
    """Main work at the focus stage, one exercise for every other part of the limb (upkeep
    before the focus, ahead after it), and two tasks of daily life."""
    plan = plan_for(stage)
    main, upkeep, ahead = plan.role("main"), plan.role("upkeep"), plan.role("ahead")
    functional = plan.role("functional")
    assert 3 <= len(main) <= 5
    assert all(stage_of(item.exercise_id) == stage for item in main)
    assert all(not CATALOGUE[item.exercise_id].functional for item in (*main, *upkeep, *ahead))
    parts = [s for s in LIMB_STAGES if s != stage]
    assert sorted(stage_of(i.exercise_id) for i in (*upkeep, *ahead)) == parts
    assert all(stage_of(i.exercise_id) < stage for i in upkeep)
    assert all(stage_of(i.exercise_id) > stage for i in ahead)
    within_reach = {Variants(CATALOGUE).slot(e.id) for e in CATALOGUE.values()
                    if e.functional and e.motor_stage <= stage}
    assert len(functional) == min(FUNCTIONAL_TASKS, len(within_reach))
    for item in functional:
        task = CATALOGUE[item.exercise_id]
        assert task.functional and task.motor_stage <= stage
    assert len({item.exercise_id for item in plan.items}) == len(plan.items)
    assert plan.items == (*main, *upkeep, *ahead, *functional)


def test_every_part_of_the_limb_is_practised_from_the_first_day() -> None:
    """Finding 4: a patient placed at the shoulder waited about 40 days for any hand work."""
    plan = plan_for(Stage.SHOULDER)
    regions = {r for item in plan.items for r in CATALOGUE[item.exercise_id].regions}
    assert regions == {"shoulder", "elbow", "wrist", "hand"}
    ahead = plan.role("ahead")
    assert all(i.exercise_id == i.slot for i in ahead)  # at the easiest variant


def test_partly_starts_the_focus_at_the_first_variant_done_without_help() -> None:
    helped = {key: ex.model_copy(update={"assist": "other_hand"})
              if key == "elbow_bend_supported" else ex for key, ex in CATALOGUE.items()}
    day = next(TODAY + timedelta(days=n) for n in range(10) if "elbow_bend_supported" in {
        i.slot for i in build_plan(stage=Stage.ELBOW, catalogue=helped, doses={},
                                   excluded=frozenset(), day=TODAY + timedelta(days=n)
                                   ).role("main")})
    plain = build_plan(stage=Stage.ELBOW, catalogue=helped, doses={}, excluded=frozenset(),
                       day=day)
    active = build_plan(stage=Stage.ELBOW, catalogue=helped, doses={}, excluded=frozenset(),
                        day=day, active_start=True)
    slot = {i.slot: i.exercise_id for i in plain.items}
    assert slot["elbow_bend_supported"] == "elbow_bend_supported"
    assert {i.slot: i.exercise_id for i in active.items}["elbow_bend_supported"] == "elbow_bend"


def test_functional_prefers_the_stage_then_the_nearest_level_below() -> None:
    """The first task is of the focus level (or the nearest below); the second comes from
    any level within reach."""
    assert plan_for(Stage.WRIST).role("functional")[0].exercise_id in {
        "open_jar",
        "turn_door_handle",
    }
    assert plan_for(Stage.ELBOW).role("functional")[0].exercise_id == "wipe_table"
    assert plan_for(Stage.HAND_GROSS).role("functional")[0].exercise_id == "drink_from_cup"
    excluded = {"drink_from_cup"}
    task = plan_for(Stage.HAND_GROSS, excluded=excluded).role("functional")[0]
    assert task.exercise_id in {"open_jar", "turn_door_handle"}


def test_size_is_clamped_to_three_to_five() -> None:
    big = {slot: Dose(slot, 15, 3) for slot in Variants(CATALOGUE).slots(Stage.SHOULDER)}
    assert len(plan_for(Stage.SHOULDER, size=1, doses=big).role("main")) == 3
    assert len(plan_for(Stage.SHOULDER, size=9).role("main")) == 5


def test_new_slots_start_at_their_easiest_variant_and_starting_dose() -> None:
    plan = plan_for(Stage.ELBOW)
    item = next(item for item in plan.items if item.slot == "elbow_bend_supported")
    start = CATALOGUE["elbow_bend_supported"]
    assert (item.exercise_id, item.reps, item.sets) == (start.id, start.reps, start.sets)
    assert "elbow_bend" not in {item.exercise_id for item in plan.items}


def test_personal_doses_are_used_including_a_variant() -> None:
    doses = {
        "elbow_bend_supported": Dose("elbow_bend_weight", 10, 3),
        "elbow_push_table": Dose("elbow_push_table", 14, 2),
    }
    plan = plan_for(Stage.ELBOW, doses=doses)
    by_slot = {item.slot: item for item in plan.items}
    bend = by_slot["elbow_bend_supported"]
    assert (bend.exercise_id, bend.reps, bend.sets) == ("elbow_bend_weight", 10, 3)
    assert (by_slot["elbow_push_table"].reps, by_slot["elbow_push_table"].sets) == (14, 2)
    assert "elbow_bend_supported" not in {item.exercise_id for item in plan.items}


def test_a_stale_dose_falls_back_to_the_starting_dose() -> None:
    doses = {"elbow_push_table": Dose("gone_from_content", 14, 2)}
    item = next(i for i in plan_for(Stage.ELBOW, doses=doses).items if i.slot == "elbow_push_table")
    assert (item.exercise_id, item.reps, item.sets) == ("elbow_push_table", 10, 2)


def test_reps_above_the_exercise_maximum_are_capped() -> None:
    doses = {"elbow_push_table": Dose("elbow_push_table", 40, 2)}
    item = next(i for i in plan_for(Stage.ELBOW, doses=doses).items if i.slot == "elbow_push_table")
    assert item.reps == CATALOGUE["elbow_push_table"].max_reps


def test_excluded_exercises_never_appear() -> None:
    plan = plan_for(Stage.ELBOW, excluded={"elbow_push_table"})
    assert "elbow_push_table" not in {item.exercise_id for item in plan.items}


def test_a_slot_whose_current_variant_is_excluded_is_skipped_whole() -> None:
    doses = {"elbow_bend_supported": Dose("elbow_bend", 10, 2)}
    plan = plan_for(Stage.ELBOW, doses=doses, excluded={"elbow_bend"})
    ids = {item.exercise_id for item in plan.items}
    assert not ids & {"elbow_bend", "elbow_bend_supported", "elbow_bend_weight"}


def test_same_plan_all_day() -> None:
    for stage in Stage:
        assert plan_for(stage) == plan_for(stage)


def test_variety_across_days_when_a_stage_has_more_exercises_than_places() -> None:
    days = [TODAY + timedelta(days=n) for n in range(5)]
    mains = [
        frozenset(i.slot for i in plan_for(Stage.SHOULDER, size=3, day=d, doses={}).role("main"))
        for d in days
    ]
    assert all(a != b for a, b in pairwise(mains))
    assert frozenset().union(*mains) == set(Variants(CATALOGUE).slots(Stage.SHOULDER))
    slow = [TODAY + timedelta(days=n) for n in range(2 * 5)]  # other parts turn every 2 days
    upkeep = {plan_for(Stage.ELBOW, day=d).role("upkeep")[0].slot for d in slow}
    assert upkeep == set(Variants(CATALOGUE).slots(Stage.SHOULDER))


def test_rotate_turns_the_list_round_by_count_a_day() -> None:
    day = date(2026, 1, 1)
    order = rotate(["a", "b", "c", "d", "e"], day, 2)
    assert sorted(order) == ["a", "b", "c", "d", "e"]
    following = rotate(["a", "b", "c", "d", "e"], day + timedelta(days=1), 2)
    assert following == [*order[2:], *order[:2]]
    assert rotate([], day, 3) == []


@pytest.mark.parametrize("stage", [s for s in Stage if s != Stage.HAND_GROSS])
@pytest.mark.parametrize("offset", range(5))
def test_starting_plans_last_fifteen_to_thirty_minutes(stage: Stage, offset: int) -> None:
    plan = plan_for(stage, day=TODAY + timedelta(days=offset))
    assert SESSION_MINUTES[0] <= plan.minutes <= SESSION_MINUTES[1]
    assert plan.total_reps > 32  # more than the average usual-therapy session (Lang 2009)


def test_a_stage_with_only_three_exercises_gives_three_main() -> None:
    plan = plan_for(Stage.HAND_GROSS)
    assert len(plan.role("main")) == 3


def test_short_plans_take_more_main_exercises_up_to_five() -> None:
    small = {slot: Dose(slot, 1, 1) for slot in CATALOGUE}
    plan = plan_for(Stage.SHOULDER, size=3, doses=small)
    assert len(plan.role("main")) == 5


def test_long_plans_drop_main_exercises_but_keep_three() -> None:
    slots = Variants(CATALOGUE).slots(Stage.SHOULDER)
    medium = {slot: Dose(slot, 14, 3) for slot in slots}
    plan = plan_for(Stage.SHOULDER, size=5, doses=medium)
    assert 3 <= len(plan.role("main")) < 5
    assert plan.minutes <= SESSION_MINUTES[1]
    high = {slot: Dose(slot, 15, 5) for slot in slots}
    plan = plan_for(Stage.SHOULDER, size=5, doses=high)
    assert len(plan.role("main")) == 3
    assert SESSION_MINUTES[1] < plan.minutes <= DAILY_MINUTES_MAX


def test_the_time_estimate() -> None:
    item = PlannedExercise("x", reps=10, sets=2, hold_seconds=3, role="main", slot="x")
    assert item.seconds == 60 + 20 * (4 + 3) + 30
    plan = DailyPlan(Stage.ELBOW, (item, item))
    assert plan.seconds == 2 * item.seconds
    assert plan.minutes == 8  # 460 s, rounded up
    assert plan.total_reps == 40


def test_growing_doses_grow_the_daily_reps_towards_trial_doses() -> None:
    start = plan_for(Stage.ELBOW)
    grown = {slot: Dose(slot, CATALOGUE[slot].max_reps, 3) for slot in CATALOGUE}
    later = plan_for(Stage.ELBOW, doses=grown)
    assert later.total_reps > 2 * start.total_reps


slot_ids = sorted(CATALOGUE)


@settings(max_examples=200)
@given(
    stage=st.sampled_from(list(Stage)),
    excluded=st.frozensets(st.sampled_from(slot_ids)),
    offset=st.integers(min_value=0, max_value=3650),
    size=st.integers(min_value=-2, max_value=9),
    doses=st.dictionaries(
        st.sampled_from(slot_ids),
        st.builds(
            Dose,
            exercise_id=st.sampled_from(slot_ids),
            reps=st.integers(min_value=1, max_value=40),
            sets=st.integers(min_value=1, max_value=5),
        ),
    ),
)
def test_plan_invariants(
    stage: Stage, excluded: frozenset[str], offset: int, size: int, doses: dict[str, Dose]
) -> None:
    """Never an excluded id, never a duplicate, never above max reps, at most five main."""
    day = date(2020, 1, 1) + timedelta(days=offset)
    plan = plan_for(stage, excluded=excluded, day=day, size=size, doses=doses)
    ids = [item.exercise_id for item in plan.items]
    assert not set(ids) & excluded
    assert not {item.slot for item in plan.items} & excluded
    assert len(set(ids)) == len(ids)
    assert all(1 <= item.reps <= CATALOGUE[item.exercise_id].max_reps for item in plan.items)
    assert len(plan.role("main")) <= 5
    assert plan == plan_for(stage, excluded=excluded, day=day, size=size, doses=doses)


def test_the_daily_goal_grows_a_week_at_a_time_to_an_hour() -> None:
    assert [daily_goal_minutes(w) for w in (0, 1, 2, 8, 9, 52)] == [15, 20, 25, 55, 60, 60]
    assert daily_goal_minutes(-3) == 15


def test_minutes_done_counts_reps_holds_and_getting_ready() -> None:
    assert minutes_done([]) == 0
    assert minutes_done([(15, None)]) == 2  # 60 s + 15 x 4 s
    assert minutes_done([(10, 3), (10, None)]) == 4  # 130 s + 100 s, rounded up
