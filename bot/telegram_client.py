"""The Telegram client as every handler needs it, in one place: an edit that would change
nothing is already done, and an answer to a button press that came too late is dropped
quietly, so the work behind the press still happens.

Real Telegram answers a double tap's edit with 400 "message is not modified", and the answer
to a press handled after about 15 minutes (the bot was down, or busy) with "query is too
old". Neither is a failure a person should hear about.

And one update the library cannot read must not stop the others: python-telegram-bot parses
a whole batch at once, and one bad update fails the batch, which the poller then fetches
again, forever. Each update of a batch is tried on its own here; one that cannot be read
is passed on as a bare update (its id only), so the offset moves past it and nothing else
is lost. Its data is never logged (names, texts).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from telegram import Message, Update
from telegram._utils.defaultvalue import DEFAULT_NONE, DefaultValue
from telegram._utils.types import JSONDict, ODVInput, TimePeriod
from telegram.error import BadRequest
from telegram.ext import ExtBot

log = logging.getLogger(__name__)

_NOT_MODIFIED = "message is not modified"
_TOO_OLD = ("query is too old", "query id is invalid")


def _is(exc: BadRequest, *phrases: str) -> bool:
    message = exc.message.lower()
    return any(phrase in message for phrase in phrases)


def readable(item: object, bot: Any) -> Update | None:
    """The update as the library reads it; if it cannot, the bare update (just its id), or
    None without even an id."""
    try:
        return Update.de_json(item, bot)  # type: ignore[arg-type]
    except Exception:
        update_id = item.get("update_id") if isinstance(item, dict) else None
        log.warning("an update could not be read and was skipped (its data is not logged)")
        return Update(update_id) if isinstance(update_id, int) else None


class RehabBot(ExtBot[Any]):
    async def initialize(self) -> None:
        """As the library's; if it fails (getMe: a wrong token or address), the connections
        it opened are closed again, so that the one line saying why is all that is left."""
        try:
            await super().initialize()
        except BaseException:
            for request in self._request:
                await request.shutdown()
            raise

    async def get_updates(
        self, offset: int | None = None, limit: int | None = None,
        timeout: TimePeriod | None = None, allowed_updates: Sequence[str] | None = None, *,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE, api_kwargs: JSONDict | None = None,
    ) -> tuple[Update, ...]:
        """As the library's, but each update read on its own (see :func:`readable`), and
        once: the library's own reading fails the whole batch for one bad update (and logs
        its data)."""
        wait = timeout.total_seconds() if isinstance(timeout, timedelta) else timeout or 0
        read = (self._request[0].read_timeout if isinstance(read_timeout, DefaultValue)
                else read_timeout) or 0
        result = await self._post(
            "getUpdates", {"timeout": timeout, "offset": offset, "limit": limit,
                           "allowed_updates": allowed_updates},
            read_timeout=read + wait, write_timeout=write_timeout,
            connect_timeout=connect_timeout, pool_timeout=pool_timeout, api_kwargs=api_kwargs)
        updates = tuple(u for u in (readable(item, self) for item in result or [])
                        if u is not None)
        for update in updates:
            self.insert_callback_data(update)
        return updates

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
