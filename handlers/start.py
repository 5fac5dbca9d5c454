"""/start: a warm welcome and the first choice, practising or family. A patient who has
started already picks up where they left off."""

from __future__ import annotations

from telegram import Update

from bot.context import RehabContext
from bot.rules.family import TOKEN_SHAPE
from db import patients
from db.people import set_role
from handlers import family_view, invitations, onboarding
from handlers.common import button, keyboard, reply, standing
from handlers.welcome import ROLE_PREFIX, welcome

__all__ = ["ROLE_PREFIX", "choose_role", "start"]


async def start(update: Update, context: RehabContext) -> None:
    """Greet the person; a known patient resumes, a newcomer chooses how they use the bot."""
    user = update.effective_user
    assert user is not None
    payload = (context.args or [""])[0]
    if payload:
        if TOKEN_SHAPE.match(payload):
            await invitations.open_invite(update, context, payload)
        else:
            await reply(update, context, "family/invite_invalid")
        return
    role, _, following = await standing(update, context)
    if role in ("patient", "setup"):
        async with context.services.db.session() as session:
            found = await patients.get_patient(session=session, telegram_id=user.id)
        assert found is not None
        await onboarding.send_step(update, context, found[0], found[1])
        return
    if role == "family":  # a family member coming back: where they stand, and what next
        await reply(update, context, "start/welcome_back")
        await family_view.family_command(update, context)
        if not following:  # practising too is a choice, offered here and not by default
            await reply(update, context, "start/practise_too", markup=keyboard(
                [button(update, context, "start.practise_too", f"{ROLE_PREFIX}patient")]))
        return
    await welcome(update, context)


async def choose_role(update: Update, context: RehabContext) -> None:
    """Record the tapped role, tidy the buttons away, and go on."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    role = query.data.removeprefix(ROLE_PREFIX)
    if role not in ("patient", "family"):
        await query.answer()
        return
    async with context.services.db.session() as session:
        await set_role(session=session, telegram_id=update.effective_user.id, role=role)
    await query.answer()
    if query.message is not None and getattr(query.message, "reply_markup", None):
        await query.edit_message_reply_markup(reply_markup=None)
    await reply(update, context, f"start/chose_{role}")
    if role == "patient":
        await onboarding.begin(update, context)
