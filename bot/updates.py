"""How updates are processed: concurrently across chats, in order within one chat.

Two taps from the same person never race each other (so a double press is seen as a double
press), while a slow reply to one person never holds up another. The processor also lets a
caller wait until a given update has been handled, which the tests and the sandbox use instead
of sleeping.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import OrderedDict
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

_REMEMBERED = 10_000


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Serialise updates per chat; run different chats side by side."""

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: weakref.WeakValueDictionary[object, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )
        self._done: OrderedDict[int, None] = OrderedDict()
        self._condition: asyncio.Condition | None = None

    @staticmethod
    def _key(update: object) -> object:
        if isinstance(update, Update):
            if update.effective_chat is not None:
                return ("chat", update.effective_chat.id)
            if update.effective_user is not None:
                return ("user", update.effective_user.id)
        return ("other", id(update))

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = self._key(update)
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        try:
            async with lock:
                await coroutine
        finally:
            if isinstance(update, Update):
                await self._mark_done(update.update_id)

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

    async def wait_processed(self, update_id: int) -> None:
        """Return once update ``update_id`` has been fully handled."""
        condition = self._cond()
        async with condition:
            await condition.wait_for(lambda: update_id in self._done)

    async def initialize(self) -> None:
        self._condition = asyncio.Condition()

    async def shutdown(self) -> None:
        """Nothing to release."""
