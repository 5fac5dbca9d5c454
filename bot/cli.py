"""The ``rehab-buddy`` command: run the bot, upgrade the database, try it in a sandbox.

Every mistake an operator can make in a setting ends in one plain line and exit status 2;
nothing here lets a traceback reach the terminal.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Sequence

from bot import __version__
from bot.settings import (
    EXIT_USAGE,
    Fatal,
    Settings,
    SettingsError,
    ensure_sqlite_directory,
    load_settings,
)

log = logging.getLogger("rehab_buddy")



def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rehab-buddy",
        description="Rehab Buddy: a Telegram bot that keeps hand and arm practice going after "
        "a stroke or brain injury, with family behind the patient.",
    )
    parser.add_argument("--version", action="version", version=f"rehab-buddy {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    commands.add_parser(
        "run",
        help="run the bot (long polling); applies pending migrations first",
        description="Run the bot against the Bot API at TELEGRAM_API_BASE_URL with "
        "TELEGRAM_BOT_TOKEN, after applying pending database migrations. Stop with Ctrl+C.",
    )

    db = commands.add_parser("db", help="database tasks", description="Database tasks.")
    db_commands = db.add_subparsers(dest="db_command", metavar="TASK")
    db_commands.add_parser("upgrade", help="apply pending migrations to DATABASE_URL",
                           description="Apply pending Alembic migrations to DATABASE_URL.")
    backup = db_commands.add_parser(
        "backup", help="copy the SQLite database to PATH, safely while the bot runs",
        description="Copy the SQLite database at DATABASE_URL to PATH with SQLite's online "
        "backup, safe while the bot runs. For PostgreSQL, use pg_dump (docs/operations.md).")
    backup.add_argument("path", metavar="PATH", help="the backup file to write (new)")

    sandbox = commands.add_parser(
        "sandbox",
        help="try the real bot in this terminal, no token needed",
        description="Run the real bot against an embedded Telegram Bot API emulator and chat "
        "with it here, as a patient or family member, with a clock you can move forward.",
    )
    sandbox.add_argument("--database", metavar="PATH", default="data/sandbox.sqlite3",
                         help="SQLite file for the sandbox (default: %(default)s)")
    sandbox.add_argument("--fresh", action="store_true",
                         help="start from an empty sandbox database")

    content = commands.add_parser("content", help="content tasks", description="Content tasks.")
    content_commands = content.add_subparsers(dest="content_command", metavar="TASK")
    content_commands.add_parser(
        "check", help="validate every content file and render every template",
        description="Validate the exercise catalogue, the lesson index and every template.",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            return _run()
        if args.command == "db" and args.db_command == "upgrade":
            return _db_upgrade()
        if args.command == "db" and args.db_command == "backup":
            return _db_backup(args.path)
        if args.command == "sandbox":
            from bot.sandbox import run_sandbox

            return run_sandbox(database=args.database, fresh=args.fresh)
        if args.command == "content" and args.content_command == "check":
            from bot.materials.content_check import check_content

            return check_content()
    except SettingsError as exc:
        print(f"rehab-buddy: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Fatal as exc:
        print(f"rehab-buddy: {exc}", file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        return 130
    parser.print_help()
    return EXIT_USAGE


def _settings() -> Settings:
    settings = load_settings()
    from bot.logs import configure_logging

    token = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else ""
    configure_logging(settings.log_level, secrets=[token],
                      json_lines=settings.log_format == "json")
    return settings


def _missing_database(exc: BaseException, database_url: str) -> str | None:
    """What to do when PostgreSQL says the database in the URL does not exist."""
    seen: BaseException | None = exc
    while seen is not None:
        if (type(seen).__name__ == "InvalidCatalogNameError"
                or getattr(seen, "sqlstate", None) == "3D000"):  # invalid_catalog_name
            name = database_url.rsplit("/", 1)[-1].split("?", 1)[0]
            return (f"the database {name!r} named in DATABASE_URL does not exist on the "
                    f"server: create it first (for example: createdb {name}), or name "
                    f"another one.")
        seen = seen.__cause__ or getattr(seen, "orig", None)
    return None


async def _migrate(database_url: str) -> list[str]:
    """Apply pending migrations; the revisions applied now (none: it was up to date)."""
    from db.engine import Database
    from db.migrate import upgrade

    try:
        ensure_sqlite_directory(database_url)
    except OSError as exc:
        raise Fatal(f"could not make the folder for the SQLite file in DATABASE_URL "
                    f"({type(exc).__name__}: {exc.strerror}).") from None
    database = Database.from_url(database_url)
    try:
        return await upgrade(database.engine)
    except (OSError, ConnectionError, TypeError, ValueError) as exc:
        # e.g. refused connections, or a URL option the driver does not take
        raise Fatal(f"could not open the database at DATABASE_URL ({type(exc).__name__}: "
                    f"{str(exc)[:160]}).") from None
    except Exception as exc:
        if (missing := _missing_database(exc, database_url)) is not None:
            raise Fatal(missing) from None
        if type(exc).__module__.startswith(("sqlalchemy", "asyncpg", "sqlite3", "alembic")):
            raise Fatal(f"could not migrate the database at DATABASE_URL "
                        f"({type(exc).__name__}).") from None
        raise
    finally:
        await database.dispose()


def _db_upgrade() -> int:
    settings = _settings()
    applied = asyncio.run(_migrate(settings.database_url))
    if not applied:
        print("rehab-buddy: the database was already up to date; nothing to do.")
    elif applied[0] == "0001":
        print(f"rehab-buddy: created the database schema ({len(applied)} migrations, now at "
              f"{applied[-1]}).")
    else:
        print(f"rehab-buddy: applied {len(applied)} migration(s): {', '.join(applied)}; the "
              f"database is up to date.")
    return 0


def _db_backup(path: str) -> int:
    """SQLite's online backup API: a consistent copy while the bot writes on."""
    import sqlite3
    from pathlib import Path

    settings = _settings()
    if not settings.is_sqlite:
        raise Fatal("db backup copies a SQLite database; for PostgreSQL use pg_dump "
                    "(docs/operations.md gives the line).", EXIT_USAGE)
    source_path = Path(settings.database_url.split(":///", 1)[1]).expanduser()
    target = Path(path).expanduser()
    if not source_path.exists():
        raise Fatal(f"there is no database at {source_path} to back up.")
    if target.exists():
        raise Fatal(f"{target} exists already: name a new file.", EXIT_USAGE)
    try:
        with contextlib.closing(sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)) \
                as source, contextlib.closing(sqlite3.connect(target)) as copy:
            source.backup(copy)
    except (sqlite3.Error, OSError) as exc:
        target.unlink(missing_ok=True)
        raise Fatal(f"could not back up to {target} ({type(exc).__name__}).") from None
    print(f"rehab-buddy: backed up {source_path} to {target}.")
    return 0


