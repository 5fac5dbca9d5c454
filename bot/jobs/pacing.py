"""Sending under Telegram's limits, people first.

Telegram refuses more than 30 messages in any one second per bot and 20 in any minute per
group. python-telegram-bot's AIORateLimiter uses leaky buckets, which let a burst through at
a window's edge and so draw 429s against a strict window; and on a 429 it pauses everything.
This pacer keeps a strict sliding window of its own with a safety margin, grants slots in
priority order (a person waiting for an answer before any bulk prompt), leaves room in
every second for those answers, and honours ``retry_after`` when it comes anyway.

Within one private chat, Telegram asks for about one message a second, short bursts allowed:
each private chat has a small bucket (``private_burst`` messages, refilled at
``private_rate`` a second), so an ordinary reply of a few messages goes at once and only a
long run to one person is spaced out, without holding anyone else.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

COUNTED = frozenset({
    "sendMessage", "sendPhoto", "sendDocument", "sendAnimation", "sendAudio", "sendVideo",
    "sendVoice", "sendSticker", "sendLocation", "sendMediaGroup", "copyMessage",
    "forwardMessage", "sendPoll", "sendContact", "sendVenue", "sendDice",
})
INTERACTIVE, BULK = 0, 1
SERVER_ERRORS = ("bad gateway", "service unavailable", "gateway timeout", "internal server error")
SERVER_RETRY_DELAYS = (0.5, 1.5)  # a 5xx from Telegram is tried again, twice
# bulk slots are granted at least this share of an even spacing apart (window / share): less
# than 1, so a request's time on the wire cannot make a window's share go unused
SPREAD = 0.6


class NotSent(Exception):
    """The request was not made: its ``before_send`` check said no (see ``process_request``)."""


def _server_error(exc: NetworkError) -> bool:
    """Telegram's own 5xx (not a timeout, whose message may have been delivered already)."""
    return not isinstance(exc, TimedOut) and any(
        word in str(exc).lower() for word in SERVER_ERRORS)


def _retry_seconds(exc: RetryAfter) -> float:
    value = exc._retry_after  # a timedelta whatever the deprecated int property says
    return float(value.total_seconds())


