"""/language: the person picks the language they read; it is stored and wins over the one
Telegram reports. Offered on the first message too (a button under the welcome)."""

from __future__ import annotations

from telegram import BotCommandScopeChat, InlineKeyboardButton, Update
from telegram.error import TelegramError

from bot.context import RehabContext
from bot.materials.locale_format import language_name
from db.people import set_language
from handlers.common import command_menu, edit_text, keyboard, lang_of, reply, standing
from handlers.welcome import welcome

PREFIX = "lng:"


def _picker(update: Update, context: RehabContext) -> list[list[InlineKeyboardButton]]:
    """One big button per language, each named in its own words, the current one ticked."""
    texts = context.services.texts
    current = lang_of(update, context)
    rows = []
    for code in sorted(texts.languages, key=lambda c: (c != "en", c)):
        mark = "☑️ " if code == current else ""
        rows.append([InlineKeyboardButton(f"{mark}{language_name(code)}",
                                          callback_data=f"{PREFIX}{code}")])
    return rows


async def language_command(update: Update, context: RehabContext) -> None:
    await reply(update, context, "language/choose", markup=keyboard(*_picker(update, context)))


async def on_tap(update: Update, context: RehabContext) -> None:
    """A language tapped (or the picker asked for from the welcome). A double tap, or one an
    hour late, stores the same choice again and says the same thing."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    choice = query.data.removeprefix(PREFIX)
    texts = context.services.texts
    if choice == "menu":
        await query.answer()
        await reply(update, context, "language/choose",
                    markup=keyboard(*_picker(update, context)))
        return
    if choice not in texts.languages:  # forged, or a language since withdrawn
        await query.answer(texts.label("checkin.old", lang_of(update, context)))
        return
    async with context.services.db.session() as session:
        known = await set_language(session=session, telegram_id=update.effective_user.id,
                                   language=choice)
    context.services.extras["seen"].forget(update.effective_user.id)
    await query.answer()
    if not known:
        return
    was_new = context.lang != choice
    context.lang = choice
    await edit_text(update, texts.render("language/chosen", choice, language=language_name(
        choice)))
    await _set_menu(update, context, choice)
    role, _, _ = await standing(update, context)
    if role == "new" and was_new:  # still at the welcome: greet again, in the new words
        await welcome(update, context)


async def _set_menu(update: Update, context: RehabContext, lang: str) -> None:
    """The command menu of this chat in the chosen language (the per-language menus follow
    what Telegram reports, which the choice overrides). A refusal leaves the old menu."""
    chat = update.effective_chat
    if chat is None:
        return
    try:
        await context.bot.set_my_commands(command_menu(context.services.texts, lang),
                                          scope=BotCommandScopeChat(chat.id))
    except TelegramError:
        pass
