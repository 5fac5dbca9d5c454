"""The emulator's state: users, chats, messages, updates, callback queries and flood limits.

Plain Python, no HTTP: the server turns requests into calls here, and people (personas) act on
it directly. Errors are raised as :class:`ApiError` carrying Telegram's code and description.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import math
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.emulator import html

BOT_WINDOW_SECONDS = 1.0
BOT_MESSAGES_PER_WINDOW = 30
PAID_MESSAGES_PER_WINDOW = 1000
GROUP_WINDOW_SECONDS = 60.0
GROUP_MESSAGES_PER_WINDOW = 20
MAX_TEXT = 4096
MAX_CAPTION = 1024
CALLBACK_ANSWER_SECONDS = 15 * 60


@dataclass
class Webhook:
    """Where Telegram delivers updates instead of answering getUpdates (``setWebhook``)."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None


def update_chat(update: dict[str, Any]) -> object:
    """Which conversation an update belongs to: Telegram delivers one chat's updates one at a
    time, in order, and different chats side by side."""
    try:
        for key in ("message", "edited_message", "my_chat_member", "chat_member"):
            if isinstance(update.get(key), dict):
                return update[key]["chat"]["id"]
        query = update.get("callback_query")
        if isinstance(query, dict):
            message = query.get("message")
            return message["chat"]["id"] if message else query["from"]["id"]
    except (KeyError, TypeError):
        pass  # an update of the wrong shape goes on its own
    return ("update", update.get("update_id"))


