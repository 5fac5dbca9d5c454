"""Runs first of all: an update Telegram itself would never send (an id past what a
database integer holds, a message text that is not text) is let go quietly, so no handler
below ever has to guard against it."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.context import RehabContext
from handlers.common import MAX_ID

log = logging.getLogger(__name__)


def unreadable(update: Update) -> bool:
    """True for an update whose ids or text no handler can take."""
    ids = [x.id for x in (update.effective_user, update.effective_chat) if x is not None]
    if any(not isinstance(i, int) or not -MAX_ID <= i <= MAX_ID for i in ids):
        return True
    message = update.effective_message
    return message is not None and any(
        value is not None and not isinstance(value, str)
        for value in (message.text, message.caption))


async def drop_unreadable(update: Update, context: RehabContext) -> None:
    if unreadable(update):
        log.info("update %s is not one Telegram would send; let go", update.update_id)
        raise ApplicationHandlerStop
