"""Long polling that confirms an update to Telegram only once it has been handled.

python-telegram-bot's own updater confirms a batch (by asking for the next ``offset``) as soon
as it has queued it, so an instance killed while handling a tap loses that tap: Telegram has
already forgotten it. Here the offset never passes an update still being handled, so after a
SIGKILL Telegram gives the unfinished ones to whichever instance polls next; handling them
twice is harmless (every write is once-only). Updates after an unfinished one that are
already done are skipped when Telegram sends them again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from telegram import Update
from telegram.error import Conflict, InvalidToken, TelegramError

from bot.context import RehabApp
from bot.logs import PollingErrors
from bot.updates import ChatOrderedProcessor

log = logging.getLogger(__name__)
STUCK_SECONDS = 120.0  # an update handled longer than this no longer holds the offset back


class Poller:
    """``start`` begins polling, ``stop`` ends it after the updates taken are handled."""

    def __init__(self, app: RehabApp, processor: ChatOrderedProcessor, *,
                 timeout: float = 10.0, errors: Callable[[Exception], None] | None = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.processor = processor
        self.timeout = timeout
        self.errors = errors or PollingErrors()
        self.monotonic = monotonic
        self._taken: dict[int, float] = {}  # update id → when it was queued, until handled
        self._next = 0  # the first update id never seen
        self._task: asyncio.Task[None] | None = None

    def _offset(self) -> int | None:
        """The oldest update not handled yet (Telegram forgets everything before it)."""
        self._forget_done()
        now = self.monotonic()
        waiting = [uid for uid, at in self._taken.items() if now - at < STUCK_SECONDS]
        if waiting:
            return min(waiting)
        return self._next or None

    def _forget_done(self) -> None:
        for uid in [uid for uid in self._taken if self.processor.is_done(uid)]:
            del self._taken[uid]

    async def start(self) -> None:
        await self.app.bot.delete_webhook()
        self._task = asyncio.create_task(self._loop(), name="poller")

    async def _loop(self) -> None:
        delay = 0.0
        while True:
            if delay:
                await asyncio.sleep(delay)
            try:
                updates = await self.app.bot.get_updates(
                    offset=self._offset(), timeout=self.timeout,
                    allowed_updates=Update.ALL_TYPES)
            except InvalidToken:
                raise
            except TelegramError as exc:  # Conflict (409), network trouble, Telegram's 5xx
                self.errors(exc)
                delay = min(max(delay * 2, 0.5), 5.0 if not isinstance(exc, Conflict) else 2.0)
                continue
            delay = 0.0
            fresh = 0
            for update in updates:
                uid = update.update_id
                if uid < self._next and (uid in self._taken or self.processor.is_done(uid)):
                    continue  # on its way, or done already: Telegram still had it
                self._next = max(self._next, uid + 1)
                self._taken[uid] = self.monotonic()
                fresh += 1
                await self.app.update_queue.put(update)
            if updates and not fresh:
                # everything Telegram has is being handled: wait for one to finish (or a
                # moment, for new ones behind it) rather than ask again at once
                await self.processor.wait_any_done(0.25)

    async def stop(self, drain_seconds: float = 5.0) -> None:
        """Stop asking; wait for the updates taken to be handled; then confirm them to
        Telegram, so the next poller does not get them again."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + drain_seconds
        while self._offset() != (self._next or None) and loop.time() < deadline:
            await self.processor.wait_any_done(0.1)
        if self._next:
            try:
                await self.app.bot.get_updates(offset=self._offset(), timeout=0, limit=1,
                                               allowed_updates=Update.ALL_TYPES)
            except TelegramError as exc:
                log.warning("could not confirm the last updates at stop (%s); the next "
                            "poller gets them again, harmlessly", type(exc).__name__)
