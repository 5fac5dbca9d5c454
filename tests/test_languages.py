"""Languages as a capability: the first message in the language Telegram reports (or saying it
cannot yet), /language to pick another, the choice stored and winning over Telegram's, and each
reader served in their own language. Driven with a pseudo-translation (every English text with
a marker in front), so the test sees exactly which language each message came from."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml

from bot.clock import FakeClock
from bot.emulator import Emulator
from bot.local import LocalBot
from bot.materials.texts import LOCALES_DIR, Texts
from bot.settings import Settings
from db.engine import Database
from db.models import Person
from db.people import get_person
from tests.journey import onboard

MARK = "⟦es⟧ "


def pseudo_locales(root: Path) -> Path:
    """content/locales/en as it is, and "es": the same texts, each with MARK in front."""
    shutil.copytree(LOCALES_DIR / "en", root / "en")
    shutil.copytree(LOCALES_DIR / "en", root / "es")
    for path in (root / "es").rglob("*.html.j2"):
        path.write_text(MARK + path.read_text(encoding="utf-8"), encoding="utf-8")

    def mark(node: object) -> object:
        if isinstance(node, dict):
            return {key: mark(value) for key, value in node.items()}
        return MARK + node if isinstance(node, str) else node
    labels = root / "es" / "labels.yaml"
    data = yaml.safe_load(labels.read_text(encoding="utf-8"))
    data["plain"] = "{{ text }}"  # city names and such: already in the reader's language
    labels.write_text(yaml.safe_dump(mark(data) | {"plain": "{{ text }}"}, allow_unicode=True),
                      encoding="utf-8")
    return root


@pytest.fixture
async def bot(settings: Settings, database: Database, clock: FakeClock, emulator: Emulator,
              tmp_path: Path) -> AsyncIterator[LocalBot]:
    texts = Texts(pseudo_locales(tmp_path / "locales"))
    async with LocalBot(settings=settings, database=database, clock=clock, emulator=emulator,
                        texts=texts) as local:
        yield local


async def test_the_first_message_is_in_telegrams_language_with_a_way_to_change(
        bot: LocalBot, emulator: Emulator) -> None:
    maria = emulator.person("Maria", language_code="es-MX")
    welcome = (await maria.send("/start"))[0]
    assert welcome.text.startswith(MARK + "Hello, Maria!")
    assert maria.buttons() == [MARK + "💪 I am practising", MARK + "❤️ I am family",
                               MARK + "🌐 Another language"]
    picker = (await maria.press(MARK + "🌐 Another language"))[0]
    assert picker.text.startswith(MARK) and maria.buttons() == ["English", "☑️ Español"]
    chosen = await maria.press("English")
    assert any(m.text.startswith("👍 OK. I will write in English.") for m in chosen)
    again = next(m for m in chosen if m.text.startswith("Hello, Maria!"))  # greeted again
    assert maria.buttons(again) == ["💪 I am practising", "❤️ I am family",
                                    "🌐 Another language"]


async def test_traditional_chinese_is_named_and_english_is_used_until_it_exists(
        bot: LocalBot, emulator: Emulator) -> None:
    li = emulator.person("Li", language_code="zh-hant")
    welcome = (await li.send("/start"))[0]
    assert "I cannot write in Chinese (Traditional) yet, so I write in English." in welcome.text
    xx = emulator.person("Xu", language_code="xx")  # a tag nobody knows: nothing to name
    assert "cannot write" not in (await xx.send("/start"))[0].text


async def test_the_choice_is_stored_and_wins_over_telegram(bot: LocalBot,
                                                          emulator: Emulator) -> None:
    ann = emulator.person("Ann", language_code="en")
    await onboard(ann)
    await ann.send("/language")
    assert ann.buttons() == ["☑️ English", "Español"]
    chosen = await ann.press("Español")
    assert chosen[-1].text.startswith(MARK + "👍 OK. I will write in Español.")
    assert len(chosen) == 1  # a patient already set up is not greeted again
    help_text = (await ann.send("/help"))[0].text  # Telegram still says "en"
    assert help_text.startswith(MARK)
    assert "/language — " + MARK in help_text
    menu = emulator.world.menu_seen(ann.chat.id, "en")  # this chat's menu, in Spanish
    assert menu and all(c["description"].startswith(MARK) for c in menu)
    assert all(not c["description"].startswith(MARK)  # the menu of everyone else
               for c in emulator.world.menu_seen(10**9, "en"))
    async with bot.services.db.session() as session:
        person = await get_person(session=session, telegram_id=ann.user.id)
        assert isinstance(person, Person) and person.language == "es"
        assert person.language_code == "en"
    # a double tap, or a tap an hour late, on the old picker: the same choice, said once
    await ann.send("/language")
    assert ann.buttons() == ["English", "☑️ Español"]
    first = await ann.press("Español")
    second = await ann.press_data("lng:es", message=first[0])
    assert all("Traceback" not in m.text for m in second)


async def test_a_forged_language_changes_nothing(bot: LocalBot, emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await ann.send("/start")
    await ann.send("/language")
    await ann.press_data("lng:xx")
    assert ann.toasts[-1] == "That step is already done ✓"
    async with bot.services.db.session() as session:
        person = await get_person(session=session, telegram_id=ann.user.id)
        assert person is not None and person.language is None


async def test_each_reader_in_their_own_language(bot: LocalBot, emulator: Emulator) -> None:
    """A patient who reads Spanish and a family member who reads English: each message the
    other's action brings is in the reader's own language."""
    from tests.test_family import invite_link

    ana = emulator.person("Ana", language_code="es")
    ben = emulator.person("Ben", language_code="en-GB")
    await ana.send("/start")
    await ana.press(MARK + "💪 I am practising")
    await ana.press(MARK + "✅ I understand")
    await ana.press(MARK + "⬅️ Left side")
    for yes in (True, True, False):
        await ana.press(MARK + ("👍 Yes" if yes else "👎 No"))
    await ana.press("Madrid")  # the cities offered follow the language too
    await ana.press(MARK + "⬜ Morning 09:00")
    await ana.press(MARK + "✅ Done")
    token = await invite_link(ana)
    replies = await ben.send(f"/start {token}")
    assert replies[0].text.startswith("Ana invited you")
    await ben.press("✅ Yes, follow")
    assert ana.last.text.startswith(MARK) and "Ben now follows your practice" in ana.last.text
