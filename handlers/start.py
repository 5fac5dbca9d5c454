"""/start: a warm welcome and the first choice, practising or family."""

from __future__ import annotations

from telegram import Update

from bot.context import RehabContext
from db.people import set_role
from handlers.common import button, keyboard, reply

ROLE_PREFIX = "role:"


async def start(update: Update, context: RehabContext) -> None:
    """Greet the person and ask how they use Rehab Buddy."""
    markup = keyboard(
        [button(update, context, "start.patient", f"{ROLE_PREFIX}patient")],
        [button(update, context, "start.family", f"{ROLE_PREFIX}family")],
    )
    await reply(update, context, "start/welcome", markup=markup)


async def choose_role(update: Update, context: RehabContext) -> None:
    """Record the tapped role, tidy the buttons away, and say what comes next."""
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
