"""The Telegram client as every handler needs it, in one place: an edit that would change
nothing is already done, and an answer to a button press that came too late is dropped
quietly, so the work behind the press still happens.

Real Telegram answers a double tap's edit with 400 "message is not modified", and the answer
to a press handled after about 15 minutes (the bot was down, or busy) with "query is too
old". Neither is a failure a person should hear about.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Message
from telegram.error import BadRequest
from telegram.ext import ExtBot

log = logging.getLogger(__name__)

_NOT_MODIFIED = "message is not modified"
_TOO_OLD = ("query is too old", "query id is invalid")


def _is(exc: BadRequest, *phrases: str) -> bool:
    message = exc.message.lower()
    return any(phrase in message for phrase in phrases)


class RehabBot(ExtBot[Any]):
    async def answer_callback_query(self, *args: Any, **kwargs: Any) -> bool:
        try:
            return await super().answer_callback_query(*args, **kwargs)
        except BadRequest as exc:
            if _is(exc, *_TOO_OLD):
                log.info("a button press was answered too late; its work goes on")
                return False
            raise

    async def edit_message_text(self, *args: Any, **kwargs: Any) -> Message | bool:
        try:
            return await super().edit_message_text(*args, **kwargs)
        except BadRequest as exc:
            if _is(exc, _NOT_MODIFIED):
                return True
            raise

    async def edit_message_reply_markup(self, *args: Any, **kwargs: Any) -> Message | bool:
        try:
            return await super().edit_message_reply_markup(*args, **kwargs)
        except BadRequest as exc:
            if _is(exc, _NOT_MODIFIED):
                return True
            raise

    async def edit_message_caption(self, *args: Any, **kwargs: Any) -> Message | bool:
        try:
            return await super().edit_message_caption(*args, **kwargs)
        except BadRequest as exc:
            if _is(exc, _NOT_MODIFIED):
                return True
            raise
