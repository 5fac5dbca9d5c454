"""Scheduling wiring: one periodic tick on the JobQueue that runs every piece of due work.

The JobQueue (APScheduler) only provides the heartbeat; what is due, and when, is computed from
the injected clock and kept in the database, so jobs survive restarts and the sandbox and tests
can move time forward and call :meth:`Ticker.run_due` directly. Between two ticks, a short
step every few seconds carries on work that has a backlog (the sweep after midnight), so the
backlog neither waits for ticks nor makes them long; a tick and a step never run at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime

from telegram.ext import Application

from bot.jobs.budget import TickBudget

log = logging.getLogger(__name__)

DueWork = Callable[[Application, datetime], Awaitable[int]]
NextAt = Callable[[datetime], Awaitable[datetime | None]]


class Ticker:
    """Runs each registered piece of due work with the current time."""

    SLOW_SAID_EVERY = 600.0  # seconds between two "a tick took too long" lines
    STEP_SECONDS = 2.0  # between ticks, work that goes on in steps (the sweep after midnight)

    def __init__(self, monotonic: Callable[[], float] = time.monotonic,
                 budget: TickBudget | None = None) -> None:
        self.work: list[tuple[str, DueWork]] = []
        self.budget = budget or TickBudget()  # shared by the work that can wait a tick
        self.last_by_work: dict[str, float] = {}  # seconds each work took in the last tick
        self.steps: list[tuple[str, DueWork]] = []
        self._busy = asyncio.Lock()  # a tick and a step never run at once
        self.upcoming: list[NextAt] = []
        self.monotonic = monotonic
        self.last_tick_seconds = 0.0  # how long the last heartbeat's work took
        self.last_tick_at: float | None = None  # when it finished (monotonic)
        self.overruns = 0  # heartbeats that took longer than the interval
        self._slow_said_at: float | None = None

    def register(self, name: str, work: DueWork, next_at: NextAt | None = None) -> None:
        """Add due work; ``next_at`` says when it will next have something to do, which lets
        the sandbox and the tests jump the clock straight there."""
        self.work.append((name, work))
        if next_at is not None:
            self.upcoming.append(next_at)

    def register_step(self, name: str, work: DueWork) -> None:
        """Add work that goes on between ticks, a short step every ``STEP_SECONDS`` while it
        has something to do, so that a backlog does not wait for a tick (nor make one long)."""
        self.steps.append((name, work))

    async def next_at(self, now: datetime) -> datetime | None:
        """The earliest instant after ``now`` at which some work falls due."""
        times = [t for t in [await f(now) for f in self.upcoming] if t is not None]
        return min(times) if times else None

    async def run_due(self, application: Application) -> int:
        """Run all due work once; returns how many things were done. One failing piece is
        logged and does not stop the others."""
        async with self._busy:
            self.budget.start()
            try:
                return await self._run_each(application, self.work, "work",
                                            times=self.last_by_work)
            finally:
                self.budget.stop()

    async def step(self, application: Application) -> None:
        """One step of each work that goes on between ticks; none while a tick runs (the
        tick does its own share)."""
        if self._busy.locked():
            return
        async with self._busy:
            await self._run_each(application, self.steps, "step", times={})

    @staticmethod
    async def _run_each(application: Application, works: list[tuple[str, DueWork]], what: str,
                        *, times: dict[str, float]) -> int:
        """Each work with the clock's time, each timed into ``times``; one failing is logged
        and does not stop the others."""
        clock = application.bot_data["services"].clock
        done = 0
        for name, work in works:
            began = time.perf_counter()
            try:
                done += await work(application, clock.now())
            except Exception:
                log.exception("scheduled %s %r failed", what, name)
            times[name] = time.perf_counter() - began
        return done

    def took(self, seconds: float, interval: float) -> None:
        """Note one heartbeat's time. Longer than the interval, the next heartbeat waits for
        this one (APScheduler would say "skipped: maximum number of running instances
        reached" each time; that line is filtered in ``bot.logs``): say it once in a while,
        with what an operator can do about it."""
        now = self.monotonic()
        self.last_tick_seconds, self.last_tick_at = seconds, now
        if seconds <= interval:
            return
        self.overruns += 1
        if self._slow_said_at is None or now - self._slow_said_at >= self.SLOW_SAID_EVERY:
            self._slow_said_at = now
            log.warning("scheduled work took %.1f s, longer than TICK_SECONDS (%.0f s): the "
                        "next round waited for it (%d time(s) so far). Nothing is lost; if "
                        "it keeps happening, check the database's speed, or raise "
                        "TICK_SECONDS.", seconds, interval, self.overruns)

    def install(self, application: Application, interval: float) -> None:
        """Start the heartbeat on the application's JobQueue."""
        if application.job_queue is None:  # pragma: no cover - the extra is a dependency
            raise RuntimeError("python-telegram-bot[job-queue] is required")

        async def heartbeat(context: object) -> None:
            started = self.monotonic()
            await self.run_due(application)
            self.took(self.monotonic() - started, interval)

        application.job_queue.run_repeating(
            heartbeat, interval=interval, first=min(1.0, interval), name="tick",
            job_kwargs={"max_instances": 1, "coalesce": True})
        if self.steps:
            async def step(context: object) -> None:
                await self.step(application)

            every = min(self.STEP_SECONDS, interval)
            application.job_queue.run_repeating(
                step, interval=every, first=min(1.0, interval) + every / 2, name="step",
                job_kwargs={"max_instances": 1, "coalesce": True})


def hold_still(application: Application) -> None:
    """Start no new heartbeat, before the application stops. ``JobQueue.stop`` waits for the
    heartbeats running when it is called, then shuts APScheduler down, which cancels any
    started in between (and logs a CancelledError traceback): pausing first leaves none."""
    job_queue = application.job_queue
    if job_queue is not None and job_queue.scheduler.running:
        job_queue.scheduler.pause()
