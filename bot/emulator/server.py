"""The emulator's HTTP side: ``/bot<token>/<method>`` over aiohttp, as Telegram serves it."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import web

from bot.emulator.persona import Persona
from bot.emulator.world import ApiError, World

log = logging.getLogger(__name__)

_JSON_FIELDS = {
    "chat_id", "message_id", "offset", "limit", "timeout", "show_alert", "cache_time",
    "disable_notification", "protect_content", "reply_markup", "commands", "allowed_updates",
    "link_preview_options", "reply_parameters", "scope", "entities", "caption_entities",
    "drop_pending_updates", "disable_web_page_preview", "reply_to_message_id",
    "max_connections", "allow_paid_broadcast", "media",
}
SENDING = {"sendMessage", "sendPhoto", "sendDocument"}


def _coerce(key: str, value: str) -> Any:
    if key in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class Emulator:
    """A Bot API server on 127.0.0.1 with its world, and the people who use it."""

    def __init__(
        self,
        token: str = "123456789:EMULATOR-token-for-local-use-only_000",
        *,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        host: str = "127.0.0.1",
        port: int = 0,
        control: bool = False,
    ) -> None:
        self.world = World(token=token, monotonic=monotonic, wall=wall)
        self.host = host
        self.port = port
        self.control = control  # a JSON API for driving people from another process (bench/)
        self._runner: web.AppRunner | None = None
        self._webhook_loop: asyncio.Task[None] | None = None
        self._posts: set[asyncio.Task[None]] = set()
        self.webhook_posts = 0  # updates posted to a webhook (each attempt)
        # Called with an update id; returns once the bot has handled that update. The test
        # harness and the sandbox set it; without it personas wait for the bot's next message.
        self.settle: Callable[[int], Awaitable[None]] | None = None
        self.pressed: dict[str, float] = {}
        self.answered_at: dict[str, float] = {}
        self.sent_times: list[float] = []
        self.world.listeners.append(self._timing)
        self.handlers: dict[str, Callable[[dict[str, Any]], Any]] = {
            "getMe": self.world.get_me,
            "logOut": lambda _p: True,
            "close": lambda _p: True,
            "setWebhook": self.world.set_webhook,
            "deleteWebhook": self.world.delete_webhook,
            "getWebhookInfo": self.world.get_webhook_info,
            "sendMessage": self.world.send_message,
            "sendPhoto": self.world.send_photo,
            "sendDocument": self.world.send_document,
            "editMessageText": self.world.edit_message_text,
            "editMessageReplyMarkup": self.world.edit_message_reply_markup,
            "editMessageCaption": self.world.edit_message_caption,
            "editMessageMedia": self.world.edit_message_media,
            "deleteMessage": self.world.delete_message,
            "answerCallbackQuery": self.world.answer_callback_query,
            "setMyCommands": self.world.set_my_commands,
            "getMyCommands": self.world.get_my_commands,
            "getChat": self.world.get_chat,
            "sendChatAction": lambda _p: True,
        }

    def _timing(self, kind: str, message: object) -> None:
        if self.control and kind == "new" and getattr(message, "from_bot", False):
            self.sent_times.append(time.time())

    @property
    def token(self) -> str:
        return self.world.token

    @property
    def base_url(self) -> str:
        """The value for ``TELEGRAM_API_BASE_URL``."""
        return f"http://{self.host}:{self.port}/bot"

    async def start(self) -> Emulator:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        if self.control:
            app.router.add_post("/_control/{action}", self._control)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False,
                                     shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        if self.port == 0:
            self.port = self._runner.addresses[0][1]
        self._webhook_loop = asyncio.create_task(self._deliver_by_webhook(), name="webhook")
        return self

    async def stop(self) -> None:
        if self._webhook_loop is not None:
            tasks = [self._webhook_loop, *self._posts]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._webhook_loop = None
        if self._runner is not None:
            self.world.close()
            await self._runner.cleanup()
            self._runner = None

    # ---- webhook delivery -------------------------------------------------------------------
    async def _deliver_by_webhook(self) -> None:
        """While a webhook is set, post each update to it as Telegram does: one chat's updates
        one at a time and in order, up to ``max_connections`` at once, each tried again until
        the webhook answers 2xx."""
        world = self.world
        async with aiohttp.ClientSession() as http:
            while True:
                world.clear_signal()
                try:
                    for update in world.deliverable():
                        task = asyncio.create_task(self._post(http, update))
                        self._posts.add(task)
                        task.add_done_callback(self._posts.discard)
                except Exception:  # a bug here must not silently stop every delivery
                    log.exception("webhook delivery failed")
                await world.wait_for_updates(0.05 if world.webhook else 5.0)

    async def _post(self, http: aiohttp.ClientSession, update: dict[str, Any]) -> None:
        hook = self.world.webhook
        if hook is None:
            self.world.delivered(update["update_id"], "webhook removed")
            return
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
        self.webhook_posts += 1
        error: str | None
        try:
            async with http.post(hook.url, data=json.dumps(update), headers=headers,
                                 timeout=aiohttp.ClientTimeout(total=60)) as response:
                error = (None if 200 <= response.status < 300 else
                         f"Wrong response from the webhook: {response.status} {response.reason}")
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            error = f"Connection failed: {type(exc).__name__}"
        self.world.delivered(update["update_id"], error)

    async def __aenter__(self) -> Emulator:
        return await self.start()

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    def person(
        self,
        first_name: str,
        *,
        language_code: str | None = "en",
        user_id: int | None = None,
        username: str | None = None,
    ) -> Persona:
        """Someone who will talk to the bot in a private chat."""
        user = self.world.add_user(first_name, user_id=user_id, language_code=language_code,
                                   username=username)
        return Persona(self, user, self.world.chats[user.id])

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = {k: _coerce(k, v) for k, v in request.query.items()}
        if request.method != "POST" or not request.can_read_body:
            return params
        ctype = request.content_type
        if ctype == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                params.update(body)
        elif ctype == "multipart/form-data":
            reader = await request.multipart()
            async for part in reader:
                if part.filename is not None:
                    content = await part.read(decode=False)
                    params[part.name] = (part.filename, bytes(content),
                                         part.headers.get("Content-Type"))
                else:
                    params[part.name] = _coerce(part.name, await part.text())
        else:
            form = await request.post()
            params.update({k: _coerce(k, str(v)) for k, v in form.items()})
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.world.calls[method] = self.world.calls.get(method, 0) + 1
        if request.match_info["token"] != self.world.token:
            return web.json_response({"ok": False, "error_code": 401,
                                      "description": "Unauthorized"}, status=401)
        try:
            params = await self._params(request)
            if method == "getUpdates":
                result: Any = await self.world.get_updates(
                    params.get("offset"), int(params.get("limit") or 100),
                    float(params.get("timeout") or 0),
                )
            elif method in self.handlers:
                if method in SENDING and self.world.fail_next:
                    raise self.world.fail_next.pop(0)
                result = self.handlers[method](params)
                if method == "answerCallbackQuery" and self.control:
                    self.answered_at[str(params.get("callback_query_id"))] = time.time()
            else:
                return web.json_response({"ok": False, "error_code": 404,
                                          "description": "Not Found"}, status=404)
        except ApiError as exc:
            return web.json_response(exc.payload(), status=exc.code)
        except (ValueError, TypeError, KeyError) as exc:
            log.debug("bad request to %s: %s", method, exc)
            return web.json_response({"ok": False, "error_code": 400,
                                      "description": f"Bad Request: {exc}"}, status=400)
        return web.json_response({"ok": True, "result": result})

    async def _control(self, request: web.Request) -> web.Response:
        """Benchmarks drive the emulator from another process: make people, write, tap, and
        read timings (``time.time`` of this process, so both ends of a latency use one clock)."""
        world = self.world
        body = await request.json() if request.can_read_body else {}
        action = request.match_info["action"]
        if action == "users":
            first = int(body.get("first_id", 100001))
            for offset in range(int(body["count"])):
                user = world.add_user(f"P{first + offset}", user_id=first + offset)
                user.started = True
            return web.json_response({"ok": True})
        if action == "write":  # each of ``count`` people from ``first_id`` writes ``text``
            first = int(body.get("first_id", 100001))
            for user_id in range(first, first + int(body["count"])):
                user = world.users[user_id]
                world.user_message(user, world.chats[user.id], text=str(body["text"]))
            return web.json_response({"ok": True, "at": time.time()})
        if action == "limits":
            world.flood_limits = bool(body["on"])
            return web.json_response({"ok": True})
        if action == "press":
            user = world.users[int(body["user_id"])]
            chat = world.chats[user.id]
            candidates = [m for (cid, _), m in world.messages.items()
                          if cid == chat.id and m.from_bot and not m.deleted]
            for message in reversed(candidates):
                for button in message.inline_buttons:
                    if button.get("text") == body["label"] and "callback_data" in button:
                        _, query = world.press_button(user, message, button["callback_data"])
                        self.pressed[query.id] = time.time()
                        return web.json_response({"ok": True, "query_id": query.id})
            return web.json_response({"ok": False})
        if action == "stats":
            answered = {qid: self.answered_at[qid] - at for qid, at in self.pressed.items()
                        if qid in self.answered_at}
            return web.json_response({
                "calls": world.calls, "rate_limited": world.rate_limited,
                "sent_times": self.sent_times, "latencies": answered,
                "pressed": len(self.pressed)})
        return web.json_response({"ok": False}, status=404)
