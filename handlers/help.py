"""/help: every command with one line each, from the one command registry."""

from __future__ import annotations

from telegram import Update

from bot.commands import commands_for
from bot.context import RehabContext
from db.people import help_flags
from handlers.common import lang_of, reply


async def help_command(update: Update, context: RehabContext) -> None:
    """List what the bot can do, in the reader's language."""
    lang = lang_of(update, context)
    label = context.services.texts.label
    user = update.effective_user
    assert user is not None
    async with context.services.db.read() as connection:
        patient, family, care = await help_flags(connection=connection, telegram_id=user.id)
    shown = commands_for(patient=patient, family=family, care=care)
    commands = [{"name": c.name, "description": label(f"commands.{c.name}", lang)}
                for c in shown]
    await reply(update, context, "help/commands", commands=commands)


async def unknown_text(update: Update, context: RehabContext) -> None:
    """Anything we do not understand gets a friendly pointer, and changes nothing."""
    await reply(update, context, "errors/unknown_text")


async def unknown_button(update: Update, context: RehabContext) -> None:
    """A button we do not know (forged, or from an old version): answer, change nothing."""
    if update.callback_query is not None:
        await update.callback_query.answer()
