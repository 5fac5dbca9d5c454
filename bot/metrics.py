"""What the bot counts for its operator, in Prometheus' format (prometheus-client), on a
registry of its own (several bots in one process, as in the tests, never share counters).

Counted as work happens: updates by kind, how long each took, errors by type, messages sent
by lane (people or bulk). Read when scraped: Telegram's 429s and 5xx retries (the pacer's
own counters), the scheduler's last round and how late it is, due work waiting, check-ins
stored. No label ever carries a person's id, name or words.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from telegram import Update

UPDATE_KINDS = ("message", "edited_message", "callback_query", "my_chat_member",
                "chat_member", "channel_post", "inline_query")


def kind_of(update: object) -> str:
    """A coarse, fixed label for an update (never anything the person wrote)."""
    if isinstance(update, Update):
        for kind in UPDATE_KINDS:
            if getattr(update, kind, None) is not None:
                return kind
    return "other"


class Metrics:
    """The counters; ``render`` gives the text a Prometheus server scrapes."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.updates = Counter("rehab_updates", "Updates handled, by kind", ["kind"],
                               registry=r)
        self.update_seconds = Histogram(
            "rehab_update_seconds", "Time to handle one update, from its turn to its end",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10), registry=r)
        self.dropped = Gauge("rehab_updates_dropped", "Updates let go by a chat's full queue",
                             registry=r)
        self.errors = Counter("rehab_errors", "Updates that failed, by error type", ["type"],
                              registry=r)
        self.sent = Counter("rehab_messages_sent", "Messages sent to Telegram, by lane",
                            ["lane"], registry=r)
        self.retry_after = Gauge("rehab_telegram_retry_after",
                                 "429 answers from Telegram so far", registry=r)
        self.server_retries = Gauge("rehab_telegram_server_retries",
                                    "Sends tried again after a 5xx so far", registry=r)
        self.tick_seconds = Gauge("rehab_scheduler_last_round_seconds",
                                  "How long the last scheduler round took", registry=r)
        self.tick_lag = Gauge("rehab_scheduler_lag_seconds",
                              "Seconds since the scheduler last finished a round", registry=r)
        self.overruns = Gauge("rehab_scheduler_overruns",
                              "Rounds that took longer than TICK_SECONDS", registry=r)
        self.due_backlog = Gauge("rehab_due_backlog",
                                 "Reminders due now and not yet sent", registry=r)
        self.checkins = Gauge("rehab_checkins_stored", "Check-ins stored (not taken back)",
                              registry=r)
        self.webhook_refused = Counter(
            "rehab_webhook_refused", "Webhook posts refused for a wrong secret token",
            registry=r)
        self.polling = Gauge("rehab_polling",
                             "1 while this instance polls Telegram (the others stand by)",
                             registry=r)
        self.claims_taken_over = Counter(
            "rehab_claims_taken_over",
            "Prompts claimed by an instance that stopped, sent by this one", registry=r)
        self.loop_lag = Histogram(
            "rehab_event_loop_lag_seconds",
            "How late the event loop woke for a 100 ms timer (time something held it)",
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5), registry=r)
        self.loop_stalls = Counter(
            "rehab_event_loop_stalls", "Wakes more than 50 ms late", registry=r)
        self._readers: list[Callable[[], Any]] = []

    def lag(self, seconds: float) -> None:
        """One wake of the event loop, ``seconds`` late."""
        self.loop_lag.observe(seconds)
        if seconds > 0.05:
            self.loop_stalls.inc()

    def read_on_scrape(self, reader: Callable[[], Any]) -> None:
        """Something to refresh just before each scrape (an async function, awaited)."""
        self._readers.append(reader)

    async def render(self) -> bytes:
        for reader in self._readers:
            await reader()
        return generate_latest(self.registry)
