"""A person using the bot through the emulator: types, taps buttons by label, reads replies."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.emulator.world import Chat, Message, User, World

ChatMessage = Message
SETTLE_SECONDS = 15.0


class Host(Protocol):
    """What a persona needs of the emulator: its world, and a way to wait until the bot has
    handled an update (the emulator's ``settle`` hook)."""

    world: World
    settle: Callable[[int], Awaitable[None]] | None


def _normal(label: str) -> str:
    return re.sub(r"^[^\w]+", "", label).strip().casefold()


class Persona:
    """One user in their private chat with the bot (or, with ``in_chat``, in a group)."""

    def __init__(self, emulator: Host, user: User, chat: Chat) -> None:
        self.emulator = emulator
        self.world = emulator.world
        self.user = user
        self.chat = chat
        self._events: list[tuple[str, Message]] = []
        self._changed = asyncio.Event()
        self.world.listeners.append(self._listen)
        self.toasts: list[str] = []

    def in_chat(self, chat: Chat) -> Persona:
        """The same person, acting in another chat (a family group)."""
        return Persona(self.emulator, self.user, chat)

    # ---- reading ---------------------------------------------------------------------------
    def _listen(self, kind: str, message: Message) -> None:
        if message.chat.id == self.chat.id and kind in ("new", "edit", "delete"):
            self._events.append((kind, message))
            self._changed.set()

    @property
    def messages(self) -> list[Message]:
        """The bot's messages in this chat, oldest first (deleted ones left out)."""
        return [m for (cid, _), m in sorted(self.world.messages.items(),
                                            key=lambda item: item[0][1])
                if cid == self.chat.id and m.from_bot and not m.deleted]

    @property
    def last(self) -> Message:
        if not self.messages:
            raise AssertionError(f"{self.user.first_name} has no message from the bot yet")
        return self.messages[-1]

    def buttons(self, message: Message | None = None) -> list[str]:
        message = message or self.last
        return [button["text"] for button in message.inline_buttons]

    def _since(self, marker: int) -> list[Message]:
        seen: dict[int, Message] = {}
        for kind, message in self._events[marker:]:
            if kind == "delete":
                seen.pop(message.message_id, None)
            else:
                seen[message.message_id] = message
        return list(seen.values())

    async def _settle(self, update_id: int, marker: int) -> list[Message]:
        if self.emulator.settle is not None:
            await asyncio.wait_for(self.emulator.settle(update_id), SETTLE_SECONDS)
        else:
            await self.wait_for_messages(marker, timeout=SETTLE_SECONDS)
        return self._since(marker)

    async def wait_for_messages(self, marker: int | None = None, *, count: int = 1,
                                timeout: float = SETTLE_SECONDS) -> list[Message]:
        """Wait until ``count`` bot messages arrived or changed after ``marker``."""
        marker = len(self._events) if marker is None else marker

        async def arrived() -> None:
            while len(self._since(marker)) < count:
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(arrived(), timeout)
        return self._since(marker)

    def mark(self) -> int:
        """A point in this chat's history; ``wait_for_messages(mark)`` counts from it."""
        return len(self._events)

    # ---- acting ----------------------------------------------------------------------------
    async def send(self, text: str) -> list[Message]:
        """Type ``text`` and send it; returns the bot's new or edited messages."""
        reply_button = self._reply_button(text)
        if reply_button and reply_button.get("request_location"):
            raise AssertionError("that button shares a location: use share_location()")
        marker = self.mark()
        update_id = self.world.user_message(self.user, self.chat, text=text)
        return await self._settle(update_id, marker)

    async def share_location(self, latitude: float, longitude: float) -> list[Message]:
        marker = self.mark()
        update_id = self.world.user_message(self.user, self.chat,
                                            location=(latitude, longitude))
        return await self._settle(update_id, marker)

    def _reply_button(self, label: str) -> dict | None:
        for row in self.chat.reply_keyboard or []:
            for button in row:
                text = button if isinstance(button, str) else button.get("text")
                if text == label:
                    return button if isinstance(button, dict) else {"text": button}
        return None

    def find_button(self, label: str, message: Message | None = None) -> tuple[Message, dict]:
        candidates = [message] if message else list(reversed(self.messages))
        wanted = _normal(label)
        for candidate in candidates:
            buttons = candidate.inline_buttons
            for button in buttons:
                if button["text"] == label:
                    return candidate, button
            loose = [b for b in buttons if _normal(b["text"]) == wanted]
            if len(loose) == 1:
                return candidate, loose[0]
        shown = [b["text"] for m in candidates[:3] for b in m.inline_buttons]
        raise AssertionError(f"no button {label!r}; the latest buttons are {shown}")

    async def press(self, label: str, *, message: Message | None = None) -> list[Message]:
        """Tap the inline button labelled ``label`` (on ``message``, else the newest that has
        it) or a reply-keyboard button; returns the bot's new or edited messages."""
        if message is None and self._reply_button(label) is not None:
            return await self.send(label)
        target, button = self.find_button(label, message)
        if "callback_data" not in button:
            raise AssertionError(f"button {label!r} opens a link, it sends nothing to the bot")
        marker = self.mark()
        update_id, query = self.world.press_button(self.user, target, button["callback_data"])
        changed = await self._settle(update_id, marker)
        if not query.answered and not self.world.presses_late_by:  # late: no answer is taken
            raise AssertionError(f"the bot never answered the tap on {label!r}")
        if query.answer_text:
            self.toasts.append(query.answer_text)
        return changed

    async def press_data(self, data: str, *, message: Message | None = None) -> list[Message]:
        """Send a callback with arbitrary data, as a forged or replayed button would."""
        target = message or self.last
        marker = self.mark()
        update_id, query = self.world.press_button(self.user, target, data)
        changed = await self._settle(update_id, marker)
        if query.answer_text:
            self.toasts.append(query.answer_text)
        return changed

    def block(self) -> None:
        """Block the bot: from now on, messages to this person fail with 403 (the bot is not
        told; see :meth:`block_and_tell` for Telegram's membership update)."""
        self.user.blocked_bot = True

    async def block_and_tell(self) -> None:
        """Block the bot, and Telegram tells the bot (``my_chat_member``: kicked)."""
        self.user.blocked_bot = True
        await self._settle(self.world.bot_membership(self.user, self.chat, old="member",
                                                     new="kicked"), self.mark())

    async def unblock(self) -> None:
        """Unblock the bot (Telegram tells it: member again)."""
        self.user.blocked_bot = False
        await self._settle(self.world.bot_membership(self.user, self.chat, old="kicked",
                                                     new="member"), self.mark())
