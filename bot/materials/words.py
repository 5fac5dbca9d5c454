"""Stored keys turned into the reader's words: a care change's kind, detail and reason (kept
as keys and ids in the database, so each reader gets them in their own language)."""

from __future__ import annotations

from bot.materials.catalogue import catalogue
from bot.materials.texts import Texts
from bot.rules.exercises import Stage


def change_words(texts: Texts, lang: str, kind: str, detail: str,
                 reason: str | None) -> tuple[str, str, str | None]:
    """(what changed, to what, why) for one care change. Details stored before ids were
    kept (an English title) are shown as they are."""
    what = texts.label(f"change.{kind}", lang) if kind in ("stage", "hold", "restore",
                                                          "goal") else kind
    if kind == "stage" and detail in {s.key for s in Stage}:
        detail = texts.label(f"stage.{detail}", lang)
    elif kind in ("hold", "restore") and detail in (exercises := catalogue(lang)):
        detail = exercises[detail].title
    elif kind == "goal" and detail.removesuffix(" min").isdigit():
        detail = texts.label("care.minutes", lang, minutes=int(detail.removesuffix(" min")))
    why = (texts.label(f"care.reason_{reason}", lang)
           if reason in ("assessment", "too_hard", "ready", "pain") else reason)
    return what, detail, why
