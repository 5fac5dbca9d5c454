"""The ``rehab-buddy`` command: run the bot, upgrade the database, try it in a sandbox.

Every mistake an operator can make in a setting ends in one plain line and exit status 2;
nothing here lets a traceback reach the terminal.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot import __version__
from bot.settings import (
    EXIT_FAILURE,
    EXIT_USAGE,
    Fatal,
    Settings,
    SettingsError,
    ensure_sqlite_directory,
    load_settings,
)

if TYPE_CHECKING:
    from aiohttp import web

    from bot.context import RehabApp, Services
    from bot.health import Health
    from bot.webhook import WebhookReceiver

log = logging.getLogger("rehab_buddy")



def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rehab-buddy",
        description="Rehab Buddy: a Telegram bot that keeps hand and arm practice going after "
        "a stroke or brain injury, with family behind the patient.",
    )
    parser.add_argument("--version", action="version", version=f"rehab-buddy {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="run the bot (long polling, or a webhook); applies pending migrations first",
        description="Run the bot against the Bot API at TELEGRAM_API_BASE_URL with "
        "TELEGRAM_BOT_TOKEN, after applying pending database migrations. Long polling unless "
        "WEBHOOK_URL is set. Stop with Ctrl+C or SIGTERM.",
    )
    run.add_argument("--webhook", action="store_true",
                     help="take updates by webhook at WEBHOOK_URL (the default when it is set)")

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
    pictures = content_commands.add_parser(
        "gallery", help="draw every exercise's picture on a few sheets, to look at",
        description="Draw every exercise's picture on contact sheets (PNG) in DIR.")
    pictures.add_argument("dir", metavar="DIR", nargs="?", default="docs/pictures",
                          help="where to write the sheets (default: %(default)s)")
    bench = commands.add_parser(
        "bench", help="run the benchmarks, each figure beside its reference and target",
        description="Run every benchmark (tick, people writing at once, the morning burst, "
        "memory, the event loop's lag) beside a bare python-telegram-bot bot on the same "
        "emulator; print the table and write bench/results/bench.json. Needs a clone of "
        "the repository (the benchmarks are not installed with the package).")
    bench.add_argument("--quick", action="store_true",
                       help="smaller sizes: about three minutes on two cores")
    bench.add_argument("--postgres", metavar="URL", default=None,
                       help="also time the tick on this PostgreSQL (a schema of its own, "
                       "dropped after)")
    return parser


def _bench(quick: bool, postgres: str | None) -> int:
    suite = Path(__file__).resolve().parent.parent / "bench" / "suite.py"
    if not suite.exists():
        raise Fatal("the benchmarks come with a clone of the repository (bench/); this "
                    "installation has none.")
    sys.path.insert(0, str(suite.parent.parent))
    from bench.suite import main as run

    return run(quick=quick, postgres=postgres)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            return _run(webhook=args.webhook)
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
        if args.command == "bench":
            return _bench(args.quick, args.postgres)
        if args.command == "content" and args.content_command == "gallery":
            from bot.materials.gallery import make_gallery

            return make_gallery(args.dir)
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


async def _migrate_aside(database_url: str) -> None:
    """Migrate as ``rehab-buddy db upgrade`` does, in a process of its own: alembic takes
    11 MB that a running bot would otherwise keep for its whole life, for one use at start
    (the bot at rest was over its 100 MB). The child's one line of failure is ours."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "db", "upgrade",
        env={**os.environ, "DATABASE_URL": database_url},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await child.communicate()
    if child.returncode != 0:
        # its own line says what went wrong ("rehab-buddy: ..."); anything else is not shown
        last = (err.decode(errors="replace").strip().splitlines() or [""])[-1]
        raise Fatal(last.removeprefix("rehab-buddy: ") if last.startswith("rehab-buddy: ")
                    else "could not migrate the database at DATABASE_URL.",
                    child.returncode if child.returncode > 0 else EXIT_FAILURE)
    log.debug("%s", out.decode(errors="replace").strip().removeprefix("rehab-buddy: "))


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


def _run(webhook: bool = False) -> int:
    settings = _settings()
    token = settings.require_token()
    if webhook and settings.webhook_url is None:
        raise SettingsError("--webhook needs WEBHOOK_URL: the public https:// address Telegram "
                            "should post updates to (see .env.example).")
    asyncio.run(_serve(settings, token))
    return 0


STOP_SECONDS = 8.0  # SIGTERM to exit: in-flight work finishes within this, then we go


async def _serve(settings: Settings, token: str) -> None:
    """Migrate, then take updates (long polling, one instance at a time; or a webhook) and
    run the scheduled work, until SIGINT or SIGTERM; then stop in order (docs/operations.md)."""
    from bot.application import build_application, settle_heap
    from bot.materials.catalogue import ContentError
    from db.engine import Database

    await _migrate_aside(settings.database_url)
    database = Database.from_url(settings.database_url)
    app = build_application(settings, token=token, database=database)
    services = app.bot_data["services"]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    web_runner = None
    receiver = None
    turn_task: asyncio.Task[None] | None = None
    try:
        await _initialize(app)
        if app.post_init:
            try:
                await app.post_init(app)
            except ContentError as exc:
                raise Fatal(f"a content file is broken: {exc}. `rehab-buddy content check` "
                            "lists every problem.") from None
        await app.start()
        health = _health(settings, services)
        if settings.webhook_url is not None:
            assert health is not None
            services.extras["transport"] = "webhook"
            web_runner, receiver = await _start_webhook(settings, token, app, health)
        else:
            turn_task = asyncio.create_task(_poll_in_turn(settings, app, stop))
            if health is not None:
                web_runner = await _start_health(settings, health)
        log.info("Rehab Buddy is running as @%s (%s)", app.bot.username,
                 "webhook" if receiver is not None else "long polling")
        settle_heap()
        await stop.wait()
        log.info("stopping")
    finally:
        await _stop_in_order(app, services, stop, receiver, web_runner, turn_task)
        await database.dispose()


