"""Progression: the next dose per exercise, the stage review, and the one call after a session."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.rules.exercises import Exercise, Stage
from bot.rules.plan import DailyPlan, Dose, Variants, build_plan
from bot.rules.progression import (
    Adjustment,
    AfterSession,
    CheckInRecord,
    decide,
    plan_after_checkins,
    review_stage,
)
from tests.rules.factories import TODAY, catalogue, record

CATALOGUE = catalogue()
VARIANTS = Variants(CATALOGUE)


def run(slot: str, dose: Dose, *records: CheckInRecord, **kwargs: object) -> Adjustment:
    return decide(
        exercise=CATALOGUE[slot],
        dose=dose,
        recent=list(records),
        today=TODAY,
        catalogue=CATALOGUE,
        **kwargs,  # type: ignore[arg-type]
    )


def summary(adjustment: Adjustment) -> tuple[str, str, int, int, str]:
    a = adjustment
    return a.decision, a.exercise_id, a.reps, a.sets, a.reason


PUSH = "elbow_push_table"  # 10 x 2, max 15, no variants
START = Dose(PUSH, 10, 2)


# --- stepping up -------------------------------------------------------------------------


def test_progress_after_two_easy_successful_days() -> None:
    adjustment = run(PUSH, START, record(PUSH, 1, difficulty=2), record(PUSH, 0, difficulty=1))
    assert summary(adjustment) == ("progress", PUSH, 12, 2, "too_easy")
    assert not adjustment.advise_care_team


def test_one_easy_day_is_not_enough() -> None:
    assert summary(run(PUSH, START, record(PUSH, 0, difficulty=2)))[0::4] == ("hold", "easy_once")


def test_two_easy_check_ins_on_the_same_day_count_as_one_day() -> None:
    adjustment = run(PUSH, START, record(PUSH, 0, difficulty=2), record(PUSH, 0, difficulty=2))
    assert adjustment.decision == "hold"


def test_easy_but_short_of_target_does_not_progress() -> None:
    adjustment = run(
        PUSH, START, record(PUSH, 1, difficulty=1), record(PUSH, 0, done=18, difficulty=1)
    )
    assert adjustment.decision == "hold"


def test_no_difficulty_reported_does_not_progress() -> None:
    adjustment = run(
        PUSH, START, record(PUSH, 1, difficulty=None), record(PUSH, 0, difficulty=None)
    )
    assert summary(adjustment)[0::4] == ("hold", "on_target")


def test_hold_in_the_zone() -> None:
    adjustment = run(PUSH, START, record(PUSH, 1, difficulty=4), record(PUSH, 0, difficulty=4))
    assert summary(adjustment) == ("hold", PUSH, 10, 2, "on_target")


def test_three_steady_days_at_three_progress() -> None:
    days = [record(PUSH, n, difficulty=3) for n in (4, 2, 0)]
    assert summary(run(PUSH, START, *days)) == ("progress", PUSH, 12, 2, "steady_success")
    assert run(PUSH, START, *days[1:]).decision == "hold"
    with_a_four = [*days[:2], record(PUSH, 0, difficulty=4)]
    assert run(PUSH, START, *with_a_four).decision == "hold"


def test_step_is_twenty_percent_at_least_one_and_capped_at_max() -> None:
    easy = [record(PUSH, 1, target=45, difficulty=1), record(PUSH, 0, target=45, difficulty=1)]
    assert run(PUSH, Dose(PUSH, 3, 1), *easy).reps == 4
    assert run(PUSH, Dose(PUSH, 10, 1), *easy).reps == 12
    assert run(PUSH, Dose(PUSH, 14, 1), *easy).reps == 15
    assert run(PUSH, Dose(PUSH, 14, 1), *easy).reason == "too_easy"


def test_success_at_an_older_lower_dose_does_not_count() -> None:
    """After a step up, the days that earned it do not earn another."""
    days = [record(PUSH, 1, target=20, difficulty=1), record(PUSH, 0, target=20, difficulty=1)]
    assert run(PUSH, Dose(PUSH, 12, 2), *days).decision == "hold"


def test_check_ins_older_than_a_week_say_nothing() -> None:
    days = [record(PUSH, 9, difficulty=1), record(PUSH, 8, difficulty=1)]
    assert summary(run(PUSH, START, *days))[0::4] == ("hold", "no_recent_checkins")


def test_at_max_reps_add_a_set_then_switch_to_the_harder_variant() -> None:
    slot = "elbow_bend_supported"
    easy = [
        record("elbow_bend", 1, target=45, difficulty=1),
        record("elbow_bend", 0, target=45, difficulty=1),
    ]
    assert summary(run(slot, Dose("elbow_bend", 15, 2), *easy)) == (
        "progress",
        "elbow_bend",
        15,
        3,
        "at_max_add_set",
    )
    assert summary(run(slot, Dose("elbow_bend", 15, 3), *easy)) == (
        "progress",
        "elbow_bend_weight",
        8,
        2,
        "at_max_switch_harder",
    )


def test_at_the_very_top_hold() -> None:
    easy = [record(PUSH, 1, target=45, difficulty=1), record(PUSH, 0, target=45, difficulty=1)]
    assert summary(run(PUSH, Dose(PUSH, 15, 3), *easy)) == ("hold", PUSH, 15, 3, "at_max")


def test_an_excluded_harder_variant_is_not_switched_to() -> None:
    easy = [
        record("elbow_bend", 1, target=45, difficulty=1),
        record("elbow_bend", 0, target=45, difficulty=1),
    ]
    adjustment = run(
        "elbow_bend_supported", Dose("elbow_bend", 15, 3), *easy, excluded={"elbow_bend_weight"}
    )
    assert summary(adjustment)[0::4] == ("hold", "at_max")


def test_a_one_sided_link_still_leads_to_the_harder_variant() -> None:
    start = CATALOGUE["forearm_turn_supported"]
    easy = [
        record(start.id, 1, target=45, difficulty=1),
        record(start.id, 0, target=45, difficulty=1),
    ]
    adjustment = run(start.id, Dose(start.id, start.max_reps, 3), *easy)
    assert (adjustment.decision, adjustment.exercise_id) == ("progress", "forearm_turn")


# --- stepping down -----------------------------------------------------------------------


def test_regress_on_too_hard_twice() -> None:
    days = [record(PUSH, 1, target=28, difficulty=5), record(PUSH, 0, target=28, difficulty=5)]
    assert summary(run(PUSH, Dose(PUSH, 14, 2), *days)) == ("regress", PUSH, 11, 2, "too_hard")


def test_regress_when_well_under_target_twice() -> None:
    days = [record(PUSH, 2, done=12, difficulty=4), record(PUSH, 0, done=13, difficulty=3)]
    assert summary(run(PUSH, Dose(PUSH, 12, 2), *days))[0::4] == ("regress", "missed_target")


def test_fourteen_of_twenty_is_not_well_under_target() -> None:
    days = [record(PUSH, 1, done=14), record(PUSH, 0, done=14)]
    assert run(PUSH, START, *days).decision == "hold"


def test_one_hard_day_holds() -> None:
    adjustment = run(PUSH, START, record(PUSH, 1, difficulty=3), record(PUSH, 0, difficulty=5))
    assert summary(adjustment) == ("hold", PUSH, 10, 2, "hard_once")


def test_extra_sets_go_first() -> None:
    days = [record(PUSH, 1, target=45, difficulty=5), record(PUSH, 0, target=45, difficulty=5)]
    assert summary(run(PUSH, Dose(PUSH, 15, 3), *days))[1:4] == (PUSH, 15, 2)


def test_at_the_starting_dose_switch_to_the_easier_variant() -> None:
    days = [record("elbow_bend", 1, difficulty=5), record("elbow_bend", 0, difficulty=5)]
    adjustment = run("elbow_bend_supported", Dose("elbow_bend", 10, 2), *days)
    assert summary(adjustment) == ("regress", "elbow_bend_supported", 10, 2, "too_hard")


def test_the_easier_variant_never_starts_above_the_current_dose() -> None:
    days = [
        record("elbow_bend", 1, target=8, difficulty=5),
        record("elbow_bend", 0, target=8, difficulty=5),
    ]
    adjustment = run("elbow_bend_supported", Dose("elbow_bend", 8, 1), *days)
    assert adjustment.dose == Dose("elbow_bend_supported", 8, 1)


def test_without_an_easier_variant_reps_fall_but_never_below_one() -> None:
    def hard(target: int) -> list[CheckInRecord]:
        return [
            record(PUSH, 1, target=target, difficulty=5),
            record(PUSH, 0, target=target, difficulty=5),
        ]

    assert run(PUSH, Dose(PUSH, 10, 1), *hard(10)).reps == 8
    assert run(PUSH, Dose(PUSH, 2, 1), *hard(2)).reps == 1
    assert summary(run(PUSH, Dose(PUSH, 1, 1), *hard(1))) == ("hold", PUSH, 1, 1, "at_minimum")


def test_a_bad_day_at_a_higher_old_dose_does_not_step_down_twice() -> None:
    days = [record(PUSH, 1, target=28, difficulty=5), record(PUSH, 0, target=28, difficulty=5)]
    assert run(PUSH, Dose(PUSH, 11, 2), *days).decision == "hold"


# --- pain --------------------------------------------------------------------------------


def test_pain_at_the_last_check_in_never_gives_more() -> None:
    days = [
        record(PUSH, 1, target=24, difficulty=1),
        record(PUSH, 0, target=24, difficulty=1, pain=True),
    ]
    adjustment = run(PUSH, Dose(PUSH, 12, 2), *days)
    assert summary(adjustment) == ("regress", PUSH, 10, 2, "pain")
    assert not adjustment.advise_care_team


def test_pain_at_the_starting_dose_switches_to_the_easier_variant() -> None:
    adjustment = run(
        "elbow_bend_supported", Dose("elbow_bend", 10, 2), record("elbow_bend", 0, pain=True)
    )
    assert adjustment.dose == Dose("elbow_bend_supported", 10, 2)
    assert adjustment.reason == "pain"


def test_pain_already_answered_is_not_answered_again() -> None:
    """Once the dose is below what hurt, the same report does not lower it further."""
    hurt = record(PUSH, 0, target=24, pain=True)
    assert run(PUSH, Dose(PUSH, 10, 2), hurt).reason == "recent_pain"
    on_harder = record("elbow_bend", 0, pain=True)
    adjustment = run("elbow_bend_supported", Dose("elbow_bend_supported", 10, 2), on_harder)
    assert summary(adjustment)[0::4] == ("hold", "recent_pain")


def test_pain_at_the_very_bottom_advises_the_care_team() -> None:
    adjustment = run(PUSH, Dose(PUSH, 1, 1), record(PUSH, 0, target=1, pain=True))
    assert summary(adjustment) == ("hold", PUSH, 1, 1, "pain_at_minimum")
    assert adjustment.advise_care_team


@pytest.mark.parametrize("earlier", [1, 2])
def test_pain_on_two_days_within_three_removes_and_advises(earlier: int) -> None:
    days = [record(PUSH, earlier, pain=True), record(PUSH, 0, pain=True)]
    adjustment = run(PUSH, START, *days)
    assert summary(adjustment) == ("remove", PUSH, 10, 2, "pain_repeated")
    assert adjustment.advise_care_team


def test_pain_on_two_variants_of_one_movement_counts_as_repeated() -> None:
    days = [record("elbow_bend", 1, pain=True), record("elbow_bend_supported", 0, pain=True)]
    adjustment = run("elbow_bend_supported", Dose("elbow_bend_supported", 10, 2), *days)
    assert adjustment.decision == "remove"


@pytest.mark.parametrize("earlier", [3, 4])
def test_pain_further_apart_is_not_removed(earlier: int) -> None:
    days = [record(PUSH, earlier, pain=True), record(PUSH, 0, pain=True)]
    adjustment = run(PUSH, Dose(PUSH, 12, 2), *days)
    assert summary(adjustment)[0::4] == ("regress", "pain")


def test_two_pain_reports_on_one_day_are_one_day() -> None:
    days = [record(PUSH, 0, pain=True), record(PUSH, 0, pain=True)]
    assert run(PUSH, Dose(PUSH, 12, 2), *days).decision == "regress"


def test_pain_earlier_in_the_week_blocks_a_step_up() -> None:
    days = [
        record(PUSH, 5, pain=True),
        record(PUSH, 1, target=16, difficulty=1),
        record(PUSH, 0, target=16, difficulty=1),
    ]
    assert summary(run(PUSH, Dose(PUSH, 8, 2), *days))[0::4] == ("hold", "recent_pain")


def test_future_check_ins_are_ignored() -> None:
    assert run(PUSH, START, record(PUSH, -1, pain=True)).reason == "no_recent_checkins"


def test_a_dose_must_be_a_variant_of_the_slot() -> None:
    with pytest.raises(ValueError, match="variant"):
        run(PUSH, Dose("elbow_bend", 10, 2))
    with pytest.raises(ValueError, match="unknown"):
        run(PUSH, Dose("nope", 10, 2))


def test_check_in_records_are_validated() -> None:
    with pytest.raises(ValueError):
        record(PUSH, 0, difficulty=6)
    with pytest.raises(ValueError):
        record(PUSH, 0, target=0)


# --- properties --------------------------------------------------------------------------

SLOTS = sorted({VARIANTS.slot(exercise_id) for exercise_id in CATALOGUE})


@st.composite
def situations(draw: st.DrawFn) -> tuple[str, Dose, list[CheckInRecord]]:
    slot = draw(st.sampled_from(SLOTS))
    family = sorted(VARIANTS.family(slot))
    dose = Dose(
        draw(st.sampled_from(family)),
        draw(st.integers(min_value=1, max_value=40)),
        draw(st.integers(min_value=1, max_value=5)),
    )
    records = draw(
        st.lists(
            st.builds(
                record,
                st.sampled_from([*family, PUSH]),
                st.integers(min_value=-2, max_value=20),
                target=st.integers(min_value=1, max_value=60),
                done=st.integers(min_value=0, max_value=70),
                difficulty=st.one_of(st.none(), st.integers(min_value=1, max_value=5)),
                pain=st.booleans(),
            ),
            max_size=12,
        )
    )
    return slot, dose, records


@settings(max_examples=300)
@given(situations(), st.data())
def test_pain_never_gives_more(
    situation: tuple[str, Dose, list[CheckInRecord]], data: st.DataObject
) -> None:
    """Pain at the last check-in: reps x sets never go up and never a harder variant."""
    slot, dose, records = situation
    hurt = record(
        data.draw(st.sampled_from(sorted(VARIANTS.family(slot)))),
        0,
        target=data.draw(st.integers(min_value=1, max_value=60)),
        difficulty=data.draw(st.one_of(st.none(), st.integers(min_value=1, max_value=5))),
        pain=True,
    )
    adjustment = run(slot, dose, *records, hurt)
    assert adjustment.decision != "progress"
    assert adjustment.reps * adjustment.sets <= dose.reps * dose.sets
    assert not VARIANTS.is_harder(adjustment.exercise_id, than=dose.exercise_id)


@settings(max_examples=300)
@given(situations())
def test_adjustments_stay_in_bounds(situation: tuple[str, Dose, list[CheckInRecord]]) -> None:
    slot, dose, records = situation
    adjustment = run(slot, dose, *records)
    exercise = CATALOGUE[adjustment.exercise_id]
    assert 1 <= adjustment.reps <= exercise.max_reps
    assert 1 <= adjustment.sets <= max(3, exercise.sets)
    assert adjustment.exercise_id in VARIANTS.family(slot)
    assert adjustment.advise_care_team == (
        adjustment.reason in {"pain_repeated", "pain_at_minimum"}
    )


@settings(max_examples=300)
@given(situations(), st.randoms(use_true_random=False))
def test_decide_is_deterministic_and_ignores_record_order(
    situation: tuple[str, Dose, list[CheckInRecord]], shuffler: random.Random
) -> None:
    slot, dose, records = situation
    first = run(slot, dose, *records)
    assert run(slot, dose, *records) == first
    shuffled = list(records)
    shuffler.shuffle(shuffled)
    assert run(slot, dose, *shuffled) == first


@settings(max_examples=300)
@given(situations())
def test_no_step_up_within_a_week_of_pain(situation: tuple[str, Dose, list[CheckInRecord]]) -> None:
    slot, dose, records = situation
    family = VARIANTS.family(slot)
    week = (TODAY - timedelta(days=6), TODAY)
    if any(r.pain and r.exercise_id in family and week[0] <= r.day <= week[1] for r in records):
        assert run(slot, dose, *records).decision != "progress"


@settings(max_examples=300)
@given(situations())
def test_the_same_check_ins_never_step_twice(
    situation: tuple[str, Dose, list[CheckInRecord]],
) -> None:
    """With check-ins made at the planned dose, deciding again from the new dose on the same
    check-ins never steps the same way again, so a caller may decide after every session."""
    slot, raw, records = situation
    exercise = CATALOGUE[raw.exercise_id]
    dose = Dose(raw.exercise_id, min(raw.reps, exercise.max_reps), min(raw.sets, 3))
    as_planned = [
        CheckInRecord(dose.exercise_id, r.day, dose.total, r.reps_done, r.difficulty, r.pain)
        for r in records
    ]
    first = run(slot, dose, *as_planned)
    if first.decision in {"progress", "regress"}:
        assert run(slot, first.dose, *as_planned).decision != first.decision


# --- stage review ------------------------------------------------------------------------

ELBOW_SLOTS = VARIANTS.slots(Stage.ELBOW)  # 4 slots


def practice(
    slots: tuple[str, ...] = ELBOW_SLOTS,
    days: range = range(12),
    *,
    difficulty: int = 3,
    done: int | None = None,
) -> list[CheckInRecord]:
    return [
        record(slot, n, target=20, done=done, difficulty=difficulty) for n in days for slot in slots
    ]


NEAR_MAX = {slot: Dose(slot, 13, 2) for slot in ELBOW_SLOTS}  # 13 >= 0.8 x 15


def review(
    stage: Stage, recent: list[CheckInRecord], doses: dict[str, Dose] = NEAR_MAX, **kwargs: object
) -> Stage:
    return review_stage(
        stage=stage,
        doses=doses,
        recent=recent,
        catalogue=CATALOGUE,
        today=TODAY,
        **kwargs,  # type: ignore[arg-type]
    )


def test_consistent_success_advances_one_stage() -> None:
    assert review(Stage.ELBOW, practice()) == Stage.WRIST


def test_a_harder_variant_counts_as_near_max() -> None:
    doses = {**NEAR_MAX, "elbow_bend_supported": Dose("elbow_bend", 10, 2)}
    doses["elbow_push_table"] = Dose("elbow_push_table", 10, 2)
    done_on_it = [record("elbow_bend", n, target=20) for n in range(3)]
    assert review(Stage.ELBOW, [*practice(), *done_on_it], doses) == Stage.WRIST
    # a dose moved to the harder variant but never yet done there is not earned
    assert review(Stage.ELBOW, practice(), doses) == Stage.ELBOW


def _with_help(*ids: str) -> dict[str, Exercise]:
    """The factory catalogue with ``ids`` done with the other hand's help."""
    return {key: ex.model_copy(update={"assist": "other_hand"}) if key in ids else ex
            for key, ex in CATALOGUE.items()}


