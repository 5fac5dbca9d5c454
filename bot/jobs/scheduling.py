"""Scheduling wiring: one periodic tick on the JobQueue that runs every piece of due work.

The JobQueue (APScheduler) only provides the heartbeat; what is due, and when, is computed from
the injected clock and kept in the database, so jobs survive restarts and the sandbox and tests
can move time forward and call :meth:`Ticker.run_due` directly.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from telegram.ext import Application

log = logging.getLogger(__name__)

DueWork = Callable[[Application, datetime], Awaitable[int]]
NextAt = Callable[[datetime], Awaitable[datetime | None]]


class Ticker:
    """Runs each registered piece of due work with the current time."""

    def __init__(self) -> None:
        self.work: list[tuple[str, DueWork]] = []
        self.upcoming: list[NextAt] = []

    def register(self, name: str, work: DueWork, next_at: NextAt | None = None) -> None:
        """Add due work; ``next_at`` says when it will next have something to do, which lets
        the sandbox and the tests jump the clock straight there."""
        self.work.append((name, work))
        if next_at is not None:
            self.upcoming.append(next_at)

    async def next_at(self, now: datetime) -> datetime | None:
        """The earliest instant after ``now`` at which some work falls due."""
        times = [t for t in [await f(now) for f in self.upcoming] if t is not None]
        return min(times) if times else None

    async def run_due(self, application: Application) -> int:
        """Run all due work once; returns how many things were done. One failing piece is
        logged and does not stop the others."""
        clock = application.bot_data["services"].clock
        done = 0
        for name, work in self.work:
            try:
                done += await work(application, clock.now())
            except Exception:
                log.exception("scheduled work %r failed", name)
        return done

    def install(self, application: Application, interval: float) -> None:
        """Start the heartbeat on the application's JobQueue."""
        if application.job_queue is None:  # pragma: no cover - the extra is a dependency
            raise RuntimeError("python-telegram-bot[job-queue] is required")

        async def heartbeat(context: object) -> None:
            await self.run_due(application)

        application.job_queue.run_repeating(
            heartbeat, interval=interval, first=min(1.0, interval), name="tick",
            job_kwargs={"max_instances": 1, "coalesce": True})
