"""The application factory: one place that builds the bot and registers every handler."""

from __future__ import annotations

import logging
from datetime import UTC, timedelta

from telegram import BotCommand, Update
from telegram.constants import ParseMode
from telegram.ext import (
    ApplicationBuilder,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.clock import Clock, SystemClock
from bot.commands import COMMANDS
from bot.context import RehabApp, RehabContext, Services
from bot.dispatch import DispatchConfig, Dispatcher
from bot.pacing import PriorityPacer
from bot.scheduling import Ticker
from bot.settings import Settings
from bot.texts import Texts, texts
from bot.updates import ChatOrderedProcessor
from db.engine import Database
from handlers import (
    checkin,
    errors,
    help,
    learn,
    onboarding,
    plan,
    progress,
    reminders,
    session,
    start,
    text,
)
from handlers.common import track_person


def file_url(base_url: str) -> str:
    """Telegram serves files under /file/bot…; a self-hosted server mirrors that layout."""
    return base_url[: -len("/bot")] + "/file/bot" if base_url.endswith("/bot") else base_url


def register_handlers(app: RehabApp) -> None:
    """Every handler, top to bottom. Group -1 runs before all others for every update."""
    app.add_handler(TypeHandler(Update, track_person), group=-1)

    # Commands (the same list feeds /help and the menu: bot/commands.py).
    app.add_handler(CommandHandler("start", start.start))
    app.add_handler(CommandHandler("today", session.start_session))
    app.add_handler(CommandHandler("checkin", checkin.checkin_command))
    app.add_handler(CommandHandler("plan", plan.show_plan))
    app.add_handler(CommandHandler("progress", progress.show_progress))
    app.add_handler(CommandHandler("learn", learn.learn))
    app.add_handler(CommandHandler("goal", learn.goal))
    app.add_handler(CommandHandler("undo", checkin.undo))
    app.add_handler(CommandHandler("remind", reminders.remind))
    app.add_handler(CommandHandler("timezone", reminders.timezone))
    app.add_handler(CommandHandler("pause", reminders.pause))
    app.add_handler(CommandHandler("resume", reminders.resume))
    app.add_handler(CommandHandler("help", help.help_command))

    # Buttons, by the prefix of their callback data.
    app.add_handler(CallbackQueryHandler(start.choose_role, pattern=rf"^{start.ROLE_PREFIX}"))
    app.add_handler(CallbackQueryHandler(onboarding.on_tap, pattern=rf"^{onboarding.PREFIX}"))
    app.add_handler(CallbackQueryHandler(session.start_session, pattern=r"^sess:new$"))
    app.add_handler(CallbackQueryHandler(session.later, pattern=r"^sess:later$"))
    app.add_handler(CallbackQueryHandler(session.on_tap, pattern=rf"^{session.PREFIX}"))
    app.add_handler(CallbackQueryHandler(checkin.on_tap, pattern=rf"^{checkin.PREFIX}"))
    app.add_handler(CallbackQueryHandler(progress.show_progress, pattern=r"^prog:me$"))
    app.add_handler(CallbackQueryHandler(learn.goal_reached, pattern=r"^goal:reached$"))
    app.add_handler(CallbackQueryHandler(reminders.on_remind_tap, pattern=r"^rmd:"))
    app.add_handler(CallbackQueryHandler(reminders.on_timezone_tap, pattern=r"^tz:"))
    app.add_handler(CallbackQueryHandler(reminders.on_pause_tap, pattern=r"^pau:"))
    app.add_handler(CallbackQueryHandler(reminders.on_prompt_tap, pattern=r"^(snz|skp):"))
    app.add_handler(CallbackQueryHandler(help.unknown_button))  # anything else: forged or old

    # Messages: a shared location (time zone), then free text, then unknown commands.
    app.add_handler(MessageHandler(filters.LOCATION, onboarding.on_location))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, text.on_text))
    app.add_handler(MessageHandler(filters.COMMAND, help.unknown_text))
    app.add_error_handler(errors.on_error)


async def set_commands(app: RehabApp) -> None:
    """Publish the command menu, in every language we have."""
    services: Services = app.bot_data["services"]
    for lang in sorted(services.texts.languages):
        commands = [BotCommand(c.name, services.texts.label(f"commands.{c.name}", lang))
                    for c in COMMANDS]
        await app.bot.set_my_commands(commands, language_code=None if lang == "en" else lang)


async def _post_init(app: RehabApp) -> None:
    services: Services = app.bot_data["services"]
    if services.database is None:
        services.database = Database.from_url(services.settings.database_url)
        services.extras["owns_database"] = True
    await set_commands(app)
    recovered = await services.extras["dispatcher"].recover()
    if recovered:
        logging.getLogger(__name__).warning(
            "%d prompt(s) were being sent when the bot stopped; not sent again", recovered)


async def _post_shutdown(app: RehabApp) -> None:
    services: Services = app.bot_data["services"]
    if services.extras.get("owns_database") and services.database is not None:
        await services.database.dispose()
        services.database = None


def build_application(
    settings: Settings,
    *,
    token: str,
    clock: Clock | None = None,
    database: Database | None = None,
    text: Texts | None = None,
    update_processor: BaseUpdateProcessor | None = None,
    heartbeat: bool = True,
    pacer: PriorityPacer | None = None,
    dispatch_config: DispatchConfig | None = None,
) -> RehabApp:
    """Build the bot. Without ``database`` it opens ``settings.database_url`` in post_init."""
    context_types = ContextTypes(context=RehabContext)
    app: RehabApp = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(file_url(settings.telegram_api_base_url))
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=UTC))
        .context_types(context_types)
        .concurrent_updates(update_processor or ChatOrderedProcessor())
        .rate_limiter(pacer or PriorityPacer())
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )  # type: ignore[assignment]
    services = Services(settings=settings, clock=clock or SystemClock(), texts=text or texts(),
                        database=database)
    ticker = Ticker()
    services.extras["ticker"] = ticker
    quiet_start, quiet_end = settings.quiet_window
    dispatcher = Dispatcher(
        database=lambda: services.db, texts=services.texts,
        default_zone=settings.default_timezone,
        config=dispatch_config or DispatchConfig(
            grace=timedelta(minutes=settings.reminder_grace_minutes),
            quiet_start=quiet_start, quiet_end=quiet_end))
    services.extras["dispatcher"] = dispatcher
    ticker.register("prompts", dispatcher.tick, dispatcher.next_at)
    app.bot_data["services"] = services
    register_handlers(app)
    if heartbeat:
        ticker.install(app, settings.tick_seconds)
    return app
