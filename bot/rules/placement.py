"""Where a new patient starts: a few questions, asked from the shoulder out to the fingers,
each answered "yes", "partly" or "no".

Recovery after hemiplegia usually returns proximal to distal (shoulder, elbow, wrist, hand) and
gross to fine, so each question checks one link of that chain, done without compensating (no
leaning of the body, no help from the other hand). The patient's focus is the first link that
is not a clear "yes": practising there is what moves them on, and starting lower than needed
is safer than starting higher. "Partly" means some active movement: the focus then starts at
the first variant done without help, where "no" starts at the helped one. The plan covers the
whole limb either way (``bot.rules.plan``). The words of each question live in the templates,
keyed by the question's id; this module only knows the order and the stage each one tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from bot.rules.exercises import Stage

Answer = Literal["yes", "partly", "no"]
ANSWERS: tuple[Answer, ...] = ("yes", "partly", "no")


@dataclass(frozen=True)
class PlacementQuestion:
    """One question; anything but "yes" means the patient still needs to practise ``stage``."""

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


def answer_of(value: bool | str) -> Answer:
    """An answer as stored: "yes" / "partly" / "no" (a stored True or False from before
    "partly" existed reads as "yes" or "no")."""
    if value is True or value == "yes":
        return "yes"
    if value == "partly":
        return "partly"
    if value is False or value == "no":
        return "no"
    raise ValueError(f"not a placement answer: {value!r}")


def _check_ids(answers: Mapping[str, bool | str]) -> None:
    unknown = sorted(set(answers) - _IDS)
    if unknown:
        raise ValueError(f"unknown placement question(s): {', '.join(unknown)}")


def next_question(answers: Mapping[str, bool | str]) -> PlacementQuestion | None:
    """The next question to ask, or None once the start is decided.

    Questions go proximal to distal and stop at the first answer that is not "yes":
    everything after it cannot change the focus, and a patient who struggles should not be
    asked about harder movements.
    """
    _check_ids(answers)
    for question in PLACEMENT_QUESTIONS:
        if question.id not in answers:
            return question
        if answer_of(answers[question.id]) != "yes":
            return None
    return None


def place(answers: Mapping[str, bool | str]) -> Stage:
    """The starting focus: the stage of the first question not answered "yes"; all "yes" →
    HAND_FINE.

    The most proximal difficulty wins, so a "yes" after a "no" is ignored. Answers must reach a
    decision (see :func:`next_question`); an unfinished questionnaire is a caller's bug.
    """
    _check_ids(answers)
    for question in PLACEMENT_QUESTIONS:
        if question.id not in answers:
            raise ValueError(f"placement is not finished: '{question.id}' has no answer")
        if answer_of(answers[question.id]) != "yes":
            return question.stage
    return Stage.HAND_FINE


def active_start(answers: Mapping[str, bool | str], stage: Stage) -> bool:
    """Whether ``stage`` starts at its first variant done without help: its question was
    answered "partly" (or "yes", when every answer was yes and the focus is the fingers)."""
    for question in PLACEMENT_QUESTIONS:
        if question.stage == stage and question.id in answers:
            return answer_of(answers[question.id]) != "no"
    return False
