"""The whole journey in each language we offer, through the emulator: onboarding, a session
with check-ins, pain, progress with its chart, a lesson, typed check-ins and help, an invite
accepted by a family member who reads another language, and the weekly digest. Every word the
patient reads (messages, captions, buttons, toasts) is checked: no English left, no label key
shown instead of its words. The family member reads the other language throughout: a digest
about a Spanish-speaking patient reaches her Chinese-speaking son in Chinese."""

from __future__ import annotations

import re
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import timedelta

import pytest

from bot.emulator import Emulator, Persona
from bot.emulator.world import Message
from bot.local import LocalBot
from tests.test_family import invite_link

# Words that are English and nothing else in the languages we check (so "no", "a" and "me",
# which Spanish has too, are not here)
ENGLISH = frozenset([
    "the", "you", "your", "and", "is", "are", "to", "of", "it", "for", "with", "this", "that",
    "please", "tap", "today", "done", "session", "practice", "practise", "hurt", "moves", "move",
    "week", "will", "what", "how", "when", "day", "days", "yes", "one", "more", "get", "can",
    "have", "has", "was", "were", "be", "at", "on", "in", "by", "from", "or", "not", "all", "my",
    "up", "out", "here", "there", "again", "well", "next", "time", "goal", "goals",
])
KEY = re.compile(r"\b[a-z_]+\.[a-z_0-9]+\b")  # a label key such as "session.done"


@dataclass(frozen=True)
class Words:
    """What the patient taps and types, in their language."""

    code: str  # Telegram's language_code
    practising: str
    understand: str
    left: str
    typed_left: str  # the affected side, typed instead of tapped
    yes: str  # the placement questions ("can you…?")
    no: str
    safe_yes: str  # the safety questions
    safe_no: str
    city: str
    morning: str
    done: str
    start_now: str
    feel_ok: str
    hurt: str
    shoulder: str
    a_little: str
    stop: str
    typed: str  # a typed check-in
    save: str
    help: str  # typed
    welcome: str  # the first word of the welcome
    week: str  # in the digest's title
    follow: str  # a family member accepts an invitation
    invited: str  # how the invitation begins, for a patient called María
    her_week: str  # the digest's title about María
    latin: bool = True  # written in Latin letters (else no Latin word may appear at all)


SPANISH = Words(code="es-ES", practising="💪 Estoy practicando", understand="✅ Entiendo",
                left="⬅️ Lado izquierdo", typed_left="izquierdo", yes="👍 Sí", no="👎 No",
                safe_yes="👍 Sí",
                safe_no="👎 No", city="Madrid",
                morning="Mañana 09:00", done="✅ Listo", start_now="▶️ Empezar ahora",
                feel_ok="3 😐 Bien", hurt="🤕 Me dolió", shoulder="Hombro", a_little="Un poco",
                stop="⏹ Parar por hoy", typed="hice 12, difícil", save="✅ Guardarlo",
                help="ayuda", welcome="¡Hola", week="Su semana", follow="✅ Sí, seguir",
                invited="María le invitó", her_week="La semana de María")
CHINESE = Words(code="zh-hans", practising="💪 我在练习", understand="✅ 我明白了",
                left="⬅️ 左侧", typed_left="左边", yes="👍 能", no="👎 不能", safe_yes="👍 是",
                safe_no="👎 否",
                city="北京", morning="早上 09:00", done="✅ 完成", start_now="▶️ 现在开始",
                feel_ok="3 😐 还行", hurt="🤕 疼了", shoulder="肩膀", a_little="有一点",
                stop="⏹ 今天到此为止", typed="做了12个，很难", save="✅ 保存", help="帮助",
                welcome="您好", week="您的一周", follow="✅ 好的，关注", invited="María邀请您",
                her_week="María的一周", latin=False)


def english_in(text: str) -> set[str]:
    plain = re.sub(r"/[a-z_]+|https?://\S+|Rehab Buddy|@\w+", " ", text)
    return {w for w in re.findall(r"[A-Za-z]+", plain) if w.lower() in ENGLISH}


class Reader:
    """Everything one persona read, each version of each message."""

    def __init__(self, persona: Persona) -> None:
        self.persona = persona
        self.read: list[str] = []

    async def __call__(self, action: Awaitable[list[Message]]) -> list[Message]:
        messages = await action
        for message in messages:
            self.read += [message.text or "", message.caption or ""]
            self.read += [b["text"] for b in message.inline_buttons]
        self.read += self.persona.toasts
        return messages

    def problems(self, names: set[str], *, latin: bool = True) -> list[str]:
        found = []
        for text in self.read:
            without = re.sub(r"https?://\S+", " ", text)
            for name in names:
                without = without.replace(name, " ")
            if english := english_in(without):
                found.append(f"English {sorted(english)} in: {text[:120]!r}")
            plain = re.sub(r"/[a-z_]+|Rehab Buddy|@\w+|\b(?:UTC|CSV|JSON|PDF)\b", " ", without)
            if not latin and (word := re.search(r"[A-Za-z]{2,}", plain)):
                found.append(f"a Latin word {word.group(0)!r} in: {text[:120]!r}")
            if key := KEY.search(without):
                found.append(f"a label key {key.group(0)!r} in: {text[:120]!r}")
        return found


