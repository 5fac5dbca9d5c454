"""The error handler: log the fault for the operator, tell the person in plain words."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.context import RehabContext
from db.family import end_group
from db.people import mark_inactive
from handlers.common import reply

log = logging.getLogger("rehab_buddy.errors")


async def on_error(update: object, context: RehabContext) -> None:
    """No internals reach the user; no message text or health data reaches the log."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    unreachable = isinstance(error, Forbidden) or (
        isinstance(error, BadRequest) and "chat not found" in error.message.lower())
    if unreachable and isinstance(update, Update) and update.effective_chat:
        chat = update.effective_chat
        async with context.services.db.session() as session:
            if chat.type == ChatType.PRIVATE and update.effective_user:
                log.info("update %s: the person blocked the bot; marked inactive", update_id)
                await mark_inactive(session=session, telegram_id=update.effective_user.id)
            else:  # a group that removed the bot (or a chat it is not in): the link ends
                log.info("update %s: a group refused the bot; its link ended", update_id)
                await end_group(session=session, chat_id=chat.id,
                                now=context.services.clock.now())
        return
    metrics = context.services.extras.get("metrics")
    if metrics is not None:
        metrics.errors.labels(type(error).__name__).inc()
    log.error("update %s failed: %s", update_id, type(error).__name__,
              exc_info=(type(error), error, error.__traceback__) if error else None)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    apologised: set[int] = context.bot_data.setdefault("apologised", set())
    if update.update_id in apologised:
        return
    if len(apologised) > 1000:
        apologised.clear()
    apologised.add(update.update_id)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer()
    except TelegramError:
        pass
    try:
        await reply(update, context, "errors/unexpected")
    except Exception:  # the apology itself failed; the log already has the fault
        log.warning("could not tell the user about the failure of update %s", update_id)
