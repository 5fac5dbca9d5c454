"""How updates are processed: concurrently across chats, in order within one chat, fairly.

Two taps from the same person never race each other (so a double press is seen as a double
press), while a slow reply to one person never holds up another. A chat takes its turn in its
own queue *before* it takes one of the shared slots, so one chat's flood waits in its own
queue instead of filling every slot; and a chat with too many updates waiting drops the
newest (a flood, not a person: ``bot.flood`` answers a person who sends fast). The processor
also lets a caller wait until a given update has been handled, which the tests and the sandbox
use instead of sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
import weakref
from collections import Counter, OrderedDict
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.metrics import Metrics, kind_of

_REMEMBERED = 10_000
# Updates handled at once: enough for Telegram's pace (about 30 messages a second, each update
# waiting a few hundred milliseconds on the API), and no more: every update in flight holds an
# HTTP connection that the client then checks on each request, and a database connection.
# Measured in bench/taps.py: 16 cost 25-35% less CPU per update than 256 on this machine.
CONCURRENT_UPDATES = 16
MAX_PENDING_PER_CHAT = 50  # updates of one chat waiting their turn; more are dropped

log = logging.getLogger(__name__)


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Serialise updates per chat; run different chats side by side."""

    def __init__(self, max_concurrent_updates: int = CONCURRENT_UPDATES,
                 max_pending_per_chat: int = MAX_PENDING_PER_CHAT) -> None:
        super().__init__(max_concurrent_updates)
        self.max_pending_per_chat = max_pending_per_chat
        self._pending: Counter[object] = Counter()
        self.dropped = 0
        self._locks: weakref.WeakValueDictionary[object, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )
        self._done: OrderedDict[int, None] = OrderedDict()
        self._condition: asyncio.Condition | None = None
        self.metrics: Metrics | None = None  # counts and times each update, when set

    @staticmethod
    def _key(update: object) -> object:
        if isinstance(update, Update):
            if update.effective_chat is not None:
                return ("chat", update.effective_chat.id)
            if update.effective_user is not None:
                return ("user", update.effective_user.id)
        return ("other", id(update))

    def _lock(self, key: object) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock

    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """The chat's own turn first, then a shared slot: a flooding chat queues behind
        itself, never in front of everyone else."""
        key = self._key(update)
        try:
            if self._pending[key] >= self.max_pending_per_chat:
                self.dropped += 1
                if inspect.iscoroutine(coroutine):
                    coroutine.close()
                log.info("a chat has %d updates waiting; one more was dropped",
                         self._pending[key])
                return
            self._pending[key] += 1
            lock = self._lock(key)
            try:
                await lock.acquire()
            finally:
                self._pending[key] -= 1
                if self._pending[key] <= 0:
                    del self._pending[key]
            try:
                async with self._semaphore:
                    started = time.perf_counter()
                    await coroutine
                    if self.metrics is not None:
                        self.metrics.updates.labels(kind_of(update)).inc()
                        self.metrics.update_seconds.observe(time.perf_counter() - started)
            finally:
                lock.release()
        finally:
            if isinstance(update, Update):
                await self._mark_done(update.update_id)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Unused: :meth:`process_update` orders and limits updates itself."""
        await coroutine

    async def _mark_done(self, update_id: int) -> None:
        condition = self._cond()
        async with condition:
            self._done[update_id] = None
            while len(self._done) > _REMEMBERED:
                self._done.popitem(last=False)
            condition.notify_all()

    def _cond(self) -> asyncio.Condition:
        if self._condition is None:
            self._condition = asyncio.Condition()
        return self._condition

    def is_done(self, update_id: int) -> bool:
        return update_id in self._done

    async def wait_any_done(self, timeout: float) -> None:
        """Until another update has been handled, or ``timeout`` seconds."""
        condition = self._cond()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout), condition:
                await condition.wait()

    async def wait_processed(self, update_id: int) -> None:
        """Return once update ``update_id`` has been fully handled."""
        condition = self._cond()
        async with condition:
            await condition.wait_for(lambda: update_id in self._done)

    async def initialize(self) -> None:
        self._condition = asyncio.Condition()

    async def shutdown(self) -> None:
        """Nothing to release."""