@pytest.mark.parametrize(("words", "family"), [(SPANISH, CHINESE), (CHINESE, SPANISH)],
                         ids=["es-with-zh-family", "zh-with-es-family"])
async def test_the_whole_journey_has_no_english_left(bot: LocalBot, emulator: Emulator,
                                                     words: Words, family: Words) -> None:
    maria = emulator.person("María", language_code=words.code)
    ben = emulator.person("Ben", language_code=family.code)  # reads the other language
    read = Reader(maria)
    welcome = await read(maria.send("/start"))
    assert welcome[0].text.startswith(words.welcome)
    await read(maria.press(words.practising))
    await read(maria.press(words.understand))
    await read(maria.send(words.typed_left))  # typed: "izquierdo", "左边"
    for answer in (words.yes, words.yes, words.no):
        await read(maria.press(answer))
    await read(maria.press(words.city))
    await read(maria.press(words.morning))
    await read(maria.press(words.done))
    for answer in (words.safe_yes, words.safe_yes, words.safe_no, words.safe_yes,
                   words.safe_yes):  # the entry check
        await read(maria.press(answer))
    await read(maria.press(words.start_now))
    card = maria.last
    for _ in range(2):  # two exercises done
        done = next(b for b in maria.buttons(card) if b.startswith("✅"))
        await read(maria.press(done, message=card))
        await read(maria.press(words.feel_ok, message=card))
    done = next(b for b in maria.buttons(card) if b.startswith("✅"))
    await read(maria.press(done, message=card))
    await read(maria.press(words.hurt, message=card))  # pain on the third
    await read(maria.press(words.shoulder, message=card))
    await read(maria.press(words.a_little, message=card))
    if words.stop in maria.buttons(card):
        await read(maria.press(words.stop, message=card))
    progress = await read(maria.send("/progress"))
    assert any(m.photo is not None for m in progress)  # the chart
    await read(maria.send("/plan"))
    await read(maria.send("/learn"))
    await read(maria.send(words.typed))
    await read(maria.press(words.save))
    await read(maria.send(words.help))
    await read(maria.send("/remind"))
    await read(maria.send("/safety"))
    await read(maria.send("/family"))
    token = await invite_link(maria)
    read.read += [m.text or "" for m in maria.messages[-1:]]
    invited = await ben.send(f"/start {token}")
    assert invited[0].text.startswith(family.invited)  # Ben reads his own language
    await ben.press(family.follow)
    read.read.append(maria.last.text or "")  # told in her language that Ben follows
    assert maria.last.text.startswith("❤️")
    before = len(maria.messages)
    await bot.advance(timedelta(days=7))  # the weekly digest (and the reminders)
    later = maria.messages[before:]
    read.read += [m.text or m.caption or "" for m in later]
    assert any(words.week in (m.text or "") for m in later)
    theirs = [m.text or "" for m in ben.messages if family.her_week in (m.text or "")]
    assert len(theirs) == 1  # the digest about her, in his language
    ben_read = Reader(ben)
    ben_read.read += [m.text or m.caption or "" for m in ben.messages]
    ben_read.read += [b["text"] for m in ben.messages for b in m.inline_buttons]
    assert ben_read.problems({"María", "Ben"}, latin=family.latin) == []
    assert len([t for t in read.read if t]) > 150  # what she read, every version of it
    problems = read.problems({"María", "Ben"}, latin=words.latin)
    assert problems == [], "\n".join(problems)


async def test_the_command_menu_is_in_each_language(bot: LocalBot, emulator: Emulator) -> None:
    """setMyCommands per language: Telegram shows a Spanish or Chinese reader's menu in their
    language (two-letter codes, as Telegram takes them), and everyone else's in English."""
    menus = emulator.world.commands
    assert {c["command"] for c in menus["es"]} == {c["command"] for c in menus[""]}
    today = {key: next(c["description"] for c in menu if c["command"] == "today")
             for key, menu in menus.items()}
    assert today == {"": "Start today's session", "es": "Empezar la sesión de hoy",
                     "zh": "开始今天的练习"}
    assert emulator.world.menu_seen(1, "zh-hans") == menus["zh"]
    assert emulator.world.menu_seen(1, "es-MX") == menus["es"]
    assert emulator.world.menu_seen(1, "de") == menus[""]
