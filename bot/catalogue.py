"""The exercise catalogue and lesson index: content data files, validated on load.

The data lives in ``content/`` (YAML); this module only knows its shape. A broken file fails
with one message naming the file, the entry and the field, so a content editor can fix it.
"""

from __future__ import annotations

import re
from enum import IntEnum
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"


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
    title: str = Field(min_length=3, max_length=60)
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


class ContentError(Exception):
    """A content file is broken; the message names the file, the entry and the field."""


def _load_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(f"{path.name}: cannot be read as YAML: {exc}") from None


def _describe(path: Path, index: int, raw: object, exc: ValidationError) -> ContentError:
    entry = raw.get("id", f"#{index + 1}") if isinstance(raw, dict) else f"#{index + 1}"
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or "(entry)"
    return ContentError(f"{path.name}: entry '{entry}': field '{field}': {first['msg']}")


def _entries(path: Path, key: str) -> list[object]:
    data = _load_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise ContentError(f"{path.name}: expected a top-level '{key}:' list")
    return data[key]


def load_exercises(directory: Path | None = None) -> dict[str, Exercise]:
    """Load every ``*.yaml`` under ``content/exercises``, keyed by id, cross-checked."""
    directory = directory or CONTENT_DIR / "exercises"
    exercises: dict[str, Exercise] = {}
    origin: dict[str, str] = {}
    for path in sorted(directory.glob("*.yaml")):
        for index, raw in enumerate(_entries(path, "exercises")):
            try:
                exercise = Exercise.model_validate(raw)
            except ValidationError as exc:
                raise _describe(path, index, raw, exc) from None
            if exercise.id in exercises:
                raise ContentError(
                    f"{path.name}: entry '{exercise.id}': field 'id': "
                    f"already used in {origin[exercise.id]}"
                )
            exercises[exercise.id] = exercise
            origin[exercise.id] = path.name
    for exercise in exercises.values():
        for link in ("easier", "harder"):
            target = getattr(exercise, link)
            if target is not None and target not in exercises:
                raise ContentError(
                    f"{origin[exercise.id]}: entry '{exercise.id}': field '{link}': "
                    f"no exercise with id '{target}'"
                )
    return exercises


def load_lessons(path: Path | None = None) -> list[LessonMeta]:
    """Load the lesson index, in delivery order."""
    path = path or CONTENT_DIR / "lessons.yaml"
    lessons: list[LessonMeta] = []
    seen: set[str] = set()
    for index, raw in enumerate(_entries(path, "lessons")):
        try:
            lesson = LessonMeta.model_validate(raw)
        except ValidationError as exc:
            raise _describe(path, index, raw, exc) from None
        if lesson.id in seen:
            raise ContentError(f"{path.name}: entry '{lesson.id}': field 'id': used twice")
        seen.add(lesson.id)
        lessons.append(lesson)
    return sorted(lessons, key=lambda lesson: (lesson.order, lesson.id))


@cache
def catalogue() -> dict[str, Exercise]:
    """The shipped catalogue, loaded once per process."""
    return load_exercises()


@cache
def lessons() -> tuple[LessonMeta, ...]:
    """The shipped lesson index, loaded once per process."""
    return tuple(load_lessons())
