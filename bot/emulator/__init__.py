"""A local Telegram Bot API server: the subset Rehab Buddy uses, answering as Telegram does.

The bot runs unmodified against it through ``TELEGRAM_API_BASE_URL``; tests and the sandbox
drive it as people would (type, press a button by its label, read what came back).
"""

from bot.emulator.persona import ChatMessage, Persona
from bot.emulator.server import Emulator

__all__ = ["ChatMessage", "Emulator", "Persona"]
