"""Every content file a running bot reads, read once at start (in a thread, before the first
update), so none is first parsed on the event loop in the middle of someone's day: the
exercise catalogue alone took 107 ms there, the first time a digest or a session needed it
(bench: a digest run's worst loop lag). A broken file also shows at start, not to the first
person who needs it."""

from __future__ import annotations

from collections.abc import Iterable

import yaml

from bot import yaml_files
from bot.materials import catalogue
from bot.materials.typed_words import typed_words
from bot.rules import timezones


def preload(languages: Iterable[str]) -> None:
    """Raises ``ContentError`` naming the file when one is broken."""
    for lang in languages:
        catalogue.catalogue(lang)
    catalogue.lessons()
    catalogue.emergency_numbers()
    typed_words()
    try:
        timezones.load()
    except (OSError, yaml.YAMLError) as exc:
        raise catalogue.ContentError(
            f"{timezones.TIMEZONES_FILE.name}: cannot be read as YAML: "
            f"{yaml_files.described(exc)}") from None
    except ValueError as exc:  # names the file and the city already
        raise catalogue.ContentError(str(exc)) from None
