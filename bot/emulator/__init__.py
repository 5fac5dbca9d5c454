"""A local Telegram Bot API server: the subset Rehab Buddy uses, answering as Telegram does.

The bot runs unmodified against it through ``TELEGRAM_API_BASE_URL``; tests and the sandbox
drive it as people would (type, press a button by its label, read what came back).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.emulator.persona import ChatMessage, Persona
    from bot.emulator.server import Emulator

__all__ = ["ChatMessage", "Emulator", "Persona"]


def __getattr__(name: str) -> Any:
    """Loaded when first asked for: the bot itself uses only ``bot.emulator.html`` (to check
    the HTML it sends), and should not carry the server (and aiohttp) for that."""
    if name == "Emulator":
        from bot.emulator.server import Emulator
        return Emulator
    if name in ("ChatMessage", "Persona"):
        from bot.emulator import persona
        return getattr(persona, name)
    raise AttributeError(name)
