"""What an exercise and a lesson are, and the motor stages: the shape of the content data.

Plain data types the rules work on; loading them from ``content/`` is ``bot.materials.catalogue``.
"""

from __future__ import annotations

import re
from enum import IntEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.rules.poses import Pose


class Stage(IntEnum):
    """Motor stages in the order recovery usually runs: proximal to distal, gross to fine."""

    SHOULDER = 1  # shoulder and scapula
    ELBOW = 2
    WRIST = 3  # forearm and wrist
    HAND_GROSS = 4  # grasp and release
    HAND_FINE = 5  # pinch, finger isolation, opposition, manipulation

    @property
    def key(self) -> str:
        return self.name.lower()

    @classmethod
    def from_key(cls, key: str) -> Stage:
        return cls[key.upper()]


StageKey = Literal["shoulder", "elbow", "wrist", "hand_gross", "hand_fine", "functional"]
Kind = Literal["range_of_motion", "arm_strength", "hand_strength", "coordination", "hand_skills"]
Assist = Literal["none", "other_hand", "helper"]
Audience = Literal["patient", "family", "both"]
# The body regions an exercise loads: pain is tracked, rested and reported per region.
Region = Literal["shoulder", "elbow", "wrist", "hand"]
REGIONS: tuple[Region, ...] = ("shoulder", "elbow", "wrist", "hand")
# What an exercise needs the entry check to have answered "yes" (safety.md: the entry check).
Need = Literal["safe_swallow", "steady_sitting", "pain_free_shoulder", "feeling"]

_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")


class Exercise(BaseModel):
    """One home exercise. ``stage`` 'functional' marks a task of daily life; its ``level`` is
    the motor stage from which it suits a patient."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9_]{2,40}$")
    stage: StageKey
    level: StageKey | None = None
    kind: Kind
    motor: Literal["gross", "fine"]
    regions: list[Region] = Field(min_length=1)
    needs: list[Need] = Field(default_factory=list)
    title: str = Field(min_length=3, max_length=60)
    rep: str = Field(min_length=5, max_length=80)  # what one repetition is, said once
    instructions: str = Field(min_length=10, max_length=400)
    reps: int = Field(ge=1, le=100)
    sets: int = Field(ge=1, le=5)
    max_reps: int = Field(ge=1, le=100)
    hold_seconds: int | None = Field(default=None, ge=1, le=60)
    assist: Assist = "none"
    items: list[str] = Field(default_factory=list)
    safety: str = Field(min_length=10, max_length=300)
    easier: str | None = None
    harder: str | None = None
    pose: Pose | None = None  # the picture on its card (the content check asks for one)

    @field_validator("instructions")
    @classmethod
    def _at_most_three_sentences(cls, value: str) -> str:
        if len(_SENTENCE_END.findall(value.strip())) > 3:
            raise ValueError("instructions must be at most three short sentences")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Exercise:
        if self.max_reps < self.reps:
            raise ValueError("max_reps must be at least reps")
        if self.stage == "functional" and (self.level is None or self.level == "functional"):
            raise ValueError("a functional task needs a level: the motor stage it suits from")
        if self.stage != "functional" and self.level is not None:
            raise ValueError("only functional tasks have a level")
        return self

    @property
    def motor_stage(self) -> Stage:
        """The motor stage this exercise belongs to (a functional task: the one it suits)."""
        return Stage.from_key(self.level if self.stage == "functional" else self.stage)

    @property
    def functional(self) -> bool:
        return self.stage == "functional"


class LessonMeta(BaseModel):
    """A lesson's index entry; its words are the template ``lessons/<id>.html.j2`` per language."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9_]{2,40}$")
    audience: Audience
    stages: list[StageKey] = Field(min_length=1)
    order: int = Field(ge=1)
    pose: Pose | None = None  # a picture that shows it (how to rest the arm), if one helps
