"""Small helpers every handler uses: the reader's language, replies from templates, buttons."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, Forbidden

from bot.commands import COMMANDS
from bot.context import RehabContext
from bot.materials.catalogue import READING, reading
from bot.materials.locale_format import zone_name
from bot.materials.texts import Texts
from bot.rules import timezones
from bot.rules.family import role_of
from bot.seen import Seen, SeenRecently
from db import family
from db.models import PatientProfile, Person
from db.patients import get_patient
from db.people import as_stored, get_person, track


def lang_of(update: Update, context: RehabContext) -> str:
    """The language of the person behind the update: their stored choice (read by
    ``track_person`` before any handler), else what Telegram reports."""
    if context.lang is not None:
        return context.lang
    user = update.effective_user
    return context.services.texts.language(user.language_code if user else None)


def render(update: Update, context: RehabContext, template: str, **values: Any) -> str:
    user = update.effective_user
    values.setdefault("name", user.first_name if user else "")
    return context.services.texts.render(template, lang_of(update, context), **values)


def button(update: Update, context: RehabContext, label: str, data: str,
           **values: Any) -> InlineKeyboardButton:
    text = context.services.texts.label(label, lang_of(update, context), **values)
    return InlineKeyboardButton(text, callback_data=data)


def keyboard(*rows: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([list(row) for row in rows])


async def reply(update: Update, context: RehabContext, template: str, *,
                markup: InlineKeyboardMarkup | None = None, **values: Any) -> Message:
    """Send the rendered template to the chat the update came from."""
    chat = update.effective_chat
    assert chat is not None
    return await context.bot.send_message(
        chat.id, render(update, context, template, **values), reply_markup=markup
    )


async def track_person(update: Update, context: RehabContext) -> None:
    """Runs before every handler: remember who wrote, and that they are reachable again."""
    user = update.effective_user
    if user is None or user.is_bot:
        return
    services = context.services
    now = services.clock.now()
    seen_recently: SeenRecently = services.extras["seen"]
    first_name, language_code = as_stored(user.first_name, user.language_code)
    seen = None if update.my_chat_member is not None else seen_recently.get(
        user.id, first_name=first_name, language_code=language_code, now=now)
    if seen is None:
        async with services.db.connect() as connection:
            language = await track(connection=connection, telegram_id=user.id,
                                   first_name=first_name, language_code=language_code,
                                   now=now)
        seen = Seen(language=language, first_name=first_name,
                    language_code=language_code, at=now)
        seen_recently.note(user.id, seen)
    context.lang = services.texts.language(user.language_code, seen.language)
    READING.set(context.lang)  # exercise words in this reader's language, for this update


async def clear_buttons(update: Update) -> None:
    """Put away the buttons of the tapped message, if it still has any."""
    query = update.callback_query
    if query is not None and query.message is not None and getattr(
            query.message, "reply_markup", None):
        await query.edit_message_reply_markup(None)


async def ready_patient(update: Update, context: RehabContext
                        ) -> tuple[Person, PatientProfile] | None:
    """The patient behind the update if they finished setting up; otherwise a friendly nudge
    to do so (and None)."""
    user = update.effective_user
    assert user is not None
    async with context.services.db.session() as session:
        found = await get_patient(session=session, telegram_id=user.id)
    if found is None or found[1].onboarding_step != "done":
        await not_ready(update, context)
        return None
    return found


async def standing(update: Update, context: RehabContext
                   ) -> tuple[str, Person | None, list[str]]:
    """Where the person behind the update stands (``bot.rules.family.role_of``), who they
    are, and the first names of the patients they follow."""
    user = update.effective_user
    assert user is not None
    async with context.services.db.session() as session:
        person = await get_person(session=session, telegram_id=user.id)
        found = await get_patient(session=session, telegram_id=user.id)
        following = (await family.patients_of(session=session, member_id=person.id)
                     if person is not None and person.id is not None else [])
    role = role_of(practising=found is not None and found[1].onboarding_step == "done",
                   setting_up=found is not None and found[1].onboarding_step != "done",
                   follows=len(following), is_family=bool(person and person.is_family))
    return role, person, [p.first_name for _, _, p in following]


async def not_ready(update: Update, context: RehabContext) -> None:
    """Someone asked for practice who does not practise (yet): a family member is told where
    they stand and what they can do; anyone else is offered the next step of setting up."""
    role, _, following = await standing(update, context)
    if role == "family":
        await reply(update, context, "family/not_for_family", patients=following)
        return
    label = "start.continue" if role == "setup" else "start.patient"
    rows = [[button(update, context, label, "role:patient")]]
    if role == "new":
        rows.append([button(update, context, "start.family", "role:family")])
    await reply(update, context, "plan/not_ready", markup=keyboard(*rows))


def city_rows(update: Update, context: RehabContext, cities: list[Any],
              prefix: str) -> list[list[InlineKeyboardButton]]:
    """City buttons two to a row; each button's data is ``prefix`` and the city's zone."""
    buttons = [button(update, context, "plain", f"{prefix}{c.zone}", text=c.name)
               for c in cities]
    return [buttons[i:i + 2] for i in range(0, len(buttons), 2)]


async def current_person(update: Update, context: RehabContext) -> Person | None:
    """The stored person behind the update."""
    user = update.effective_user
    assert user is not None
    async with context.services.db.session() as session:
        return await get_person(session=session, telegram_id=user.id)


async def notify(context: RehabContext, person: Person, template: str, *,
                 markup: InlineKeyboardMarkup | None = None, **values: object) -> None:
    """Tell someone other than the sender, in their language (a value may be a function of
    the language, for words such as an exercise's title); quietly skip people who blocked
    the bot (and remember that they did)."""
    texts = context.services.texts
    lang = texts.language(person.language_code, person.language)
    with reading(lang):
        words = {k: v(lang) if callable(v) else v for k, v in values.items()}
        text = texts.render(template, lang, name=person.first_name, **words)
    try:
        await context.bot.send_message(person.telegram_id, text, reply_markup=markup)
    except Forbidden:
        async with context.services.db.session() as session:
            stored = await session.get(Person, person.id)
            if stored is not None:
                stored.active = False
                session.add(stored)


async def patient_person(context: RehabContext, patient_id: int
                         ) -> tuple[PatientProfile, Person] | None:
    """A patient's profile and person, read in a short transaction of its own."""
    async with context.services.db.session() as session:
        return await family.patient_person(session=session, patient_id=patient_id)


async def edit_text(update: Update, text: str,
                    markup: InlineKeyboardMarkup | None = None) -> bool:
    """Edit the tapped message; False (and no error) if it already says exactly this, as after
    a double tap, where Telegram answers "message is not modified"."""
    query = update.callback_query
    assert query is not None
    try:
        edited = await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" in exc.message.lower():
            return False
        raise
    return not isinstance(edited, bool)  # the client reports "not modified" as True


MAX_ID = 2**63 - 1  # the largest id a database row can have (BIGINT)


def record_id(text: str) -> int:
    """An id from callback data, never trusted: plain digits within a database integer;
    anything else raises ValueError like ``int()`` (a forged 2**63 would otherwise overflow)."""
    if not text.isdigit() or len(text) > 19 or int(text) > MAX_ID:
        raise ValueError(f"not an id: {text[:20]!r}")
    return int(text)


def zone_text(update: Update, context: RehabContext, zone: str, now: datetime) -> str:
    """A time zone and its offset now, named in the reader's words outside English."""
    return timezones.zone_label(zone, now, zone_name(zone, lang_of(update, context)))


def command_menu(texts: Texts, lang: str) -> list[BotCommand]:
    """The command menu Telegram shows, described in ``lang``."""
    return [BotCommand(c.name, texts.label(f"commands.{c.name}", lang)) for c in COMMANDS]
