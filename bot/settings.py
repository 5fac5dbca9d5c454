"""Configuration from the environment and a ``.env`` file.

Every setting is documented in ``.env.example``. A bad value never produces a traceback: the
CLI turns :class:`SettingsError` into one line naming the setting, and exit status 2.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import time
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

TELEGRAM_API = "https://api.telegram.org/bot"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/rehab_buddy.sqlite3"
_TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,100}$")


EXIT_USAGE = 2
EXIT_FAILURE = 1


class SettingsError(Exception):
    """A setting is missing or malformed; ``str()`` is one line meant for the operator."""


class Fatal(Exception):
    """A failure to start (a database or API that cannot be used) to report in one line, with
    an exit status; shared by every command that starts the bot."""

    def __init__(self, message: str, status: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.status = status


class Settings(BaseSettings):
    """Everything the bot reads from its environment."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = TELEGRAM_API
    database_url: str = DEFAULT_DATABASE_URL
    default_timezone: str = "UTC"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    log_format: Literal["text", "json"] = "text"  # json: one object a line, for collectors
    tick_seconds: float = Field(default=20.0, gt=0, le=3600)
    reminder_grace_minutes: int = Field(default=120, ge=0, le=7 * 24 * 60)
    # updates one person may send in 10 seconds before "one moment" (0: no limit)
    rate_limit: int = Field(default=20, ge=0, le=10_000)
    # each session card carries a picture of its movement (docs/pictures.md); drawn once per
    # exercise and side into PICTURES_DIR, then sent again by Telegram's file_id
    card_pictures: bool = True
    pictures_dir: Path = Path("data/pictures")
    quiet_hours: str = "21:00-08:00"
    # /healthz, /readyz and /metrics on this port (off when unset); on HEALTH_HOST
    health_port: int | None = Field(default=None, ge=1, le=65535)
    health_host: str = "127.0.0.1"
    # webhook mode (off unless WEBHOOK_URL is set): Telegram posts updates to this public
    # https URL; the bot listens on WEBHOOK_LISTEN:WEBHOOK_PORT (behind a TLS proxy)
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    webhook_secret: SecretStr | None = None  # default: derived from the token
    webhook_max_connections: int = Field(default=40, ge=1, le=100)
    # paid broadcast (off at 0): prompts may go faster than 30 a second, at Telegram's fee per
    # message (allow_paid_broadcast); this many a second at most, up to 1000
    paid_broadcast_per_second: int = Field(default=0, ge=0, le=1000)
    # how often a standby instance asks whether it may poll now (PostgreSQL, several instances)
    standby_check_seconds: float = Field(default=2.0, gt=0, le=60)

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, value: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d", value.strip()):
            raise ValueError("quiet")
        return value.strip()

    @property
    def quiet_window(self) -> tuple[time, time]:
        start, end = self.quiet_hours.split("-")
        return time.fromisoformat(start), time.fromisoformat(end)

    @field_validator("webhook_url", "webhook_secret", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        local = parts.hostname in ("127.0.0.1", "localhost")  # a stand-in, never Telegram
        if not parts.hostname or not (parts.scheme == "https" or
                                      (parts.scheme == "http" and local)):
            raise ValueError("webhook_url")
        return value.strip()

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}",
                                                  value.get_secret_value()):
            raise ValueError("webhook_secret")
        return value

    def webhook_secret_token(self, token: str) -> str:
        """The secret Telegram sends with every update: WEBHOOK_SECRET, or one derived from the
        token, so every instance of one bot knows it without being told."""
        if self.webhook_secret is not None:
            return self.webhook_secret.get_secret_value()
        return hmac.new(token.encode(), b"rehab-buddy webhook", hashlib.sha256).hexdigest()

    @property
    def webhook_path(self) -> str:
        """The path the webhook server answers on: the URL's own (behind a proxy that keeps it)."""
        path = urlsplit(self.webhook_url or "").path
        return path if path not in ("", "/") else "/telegram"

    @field_validator("health_port", mode="before")
    @classmethod
    def _health_port(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("telegram_bot_token", mode="before")
    @classmethod
    def _token_shape(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str) or not _TOKEN.match(value.strip()):
            raise ValueError("token")
        return value.strip()

    @field_validator("telegram_api_base_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("url")
        return value.strip()

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return normalise_database_url(value)

    @field_validator("default_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("timezone") from None
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    def require_token(self) -> str:
        """The bot token, or a :class:`SettingsError` saying how to provide it."""
        if self.telegram_bot_token is None:
            raise SettingsError(
                "Setting TELEGRAM_BOT_TOKEN is missing: put the token @BotFather gave you in the "
                "environment or in .env (see .env.example), or try `rehab-buddy sandbox`."
            )
        return self.telegram_bot_token.get_secret_value()

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def normalise_database_url(value: str) -> str:
    """Accept the usual spellings and pick the async driver we ship for each database."""
    value = value.strip()
    for prefix, driver in (
        ("sqlite+aiosqlite://", "sqlite+aiosqlite://"),
        ("sqlite://", "sqlite+aiosqlite://"),
        ("postgresql+asyncpg://", "postgresql+asyncpg://"),
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
    ):
        if value.startswith(prefix):
            rest = value[len(prefix) :]
            if driver.startswith("sqlite") and (not rest.startswith("/") or "?" in rest):
                break  # SQLite takes a file path, and none of the driver's ?options
            if driver.startswith("postgresql") and not rest:
                break
            return driver + rest
    raise ValueError("database")


_MESSAGES = {
    "telegram_bot_token": "Setting TELEGRAM_BOT_TOKEN does not look like a bot token "
    "(expected digits, a colon, then letters, as @BotFather gives it).",
    "telegram_api_base_url": "Setting TELEGRAM_API_BASE_URL must be an http(s) URL such as "
    "https://api.telegram.org/bot or http://127.0.0.1:8081/bot.",
    "database_url": "Setting DATABASE_URL must be sqlite+aiosqlite:///path/to/file.sqlite3 "
    "(a file path, no ?options) or postgresql+asyncpg://user@host:5432/dbname.",
    "default_timezone": "Setting DEFAULT_TIMEZONE must be an IANA time zone name such as "
    "Europe/London or America/New_York.",
    "log_level": "Setting LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL.",
    "log_format": "Setting LOG_FORMAT must be text or json.",
    "tick_seconds": "Setting TICK_SECONDS must be a number of seconds between 0 and 3600.",
    "reminder_grace_minutes": "Setting REMINDER_GRACE_MINUTES must be a whole number of minutes "
    "from 0 to 10080.",
    "quiet_hours": "Setting QUIET_HOURS must look like 21:00-08:00.",
    "rate_limit": "Setting RATE_LIMIT must be a whole number of updates per 10 seconds, from 0 "
    "(no limit) to 10000.",
    "health_port": "Setting HEALTH_PORT must be a port number from 1 to 65535, or empty (off).",
    "health_host": "Setting HEALTH_HOST must be an address to listen on, like 127.0.0.1.",
    "webhook_url": "Setting WEBHOOK_URL must be the public https:// address Telegram posts "
    "updates to, such as https://bot.example.org/telegram, or empty (long polling).",
    "webhook_listen": "Setting WEBHOOK_LISTEN must be an address to listen on, like 0.0.0.0.",
    "webhook_port": "Setting WEBHOOK_PORT must be a port number from 1 to 65535.",
    "webhook_secret": "Setting WEBHOOK_SECRET may hold only letters, digits, _ and - (1 to 256 "
    "of them), or be empty (derived from the token).",
    "webhook_max_connections": "Setting WEBHOOK_MAX_CONNECTIONS must be a whole number from 1 "
    "to 100.",
    "paid_broadcast_per_second": "Setting PAID_BROADCAST_PER_SECOND must be a whole number from "
    "0 (off) to 1000.",
    "standby_check_seconds": "Setting STANDBY_CHECK_SECONDS must be a number of seconds between "
    "0 and 60.",
}


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning any validation failure into one plain :class:`SettingsError`."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        field = str(exc.errors()[0]["loc"][0]) if exc.errors()[0]["loc"] else ""
        raise SettingsError(
            _MESSAGES.get(field, f"Setting {field.upper()} is not valid.")
        ) from None
    return settings


def ensure_sqlite_directory(database_url: str) -> None:
    """Make the folder of a SQLite file on first run, so the default works on a fresh clone."""
    if database_url.startswith("sqlite") and ":memory:" not in database_url:
        path = database_url.split(":///", 1)[1]
        if path:
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