def test_a_stage_up_needs_the_unassisted_variant_done_at_target() -> None:
    """Finding 4 of the safety review: stage-ups were earned on helped variants."""
    helped = _with_help("elbow_bend_supported")
    near_on_help = {**NEAR_MAX}
    assert review_stage(stage=Stage.ELBOW, doses=near_on_help, recent=practice(),
                        catalogue=helped, today=TODAY) == Stage.ELBOW
    doses = {**NEAR_MAX, "elbow_bend_supported": Dose("elbow_bend", 13, 2)}
    unassisted = [record("elbow_bend", n, target=26) for n in range(2)]
    assert review_stage(stage=Stage.ELBOW, doses=doses, recent=[*practice(), *unassisted],
                        catalogue=helped, today=TODAY) == Stage.WRIST
    hard = [record("elbow_bend", n, target=26, difficulty=4) for n in range(2)]
    assert review_stage(stage=Stage.ELBOW, doses=doses, recent=[*practice(), *hard],
                        catalogue=helped, today=TODAY) == Stage.ELBOW
    short = [record("elbow_bend", n, target=26, done=20) for n in range(2)]
    assert review_stage(stage=Stage.ELBOW, doses=doses, recent=[*practice(), *short],
                        catalogue=helped, today=TODAY) == Stage.ELBOW