class ApiError(Exception):
    """An error answer from the Bot API."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.code,
                                "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass
class User:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "en"
    blocked_bot: bool = False
    started: bool = False  # a user must write first before the bot may message them

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        return data


@dataclass
class Chat:
    id: int
    type: str  # "private" or "group"
    title: str | None = None
    user: User | None = None  # the other side of a private chat
    members: set[int] = field(default_factory=set)
    bot_member: bool = True
    reply_keyboard: list[list[dict[str, Any]]] | None = None
    sent_times: deque[float] = field(default_factory=deque)

    def to_dict(self) -> dict[str, Any]:
        if self.type == "private" and self.user:
            data: dict[str, Any] = {"id": self.id, "type": "private",
                                    "first_name": self.user.first_name}
            if self.user.username:
                data["username"] = self.user.username
            return data
        return {"id": self.id, "type": self.type, "title": self.title or "Group"}


@dataclass
class Message:
    """A message in a chat, as the emulator keeps it."""

    message_id: int
    chat: Chat
    sender: dict[str, Any]
    date: int
    from_bot: bool
    text: str | None = None  # what a person reads (entities already applied)
    html: str | None = None  # what the bot sent
    entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    photo: dict[str, Any] | None = None
    document: dict[str, Any] | None = None
    caption: str | None = None
    location: dict[str, float] | None = None
    edit_date: int | None = None
    edits: int = 0
    deleted: bool = False

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": self.message_id,
            "from": self.sender,
            "chat": self.chat.to_dict(),
            "date": self.date,
        }
        if self.text is not None:
            data["text"] = self.text
            if self.entities:
                data["entities"] = self.entities
        if self.caption is not None:
            data["caption"] = self.caption
        if self.photo is not None:
            data["photo"] = [self.photo]
        if self.document is not None:
            data["document"] = self.document
        if self.location is not None:
            data["location"] = self.location
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            data["reply_markup"] = self.reply_markup
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        return data

    @property
    def inline_buttons(self) -> list[dict[str, Any]]:
        if not self.reply_markup or "inline_keyboard" not in self.reply_markup:
            return []
        return [button for row in self.reply_markup["inline_keyboard"] for button in row]


@dataclass
class CallbackQuery:
    id: str
    user: User
    message: Message
    data: str
    created: float
    answered: bool = False
    answer_text: str | None = None
    show_alert: bool = False


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    content: bytes
    filename: str | None
    mime_type: str | None


Listener = Callable[[str, Message], None]


class World:
    """Everything the Bot API server knows. One bot; any number of users and groups."""

    def __init__(
        self,
        *,
        token: str,
        bot_id: int | None = None,
        bot_username: str = "RehabBuddyBot",
        bot_name: str = "Rehab Buddy",
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.token = token
        self.bot_id = bot_id or int(token.split(":", 1)[0])
        self.bot_username = bot_username
        self.bot_name = bot_name
        self.monotonic = monotonic
        self.wall = wall
        # seconds by which a button press reaches the bot late (it was down or busy): past 15
        # minutes Telegram no longer takes an answer to it ("query is too old")
        self.presses_late_by = 0.0
        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}
        self.messages: dict[tuple[int, int], Message] = {}
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._update_ids = itertools.count(1)
        self._updates: deque[dict[str, Any]] = deque()
        self._new_update = asyncio.Event()
        self.callback_queries: dict[str, CallbackQuery] = {}
        self._callback_ids = itertools.count(1)
        self.files: dict[str, StoredFile] = {}
        self.uploads: dict[str, int] = {}  # files uploaded (not sent again by file_id), by kind
        self._file_ids = itertools.count(1)
        self.commands: dict[str, list[dict[str, str]]] = {}
        self.bot_sent_times: deque[float] = deque()
        self.paid_sent_times: deque[float] = deque()
        self.paid_messages = 0  # sent with allow_paid_broadcast (each costs 0.1 Stars)
        self.calls: dict[str, int] = {}
        self.rate_limited: int = 0
        self.flood_limits = True  # False: no 429s at all (a benchmark of the bot's own speed)
        self.listeners: list[Listener] = []
        self.fail_next: list[ApiError] = []  # injected faults, served in order
        self._poll_generation = 0  # which getUpdates is the live one (others get 409)
        self.conflicts = 0
        self.closed = False
        self.poll_waiting = asyncio.Event()  # set while a long poll waits for updates
        self.webhook: Webhook | None = None
        self._delivering: set[int] = set()  # update ids being posted to the webhook now
        self._failures: dict[int, tuple[int, float]] = {}  # update id → (failures, retry at)

    def close(self) -> None:
        """Wake every waiting long poll: the server is going away."""
        self.closed = True
        self._new_update.set()

    # ---- people and chats -------------------------------------------------------------------
    def add_user(
        self,
        first_name: str,
        *,
        user_id: int | None = None,
        language_code: str | None = "en",
        username: str | None = None,
        last_name: str | None = None,
    ) -> User:
        user_id = user_id or 100000 + len(self.users) + 1
        user = User(user_id, first_name, last_name, username, language_code)
        self.users[user_id] = user
        self.chats[user_id] = Chat(id=user_id, type="private", user=user)
        return user

    def add_group(self, title: str, *, chat_id: int | None = None) -> Chat:
        chat_id = chat_id or -(1000000 + len(self.chats) + 1)
        chat = Chat(id=chat_id, type="group", title=title)
        self.chats[chat_id] = chat
        return chat

    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_name,
            "username": self.bot_username,
        }

    def _next_message_id(self, chat_id: int) -> int:
        counter = self._message_ids.setdefault(chat_id, itertools.count(1))
        return next(counter)

    def _notify(self, kind: str, message: Message) -> None:
        for listener in list(self.listeners):
            listener(kind, message)

    # ---- updates ----------------------------------------------------------------------------
    def push_update(self, payload: dict[str, Any]) -> int:
        update_id = next(self._update_ids)
        self._updates.append({"update_id": update_id, **payload})
        self._new_update.set()
        return update_id

    async def get_updates(self, offset: int | None, limit: int, timeout: float) -> list[dict]:
        """Long polling as Telegram does it, including its answer to a second poller with the
        same token: a new getUpdates ends the one still waiting with 409 Conflict."""
        if not 1 <= limit <= 100:
            limit = 100
        if self.webhook is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is "
                                "active; use deleteWebhook to delete the webhook first")
        self._poll_generation += 1
        mine = self._poll_generation
        self._new_update.set()  # wake the poller already waiting, so it learns it was ended
        await asyncio.sleep(0)
        while True:
            if mine != self._poll_generation:
                self.conflicts += 1
                raise ApiError(409, "Conflict: terminated by other getUpdates request; make "
                                    "sure that only one bot instance is running")
            if offset is not None:
                if offset < 0:
                    keep = list(self._updates)[offset:]
                    self._updates = deque(keep)
                else:
                    while self._updates and self._updates[0]["update_id"] < offset:
                        self._updates.popleft()
            if self._updates or timeout <= 0 or self.closed:
                return list(self._updates)[:limit]
            self._new_update.clear()
            self.poll_waiting.set()
            try:
                await asyncio.wait_for(self._new_update.wait(), timeout)
            except TimeoutError:
                return []
            finally:
                self.poll_waiting.clear()
            timeout = 0.05  # updates arrived; loop once to collect them

    # ---- webhooks ---------------------------------------------------------------------------
    def set_webhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url") or "")
        if params.get("drop_pending_updates") in (True, "true", "True"):
            self._updates.clear()
        if not url:
            return self.delete_webhook(params)
        if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise bad_request("bad webhook: secret token contains unallowed characters")
        connections = int(params.get("max_connections") or 40)
        self.webhook = Webhook(url=url, secret_token=secret,
                               max_connections=max(1, min(100, connections)))
        self._poll_generation += 1  # a long poll still waiting ends with 409
        self._new_update.set()
        return True

    def delete_webhook(self, params: dict[str, Any]) -> bool:
        if params.get("drop_pending_updates") in (True, "true", "True"):
            self._updates.clear()
        self.webhook = None
        self._new_update.set()
        return True

    def get_webhook_info(self, _params: dict[str, Any]) -> dict[str, Any]:
        hook = self.webhook
        info: dict[str, Any] = {"url": hook.url if hook else "",
                                "has_custom_certificate": False,
                                "pending_update_count": len(self._updates)}
        if hook is not None:
            info["max_connections"] = hook.max_connections
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
        return info

    def deliverable(self) -> list[dict[str, Any]]:
        """Updates to post now: each chat's oldest waiting one, if none of that chat's is on
        its way already, up to the webhook's connection limit."""
        hook = self.webhook
        if hook is None:
            return []
        busy = {update_chat(u) for u in self._updates if u["update_id"] in self._delivering}
        chosen: list[dict[str, Any]] = []
        now = self.monotonic()
        for update in self._updates:
            if len(self._delivering) + len(chosen) >= hook.max_connections:
                break
            chat = update_chat(update)
            if chat in busy:
                continue
            busy.add(chat)  # later updates of this chat wait for this one, even if it waits
            if self._failures.get(update["update_id"], (0, 0.0))[1] > now:
                continue
            chosen.append(update)
        self._delivering.update(u["update_id"] for u in chosen)
        return chosen

    def delivered(self, update_id: int, error: str | None) -> None:
        """The webhook answered (``error`` None: with 2xx, so the update is done)."""
        self._delivering.discard(update_id)
        if error is None:
            self._updates = deque(u for u in self._updates if u["update_id"] != update_id)
            self._failures.pop(update_id, None)
        else:  # tried again later, sooner at first (Telegram backs off the same way)
            failures = self._failures.get(update_id, (0, 0.0))[0] + 1
            self._failures[update_id] = (failures,
                                         self.monotonic() + min(0.2 * 2 ** failures, 5.0))
            if self.webhook is not None:
                self.webhook.last_error_date = int(self.wall())
                self.webhook.last_error_message = error
        self._new_update.set()

    def clear_signal(self) -> None:
        """Forget past wake-ups: call before looking at the queue, then wait."""
        self._new_update.clear()

    async def wait_for_updates(self, timeout: float) -> None:
        """Until the queue changes (or ``timeout``)."""
        try:
            await asyncio.wait_for(self._new_update.wait(), timeout)
        except TimeoutError:
            pass

    def user_message(
        self,
        user: User,
        chat: Chat,
        *,
        text: str | None = None,
        location: tuple[float, float] | None = None,
    ) -> int:
        """A person writes in a chat: store the message and queue its update."""
        if chat.type == "private":
            user.started = True
            user.blocked_bot = False
        else:
            chat.members.add(user.id)
        message = Message(
            message_id=self._next_message_id(chat.id),
            chat=chat,
            sender=user.to_dict(),
            date=int(self.wall()),
            from_bot=False,
            text=text,
        )
        if text and text.startswith("/"):
            command = text.split()[0]
            message.entities = [{"type": "bot_command", "offset": 0,
                                 "length": html.utf16_len(command)}]
        if location:
            message.location = {"latitude": location[0], "longitude": location[1]}
        self.messages[(chat.id, message.message_id)] = message
        self._notify("user", message)
        return self.push_update({"message": message.to_dict()})

    def bot_membership(self, user: User, chat: Chat, *, old: str, new: str) -> int:
        """Telegram's ``my_chat_member`` update: the bot's status in a chat changed (a person
        blocked or unblocked it; a group removed or added it)."""
        bot = {"id": self.bot_id, "is_bot": True, "first_name": self.bot_name,
               "username": self.bot_username}
        def member(status: str) -> dict[str, Any]:
            return {"user": bot, "status": status, **({"until_date": 0}
                                                     if status == "kicked" else {})}

        return self.push_update({"my_chat_member": {
            "chat": chat.to_dict(), "from": user.to_dict(), "date": int(self.wall()),
            "old_chat_member": member(old), "new_chat_member": member(new)}})

    def migrate_group(self, user: User, chat: Chat) -> tuple[Chat, int]:
        """The group becomes a supergroup with a new id: Telegram says so in the old chat."""
        new = Chat(id=-(1_000_000_000_000 + abs(chat.id)), type="supergroup", title=chat.title,
                   members=set(chat.members))
        self.chats[new.id] = new
        chat.bot_member = False  # the old id takes no more messages
        message = Message(message_id=self._next_message_id(chat.id), chat=chat,
                          sender=user.to_dict(),
                          date=int(self.wall()), from_bot=False, text=None)
        payload = message.to_dict()
        payload["migrate_to_chat_id"] = new.id
        return new, self.push_update({"message": payload})

    def press_button(self, user: User, message: Message, data: str) -> tuple[int, CallbackQuery]:
        query = CallbackQuery(
            id=str(next(self._callback_ids) * 7919 + 1000003),
            user=user,
            message=message,
            data=data,
            created=self.monotonic() - self.presses_late_by,
        )
        self.callback_queries[query.id] = query
        payload = {
            "callback_query": {
                "id": query.id,
                "from": user.to_dict(),
                "message": message.to_dict(),
                "chat_instance": str(abs(message.chat.id) * 31 + 7),
                "data": data,
            }
        }
        return self.push_update(payload), query

    # ---- Bot API methods --------------------------------------------------------------------
    def _chat_for_sending(self, chat_id: Any) -> Chat:
        chat = self._chat(chat_id)
        if chat.type == "private":
            assert chat.user is not None
            if chat.user.blocked_bot:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if not chat.user.started:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        elif not chat.bot_member:
            raise ApiError(403, "Forbidden: bot was kicked from the group chat")
        return chat

    def _chat(self, chat_id: Any) -> Chat:
        try:
            chat = self.chats[int(chat_id)]
        except (TypeError, ValueError, KeyError):
            raise bad_request("chat not found") from None
        return chat

    def _flood_check(self, chat: Chat, paid: bool = False) -> None:
        """Strict windows: at most 30 messages in any second, 20 in any minute per group. A
        paid broadcast (``allow_paid_broadcast``) has its own window of 1000 a second, and
        costs the bot 0.1 Telegram Stars a message."""
        if not self.flood_limits:
            return
        now = self.monotonic()
        if paid:
            while self.paid_sent_times and self.paid_sent_times[0] <= now - BOT_WINDOW_SECONDS:
                self.paid_sent_times.popleft()
            if len(self.paid_sent_times) >= PAID_MESSAGES_PER_WINDOW:
                self.rate_limited += 1
                raise ApiError(429, "Too Many Requests: retry after 1", retry_after=1)
            self.paid_sent_times.append(now)
            self.paid_messages += 1
            return
        while self.bot_sent_times and self.bot_sent_times[0] <= now - BOT_WINDOW_SECONDS:
            self.bot_sent_times.popleft()
        if len(self.bot_sent_times) >= BOT_MESSAGES_PER_WINDOW:
            wait = self.bot_sent_times[0] + BOT_WINDOW_SECONDS - now
            self.rate_limited += 1
            raise ApiError(429, f"Too Many Requests: retry after {max(1, math.ceil(wait))}",
                           retry_after=max(1, math.ceil(wait)))
        if chat.type != "private":
            times = chat.sent_times
            while times and times[0] <= now - GROUP_WINDOW_SECONDS:
                times.popleft()
            if len(times) >= GROUP_MESSAGES_PER_WINDOW:
                wait = times[0] + GROUP_WINDOW_SECONDS - now
                self.rate_limited += 1
                raise ApiError(429, f"Too Many Requests: retry after {max(1, math.ceil(wait))}",
                               retry_after=max(1, math.ceil(wait)))
            times.append(now)
        self.bot_sent_times.append(now)

    def _text(self, params: dict[str, Any], key: str, limit: int) -> tuple[str, str, list]:
        raw = params.get(key)
        if raw is None or raw == "":
            raise bad_request("message text is empty")
        raw = str(raw)
        if params.get("parse_mode") in ("HTML", "html"):
            try:
                plain, entities = html.parse(raw)
            except html.HtmlError as exc:
                raise bad_request(str(exc)) from None
        elif params.get("parse_mode"):
            raise bad_request(f"unsupported parse_mode {params['parse_mode']}")
        else:
            plain, entities = raw, []
        plain = plain.strip()
        if not plain:
            raise bad_request("message text is empty")
        if html.utf16_len(plain) > limit:
            raise bad_request("message is too long" if key == "text"
                              else "message caption is too long")
        return raw, plain, entities

    def _markup(self, params: dict[str, Any]) -> dict[str, Any] | None:
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if isinstance(markup, str):
            try:
                markup = json.loads(markup)
            except ValueError:
                raise bad_request("can't parse reply keyboard markup JSON object") from None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list):
                raise bad_request("field \"inline_keyboard\" of the InlineKeyboardMarkup "
                                  "must be an Array")
            for row in rows:
                for button in row:
                    if not str(button.get("text", "")).strip():
                        raise bad_request("text buttons are unallowed in the inline keyboard")
                    if "callback_data" in button:
                        size = len(str(button["callback_data"]).encode())
                        if not 1 <= size <= 64:
                            raise bad_request("BUTTON_DATA_INVALID")
                    elif "url" in button:
                        if not str(button["url"]).startswith(("http://", "https://", "tg://")):
                            raise bad_request("BUTTON_URL_INVALID")
                    elif not any(k in button for k in ("switch_inline_query", "copy_text",
                                                       "switch_inline_query_current_chat")):
                        raise bad_request("can't find field \"callback_data\"")
        return markup

    def _deliver(self, chat: Chat, message: Message, markup: dict[str, Any] | None) -> Message:
        if markup is not None:
            if "keyboard" in markup:
                chat.reply_keyboard = markup["keyboard"]
            elif markup.get("remove_keyboard"):
                chat.reply_keyboard = None
        self.messages[(chat.id, message.message_id)] = message
        self._notify("new", message)
        return message

    def send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat_for_sending(params.get("chat_id"))
        raw, plain, entities = self._text(params, "text", MAX_TEXT)
        markup = self._markup(params)
        self._flood_check(chat, paid=params.get("allow_paid_broadcast") in (True, "true"))
        message = Message(
            message_id=self._next_message_id(chat.id), chat=chat, sender=self.bot_user(),
            date=int(self.wall()), from_bot=True, text=plain, html=raw, entities=entities,
            reply_markup=markup,
        )
        return self._deliver(chat, message, markup).to_dict()

    def _store_file(self, upload: Any, kind: str) -> StoredFile:
        if isinstance(upload, tuple):  # (filename, bytes, mime) from a multipart upload
            filename, content, mime = upload
            number = next(self._file_ids)
            # an opaque id, long as Telegram's are, that sends the same file again
            stored = StoredFile(f"AgAC{kind.upper()}{number:06d}x{len(content):08d}"
                                f"{hashlib.sha1(content).hexdigest()[:24]}", f"U{number:08d}",
                                content, filename, mime)
            self.files[stored.file_id] = stored
            self.uploads[kind] = self.uploads.get(kind, 0) + 1
            return stored
        if isinstance(upload, str) and upload in self.files:
            return self.files[upload]
        raise bad_request("wrong file identifier/HTTP URL specified")

    def send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat_for_sending(params.get("chat_id"))
        if "photo" not in params:
            raise bad_request("there is no photo in the request")
        stored = self._store_file(params["photo"], "photo")
        if not stored.content:
            raise bad_request("IMAGE_PROCESS_FAILED")
        width, height = _png_size(stored.content)
        caption = self._caption(params)
        markup = self._markup(params)
        self._flood_check(chat)
        message = Message(
            message_id=self._next_message_id(chat.id), chat=chat, sender=self.bot_user(),
            date=int(self.wall()), from_bot=True, reply_markup=markup,
            photo={"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                   "width": width, "height": height, "file_size": len(stored.content)},
            caption=caption[1] if caption else None,
            entities=caption[2] if caption else [],
            html=caption[0] if caption else None,
        )
        return self._deliver(chat, message, markup).to_dict()

    def send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat_for_sending(params.get("chat_id"))
        if "document" not in params:
            raise bad_request("there is no document in the request")
        stored = self._store_file(params["document"], "document")
        caption = self._caption(params)
        markup = self._markup(params)
        self._flood_check(chat)
        message = Message(
            message_id=self._next_message_id(chat.id), chat=chat, sender=self.bot_user(),
            date=int(self.wall()), from_bot=True, reply_markup=markup,
            document={"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                      "file_name": stored.filename or "file", "file_size": len(stored.content),
                      "mime_type": stored.mime_type or "application/octet-stream"},
            caption=caption[1] if caption else None,
            entities=caption[2] if caption else [],
            html=caption[0] if caption else None,
        )
        return self._deliver(chat, message, markup).to_dict()

    def _caption(self, params: dict[str, Any]) -> tuple[str, str, list] | None:
        if not params.get("caption"):
            return None
        return self._text(params, "caption", MAX_CAPTION)

    def _bot_message(self, params: dict[str, Any]) -> Message:
        if "inline_message_id" in params:
            raise bad_request("inline messages are not supported here")
        chat = self._chat(params.get("chat_id"))
        try:
            message = self.messages[(chat.id, int(params.get("message_id")))]
        except (TypeError, ValueError, KeyError):
            raise bad_request("message to edit not found") from None
        if message.deleted:
            raise bad_request("message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        return message

    def edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._bot_message(params)
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        raw, plain, entities = self._text(params, "text", MAX_TEXT)
        markup = self._markup(params)
        same_markup = markup == message.reply_markup
        if plain == message.text and entities == message.entities and same_markup:
            raise bad_request("message is not modified: specified new message content and reply "
                              "markup are exactly the same as a current content and reply markup "
                              "of the message")
        message.text, message.html, message.entities = plain, raw, entities
        message.reply_markup = markup
        return self._edited(message)

    def edit_message_caption(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._bot_message(params)
        if message.photo is None and message.document is None:
            raise bad_request("there is no caption in the message to edit")
        caption = self._caption(params)
        markup = self._markup(params)
        plain = caption[1] if caption else None
        entities = caption[2] if caption else []
        if plain == message.caption and entities == message.entities and (
                markup == message.reply_markup):
            raise bad_request("message is not modified: specified new message content and reply "
                              "markup are exactly the same as a current content and reply markup "
                              "of the message")
        message.caption, message.entities = plain, entities
        message.html = caption[0] if caption else None
        message.reply_markup = markup
        return self._edited(message)

    def edit_message_media(self, params: dict[str, Any]) -> dict[str, Any]:
        """A photo message gets another photo (an uploaded file, or a file_id sent before) and
        caption; a text message cannot become a photo."""
        message = self._bot_message(params)
        media = params.get("media")
        if not isinstance(media, dict) or media.get("type") != "photo":
            raise bad_request("can't parse InputMedia: media type must be photo here")
        if message.photo is None:
            raise bad_request("there is no media in the message to edit")
        source = media.get("media")
        if isinstance(source, str) and source.startswith("attach://"):
            source = params.get(source.removeprefix("attach://"))
        stored = self._store_file(source, "photo")
        caption = self._caption(media) if media.get("caption") else None
        markup = self._markup(params)
        if (stored.file_unique_id == message.photo.get("file_unique_id")
                and (caption[1] if caption else None) == message.caption
                and markup == message.reply_markup):
            raise bad_request("message is not modified: specified new message content and reply "
                              "markup are exactly the same as a current content and reply markup "
                              "of the message")
        width, height = _png_size(stored.content)
        message.photo = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                         "width": width, "height": height, "file_size": len(stored.content)}
        message.caption = caption[1] if caption else None
        message.entities = caption[2] if caption else []
        message.html = caption[0] if caption else None
        message.reply_markup = markup
        return self._edited(message)

    def edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._bot_message(params)
        markup = self._markup(params)
        if markup == message.reply_markup or (not markup and not message.reply_markup):
            raise bad_request("message is not modified: specified new message content and reply "
                              "markup are exactly the same as a current content and reply markup "
                              "of the message")
        message.reply_markup = markup
        return self._edited(message)

    def _edited(self, message: Message) -> dict[str, Any]:
        message.edit_date = int(self.wall())
        message.edits += 1
        self._notify("edit", message)
        return message.to_dict()

    def delete_message(self, params: dict[str, Any]) -> bool:
        chat = self._chat(params.get("chat_id"))
        try:
            message = self.messages[(chat.id, int(params.get("message_id")))]
        except (TypeError, ValueError, KeyError):
            raise bad_request("message to delete not found") from None
        if message.deleted:
            raise bad_request("message to delete not found")
        message.deleted = True
        self._notify("delete", message)
        return True

    def answer_callback_query(self, params: dict[str, Any]) -> bool:
        query = self.callback_queries.get(str(params.get("callback_query_id")))
        if query is None:
            raise bad_request("query is too old and response timeout expired or query ID is "
                              "invalid")
        if query.answered or self.monotonic() - query.created > CALLBACK_ANSWER_SECONDS:
            raise bad_request("query is too old and response timeout expired or query ID is "
                              "invalid")
        query.answered = True
        text = params.get("text")
        if text is not None and len(str(text)) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answer_text = text
        query.show_alert = bool(params.get("show_alert"))
        return True

    def set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if isinstance(commands, str):
            try:
                commands = json.loads(commands)
            except ValueError:
                raise bad_request("can't parse commands JSON object") from None
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("commands must be an array of at most 100 BotCommand")
        for command in commands:
            name = str(command.get("command", ""))
            description = str(command.get("description", ""))
            if not (1 <= len(name) <= 32) or not all(c.islower() or c.isdigit() or c == "_"
                                                     for c in name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._menu_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands]
        return True

    def _menu_key(self, params: dict[str, Any]) -> str:
        """Menus are kept per scope and language, as Telegram keeps them; its language code
        is two letters (ISO 639-1) or none."""
        language = str(params.get("language_code") or "")
        if language and not (len(language) == 2 and language.isalpha() and language.islower()):
            raise bad_request("invalid language code specified")
        scope = params.get("scope") or {}
        if isinstance(scope, str):
            try:
                scope = json.loads(scope)
            except ValueError:
                raise bad_request("can't parse scope JSON object") from None
        kind = str(scope.get("type", "default"))
        if kind == "chat":
            self._chat(scope.get("chat_id"))  # 400 "chat not found" for a chat never seen
            return f"chat:{scope.get('chat_id')}|{language}"
        return language if kind == "default" else f"{kind}|{language}"

    def get_my_commands(self, params: dict[str, Any]) -> list[dict[str, str]]:
        return self.commands.get(self._menu_key(params), [])

    def menu_seen(self, chat_id: int, language_code: str | None) -> list[dict[str, str]]:
        """The menu a private chat shows, as Telegram picks it: the chat's own menu in the
        user's language, the chat's own, then the default menu in that language, the default."""
        language = (language_code or "").split("-")[0].lower()
        for key in (f"chat:{chat_id}|{language}", f"chat:{chat_id}|", language, ""):
            if key in self.commands:
                return self.commands[key]
        return []

    def get_me(self, _params: dict[str, Any]) -> dict[str, Any]:
        return {**self.bot_user(), "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False, "can_connect_to_business": False,
                "has_main_web_app": False}

    def get_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params.get("chat_id"))
        return {**chat.to_dict(), "accent_color_id": 0, "max_reaction_count": 11}


def _png_size(content: bytes) -> tuple[int, int]:
    if content[:8] == b"\x89PNG\r\n\x1a\n" and len(content) >= 24:
        return int.from_bytes(content[16:20], "big"), int.from_bytes(content[20:24], "big")
    return 0, 0
