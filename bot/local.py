"""The real bot wired to the embedded emulator: used by the sandbox and by the tests."""

from __future__ import annotations

import os
from datetime import timedelta

from aiohttp import web
from telegram import Update

from bot.application import build_application
from bot.clock import FakeClock
from bot.context import RehabApp, Services
from bot.emulator import Emulator
from bot.jobs.pacing import PriorityPacer
from bot.jobs.scheduling import Ticker
from bot.materials.texts import Texts
from bot.poller import Poller
from bot.settings import Settings
from bot.updates import ChatOrderedProcessor
from bot.webhook import WebhookReceiver, add_webhook_route, start_web_server
from db.engine import Database


class LocalBot:
    """Start the bot polling the emulator; stop it cleanly. Time moves only via :meth:`advance`."""

    def __init__(
        self,
        *,
        settings: Settings,
        database: Database,
        clock: FakeClock,
        emulator: Emulator,
        heartbeat: bool = False,
        pacer: PriorityPacer | None = None,
        webhook: bool | None = None,
        texts: Texts | None = None,
    ) -> None:
        self.emulator = emulator
        self.clock = clock
        # the transport: long polling, or webhook (REHAB_TEST_TRANSPORT=webhook runs the tests
        # that way; the emulator then posts every update to the bot's own web server)
        self.webhook = (os.environ.get("REHAB_TEST_TRANSPORT", "").strip().lower() == "webhook"
                        if webhook is None else webhook)
        self.receiver: WebhookReceiver | None = None
        self.poller: Poller | None = None
        self._runner: web.AppRunner | None = None
        self._secret = settings.webhook_secret_token(emulator.token)
        self.processor = ChatOrderedProcessor()
        settings = settings.model_copy(update={"telegram_api_base_url": emulator.base_url})
        # journeys send hundreds of replies to one chat within a pretend minute, in real
        # seconds: spacing per private chat (real time) would make them wait for nothing. It
        # has its own tests (tests/test_pacing.py); production keeps it on.
        self.app: RehabApp = build_application(
            settings, token=emulator.token, clock=clock, database=database, text=texts,
            update_processor=self.processor, heartbeat=heartbeat,
            pacer=pacer or PriorityPacer(private_rate=0.0,
                                         paid_per_second=settings.paid_broadcast_per_second),
        )

    @property
    def services(self) -> Services:
        return self.app.bot_data["services"]

    @property
    def ticker(self) -> Ticker:
        return self.services.extras["ticker"]

    async def __aenter__(self) -> LocalBot:
        await self.app.initialize()
        if self.app.post_init:
            await self.app.post_init(self.app)
        await self.app.start()
        assert self.app.updater is not None
        if self.webhook:
            await self._start_webhook()
        else:
            self.poller = Poller(self.app, self.processor, timeout=5)
            await self.poller.start()
        self.emulator.settle = self.processor.wait_processed
        return self

    async def _start_webhook(self) -> None:
        self.receiver = WebhookReceiver(self.app, secret=self._secret, processor=self.processor,
                                        metrics=self.services.extras["metrics"])
        web_app = web.Application()
        add_webhook_route(web_app, self.receiver, "/telegram")
        self._runner = await start_web_server(web_app, "127.0.0.1", 0)
        port = self._runner.addresses[0][1]
        await self.app.bot.set_webhook(f"http://127.0.0.1:{port}/telegram",
                                       secret_token=self._secret,
                                       allowed_updates=Update.ALL_TYPES)

    async def __aexit__(self, *_exc: object) -> None:
        self.emulator.settle = None
        if self.receiver is not None and self._runner is not None:
            await self.receiver.drain(5.0)
            await self._runner.cleanup()
            self._runner = None
        if self.poller is not None:
            await self.poller.stop()
            self.poller = None
        assert self.app.updater is not None
        if self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()
        if self.app.post_shutdown:
            await self.app.post_shutdown(self.app)

    async def run_due(self) -> int:
        """Run every piece of scheduled work that is due now."""
        return await self.ticker.run_due(self.app)

    async def advance(self, delta: timedelta, *, step: timedelta = timedelta(hours=1)) -> int:
        """Move the clock forward, stopping at every instant something falls due (and at least
        every ``step``), running due work there as the heartbeat would; returns how many
        messages went out."""
        done = 0
        target = self.clock.now() + delta
        while self.clock.now() < target:
            now = self.clock.now()
            upcoming = await self.ticker.next_at(now)
            stop = min(target, now + step)
            if upcoming is not None and now < upcoming < stop:
                stop = upcoming
            self.clock.set(stop)
            done += await self.run_due()
        return done