def test_no_advance_with_pain_anywhere_in_the_two_weeks() -> None:
    recent = [*practice(), record("table_slide_assisted", 13, pain=True)]
    assert review(Stage.ELBOW, recent) == Stage.ELBOW
    old = [*practice(), record("table_slide_assisted", 14, pain=True)]
    assert review(Stage.ELBOW, old) == Stage.WRIST


def test_no_advance_before_ten_days_of_practice() -> None:
    assert review(Stage.ELBOW, practice(days=range(9))) == Stage.ELBOW
    assert review(Stage.ELBOW, practice(days=range(10))) == Stage.WRIST


def test_one_exercise_a_day_is_not_practising_the_stage() -> None:
    assert review(Stage.ELBOW, practice(slots=ELBOW_SLOTS[:1])) == Stage.ELBOW


def test_no_advance_when_it_still_feels_hard() -> None:
    assert review(Stage.ELBOW, practice(difficulty=4)) == Stage.ELBOW
    one_five = [*practice(), record("elbow_push_table", 3, difficulty=5)]
    assert review(Stage.ELBOW, one_five) == Stage.ELBOW


def test_no_advance_without_difficulty_ratings() -> None:
    recent = [
        CheckInRecord(r.exercise_id, r.day, r.target_reps, r.reps_done, None, False)
        for r in practice()
    ]
    assert review(Stage.ELBOW, recent) == Stage.ELBOW


