"""A small HTTP server for whoever runs the bot: ``/healthz`` (the process is alive),
``/readyz`` (the database answers and the scheduler is going round; 503 when not) and
``/metrics`` (Prometheus text, ``bot.metrics``). Off unless ``HEALTH_PORT`` is set; it never
shows anyone's data."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web
from sqlalchemy import text

from bot.context import Services
from bot.metrics import Metrics

log = logging.getLogger(__name__)
DB_TIMEOUT = 3.0  # seconds a readiness check waits for the database


class Health:
    """The checks behind ``/readyz``, and the figures read for ``/metrics``."""

    def __init__(self, services: Services, metrics: Metrics, *, tick_seconds: float,
                 started: float | None = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.services = services
        self.metrics = metrics
        self.tick_seconds = tick_seconds
        self.monotonic = monotonic
        self.started = monotonic() if started is None else started
        metrics.read_on_scrape(self.refresh)

    async def _database_ok(self) -> bool:
        try:
            async with asyncio.timeout(DB_TIMEOUT):
                async with self.services.db.engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
            return True
        except Exception as exc:
            log.warning("readiness: the database did not answer (%s)", type(exc).__name__)
            return False

    def _scheduler_lag(self) -> float:
        ticker = self.services.extras["ticker"]
        last = ticker.last_tick_at if ticker.last_tick_at is not None else self.started
        return max(0.0, self.monotonic() - last)

    async def ready(self) -> tuple[bool, dict[str, Any]]:
        """Ready when the database answers and the scheduler finished a round within three
        of its intervals (or, just started, is given that long)."""
        database = await self._database_ok()
        lag = self._scheduler_lag()
        scheduler = lag <= 3 * self.tick_seconds + 5
        extras = self.services.extras
        presence = extras.get("presence")
        role = ("webhook" if extras.get("transport") == "webhook" else
                "polling" if presence is not None and presence.polling else "standby")
        return database and scheduler, {
            "role": role,
            "database": "ok" if database else "no answer",
            "scheduler": "ok" if scheduler else f"no round for {lag:.0f} s",
            "scheduler_lag_seconds": round(lag, 1)}

    async def refresh(self) -> None:
        """Read the figures that are not counted as they happen."""
        from db import patients, reminders

        services, m = self.services, self.metrics
        ticker = services.extras["ticker"]
        pacer = services.extras.get("pacer")
        if pacer is not None:
            m.retry_after.set(pacer.retries_after)
            m.server_retries.set(pacer.server_retries)
        processor = services.extras.get("processor")
        if processor is not None:
            m.dropped.set(getattr(processor, "dropped", 0))
        m.tick_seconds.set(ticker.last_tick_seconds)
        m.tick_lag.set(self._scheduler_lag())
        m.overruns.set(ticker.overruns)
        try:
            async with asyncio.timeout(DB_TIMEOUT):
                async with services.db.session() as session:
                    m.due_backlog.set(await reminders.due_backlog(
                        session=session, now=services.clock.now()))
                    m.checkins.set(await patients.checkins_stored(session=session))
        except Exception as exc:
            log.warning("metrics: the database did not answer (%s)", type(exc).__name__)


def health_app(health: Health) -> web.Application:
    async def healthz(_request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def readyz(_request: web.Request) -> web.Response:
        ok, checks = await health.ready()
        return web.Response(text=json.dumps(checks) + "\n", status=200 if ok else 503,
                            content_type="application/json")

    async def metrics(_request: web.Request) -> web.Response:
        return web.Response(body=await health.metrics.render(),
                            headers={"Content-Type": "text/plain; version=0.0.4"})

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    return app
