"""What every handler can reach: settings, database, clock, texts; and the typed context."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.clock import Clock
from bot.materials.texts import Texts
from bot.settings import Settings
from db.engine import Database


@dataclass
class Services:
    settings: Settings
    clock: Clock
    texts: Texts
    database: Database | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def db(self) -> Database:
        if self.database is None:
            raise RuntimeError("the database is opened in post_init; it is not open yet")
        return self.database


class RehabContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The callback context, with the services one attribute away."""

    lang: str | None = None  # the reader's language, set once per update by track_person

    @property
    def services(self) -> Services:
        return self.application.bot_data["services"]


RehabApp = Application[ExtBot[None], RehabContext, dict[Any, Any], dict[Any, Any],
                       dict[Any, Any], Any]