class PriorityPacer(BaseRateLimiter[dict[str, Any]]):
    """A strict sliding-window limiter with two lanes: interactive (default) and bulk.

    Bulk traffic (``rate_limit_args={"bulk": True}``) may use at most ``bulk_per_window`` of
    the ``per_window`` slots in any window, and always leaves one slot more than people used
    in the window; its slots are spread across the window. So an answer to a tap never queues
    behind a burst for more than a slot's time, and a burst with nobody tapping still goes at
    29 a second.
    """

    def __init__(
        self,
        *,
        per_window: int = 30,
        window: float = 1.0,
        margin: float = 0.01,
        bulk_per_window: int = 29,
        group_per_minute: int = 20,
        max_retries: int = 3,
        private_burst: int = 5,
        private_rate: float = 1.0,
        paid_per_second: int = 0,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.per_window = per_window
        self.window = window + margin
        self.bulk_per_window = min(bulk_per_window, per_window)
        self.group_window = 60.0 + margin
        self.group_per_minute = group_per_minute
        self.max_retries = max_retries
        self.private_burst = private_burst
        self.private_rate = private_rate  # messages a second per private chat; 0: no spacing
        self._private: dict[int, tuple[float, float]] = {}  # chat → (tokens, when counted)
        self.monotonic = monotonic
        self.sleep = sleep
        self._sent: list[list[float]] = []  # [counted until (inf while in flight), lane]
        self._groups: dict[int, deque[float]] = {}
        self._queue: list[tuple[int, int, asyncio.Future[list[float]]]] = []
        self._seq = itertools.count()
        self._wake: asyncio.Event | None = None
        self._runner: asyncio.Task[None] | None = None
        self._paused_until = 0.0
        self._last_bulk = float("-inf")  # when the last bulk slot was granted
        self._ramp_until = float("-inf")  # the first window of a run of bulk: spread evenly
        self._chat_paused_until: dict[int, float] = {}  # a 429 about one chat waits alone
        self.metrics: Any = None  # bot.metrics.Metrics, when set: messages sent by lane
        self.bulk_share = 1  # instances sharing the bot's limit: each takes this part of bulk
        # paid broadcast (0: off): bulk sends marked allow_paid_broadcast leave the 30 a second
        # to people and go in a window of their own, this many a second
        self.paid_per_second = paid_per_second
        self._paid: deque[float] = deque()
        self.server_retries = 0
        self.retries_after = 0  # how many 429s came back despite the pacing

    async def initialize(self) -> None:
        if self._runner is not None and not self._runner.done():
            return
        self._wake = asyncio.Event()
        self._runner = asyncio.create_task(self._grant_loop(), name="pacer")

    async def shutdown(self) -> None:
        if self._runner is not None:
            self._runner.cancel()
            try:
                await self._runner
            except asyncio.CancelledError:
                pass
            self._runner = None
        for _, _, future in self._queue:
            if not future.done():
                future.cancel()
        self._queue.clear()

    def let_go_bulk(self) -> int:
        """At stop: bulk sends still waiting for a slot are not made (each raises
        :class:`NotSent`, so its owner hands the claim back); answers to people still go."""
        dropped = 0
        for lane, _, future in self._queue:
            if lane == BULK and not future.done():
                future.set_exception(NotSent())
                dropped += 1
        return dropped

    # ---- the window ----------------------------------------------------------------------
    # A slot is taken when a request is granted and counts until ``window`` after the request
    # *finished*. Telegram counts a message when it arrives, which is before it answers, so a
    # window measured from our completions can never hold more than it allows, whatever the
    # network's jitter.
    def _trim(self, now: float) -> None:
        # the same sum as in ``_room``, so a slot kept is one ``_room`` waits for (with
        # ``slot[0] > now - window`` rounding could keep a slot whose wait comes out as 0)
        self._sent = [slot for slot in self._sent if slot[0] + self.window > now]

    def _room(self, lane: int, now: float) -> float:
        """0 if a slot can be granted now to ``lane``, else seconds until one may free up
        (infinity: wait for a request in flight to finish)."""
        self._trim(now)
        if now < self._paused_until:
            return self._paused_until - now
        if len(self._sent) >= self.per_window:
            return min(slot[0] for slot in self._sent) + self.window - now
        if lane == BULK:
            bulk = [slot[0] for slot in self._sent if slot[1] == BULK]
            # bulk leaves room for one more answer to people than the window already holds
            people = len(self._sent) - len(bulk)
            room = min(self.bulk_per_window, self.per_window - people - 1)
            share = max(1, room // self.bulk_share)
            if len(bulk) >= share:
                return min(bulk) + self.window - now
            # spread across the window rather than all at its start, so an answer to a person
            # never finds the whole second's room just taken. The first window of a run is
            # spread evenly: started at the closer spacing, the slots came round each window
            # as a clump, and in some bench runs the grants came 18 ms late at the median and
            # a burst made 27.9-28.1 a second; started evenly, 28.53-28.56 in three runs
            spacing = self.window / share * (1.0 if now < self._ramp_until else SPREAD)
            if now - self._last_bulk < spacing:
                return self._last_bulk + spacing - now
        return 0.0

    async def _grant_loop(self) -> None:
        assert self._wake is not None
        while True:
            if not self._queue:
                self._wake.clear()
                await self._wake.wait()
                continue
            lane, _, future = self._queue[0]
            if future.done():  # cancelled while waiting
                heapq.heappop(self._queue)
                continue
            wait = self._room(lane, self.monotonic())
            if wait == float("inf"):  # every slot is in flight: only a completion frees one
                self._wake.clear()
                await self._wake.wait()
                continue
            if wait > 0:
                await self._pause(wait)
                continue
            heapq.heappop(self._queue)
            future.set_result(self._grant(lane))

    def _grant(self, lane: int) -> list[float]:
        """A slot, counted from now on (its end is set when the request finishes)."""
        if lane == BULK:
            now = self.monotonic()
            if not any(slot[1] == BULK for slot in self._sent):  # a run of bulk begins
                self._ramp_until = now + self.window
            self._last_bulk = now
        slot = [float("inf"), lane]
        self._sent.append(slot)
        return slot

    def _release(self, slot: list[float] | None) -> None:
        if slot is not None:
            slot[0] = self.monotonic()
            if self._wake is not None:
                self._wake.set()

    async def _pause(self, seconds: float) -> None:
        """Wait ``seconds`` (through the injectable sleep), or less if a request arrives."""
        assert self._wake is not None
        self._wake.clear()
        sleeper = asyncio.ensure_future(self.sleep(seconds))
        waker = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            waker.cancel()

    async def _acquire(self, lane: int) -> list[float] | None:
        if self._wake is None:  # not initialised: nothing to pace
            return None
        if not self._queue and self._room(lane, self.monotonic()) == 0.0:
            # nobody waits before this request and the window has room: granted here, without
            # a turn through the grant loop (two hand-offs on the event loop per request)
            return self._grant(lane)
        future: asyncio.Future[list[float]] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._queue, (lane, next(self._seq), future))
        self._wake.set()
        return await future

    async def _group_slot(self, chat_id: int) -> None:
        times = self._groups.setdefault(chat_id, deque())
        while True:
            now = self.monotonic()
            while times and times[0] <= now - self.group_window:
                times.popleft()
            if len(times) < self.group_per_minute:
                times.append(now)
                return
            await self.sleep(times[0] + self.group_window - now)

    async def _paid_slot(self) -> None:
        """A slot in the paid window (counted from the grant, with the same margin)."""
        limit = max(1, self.paid_per_second // self.bulk_share)
        while True:
            now = self.monotonic()
            while self._paid and self._paid[0] <= now - self.window:
                self._paid.popleft()
            if len(self._paid) < limit:
                self._paid.append(now)
                return
            await self.sleep(self._paid[0] + self.window - now)

    async def _private_slot(self, chat_id: int) -> None:
        """A token from this private chat's bucket, waiting for one if a long run used them
        up. Full buckets are forgotten, so the map holds only chats being written to now."""
        while True:
            now = self.monotonic()
            tokens, then = self._private.get(chat_id, (float(self.private_burst), now))
            tokens = min(float(self.private_burst), tokens + (now - then) * self.private_rate)
            if tokens >= 1.0:
                self._private[chat_id] = (tokens - 1.0, now)
                if len(self._private) > 10_000:
                    self._forget_full(now)
                return
            self._private[chat_id] = (tokens, now)
            await self.sleep((1.0 - tokens) / self.private_rate)

    def _forget_full(self, now: float) -> None:
        for chat_id, (tokens, then) in list(self._private.items()):
            if tokens + (now - then) * self.private_rate >= self.private_burst:
                del self._private[chat_id]

    # ---- the hook python-telegram-bot calls --------------------------------------------
    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        counted = endpoint in COUNTED
        lane = BULK if (rate_limit_args or {}).get("bulk") else INTERACTIVE
        paid = lane == BULK and bool(data.get("allow_paid_broadcast")) and self.paid_per_second
        # bulk sends may ask, once their slot is granted and just before the request goes out,
        # whether they are still to be made (a prompt another instance took over, or a stop)
        before_send = (rate_limit_args or {}).get("before_send")
        chat_id = data.get("chat_id")
        attempt = 0
        server_attempt = 0
        while True:
            slot = None
            if isinstance(chat_id, int):
                wait = self._chat_paused_until.get(chat_id, 0.0) - self.monotonic()
                if wait > 0:
                    await self.sleep(wait)
            if counted:
                if isinstance(chat_id, int) and chat_id < 0:
                    await self._group_slot(chat_id)
                elif isinstance(chat_id, int) and self.private_rate > 0 and attempt == 0 \
                        and server_attempt == 0:
                    await self._private_slot(chat_id)
                if paid:
                    await self._paid_slot()
                else:
                    slot = await self._acquire(lane)
            try:
                if before_send is not None and attempt == 0 and server_attempt == 0 \
                        and not await before_send():
                    raise NotSent
                result = await callback(*args, **kwargs)
                if counted and self.metrics is not None:
                    self.metrics.sent.labels(
                        "paid" if paid else "bulk" if lane == BULK else "people").inc()
                return result
            except RetryAfter as exc:
                self.retries_after += 1
                attempt += 1
                delay = _retry_seconds(exc)
                log.warning("Telegram asked to wait %.1f s (attempt %d)", delay, attempt)
                if attempt > self.max_retries:
                    raise
                until = self.monotonic() + delay
                if isinstance(chat_id, int):  # about this chat: only this chat waits
                    self._chat_paused_until[chat_id] = max(
                        self._chat_paused_until.get(chat_id, 0.0), until)
                else:
                    self._paused_until = max(self._paused_until, until)
                    if self._wake is not None:
                        self._wake.set()
            except NetworkError as exc:
                # replies to people are tried again here; bulk sends (prompts) have their own
                # retries with backoff and bookkeeping in the dispatcher
                if (lane == BULK or not _server_error(exc)
                        or server_attempt >= len(SERVER_RETRY_DELAYS)):
                    raise
                self.server_retries += 1
                log.warning("Telegram answered %s; trying again", type(exc).__name__)
                await self.sleep(SERVER_RETRY_DELAYS[server_attempt])
                server_attempt += 1
            finally:
                self._release(slot)