def test_no_advance_until_most_exercises_are_near_max() -> None:
    doses = dict(NEAR_MAX)
    doses["elbow_push_table"] = Dose("elbow_push_table", 10, 2)
    assert review(Stage.ELBOW, practice(), doses) == Stage.WRIST  # 3 of 4
    doses["elbow_tap_knee"] = Dose("elbow_tap_knee", 10, 2)
    assert review(Stage.ELBOW, practice(), doses) == Stage.ELBOW  # 2 of 4
    few = {slot: NEAR_MAX[slot] for slot in ELBOW_SLOTS[:2]}
    assert review(Stage.ELBOW, practice(), few) == Stage.ELBOW  # only 2 practised at all


def test_never_beyond_hand_fine() -> None:
    slots = VARIANTS.slots(Stage.HAND_FINE)
    doses = {slot: Dose(slot, CATALOGUE[slot].max_reps, 3) for slot in slots}
    assert review(Stage.HAND_FINE, practice(slots), doses) == Stage.HAND_FINE


def test_repeated_struggle_across_the_stage_steps_back_one() -> None:
    hard = practice(days=range(3), difficulty=5)
    assert (
        review(Stage.WRIST, practice(VARIANTS.slots(Stage.WRIST), range(3), difficulty=5))
        == Stage.ELBOW
    )
    assert review(Stage.ELBOW, hard) == Stage.SHOULDER
    assert review(Stage.ELBOW, practice(days=range(3), done=10)) == Stage.SHOULDER


