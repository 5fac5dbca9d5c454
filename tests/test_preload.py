"""Content is read at start, off the event loop: the first digest, session or city named in
a day does not parse YAML on the loop (the catalogue took 107 ms there: every answer to
anyone waited). And the faster parser reads every content file as the safe one does."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot import drawing, yaml_files
from bot.clock import FakeClock
from bot.emulator import Emulator
from bot.local import LocalBot
from bot.materials import catalogue
from bot.materials.catalogue import CONTENT_DIR
from bot.materials.preload import preload
from bot.materials.typed_words import typed_words
from bot.rules import timezones
from bot.settings import Settings
from db.engine import Database


async def test_the_bot_reads_its_content_before_the_first_update(
        settings: Settings, database: Database, clock: FakeClock, emulator: Emulator) -> None:
    for cached in (catalogue._catalogue, catalogue.lessons, catalogue.emergency_numbers,
                   typed_words, timezones._table):
        cached.cache_clear()
    async with LocalBot(settings=settings, database=database, clock=clock,
                        emulator=emulator) as local:
        languages = local.services.texts.languages
        assert catalogue._catalogue.cache_info().currsize == len(languages) >= 3
        for cached in (catalogue.lessons, catalogue.emergency_numbers, typed_words,
                       timezones._table):
            assert cached.cache_info().currsize == 1, cached
        replies = await emulator.person("Ann").send("/start")
        assert replies  # and the bot answers as before


def test_every_content_file_reads_the_same_with_the_fast_parser() -> None:
    files = sorted(CONTENT_DIR.rglob("*.yaml"))
    assert len(files) > 10
    for path in files:
        assert yaml_files.read(path) == yaml.safe_load(path.read_text(encoding="utf-8")), path


def test_a_broken_file_is_still_one_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "exercises.yaml"
    broken.write_text("exercises: [\n  - id: lift\n", encoding="utf-8")
    try:
        catalogue._entries(broken, "exercises")
    except catalogue.ContentError as exc:
        assert str(exc).startswith("exercises.yaml: cannot be read as YAML: line 2, column")
        assert "\n" not in str(exc)  # one line, where it is and what is wrong
    else:
        raise AssertionError("a broken file was read")


async def test_drawing_happens_on_one_thread_of_its_own() -> None:
    import threading

    names = {await drawing.drawn(lambda: threading.current_thread().name) for _ in range(5)}
    assert len(names) == 1 and names.pop().startswith("drawing")


def test_a_broken_city_table_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "timezones.yaml"
    broken.write_text("cities:\n  - name: Oslo\n", encoding="utf-8")  # no zone, no place
    monkeypatch.setattr(timezones, "TIMEZONES_FILE", broken)
    timezones._table.cache_clear()
    try:
        with pytest.raises(catalogue.ContentError, match=r"^timezones\.yaml: city #1 \(Oslo\)"):
            preload(["en"])
    finally:
        timezones._table.cache_clear()
