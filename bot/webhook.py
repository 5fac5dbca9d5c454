"""Webhook mode: Telegram posts each update to us instead of being asked for them.

The route refuses any request without the right ``X-Telegram-Bot-Api-Secret-Token`` with 403
before it reads a byte of the body. An accepted update is handled before the answer goes back:
a 200 means "done", so an instance that dies mid-update leaves Telegram to post it again
(to this or another instance), and repeated updates are already harmless. Telegram posts one
chat's updates one at a time, so a person's taps stay in order across instances too.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging

from aiohttp import web

from bot.context import RehabApp
from bot.metrics import Metrics
from bot.telegram_client import readable
from bot.updates import ChatOrderedProcessor

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HANDLE_SECONDS = 50.0  # Telegram gives up on a webhook answer after about a minute


class WebhookReceiver:
    """The handler for Telegram's posts; ``stopping`` turns new posts away (503: try later)."""

    def __init__(self, app: RehabApp, *, secret: str, processor: ChatOrderedProcessor,
                 metrics: Metrics | None = None) -> None:
        self.app = app
        self._secret = secret.encode()
        self.processor = processor
        self.metrics = metrics
        self.stopping = False
        self.in_flight = 0
        self.refused = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            self.refused += 1
            if self.metrics is not None:
                self.metrics.webhook_refused.inc()
            return web.Response(status=403, text="forbidden\n")
        if self.stopping:
            return web.Response(status=503, text="stopping\n")
        try:
            update = readable(json.loads(await request.read()), self.app.bot)
        except ValueError:
            update = None
        if update is None:  # not even an update id: nothing to do, and nothing to post again
            log.warning("a webhook post was not an update; skipped")
            return web.Response(text="ok\n")
        # an update the library cannot read arrives as its bare id: it is passed over (and
        # answered 200, or Telegram would post it forever and hold that chat's next updates)
        self.in_flight += 1
        self._idle.clear()
        try:
            await self.app.update_queue.put(update)
            try:
                async with asyncio.timeout(HANDLE_SECONDS):
                    await self.processor.wait_processed(update.update_id)
            except TimeoutError:  # still queued: it will be handled; Telegram may post it again
                log.warning("an update took over %.0f s; answered before it finished",
                            HANDLE_SECONDS)
        finally:
            self.in_flight -= 1
            if not self.in_flight:
                self._idle.set()
        return web.Response(text="ok\n")

    async def drain(self, seconds: float) -> None:
        """Turn new posts away and wait (up to ``seconds``) for those being handled."""
        self.stopping = True
        try:
            async with asyncio.timeout(seconds):
                await self._idle.wait()
        except TimeoutError:
            log.warning("%d update(s) still being handled at stop", self.in_flight)


def add_webhook_route(web_app: web.Application, receiver: WebhookReceiver, path: str) -> None:
    web_app.router.add_post(path, receiver.handle)


async def start_web_server(web_app: web.Application, host: str, port: int) -> web.AppRunner:
    """Serve ``web_app`` on ``host:port`` (port 0: any free port, see ``runner.addresses``)."""
    runner = web.AppRunner(web_app, access_log=None, handle_signals=False, shutdown_timeout=5)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