def _run() -> int:
    settings = _settings()
    token = settings.require_token()
    asyncio.run(_serve(settings, token))
    return 0


async def _serve(settings: Settings, token: str) -> None:
    """Migrate, start polling, and run until SIGINT or SIGTERM."""
    from telegram import Update
    from telegram.error import InvalidToken, NetworkError, TelegramError

    from bot.application import build_application
    from db.engine import Database

    await _migrate(settings.database_url)
    database = Database.from_url(settings.database_url)
    app = build_application(settings, token=token, database=database)
    health_runner = None
    try:
        try:
            await app.initialize()
        except InvalidToken:
            raise Fatal("the Bot API refused TELEGRAM_BOT_TOKEN: check the token @BotFather "
                        "gave you.", EXIT_USAGE) from None
        except NetworkError:
            raise Fatal("could not reach the Bot API at TELEGRAM_API_BASE_URL: check the "
                        "address and the network.") from None
        except TelegramError as exc:
            raise Fatal(f"the Bot API answered with an error: {exc.message}") from None
        except (TypeError, ValueError, KeyError, AttributeError):
            # getMe answered, but not with a bot (a proxy, a stand-in, a wrong address)
            raise Fatal("the Bot API at TELEGRAM_API_BASE_URL did not answer like Telegram "
                        "(its reply to getMe is not a bot): check the address.") from None
        if app.post_init:
            await app.post_init(app)
        await app.start()
        assert app.updater is not None
        from bot.logs import PollingErrors

        await app.updater.start_polling(allowed_updates=Update.ALL_TYPES,
                                        error_callback=PollingErrors())
        if settings.health_port is not None:
            from bot.health import Health, start_health_server

            services = app.bot_data["services"]
            try:
                health_runner = await start_health_server(
                    Health(services, services.extras["metrics"],
                           tick_seconds=settings.tick_seconds),
                    settings.health_host, settings.health_port)
            except OSError as exc:
                raise Fatal(f"could not listen on HEALTH_HOST:HEALTH_PORT "
                            f"({settings.health_host}:{settings.health_port}: "
                            f"{exc.strerror or exc}).") from None
        log.info("Rehab Buddy is running as @%s", app.bot.username)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        log.info("stopping")
    finally:
        if health_runner is not None:
            await health_runner.cleanup()
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        with contextlib.suppress(RuntimeError):  # never initialized
            await app.shutdown()
        await database.dispose()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
