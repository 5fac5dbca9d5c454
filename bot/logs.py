"""Logging set-up: plain lines, quiet HTTP libraries, and no secrets.

httpx logs every request URL, and a Bot API URL contains the token; the filter below removes
the token from every record, and the HTTP loggers are kept at WARNING as well.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

_QUIET = ("httpx", "httpcore", "apscheduler", "aiohttp.access", "alembic", "aiosqlite", "asyncio")


class RedactSecrets(logging.Filter):
    """Replace each secret with a placeholder in every record that passes."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        for secret in self.secrets:
            message = message.replace(secret, "<token>")
        record.msg, record.args = message, None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            for secret in self.secrets:
                text = text.replace(secret, "<token>")
            record.exc_text, record.exc_info = text, None
        return True


class DropUpdateData(logging.Filter):
    """python-telegram-bot logs an update it cannot parse whole ("Received data was …"):
    names and message texts. Keep the line, drop the data."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "Received data was" in str(record.msg):
            record.msg, record.args = "Error while parsing updates (the data is not logged)", None
        return True


class OneLineForOddReplies(logging.Filter):
    """A reply from the Bot API that is not JSON (a proxy's error page, a 502's text) is logged
    by python-telegram-bot as an ERROR with a traceback, then raised as a NetworkError that we
    handle. Keep one warning line, without the reply's text or the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "invalid JSON data" in str(record.msg):
            record.msg, record.args = "the Bot API answered with something that is not JSON", None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info, record.exc_text = None, None
        return True


class DropSchedulerNoise(logging.Filter):
    """APScheduler's "skipped: maximum number of running instances reached" (and "was
    missed by") after a slow tick, every time: the ticker says it itself, once in a while,
    with what to do (``bot.jobs.scheduling.Ticker.took``). Due work lives in the database, so
    a skipped heartbeat loses nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = str(record.msg)
        return not (record.name.startswith("apscheduler") and (
            "maximum number of running instances" in text or "was missed by" in text))


class QuietShutdownCleanup(logging.Filter):
    """At shutdown the library asks Telegram once more to confirm the last updates; when that
    fails it logs an ERROR with a traceback. Harmless (the updates come again at the next
    start and are handled once): one warning line instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "one more time to mark all fetched updates" in str(record.msg):
            record.msg, record.args = ("could not confirm the last updates while stopping; "
                                       "they may come again at the next start"), None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info, record.exc_text = None, None
        return True


def quiet_library_lines() -> None:
    """Filters on the library's own loggers, whoever set up the handlers (the CLI, the
    sandbox, the tests)."""
    updater = logging.getLogger("telegram.ext.Updater")
    if not any(isinstance(f, QuietShutdownCleanup) for f in updater.filters):
        updater.addFilter(QuietShutdownCleanup())


class JsonLines(logging.Formatter):
    """One JSON object a line (``LOG_FORMAT=json``), for log collectors. The same filters
    run first (no token, no update data); a failure carries its type and a traceback of
    code lines, as the plain format does."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
                 "level": record.levelname, "logger": record.name,
                 "message": record.getMessage()}
        if record.exc_info:
            entry["error"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            entry["traceback"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["traceback"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str, *, secrets: list[str] | None = None,
                      json_lines: bool = False) -> None:
    """Send log lines to stderr at ``level``, with ``secrets`` redacted."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLines() if json_lines else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(DropUpdateData())
    handler.addFilter(OneLineForOddReplies())
    handler.addFilter(DropSchedulerNoise())
    handler.addFilter(RedactSecrets(secrets or []))
    root.addHandler(handler)
    root.setLevel(level)
    for name in _QUIET:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    # python-telegram-bot logs every request's parameters (message texts: health data) at
    # DEBUG; those lines never pass, whatever LOG_LEVEL says.
    logging.getLogger("telegram").setLevel(max(logging.INFO, root.level))


class PollingErrors:
    """What the poller meets, as one line each, never a traceback loop: above all 409
    Conflict (another process polls with the same token), said once every ``every`` seconds
    with what to do. Given to ``start_polling(error_callback=...)``."""

    def __init__(self, every: float = 300.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.every = every
        self.monotonic = monotonic
        self._said: dict[str, float] = {}
        self.seen: dict[str, int] = {}

    def __call__(self, error: Exception) -> None:
        kind = type(error).__name__
        self.seen[kind] = self.seen.get(kind, 0) + 1
        now = self.monotonic()
        if now - self._said.get(kind, -self.every) < self.every:
            return
        self._said[kind] = now
        if kind == "Conflict":
            logging.getLogger("rehab_buddy").warning(
                "another process is polling Telegram with this bot token (409 Conflict): "
                "only one may. Stop the other one, or run several on PostgreSQL with "
                "webhooks. This one keeps trying.")
        else:
            logging.getLogger("rehab_buddy").warning(
                "polling Telegram failed (%s); trying again", kind)
