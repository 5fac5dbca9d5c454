"""The exercise catalogue and lesson index: content data files, validated on load.

The data lives in ``content/`` (YAML); this module only knows its shape. A broken file fails
with one message naming the file, the entry and the field, so a content editor can fix it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from bot.rules.exercises import Exercise, LessonMeta

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"


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


@cache
def emergency_numbers() -> tuple[str, dict[str, str]]:
    """(default, numbers by country) from ``content/emergency_numbers.yaml``."""
    path = CONTENT_DIR / "emergency_numbers.yaml"
    data = _load_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("numbers"), dict):
        raise ContentError(f"{path.name}: expected 'default:' and a 'numbers:' mapping")
    return str(data.get("default", "112")), {str(k): str(v) for k, v in data["numbers"].items()}
