"""One poller among any number of instances: the one holding the poller lock asks Telegram
for updates; the others stand by (doing the scheduled work, whose claims keep every prompt
single) and ask again every few seconds, so one of them takes over within seconds of the
poller dying. Telegram answers a second concurrent ``getUpdates`` with 409 Conflict; with the
lock, that never happens between our own instances.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from bot.metrics import Metrics
from db.presence import Presence

log = logging.getLogger(__name__)


async def _wait(event: asyncio.Event, seconds: float) -> bool:
    """Wait for ``event`` up to ``seconds``; True if it is set."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await event.wait()
    return event.is_set()


class PollingTurn:
    """Polls while this instance holds the poller lock, stands by otherwise."""

    def __init__(self, presence: Presence, *, start: Callable[[], Awaitable[None]],
                 stop: Callable[[], Awaitable[None]], check_seconds: float,
                 metrics: Metrics | None = None) -> None:
        self.presence = presence
        self._start = start
        self._stop = stop
        self.check_seconds = check_seconds
        self.metrics = metrics

    def _polling(self, value: bool) -> None:
        if self.metrics is not None:
            self.metrics.polling.set(1 if value else 0)

    async def run(self, stopping: asyncio.Event) -> None:
        """Until ``stopping`` is set; then stops polling and lets the lock go."""
        said_standby = False
        while not stopping.is_set():
            try:
                mine = await self.presence.try_poll()
            except Exception as exc:  # the database is away: try again, say so once
                log.warning("could not ask for the poller lock (%s); trying again",
                            type(exc).__name__)
                mine = False
            if not mine:
                if not said_standby:
                    log.info("another instance polls Telegram; this one stands by and does "
                             "the scheduled work")
                    said_standby = True
                await _wait(stopping, self.check_seconds)
                continue
            said_standby = False
            log.info("this instance polls Telegram for updates")
            try:
                await self._start()
            except Exception as exc:  # Telegram unreachable at this moment: let another try
                log.warning("could not start polling (%s); trying again", type(exc).__name__)
                await self.presence.stop_polling()
                await _wait(stopping, self.check_seconds)
                continue
            self._polling(True)
            try:
                while not await _wait(stopping, self.check_seconds):
                    if not await self.presence.still_polling():
                        log.warning("lost the poller lock; stopped polling and standing by")
                        break
            finally:
                await self._stop()
                self._polling(False)
                await self.presence.stop_polling()
