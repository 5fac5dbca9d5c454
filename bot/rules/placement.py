"""Where a new patient starts: a few yes/no questions, asked from the shoulder out to the fingers.

Recovery after hemiplegia usually returns proximal to distal (shoulder, elbow, wrist, hand) and
gross to fine, so each question checks one link of that chain. The patient starts at the first
link that is still hard for them: practising there is what moves them on, and starting lower
than needed is safer than starting higher. The wording of each question lives in the templates,
keyed by the question's id; this module only knows the order and the stage each one tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.rules.exercises import Stage


@dataclass(frozen=True)
class PlacementQuestion:
    """One yes/no question; "no" means the patient still needs to practise ``stage``."""

    id: str
    stage: Stage


PLACEMENT_QUESTIONS: tuple[PlacementQuestion, ...] = (
    PlacementQuestion("lift_shoulder", Stage.SHOULDER),  # lift the arm to shoulder height
    PlacementQuestion("bend_elbow", Stage.ELBOW),  # bend and straighten the elbow
    PlacementQuestion("turn_palm", Stage.WRIST),  # turn the palm up and down
    PlacementQuestion("open_close_hand", Stage.HAND_GROSS),  # open the hand wide, make a fist
    PlacementQuestion("pinch", Stage.HAND_FINE),  # pick up a coin between thumb and finger
)

_IDS = frozenset(question.id for question in PLACEMENT_QUESTIONS)


def _check_ids(answers: Mapping[str, bool]) -> None:
    unknown = sorted(set(answers) - _IDS)
    if unknown:
        raise ValueError(f"unknown placement question(s): {', '.join(unknown)}")


def next_question(answers: Mapping[str, bool]) -> PlacementQuestion | None:
    """The next question to ask, or None once the start is decided.

    Questions go proximal to distal and stop at the first "no": everything after it cannot
    change the result, and a patient who struggles should not be asked about harder movements.
    """
    _check_ids(answers)
    for question in PLACEMENT_QUESTIONS:
        if question.id not in answers:
            return question
        if not answers[question.id]:
            return None
    return None


def place(answers: Mapping[str, bool]) -> Stage:
    """The starting stage: that of the first question answered "no"; all "yes" → HAND_FINE.

    The most proximal difficulty wins, so a "yes" after a "no" is ignored. Answers must reach a
    decision (see :func:`next_question`); an unfinished questionnaire is a caller's bug.
    """
    _check_ids(answers)
    for question in PLACEMENT_QUESTIONS:
        if question.id not in answers:
            raise ValueError(f"placement is not finished: '{question.id}' has no answer")
        if not answers[question.id]:
            return question.stage
    return Stage.HAND_FINE
