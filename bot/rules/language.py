"""Which language to speak to someone: their own choice first, then what Telegram reports,
mapped with care (Chinese has two scripts; a reader of one cannot always read the other).

Plain data in, plain data out: the languages we have are passed in, so adding one is adding
its folder under ``content/locales/``.
"""

from __future__ import annotations

from dataclasses import dataclass

FALLBACK = "en"
SIMPLIFIED = "zh-Hans"
TRADITIONAL = "zh-Hant"
# Telegram reports an IETF tag such as "zh-hans", "zh-CN" or "zh-hk"; a bare "zh" is most
# often a Simplified reader (mainland China, Singapore)
_SIMPLIFIED_TAGS = {"zh", "zh-hans", "zh-cn", "zh-sg", "zh-my", "zh-hans-cn", "zh-hans-sg"}
_TRADITIONAL_TAGS = {"zh-hant", "zh-tw", "zh-hk", "zh-mo", "zh-hant-tw", "zh-hant-hk"}


@dataclass(frozen=True)
class Choice:
    """The language to use, and the one asked for if we do not have it yet (to say so)."""

    lang: str
    missing: str | None = None


def wanted(tag: str | None) -> str | None:
    """The language a Telegram ``language_code`` asks for, in our folder names."""
    if not tag:
        return None
    tag = tag.strip().replace("_", "-").lower()
    if tag in _SIMPLIFIED_TAGS:
        return SIMPLIFIED
    if tag in _TRADITIONAL_TAGS:
        return TRADITIONAL
    if tag.startswith("zh-"):  # another Chinese tag: its script is not known
        return TRADITIONAL if "hant" in tag else SIMPLIFIED
    base = tag.split("-")[0]
    return base if base.isalpha() and len(base) <= 8 else None


def pick(*, chosen: str | None, telegram: str | None, available: frozenset[str]) -> Choice:
    """The person's own choice if we have it; else Telegram's language if we have it; else
    English, naming what they asked for so the bot can say it is not ready yet."""
    if chosen in available:
        return Choice(chosen)  # type: ignore[arg-type]
    asked = wanted(telegram)
    if asked is None:
        return Choice(FALLBACK)
    for code in available:  # folder names keep their case ("zh-Hans"); tags do not
        if code.lower() == asked.lower():
            return Choice(code)
    return Choice(FALLBACK, missing=None if asked == FALLBACK else asked)


def menu_code(lang: str) -> str | None:
    """The ``language_code`` Telegram takes for a command menu (two letters, ISO 639-1;
    none for English, the menu everyone else sees)."""
    return None if lang == FALLBACK else lang.split("-")[0].lower()
