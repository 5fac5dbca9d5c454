"""Who was seen in the last minute, so that their next update needs no database round trip
before it is handled (``handlers.common.track_person``).

Tracking a person costs a transaction per update (a third of the CPU of answering a tap on
SQLite), and for someone tapping through a session it only ever finds what it found a few
seconds before: their row exists, is active, has the same name (``last_seen_at`` is kept to a
quarter of an hour, and a read at least once a minute still writes it when due). So for a
minute after it was read, the person's stored language is taken from here.

Safe because: the only way back from "blocked" is unblocking the bot, which Telegram tells
with a ``my_chat_member`` update, and those always go to the database; a new name or
Telegram language goes to the database; this process forgets a person when it changes their
language or erases them. Another instance could do either meanwhile, so the memo is used only
while this instance runs alone (the dispatcher counts the live instances every tick).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

FRESH = timedelta(minutes=1)
MOST = 50_000  # people remembered at most; the oldest half is let go past it


@dataclass(frozen=True)
class Seen:
    language: str | None  # what the person chose (None: what Telegram reports)
    first_name: str
    language_code: str | None
    at: datetime


class SeenRecently:
    def __init__(self) -> None:
        self._seen: dict[int, Seen] = {}
        self.alone = True  # set by the dispatcher each tick: no other instance is live

    def get(self, telegram_id: int, *, first_name: str, language_code: str | None,
            now: datetime) -> Seen | None:
        if not self.alone:
            return None
        seen = self._seen.get(telegram_id)
        if (seen is None or now - seen.at >= FRESH or now < seen.at
                or seen.first_name != first_name or seen.language_code != language_code):
            return None
        return seen

    def note(self, telegram_id: int, seen: Seen) -> None:
        if not self.alone:
            self._seen.clear()
            return
        if len(self._seen) >= MOST:
            for key in list(self._seen)[: MOST // 2]:  # oldest first: dicts keep order
                del self._seen[key]
        self._seen.pop(telegram_id, None)
        self._seen[telegram_id] = seen

    def forget(self, telegram_id: int) -> None:
        self._seen.pop(telegram_id, None)
