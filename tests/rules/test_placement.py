"""Placement: the first "no", proximal to distal, decides the starting stage."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.rules.exercises import Stage
from bot.rules.placement import PLACEMENT_QUESTIONS, next_question, place

IDS = [question.id for question in PLACEMENT_QUESTIONS]


def test_questions_run_proximal_to_distal_one_per_stage() -> None:
    assert [question.stage for question in PLACEMENT_QUESTIONS] == list(Stage)
    assert IDS == ["lift_shoulder", "bend_elbow", "turn_palm", "open_close_hand", "pinch"]


@pytest.mark.parametrize("pattern", list(itertools.product([True, False], repeat=len(IDS))))
def test_every_answer_pattern_starts_at_the_first_no(pattern: tuple[bool, ...]) -> None:
    answers = dict(zip(IDS, pattern, strict=True))
    first_no = next(
        (q.stage for q, yes in zip(PLACEMENT_QUESTIONS, pattern, strict=True) if not yes), None
    )
    assert place(answers) == (first_no or Stage.HAND_FINE)


def test_all_yes_is_hand_fine_and_all_no_is_shoulder() -> None:
    assert place(dict.fromkeys(IDS, True)) == Stage.HAND_FINE
    assert place(dict.fromkeys(IDS, False)) == Stage.SHOULDER


def test_a_proximal_difficulty_wins_over_later_yes() -> None:
    answers = {"lift_shoulder": True, "bend_elbow": False, "turn_palm": True, "pinch": True}
    assert place(answers) == Stage.ELBOW


def test_next_question_asks_in_order_and_stops_at_the_first_no() -> None:
    answers: dict[str, bool] = {}
    assert next_question(answers) == PLACEMENT_QUESTIONS[0]
    answers["lift_shoulder"] = True
    assert next_question(answers) == PLACEMENT_QUESTIONS[1]
    answers["bend_elbow"] = True
    answers["turn_palm"] = False
    assert next_question(answers) is None
    assert place(answers) == Stage.WRIST


def test_next_question_is_none_once_all_are_yes() -> None:
    assert next_question(dict.fromkeys(IDS, True)) is None


def test_unknown_ids_are_rejected() -> None:
    with pytest.raises(ValueError, match="walk"):
        place({**dict.fromkeys(IDS, True), "walk": True})
    with pytest.raises(ValueError, match="walk"):
        next_question({"walk": False})


def test_an_unfinished_questionnaire_is_rejected() -> None:
    with pytest.raises(ValueError, match="bend_elbow"):
        place({"lift_shoulder": True})
    with pytest.raises(ValueError, match="lift_shoulder"):
        place({})


answer_sets = st.lists(st.booleans(), min_size=len(IDS), max_size=len(IDS))


@given(answer_sets, answer_sets)
def test_place_is_monotone(left: list[bool], right: list[bool]) -> None:
    """Answering "yes" to more questions never gives a lower stage."""
    lower = dict(zip(IDS, left, strict=True))
    higher = {key: lower[key] or extra for key, extra in zip(IDS, right, strict=True)}
    assert place(lower) <= place(higher)


@given(answer_sets)
def test_answering_what_next_question_asks_always_finishes(pattern: list[bool]) -> None:
    answers: dict[str, bool] = {}
    truth = dict(zip(IDS, pattern, strict=True))
    while (question := next_question(answers)) is not None:
        answers[question.id] = truth[question.id]
    assert place(answers) == place(truth)
