"""The safety rules directly: pain by region, the entry check, warning signs (with hypothesis
properties over random histories)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.materials.catalogue import catalogue as shipped
from bot.rules.exercises import REGIONS, Stage
from bot.rules.plan import Dose, build_plan
from bot.rules.progression import plan_after_checkins
from bot.rules.safety import (
    ENTRY_QUESTIONS,
    PainReport,
    care_team_regions,
    cleared,
    emergency_number,
    entry_advice,
    excluded_by_entry_check,
    growth_blocked,
    mentions_warning_sign,
    pain_episode,
    pain_regions,
    resting_today,
)
from tests.rules.factories import TODAY, catalogue, record

SAFE = {"cleared": "yes", "swallow": "yes", "shoulder_pain": "no", "sitting": "yes",
        "feeling": "yes"}


def pain(days_ago: int, *regions: str, severe: bool = False) -> PainReport:
    return PainReport(TODAY - timedelta(days=days_ago), frozenset(regions), severe)


def test_not_sure_where_is_every_region_the_exercise_loads_or_all() -> None:
    cat = shipped()
    assert pain_regions("elbow", cat["drink_from_cup"]) == {"elbow"}
    assert pain_regions("unsure", cat["drink_from_cup"]) == {"hand", "wrist", "elbow"}
    assert pain_regions(None, None) == set(REGIONS)


def test_today_rests_the_regions_that_hurt_today_only() -> None:
    assert resting_today([pain(0, "shoulder"), pain(1, "hand")], TODAY) == {"shoulder"}


def test_growth_returns_after_three_pain_free_practice_days() -> None:
    hurt = [pain(4, "elbow")]
    practice = {"elbow": {TODAY - timedelta(days=d) for d in (3, 2)}}
    assert growth_blocked(pains=hurt, practice_days=practice, today=TODAY) == {"elbow"}
    practice["elbow"].add(TODAY)
    assert growth_blocked(pains=hurt, practice_days=practice, today=TODAY) == frozenset()
    # practice on the day of the pain itself does not count as pain-free
    practice = {"elbow": {TODAY - timedelta(days=d) for d in (4, 3, 2)}}
    assert growth_blocked(pains=hurt, practice_days=practice, today=TODAY) == {"elbow"}


def test_care_team_on_two_of_three_days_or_a_lot_once() -> None:
    assert care_team_regions([pain(0, "wrist")], TODAY) == frozenset()
    assert care_team_regions([pain(2, "wrist"), pain(0, "wrist")], TODAY) == {"wrist"}
    assert care_team_regions([pain(3, "wrist"), pain(0, "wrist")], TODAY) == frozenset()
    assert care_team_regions([pain(1, "wrist"), pain(0, "hand")], TODAY) == frozenset()
    assert care_team_regions([pain(0, "hand", severe=True)], TODAY) == {"hand"}


def test_one_spell_of_pain_is_one_episode() -> None:
    spell = [pain(3, "hand"), pain(1, "hand"), pain(0, "hand")]
    assert pain_episode(spell, "hand", TODAY) == pain_episode(spell[:2], "hand",
                                                              TODAY - timedelta(days=1))
    later = [pain(10, "hand"), pain(0, "hand")]
    assert pain_episode(later, "hand", TODAY) == f"pain-hand-{TODAY.isoformat()}"


REGION = st.sampled_from(REGIONS)


@given(pains=st.lists(st.tuples(st.integers(0, 13), REGION, st.booleans()), max_size=8),
       easy_days=st.integers(2, 7))
def test_no_dose_in_a_region_grows_within_three_days_of_pain_there(
        pains: list[tuple[int, str, bool]], easy_days: int) -> None:
    """Whatever else happened, an exercise loading a region that hurt in the last three days
    never gets more, even after a run of very easy days."""
    cat = catalogue()
    plan = build_plan(stage=Stage.ELBOW, catalogue=cat, doses={}, excluded=set(), day=TODAY)
    reports = [pain(d, r, severe=s) for d, r, s in pains]
    recent = [record(item.exercise_id, d, target=item.reps * item.sets, difficulty=1)
              for item in plan.items for d in range(easy_days)]
    doses = {item.slot: Dose(item.exercise_id, item.reps, item.sets) for item in plan.items}
    after = plan_after_checkins(plan=plan, doses=doses, excluded=set(), recent=recent,
                                catalogue=cat, today=TODAY, pains=reports)
    fresh = {r for d, r, _ in pains if d <= 2}
    for item in plan.items:
        new = after.doses[item.slot]
        loads = set(cat[item.exercise_id].regions) | set(cat[new.exercise_id].regions)
        if loads & fresh:
            assert new.exercise_id == item.exercise_id
            assert new.total <= item.reps * item.sets
    if not pains:  # the same easy days do grow doses when nothing hurt
        assert any(after.doses[i.slot].total > i.reps * i.sets
                   or after.doses[i.slot].exercise_id != i.exercise_id for i in plan.items)


@given(region=REGION, first=st.integers(1, 2), other=st.lists(
    st.tuples(st.integers(0, 13), REGION), max_size=5))
def test_pain_on_two_of_three_days_in_a_region_always_advises_the_care_team(
        region: str, first: int, other: list[tuple[int, str]]) -> None:
    reports = [pain(first, region), pain(0, region)] + [pain(d, r) for d, r in other]
    assert region in care_team_regions(reports, TODAY)
    cat = catalogue()
    plan = build_plan(stage=Stage.SHOULDER, catalogue=cat, doses={}, excluded=set(), day=TODAY)
    after = plan_after_checkins(plan=plan, doses={}, excluded=set(), recent=[], catalogue=cat,
                                today=TODAY, pains=reports)
    assert after.advise_care_team and region in after.care_team_regions


def test_not_cleared_holds_every_dose_and_the_stage() -> None:
    cat = catalogue()
    plan = build_plan(stage=Stage.ELBOW, catalogue=cat, doses={}, excluded=set(), day=TODAY)
    recent = [record(i.exercise_id, d, target=i.reps * i.sets, difficulty=1)
              for i in plan.items for d in range(3)]
    doses = {i.slot: Dose(i.exercise_id, i.reps, i.sets) for i in plan.items}
    after = plan_after_checkins(plan=plan, doses=doses, excluded=set(), recent=recent,
                                catalogue=cat, today=TODAY, may_grow=False)
    assert all(after.doses[i.slot] == doses[i.slot] for i in plan.items)
    assert {a.reason for a in after.adjustments.values()} <= {"not_cleared", "on_target",
                                                               "easy_once", "at_max"}


ANSWERS = st.fixed_dictionaries({q: st.sampled_from(["yes", "no", "unsure"])
                                 for q in ENTRY_QUESTIONS})


@given(answers=ANSWERS, stage=st.sampled_from(list(Stage)), offset=st.integers(0, 400))
def test_a_plan_respects_every_entry_check_answer(answers: dict[str, str], stage: Stage,
                                                  offset: int) -> None:
    cat = shipped()
    excluded = excluded_by_entry_check(answers, cat)
    plan = build_plan(stage=stage, catalogue=cat, doses={}, excluded=set(excluded),
                      day=date(2026, 1, 1) + timedelta(days=offset))
    needs = {n for item in plan.items for n in cat[item.exercise_id].needs}
    if answers["swallow"] != "yes":
        assert "safe_swallow" not in needs  # nobody unsure about swallowing eats or drinks
    if answers["shoulder_pain"] != "no":
        assert "pain_free_shoulder" not in needs
    if answers["sitting"] != "yes":
        assert "steady_sitting" not in needs
    if answers["feeling"] != "yes":
        assert "feeling" not in needs
    assert plan.items  # there is always something safe to practise


def test_unanswered_is_the_safe_branch_of_every_question() -> None:
    cat = shipped()
    assert excluded_by_entry_check({}, cat) == excluded_by_entry_check(
        {q: "unsure" for q in ENTRY_QUESTIONS}, cat)
    assert excluded_by_entry_check(SAFE, cat) == frozenset()
    assert not cleared({}) and not cleared({"cleared": "unsure"}) and cleared(SAFE)
    assert entry_advice(SAFE) == []
    assert entry_advice({}) == ["ask_clearance", "shoulder_pain", "swallowing", "sitting",
                                "feeling"]


def test_every_eating_or_drinking_task_needs_a_safe_swallow() -> None:
    food = {"drink_from_cup", "eat_with_spoon", "use_fork_and_knife"}
    assert {ex.id for ex in shipped().values() if "safe_swallow" in ex.needs} == food


def test_warning_words_and_the_emergency_number() -> None:
    assert mentions_warning_sign("I feel dizzy") and mentions_warning_sign("chest pain")
    assert mentions_warning_sign("my face droops") and not mentions_warning_sign("did 12")
    numbers = {"GB": "999", "US": "911"}
    assert emergency_number("GB", numbers) == "999"
    assert emergency_number(None, numbers) == "112" and emergency_number("XX", numbers) == "112"


@pytest.mark.parametrize("text", ["me siento mal", "estoy mareada", "dolor de pecho",
                                  "me caí", "我头晕", "胸口痛", "说话不清", "我摔倒了"])
def test_warning_signs_in_spanish_and_chinese(text: str) -> None:
    from bot.materials.typed_words import typed_words

    assert mentions_warning_sign(text, typed_words())


@pytest.mark.parametrize("text", ["hice 12", "做了12个", "me duele el codo", "手腕疼"])
def test_practice_words_are_not_warning_signs(text: str) -> None:
    from bot.materials.typed_words import typed_words

    assert not mentions_warning_sign(text, typed_words())