def test_no_step_back_below_shoulder() -> None:
    slots = VARIANTS.slots(Stage.SHOULDER)
    assert review(Stage.SHOULDER, practice(slots, range(5), difficulty=5)) == Stage.SHOULDER


def test_no_step_back_on_two_bad_days_or_one_bad_exercise() -> None:
    assert review(Stage.ELBOW, practice(days=range(2), difficulty=5)) == Stage.ELBOW
    one_bad = [
        *practice(ELBOW_SLOTS[:1], range(4), difficulty=5),
        *practice(ELBOW_SLOTS[1:2], range(4)),
    ]
    assert review(Stage.ELBOW, one_bad) == Stage.ELBOW


def test_a_step_back_is_not_undone_by_upkeep() -> None:
    """Back at SHOULDER, the shoulder exercise done daily as upkeep does not re-advance."""
    shoulder = VARIANTS.slots(Stage.SHOULDER)
    upkeep = [record(shoulder[n % len(shoulder)], n, difficulty=2) for n in range(14)]
    doses = {slot: Dose(slot, 15, 3) for slot in shoulder}
    recent = [*upkeep, *practice(days=range(3), difficulty=5)]
    assert review(Stage.ELBOW, recent, doses) == Stage.SHOULDER
    assert review(Stage.SHOULDER, recent, doses) == Stage.SHOULDER


