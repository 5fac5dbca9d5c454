"""/help: every command with one line each, from the one command registry."""

from __future__ import annotations

from telegram import Update

from bot.commands import commands_for
from bot.context import RehabContext
from db.family import patients_of
from db.people import get_person
from handlers.common import lang_of, reply


async def help_command(update: Update, context: RehabContext) -> None:
    """List what the bot can do, in the reader's language."""
    lang = lang_of(update, context)
    label = context.services.texts.label
    user = update.effective_user
    assert user is not None
    async with context.services.db.session() as session:
        person = await get_person(session=session, telegram_id=user.id)
        cares = bool(person and person.id and await patients_of(
            session=session, member_id=person.id, role="care"))
    shown = commands_for(patient=bool(person and person.is_patient),
                         family=bool(person and person.is_family), care=cares)
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
