"""The application factory: one place that builds the bot and registers every handler."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, timedelta

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    ApplicationBuilder,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.clock import Clock, SystemClock
from bot.context import RehabApp, RehabContext, Services
from bot.flows.alerts import Quiet
from bot.flows.pictures import PictureStore
from bot.jobs.alerts import AlertSweeper
from bot.jobs.care_reports import CareReports
from bot.jobs.digests import Digester
from bot.jobs.dispatch import DispatchConfig, Dispatcher
from bot.jobs.outbox import AlertOutbox
from bot.jobs.ownership import Ownership
from bot.jobs.pacing import PriorityPacer
from bot.jobs.scheduling import Ticker
from bot.logs import quiet_library_lines
from bot.loop_lag import LoopLag
from bot.materials.preload import preload
from bot.materials.texts import Texts, texts
from bot.metrics import Metrics
from bot.rules.flood import RateLimit
from bot.rules.language import menu_code
from bot.seen import SeenRecently
from bot.settings import Settings
from bot.telegram_client import RehabBot
from bot.transport import AiohttpRequest
from bot.updates import CONCURRENT_UPDATES, ChatOrderedProcessor
from db.checkpoints import Checkpointer
from db.engine import Database
from db.presence import Presence
from handlers import (
    alerts,
    arm_use,
    care,
    checkin,
    digest,
    errors,
    family_view,
    flood,
    groups,
    help,
    invitations,
    language,
    learn,
    membership,
    onboarding,
    plan,
    privacy,
    progress,
    reminders,
    report,
    safety,
    sanity,
    session,
    start,
    text,
)
from handlers.common import command_menu, track_person


def file_url(base_url: str) -> str:
    """Telegram serves files under /file/bot…; a self-hosted server mirrors that layout."""
    return base_url[: -len("/bot")] + "/file/bot" if base_url.endswith("/bot") else base_url


Callback = Callable[[Update, RehabContext], Awaitable[None]]


def _route(commands: dict[str, Callback]) -> Callback:
    """The handler of the command an update carries (one the CommandHandler matched)."""
    async def route(update: Update, context: RehabContext) -> None:
        message = update.effective_message
        assert message is not None and message.text is not None
        name = message.text.split(maxsplit=1)[0][1:].split("@", 1)[0].lower()
        await commands[name](update, context)

    return route


def register_handlers(app: RehabApp) -> None:
    """Every handler, top to bottom. Group -1 runs before all others for every update."""
    app.add_handler(TypeHandler(Update, sanity.drop_unreadable), group=-3)  # bad data
    app.add_handler(TypeHandler(Update, flood.rate_limit), group=-2)  # one person's flood
    app.add_handler(TypeHandler(Update, track_person), group=-1)
    private = filters.ChatType.PRIVATE  # health data is never shown in a group by a command

    # Commands (the same list feeds /help and the menu: bot/commands.py).
    commands = {
        "start": start.start, "today": session.start_session, "checkin": checkin.checkin_command,
        "plan": plan.show_plan, "progress": progress.show_progress, "learn": learn.learn,
        "goal": learn.goal, "undo": checkin.undo, "remind": reminders.remind,
        "timezone": reminders.timezone, "pause": reminders.pause, "resume": reminders.resume,
        "invite": invitations.invite, "family": family_view.family_command,
        "alerts": alerts.alerts,
        "digest": digest.digest, "group": groups.group_command, "safety": safety.safety_command,
        "careteam": invitations.invite_care_team, "patients": care.patients_command,
        "report": report.report_command, "armuse": arm_use.arm_use_command,
        "export": privacy.export_command, "delete": privacy.delete_command,
        "language": language.language_command, "help": help.help_command,
    }
    # one handler for them all: the library would otherwise try each in turn for every update
    app.add_handler(CommandHandler(list(commands), _route(commands), filters=private))
    app.add_handler(CommandHandler("link", groups.link_group))  # the one command for groups

    # Buttons, by the prefix of their callback data.
    buttons = (
        (start.choose_role, rf"^{start.ROLE_PREFIX}"),
        (onboarding.on_tap, rf"^{onboarding.PREFIX}"),
        (session.start_session, r"^sess:new$"),
        (session.later, r"^sess:later$"),
        (session.on_tap, rf"^{session.PREFIX}"),
        (checkin.on_tap, rf"^{checkin.PREFIX}"),
        (progress.show_progress, r"^prog:me$"),
        (progress.on_progress_tap, r"^prog:p:"),
        (learn.goal_reached, r"^goal:(reached|yes|no)"),
        (reminders.on_remind_tap, r"^rmd:"),
        (reminders.on_timezone_tap, r"^tz:"),
        (reminders.on_pause_tap, r"^pau:"),
        (reminders.on_prompt_tap, r"^(snz|skp):"),
        (invitations.on_invite_tap, r"^fam:(acc|dec):"),
        (family_view.on_link_tap, r"^fam:(rm|lv|rmy|lvy):|^fam:keep$"),
        (family_view.on_cheer_tap, r"^chr:"),
        (family_view.on_thanks_tap, r"^thx:"),
        (alerts.on_alert_tap, r"^alr:"),
        (digest.on_digest_tap, r"^dg:"),
        (safety.on_tap, rf"^{safety.PREFIX}"),
        (plan.on_put_back_tap, rf"^{plan.PUT_BACK}"),
        (care.on_tap, rf"^{care.PREFIX}"),
        (care.on_page_tap, rf"^{care.PAGE_PREFIX}"),
        (report.on_name_tap, r"^rpn:toggle$"),
        (arm_use.on_tap, rf"^{arm_use.PREFIX}"),
        (privacy.on_tap, rf"^{privacy.PREFIX}"),
        (language.on_tap, rf"^{language.PREFIX}"),
    )
    for callback, pattern in buttons:
        app.add_handler(CallbackQueryHandler(callback, pattern=pattern))
    app.add_handler(CallbackQueryHandler(help.unknown_button))  # anything else: forged or old

    # What Telegram says about the bot's place in a chat: blocked, removed, a supergroup now.
    app.add_handler(ChatMemberHandler(membership.on_my_chat_member,
                                      ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, membership.on_migrate))

    # Messages in private chats: a shared location (time zone), free text, unknown commands.
    app.add_handler(MessageHandler(private & filters.LOCATION, onboarding.on_location))
    app.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, text.on_text))
    app.add_handler(MessageHandler(private & filters.COMMAND, help.unknown_text))
    app.add_error_handler(errors.on_error)


async def set_commands(app: RehabApp) -> None:
    """Publish the command menu, in every language we have. A menu Telegram refuses is one
    log line: the bot works without it, and the next start tries again."""
    services: Services = app.bot_data["services"]
    for lang in sorted(services.texts.languages):
        try:
            await app.bot.set_my_commands(command_menu(services.texts, lang),
                                          language_code=menu_code(lang))
        except TelegramError as exc:
            logging.getLogger(__name__).warning(
                "the command menu (%s) was not set: %s", lang, type(exc).__name__)


async def _post_init(app: RehabApp) -> None:
    services: Services = app.bot_data["services"]
    if services.database is None:
        services.database = Database.from_url(services.settings.database_url)
        services.extras["owns_database"] = True
    presence = Presence(services.db)
    await presence.start()
    services.extras["presence"] = presence
    checkpointer = Checkpointer(services.db)
    checkpointer.start()
    services.extras["checkpointer"] = checkpointer
    await set_commands(app)
    await asyncio.to_thread(preload, services.texts.languages)
    lag = LoopLag(on_lag=services.extras["metrics"].lag)
    lag.start()
    services.extras["loop_lag"] = lag
    recovered = await services.extras["dispatcher"].recover()
    if recovered:
        logging.getLogger(__name__).warning(
            "%d prompt(s) were being sent when the bot stopped; not sent again", recovered)


def settle_heap() -> None:
    """Once the bot is up: collect, then move every object alive now (modules, handlers,
    templates, the catalogue) out of the cyclic collector's sight. A full collection over
    them took about 100 ms, and came in the middle of a morning burst, holding every answer
    (bench: the event loop's worst lag went from 128 ms to 49 ms). Only for a process that
    runs one bot (``rehab-buddy run``); a test process builds hundreds."""
    gc.collect()
    gc.freeze()


async def _post_shutdown(app: RehabApp) -> None:
    services: Services = app.bot_data["services"]
    lag = services.extras.pop("loop_lag", None)
    if lag is not None:
        await lag.stop()
    checkpointer = services.extras.pop("checkpointer", None)
    if checkpointer is not None:
        await checkpointer.stop()
    presence = services.extras.pop("presence", None)
    if presence is not None:
        await presence.close()
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
    client = RehabBot(  # the builder's own defaults, with our forgiving edits and answers
        token=token, base_url=settings.telegram_api_base_url,
        base_file_url=file_url(settings.telegram_api_base_url),
        defaults=Defaults(parse_mode=ParseMode.HTML, tzinfo=UTC),
        rate_limiter=pacer or PriorityPacer(paid_per_second=settings.paid_broadcast_per_second),
        # the updates handled at once and the paced bulk sends beside them (bot/transport.py
        # says why aiohttp)
        request=AiohttpRequest(connections=2 * CONCURRENT_UPDATES, pool_timeout=30),
        # two: the last confirming call at shutdown never waits for the long poll it ends
        get_updates_request=AiohttpRequest(connections=2))
    quiet_library_lines()
    app: RehabApp = (
        ApplicationBuilder()
        .bot(client)
        .context_types(context_types)
        .concurrent_updates(update_processor or ChatOrderedProcessor())
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )  # type: ignore[assignment]
    services = Services(settings=settings, clock=clock or SystemClock(), texts=text or texts(),
                        database=database)
    metrics = Metrics()
    services.extras["metrics"] = metrics
    services.extras["pacer"] = client.rate_limiter
    services.extras["processor"] = app.update_processor
    if isinstance(client.rate_limiter, PriorityPacer):
        client.rate_limiter.metrics = metrics
    if isinstance(app.update_processor, ChatOrderedProcessor):
        app.update_processor.metrics = metrics
    ticker = Ticker()
    services.extras["pictures"] = PictureStore(settings.pictures_dir, lambda: services.db)
    services.extras["ticker"] = ticker
    services.extras["rate_limit"] = RateLimit(limit=settings.rate_limit)
    quiet_start, quiet_end = settings.quiet_window
    ownership = Ownership(lambda: services.extras.get("presence"))  # one id for every claim
    dispatcher = Dispatcher(
        database=lambda: services.db, texts=services.texts,
        default_zone=settings.default_timezone,
        config=dispatch_config or DispatchConfig(
            grace=timedelta(minutes=settings.reminder_grace_minutes),
            quiet_start=quiet_start, quiet_end=quiet_end,
            paid_broadcast=settings.paid_broadcast_per_second > 0),
        ownership=ownership, budget=ticker.budget)
    dispatcher.metrics = metrics
    services.extras["seen"] = dispatcher.seen = SeenRecently()
    services.extras["dispatcher"] = dispatcher
    ticker.register("prompts", dispatcher.tick, dispatcher.next_at)
    digester = Digester(database=lambda: services.db, texts=services.texts,
                        default_zone=settings.default_timezone, ownership=ownership)
    services.extras["digester"] = digester
    ticker.register("digests", digester.tick, digester.next_at)
    outbox = AlertOutbox(database=lambda: services.db, texts=services.texts)
    services.extras["outbox"] = outbox
    services.extras["quiet"] = Quiet(settings.quiet_window, settings.default_timezone)
    ticker.register("outbox", outbox.tick, outbox.next_at)
    sweeper = AlertSweeper(database=lambda: services.db, quiet=services.extras["quiet"],
                           outbox=outbox, budget=ticker.budget)
    services.extras["sweeper"] = sweeper
    ticker.register("alerts", sweeper.tick)
    reports = CareReports(database=lambda: services.db, texts=services.texts,
                          default_zone=settings.default_timezone)
    ticker.register("care_reports", reports.tick)
    ticker.register("sweep", dispatcher.sweep)  # last: it takes what the tick has left
    ticker.register_step("sweep", dispatcher.sweep_step)  # and a batch a step while any left
    app.bot_data["services"] = services
    register_handlers(app)
    if heartbeat:
        ticker.install(app, settings.tick_seconds)
    return app
