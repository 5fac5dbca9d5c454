"""The alert outbox: alerts queued by ``bot.flows.alerts`` go out when due (never at night),
each once, and several for one reader go as one message."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from telegram.error import Forbidden, TelegramError
from telegram.ext import Application

from bot.materials.texts import Texts
from bot.rules.exercises import REGIONS
from db import family
from db.engine import Database
from db.models import Person

BATCH = 200  # alerts delivered per tick at most; the rest wait for the next one


class AlertOutbox:
    def __init__(self, *, database: Callable[[], Database], texts: Texts) -> None:
        self._database = database
        self.texts = texts

    async def next_at(self, now: datetime) -> datetime | None:
        """When the next queued alert falls due (an alert held over the night)."""
        async with self._database().session() as session:
            return await family.next_alert_at(session=session)

    def _render(self, reader: Person, payload: dict[str, object]) -> str:
        lang = self.texts.language(reader.language_code, reader.language)
        values = dict(payload.get("values") or {})  # type: ignore[call-overload]
        if isinstance(values.get("regions"), list):
            names = [self.texts.label(f"region_name.{r}", lang) for r in REGIONS
                     if r in values["regions"]]
            values["regions"] = self.texts.label("region_name.joiner", lang).join(names)
        if "stage" in values:
            values["stage"] = self.texts.label(f"stage.{values['stage']}", lang)
        return self.texts.render(str(payload["template"]), lang, name=reader.first_name,
                                 **values)

    async def tick(self, app: Application, now: datetime) -> int:
        """Deliver what is due: one message per reader, however many alerts it holds."""
        async with self._database().session() as session:
            due = await family.take_due_alerts(session=session, now=now, limit=BATCH)
        by_reader: dict[int, tuple[Person, list[str]]] = {}
        for alert, reader in due:
            if alert.payload is None or reader.id is None:
                continue
            by_reader.setdefault(reader.id, (reader, []))[1].append(
                self._render(reader, alert.payload))
        sent = 0
        for reader, texts in by_reader.values():
            try:
                for message in _batches(texts):
                    await app.bot.send_message(reader.telegram_id, message,
                                               rate_limit_args={"bulk": True})
                    sent += 1
            except Forbidden:
                async with self._database().session() as session:
                    stored = await session.get(Person, reader.id)
                    if stored is not None:
                        stored.active = False
                        session.add(stored)
            except TelegramError:
                continue
        return sent


def _batches(texts: list[str], limit: int = 3800) -> list[str]:
    """Alerts joined into as few messages as fit Telegram's 4,096 characters."""
    out: list[str] = []
    for text in texts:
        if out and len(out[-1]) + len(SEPARATOR) + len(text) <= limit:
            out[-1] += SEPARATOR + text
        else:
            out.append(text)
    return out


SEPARATOR = "\n\n— — —\n\n"
