"""Runs before everything else: a person over the rate limit gets one "one moment", then
nothing until they slow down (``bot.rules.flood``)."""

from __future__ import annotations

import time

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.context import RehabContext
from handlers.common import reply


async def rate_limit(update: Update, context: RehabContext) -> None:
    user = update.effective_user
    if user is None or user.is_bot:
        return
    limiter = context.services.extras["rate_limit"]
    if not limiter.limit:
        return
    # how fast updates arrive is a matter of real time, not of the app's (pretend) clock
    verdict = limiter.check(user.id, time.monotonic())
    if verdict == "ok":
        return
    if verdict == "warn" and update.effective_chat is not None:
        if update.callback_query is not None:
            await update.callback_query.answer()
        await reply(update, context, "errors/slow_down")
    raise ApplicationHandlerStop