async def _initialize(app: RehabApp) -> None:
    from telegram.error import InvalidToken, NetworkError, TelegramError

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


def _health(settings: Settings, services: Services) -> Health | None:
    """The checks behind /readyz and /metrics: on the webhook's server, or HEALTH_PORT's."""
    if settings.webhook_url is None and settings.health_port is None:
        return None
    from bot.health import Health

    return Health(services, services.extras["metrics"], tick_seconds=settings.tick_seconds)


async def _start_health(settings: Settings, health: Health) -> web.AppRunner:
    from bot.health import health_app
    from bot.webhook import start_web_server

    assert settings.health_port is not None
    try:
        runner = await start_web_server(health_app(health), settings.health_host,
                                        settings.health_port)
    except OSError as exc:
        raise Fatal(f"could not listen on HEALTH_HOST:HEALTH_PORT "
                    f"({settings.health_host}:{settings.health_port}: "
                    f"{exc.strerror or exc}).") from None
    log.info("health and metrics on http://%s:%d (/healthz, /readyz, /metrics)",
             settings.health_host, settings.health_port)
    return runner


async def _start_webhook(settings: Settings, token: str, app: RehabApp, health: Health
                         ) -> tuple[web.AppRunner, WebhookReceiver]:
    """Listen, then tell Telegram where to post (with the secret it must send back)."""
    from telegram import Update
    from telegram.error import TelegramError

    from bot.health import health_app
    from bot.webhook import WebhookReceiver, add_webhook_route, start_web_server

    services = app.bot_data["services"]
    secret = settings.webhook_secret_token(token)
    receiver = WebhookReceiver(app, secret=secret,
                               processor=services.extras["processor"],
                               metrics=services.extras["metrics"])
    web_app = health_app(health)
    add_webhook_route(web_app, receiver, settings.webhook_path)
    try:
        runner = await start_web_server(web_app, settings.webhook_listen, settings.webhook_port)
    except OSError as exc:
        raise Fatal(f"could not listen on WEBHOOK_LISTEN:WEBHOOK_PORT "
                    f"({settings.webhook_listen}:{settings.webhook_port}: "
                    f"{exc.strerror or exc}).") from None
    try:
        await app.bot.set_webhook(
            settings.webhook_url, secret_token=secret, allowed_updates=Update.ALL_TYPES,
            max_connections=settings.webhook_max_connections)
    except TelegramError as exc:
        await runner.cleanup()
        raise Fatal(f"Telegram refused the webhook at WEBHOOK_URL: {exc.message}") from None
    log.info("taking updates by webhook on %s:%d%s (health on the same port)",
             settings.webhook_listen, settings.webhook_port, settings.webhook_path)
    return runner, receiver


async def _poll_in_turn(settings: Settings, app: RehabApp, stopping: asyncio.Event) -> None:
    from bot.poller import Poller
    from bot.polling import PollingTurn

    services = app.bot_data["services"]
    poller = Poller(app, services.extras["processor"])

    async def stop() -> None:
        await poller.stop(STOP_SECONDS * 0.4)  # the updates taken are handled, then confirmed

    await PollingTurn(services.extras["presence"], start=poller.start, stop=stop,
                      check_seconds=settings.standby_check_seconds,
                      metrics=services.extras["metrics"]).run(stopping)


async def _stop_in_order(app: RehabApp, services: Services, stop: asyncio.Event,
                         receiver: WebhookReceiver | None, web_runner: web.AppRunner | None,
                         turn_task: asyncio.Task[None] | None) -> None:
    """No new work first (updates, claims), then the work in hand, then the locks: an update
    taken is handled, a prompt claimed is sent or handed back, and a standby takes over."""
    stop.set()
    extras = services.extras
    dispatcher = extras.get("dispatcher")
    if dispatcher is not None:
        dispatcher.stopping = True  # no new claims; a claim not yet sent is handed back
        pacer = extras.get("pacer")
        if pacer is not None:
            pacer.let_go_bulk()  # prompts waiting for a slot are not sent by this instance
    if extras.get("digester") is not None:
        extras["digester"].stopping = True  # a digest not yet claimed is left to the others
    if receiver is not None:
        await receiver.drain(STOP_SECONDS / 2)
    if turn_task is not None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(turn_task, STOP_SECONDS * 0.6)
    if web_runner is not None:
        await web_runner.cleanup()
    if app.running:
        from bot.jobs.scheduling import hold_still

        hold_still(app)  # no heartbeat starts now, so none is cut off by the shutdown
        await app.stop()  # handles what was taken; waits for the heartbeat in hand
    if dispatcher is not None and extras.get("presence") is not None:
        with contextlib.suppress(Exception):
            released = await dispatcher.release()
            if released:
                log.info("%d claimed prompt(s) handed back for another instance", released)
    with contextlib.suppress(RuntimeError):  # never initialized
        await app.shutdown()
    if app.post_shutdown:
        await app.post_shutdown(app)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
