"""Every content file a running bot reads, read once at start (in a thread, before the first
update), so none is first parsed on the event loop in the middle of someone's day: the
exercise catalogue alone took 107 ms there, the first time a digest or a session needed it
(bench: a digest run's worst loop lag). A broken file also shows at start, not to the first
person who needs it."""

from __future__ import annotations

from collections.abc import Iterable

from bot.materials import catalogue
from bot.materials.typed_words import typed_words
from bot.rules import timezones


def preload(languages: Iterable[str]) -> None:
    for lang in languages:
        catalogue.catalogue(lang)
    catalogue.lessons()
    catalogue.emergency_numbers()
    typed_words()
    timezones.load()
