"""The first message: the welcome, in the language Telegram reports, with a way to another."""

from __future__ import annotations

from telegram import Update

from bot.context import RehabContext
from bot.materials.locale_format import language_name
from bot.rules.language import FALLBACK
from handlers.common import button, keyboard, lang_of, reply

ROLE_PREFIX = "role:"
LANGUAGE_MENU = "lng:menu"


async def welcome(update: Update, context: RehabContext) -> None:
    """The first message: in the language Telegram reports (or says it cannot yet, naming
    it), the first choice, and a button to pick another language."""
    user = update.effective_user
    assert user is not None
    texts = context.services.texts
    lang = lang_of(update, context)
    asked = texts.choice(user.language_code).missing
    markup = keyboard(
        [button(update, context, "start.patient", f"{ROLE_PREFIX}patient")],
        [button(update, context, "start.family", f"{ROLE_PREFIX}family")],
        [button(update, context, "language.change", LANGUAGE_MENU)],
    )
    missing = language_name(asked, lang) if asked and lang == FALLBACK else None
    if missing == asked:  # a tag no one knows ("xx"): nothing to name
        missing = None
    await reply(update, context, "start/welcome", markup=markup, missing=missing)
