"""Choosing the language: the person's choice, then Telegram's tag mapped with care."""

from __future__ import annotations

import pytest

from bot.rules.language import Choice, pick, wanted

ALL = frozenset({"en", "es", "zh-Hans"})


@pytest.mark.parametrize(("tag", "lang"), [
    ("zh-hans", "zh-Hans"), ("zh-CN", "zh-Hans"), ("zh_SG", "zh-Hans"), ("zh", "zh-Hans"),
    ("es", "es"), ("es-MX", "es"), ("es-419", "es"), ("en-GB", "en"), ("EN", "en"),
])
def test_telegram_tags_we_have(tag: str, lang: str) -> None:
    assert pick(chosen=None, telegram=tag, available=ALL) == Choice(lang)


@pytest.mark.parametrize("tag", ["zh-hant", "zh-TW", "zh-hk", "zh-Hant-HK", "zh-mo"])
def test_traditional_chinese_falls_back_to_english_and_says_what_was_asked(tag: str) -> None:
    """A Traditional reader is never given Simplified as if it were theirs."""
    assert pick(chosen=None, telegram=tag, available=ALL) == Choice("en", missing="zh-Hant")


@pytest.mark.parametrize("tag", [None, "", "  ", "x" * 40, "12-34", "-"])
def test_no_or_odd_tag_is_english(tag: str | None) -> None:
    assert pick(chosen=None, telegram=tag, available=ALL).lang == "en"


def test_a_language_we_do_not_have_is_english_saying_so() -> None:
    assert pick(chosen=None, telegram="fr-FR", available=ALL) == Choice("en", missing="fr")
    assert pick(chosen=None, telegram="es", available=frozenset({"en"})) == \
        Choice("en", missing="es")


def test_the_persons_choice_wins_over_telegram() -> None:
    assert pick(chosen="es", telegram="zh-CN", available=ALL) == Choice("es")
    assert pick(chosen="en", telegram="es", available=ALL) == Choice("en")
    # a choice of a language no longer shipped falls back to what Telegram says
    assert pick(chosen="fr", telegram="es", available=ALL) == Choice("es")


def test_wanted_keeps_only_plausible_codes() -> None:
    assert wanted("pt-BR") == "pt"
    assert wanted("zh-Hans-CN") == "zh-Hans"
    assert wanted("x" * 40) is None
