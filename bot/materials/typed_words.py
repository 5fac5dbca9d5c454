"""Reads ``content/locales/*/typed.yaml``: the words people type in each language (see
``bot.rules.typed``), all languages merged, since anyone may type in any of them."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot import yaml_files
from bot.materials.catalogue import CONTENT_DIR, ContentError
from bot.rules.typed import NONE, TypedWords

LOCALES = CONTENT_DIR / "locales"
_LISTS = ("did", "reps", "sets", "of", "pain", "no_pain", "filler", "body")


def _words(where: str, value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise ContentError(f"{where}: expected a list of words")
    return tuple(str(v).casefold().strip() for v in value if str(v).strip())


def _keyed(where: str, value: object, keys: tuple[str, ...]
           ) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict) or not set(map(str, value)) <= set(keys):
        raise ContentError(f"{where}: expected some of {', '.join(keys)}")
    return tuple((str(k), _words(f"{where}.{k}", v)) for k, v in value.items())


def load_typed(path: Path) -> TypedWords:
    """One language's typed words; a broken file is one ContentError naming it."""
    where = f"locales/{path.parent.name}/typed.yaml"
    try:
        data: Any = yaml_files.read(path) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(f"{where}: cannot be read as YAML: "
                           f"{yaml_files.described(exc)}") from None
    checkin = data.get("checkin") or {}
    days = data.get("days") or {}
    feel = checkin.get("feel") or {}
    if not isinstance(feel, dict) or not set(feel) <= {1, 2, 3, 4, 5}:
        raise ContentError(f"{where}: checkin.feel: expected levels 1 to 5")
    names = days.get("names") or []
    if names and len(names) != 7:
        raise ContentError(f"{where}: days.names: expected seven, Monday first")
    return TypedWords(
        **{k: _words(f"{where}: checkin.{k}", checkin.get(k)) for k in _LISTS},
        feel=tuple((int(k), _words(f"{where}: checkin.feel.{k}", v)) for k, v in feel.items()),
        regions=_keyed(f"{where}: regions", data.get("regions"),
                       ("shoulder", "elbow", "wrist", "hand")),
        help=_words(f"{where}: help", data.get("help")),
        warning=_words(f"{where}: warning", data.get("warning")),
        answers=_keyed(f"{where}: answers", data.get("answers"),
                       ("yes", "no", "partly", "unsure")),
        sides=_keyed(f"{where}: sides", data.get("sides"), ("left", "right", "both")),
        days=tuple(_words(f"{where}: days.names", d) for d in names),
        every_day=_words(f"{where}: days.every_day", days.get("every_day")),
        weekdays=_words(f"{where}: days.weekdays", days.get("weekdays")),
        weekends=_words(f"{where}: days.weekends", days.get("weekends")),
        to=_words(f"{where}: days.to", days.get("to")),
        and_=_words(f"{where}: days.and", days.get("and")))


@cache
def typed_words(locales: Path = LOCALES) -> TypedWords:
    """Every language's typed words, merged."""
    merged = NONE
    for path in sorted(locales.glob("*/typed.yaml")):
        merged = merged.merged(load_typed(path))
    return merged