# --- after a session ---------------------------------------------------------------------


def todays_plan(doses: dict[str, Dose], excluded: frozenset[str] = frozenset()) -> DailyPlan:
    return build_plan(
        stage=Stage.ELBOW, catalogue=CATALOGUE, doses=doses, excluded=excluded, day=TODAY
    )


def test_after_a_session_every_planned_exercise_gets_a_decision() -> None:
    plan = todays_plan({})
    recent = [
        *(
            record(item.exercise_id, 1, target=item.reps * item.sets, difficulty=2)
            for item in plan.items
        ),
        *(
            record(item.exercise_id, 0, target=item.reps * item.sets, difficulty=2)
            for item in plan.items
        ),
    ]
    recent = [r for r in recent if r.exercise_id != "elbow_tap_knee"]
    recent += [record("elbow_tap_knee", 2, pain=True), record("elbow_tap_knee", 0, pain=True)]
    after = plan_after_checkins(
        plan=plan, doses={}, excluded=frozenset(), recent=recent, catalogue=CATALOGUE, today=TODAY
    )
    assert set(after.adjustments) == {item.slot for item in plan.items}
    assert after.adjustments["elbow_push_table"].decision == "progress"
    assert after.doses["elbow_push_table"] == Dose("elbow_push_table", 12, 2)
    assert after.adjustments["elbow_tap_knee"].decision == "remove"
    assert after.excluded == {"elbow_tap_knee"}
    assert after.advise_care_team
    assert after.stage == Stage.ELBOW
    next_plan = todays_plan(dict(after.doses), after.excluded)
    assert "elbow_tap_knee" not in {item.exercise_id for item in next_plan.items}


