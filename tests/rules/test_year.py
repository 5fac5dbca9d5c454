"""A year of a compliant patient, on the plain rules and the shipped catalogue: from every
placement, every exercise they can reach is planned, and a stage is moved on from only on
active movement (finding 4 of the safety review)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.materials.catalogue import catalogue
from bot.rules.exercises import Stage
from bot.rules.plan import Dose, Variants, build_plan
from bot.rules.progression import CheckInRecord, plan_after_checkins
from bot.rules.safety import excluded_by_entry_check

SAFE = {"cleared": "yes", "swallow": "yes", "shoulder_pain": "no", "sitting": "yes",
        "feeling": "yes"}
START = date(2026, 1, 1)


def a_year(stage: Stage, answers: dict[str, str]) -> tuple[set[str], list[tuple[int, Stage,
                                                                                 dict[str, Dose]]]]:
    """Every day: the plan, each exercise done at its target and rated 2 (easy), then the
    rules. Returns what was planned and each stage change with the doses at that moment."""
    cat = catalogue()
    excluded = set(excluded_by_entry_check(answers, cat))
    doses: dict[str, Dose] = {}
    recent: list[CheckInRecord] = []
    planned: set[str] = set()
    changes: list[tuple[int, Stage, dict[str, Dose]]] = []
    for n in range(365):
        day = START + timedelta(days=n)
        plan = build_plan(stage=stage, catalogue=cat, doses=doses, excluded=excluded, day=day)
        for item in plan.items:
            planned.add(item.exercise_id)
            total = item.reps * item.sets
            recent.append(CheckInRecord(item.exercise_id, day, total, total, 2, False))
        recent = [r for r in recent if (day - r.day).days < 28]
        after = plan_after_checkins(plan=plan, doses=doses, excluded=excluded, recent=recent,
                                    catalogue=cat, today=day)
        doses = dict(after.doses)
        if after.stage != stage:
            changes.append((n, after.stage, dict(doses)))
        stage = after.stage
    return planned, changes


@pytest.mark.parametrize("placed", list(Stage))
def test_every_exercise_within_reach_is_planned_within_a_year(placed: Stage) -> None:
    cat = catalogue()
    planned, changes = a_year(placed, SAFE)
    unassisted = {e.id for e in cat.values() if e.assist == "none"}
    assert unassisted - planned == set()
    assert set(cat) - planned == set()
    assert all(later > before for (_, before, _), (_, later, _) in
               zip([(0, placed, {}), *changes], changes, strict=False))


@pytest.mark.parametrize("placed", [Stage.SHOULDER, Stage.WRIST])
def test_a_stage_is_left_only_on_unassisted_variants(placed: Stage) -> None:
    cat = catalogue()
    variants = Variants(cat)
    _, changes = a_year(placed, SAFE)
    assert changes, "a compliant patient moves on within a year"
    stage = placed
    for _, new_stage, doses in changes:
        for slot in variants.slots(stage):
            family = variants.family(slot)
            if any(cat[e].assist == "none" for e in family):
                assert slot in doses and cat[doses[slot].exercise_id].assist == "none", slot
        stage = new_stage


def test_not_sure_about_swallowing_a_whole_year_without_eating_or_drinking() -> None:
    cat = catalogue()
    answers = {**SAFE, "swallow": "unsure"}
    planned, _ = a_year(Stage.HAND_GROSS, answers)
    eating = {e.id for e in cat.values() if "safe_swallow" in e.needs}
    assert not planned & eating
    variants = Variants(cat)

    def behind_an_eating_task(exercise_id: str) -> bool:
        current = exercise_id
        while (easier := variants.easier(current)) is not None:
            if easier in eating:
                return True
            current = easier
        return False

    reachable = {e for e in cat if e not in eating and not behind_an_eating_task(e)}
    assert reachable - planned == set()  # and everything else is still reached
    assert "pour_water" not in reachable  # only reached through drinking from a cup
