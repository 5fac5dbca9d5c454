"""The exercise catalogue and lesson index: content data files, validated on load.

The data lives in ``content/`` (YAML); this module only knows its shape. A broken file fails
with one message naming the file, the entry and the field, so a content editor can fix it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from bot import yaml_files
from bot.rules.exercises import Exercise, LessonMeta

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"


class ContentError(Exception):
    """A content file is broken; the message names the file, the entry and the field."""


def _load_yaml(path: Path) -> object:
    try:
        return yaml_files.read(path)
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(f"{path.name}: cannot be read as YAML: "
                           f"{yaml_files.described(exc)}") from None


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


# The words of an exercise a person reads, per language: content/locales/<lang>/exercises.yaml
# holds them by id (ids, doses and rules stay in content/exercises, once).
WORDS = ("title", "rep", "instructions", "safety", "items")
# The language of the person being served: set once per update (handlers.common.track_person)
# and around each message a scheduled job writes (``reading``), like gettext's active locale,
# so the plan, the session and the care panel name exercises in the reader's words.
READING: ContextVar[str] = ContextVar("reading", default="en")


@contextmanager
def reading(lang: str) -> Iterator[None]:
    """Exercise words in ``lang`` within the block."""
    token = READING.set(lang)
    try:
        yield
    finally:
        READING.reset(token)


def load_words(lang: str, locales: Path | None = None) -> dict[str, dict[str, object]]:
    """A language's exercise words by id (empty for English, whose words are the entries)."""
    path = (locales or CONTENT_DIR / "locales") / lang / "exercises.yaml"
    if lang == "en" or not path.exists():
        return {}
    data = _load_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("exercises"), dict):
        raise ContentError(f"locales/{lang}/exercises.yaml: expected 'exercises:' by id")
    return {str(k): dict(v) if isinstance(v, dict) else {} for k, v in data["exercises"].items()}


@cache
def _catalogue(lang: str) -> dict[str, Exercise]:
    base = load_exercises()
    words = load_words(lang)
    if not words:
        return base
    translated = {}
    for id_, ex in base.items():
        own = {k: v for k, v in words.get(id_, {}).items() if k in WORDS}
        try:
            translated[id_] = Exercise.model_validate(ex.model_dump() | own)
        except ValidationError as exc:
            raise _describe(Path(f"locales/{lang}/exercises.yaml"), 0, {"id": id_},
                            exc) from None
    return translated


def catalogue(lang: str | None = None) -> dict[str, Exercise]:
    """The shipped catalogue, in the words of ``lang`` (default: the reader's, ``READING``);
    loaded once per process and language."""
    return _catalogue(lang or READING.get())


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