def test_after_a_session_twice_changes_nothing_more() -> None:
    plan = todays_plan({})
    recent = [
        record(
            item.exercise_id,
            n,
            target=item.reps * item.sets,
            difficulty=1,
            pain=item.slot == "elbow_straighten_slide" and n == 0,
        )
        for item in plan.items
        for n in (1, 0)
    ]

    def after(plan: DailyPlan, doses: Mapping[str, Dose], excluded: frozenset[str]) -> AfterSession:
        return plan_after_checkins(
            plan=plan,
            doses=doses,
            excluded=excluded,
            recent=recent,
            catalogue=CATALOGUE,
            today=TODAY,
        )

    first = after(plan, {}, frozenset())
    assert first.adjustments["elbow_straighten_slide"].decision == "regress"
    again = after(plan, first.doses, first.excluded)  # the same plan, after a second session
    assert again.doses == first.doses
    rebuilt = todays_plan(dict(first.doses), first.excluded)
    third = after(rebuilt, first.doses, first.excluded)
    assert third.doses == first.doses
    assert all(a.decision == "hold" for a in third.adjustments.values())


def test_after_a_session_the_stage_can_advance() -> None:
    plan = todays_plan(NEAR_MAX)
    after = plan_after_checkins(
        plan=plan,
        doses=NEAR_MAX,
        excluded=frozenset(),
        recent=practice(),
        catalogue=CATALOGUE,
        today=TODAY,
    )
    assert after.stage == Stage.WRIST


def test_the_stage_review_window_moves_with_today() -> None:
    later = TODAY + timedelta(days=20)
    assert (
        review_stage(
            stage=Stage.ELBOW, doses=NEAR_MAX, recent=practice(), catalogue=CATALOGUE, today=later
        )
        == Stage.ELBOW
    )
