"""A patient's first steps, all by tapping: disclaimer, affected side, placement questions,
time zone, reminder times, then the first plan. An interrupted onboarding resumes where it
stopped; /start again never makes a second profile."""

from __future__ import annotations

from datetime import time

from telegram import (
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)

from bot.context import RehabContext
from bot.flows.family import ensure_digest_schedule
from bot.flows.practice import plan_for, zone_of
from bot.materials.typed_words import typed_words
from bot.rules import timezones
from bot.rules.due import ALL_DAYS, next_due
from bot.rules.placement import next_question, place
from bot.rules.practice import LESSON_DAYS, PRESETS, lesson_time, local_day
from bot.rules.safety import answered
from bot.rules.typed import normalise_answer, set_up_answer
from db import patients
from db.models import PatientProfile, Person
from db.people import get_person
from handlers import safety
from handlers.common import (
    button,
    city_rows,
    clear_buttons,
    keyboard,
    lang_of,
    render,
    reply,
    zone_text,
)
from handlers.plan import plan_view

PREFIX = "ob:"
_ANSWER_CODES = {"y": "yes", "p": "partly", "n": "no"}
STEPS = ("disclaimer", "side", "placement", "timezone", "reminders", "done")
SIDES = ("left", "right", "both", "unsure")


async def begin(update: Update, context: RehabContext) -> None:
    """Called when someone taps "I'm practising" or sends /start as a patient."""
    user = update.effective_user
    assert user is not None
    services = context.services
    async with services.db.session() as session:
        person = await get_person(session=session, telegram_id=user.id)
        assert person is not None
        profile = await patients.ensure_profile(session=session, person=person,
                                                now=services.clock.now())
    await send_step(update, context, person, profile)


def _step_view(update: Update, context: RehabContext, person: Person,
               profile: PatientProfile) -> tuple[str, InlineKeyboardMarkup | None]:
    step = profile.onboarding_step
    if step == "disclaimer":
        return (render(update, context, "safety/disclaimer"),
                keyboard([button(update, context, "onboarding.accept", f"{PREFIX}accept")]))
    if step == "side":
        return (render(update, context, "onboarding/side"),
                keyboard(*[[button(update, context, f"side.{s}", f"{PREFIX}side:{s}")]
                           for s in SIDES]))
    if step == "placement":
        question = next_question(profile.placement_answers or {})
        assert question is not None
        number = len(profile.placement_answers or {}) + 1
        qid = question.id
        return (render(update, context, f"placement/{question.id}", number=number),
                keyboard([button(update, context, "common.answer_yes", f"{PREFIX}q:{qid}:y")],
                         [button(update, context, "common.answer_partly", f"{PREFIX}q:{qid}:p")],
                         [button(update, context, "common.answer_no", f"{PREFIX}q:{qid}:n")]))
    if step == "timezone":
        cities = timezones.pick_list(person.language or person.language_code)
        rows = city_rows(update, context, cities, f"{PREFIX}tz:")
        return render(update, context, "onboarding/timezone"), keyboard(*rows)
    if step == "reminders":
        return render(update, context, "onboarding/reminders"), _reminder_keyboard(
            update, context, set())
    raise ValueError(step)


def _reminder_keyboard(update: Update, context: RehabContext,
                       chosen: set[str]) -> InlineKeyboardMarkup:
    rows = [[button(update, context, f"reminder.{name}", f"{PREFIX}rm:{name}",
                    chosen=name in chosen, time=at)] for name, at in PRESETS.items()]
    rows.append([button(update, context, "common.done", f"{PREFIX}rmdone")])
    return keyboard(*rows)


async def send_step(update: Update, context: RehabContext, person: Person,
                    profile: PatientProfile, *, edit: bool = False) -> None:
    """Show the step the patient is at (a new message, or the tapped one edited)."""
    if profile.onboarding_step == "done":
        await reply(update, context, "onboarding/welcome_back",
                    markup=keyboard([button(update, context, "common.start_now", "sess:new")],
                                    [button(update, context, "session.progress", "prog:me")]))
        return
    text, markup = _step_view(update, context, person, profile)
    query = update.callback_query
    if edit and query is not None:
        await query.edit_message_text(text, reply_markup=markup)
    else:
        await context.bot.send_message(update.effective_chat.id, text,  # type: ignore[union-attr]
                                       reply_markup=markup)
    if profile.onboarding_step == "timezone":
        share = ReplyKeyboardMarkup(
            [[KeyboardButton(context.services.texts.label("onboarding.share_location",
                                                          lang_of(update, context)),
                             request_location=True)]],
            resize_keyboard=True, one_time_keyboard=True)
        await context.bot.send_message(update.effective_chat.id,  # type: ignore[union-attr]
                                       render(update, context, "onboarding/share_location"),
                                       reply_markup=share)


async def on_tap(update: Update, context: RehabContext) -> None:
    """Every onboarding button. Taps on a step already passed only get a quiet answer."""
    query = update.callback_query
    assert query is not None and query.data is not None
    action, _, value = query.data.removeprefix(PREFIX).partition(":")
    await advance(update, context, action, value)


async def on_typed(update: Update, context: RehabContext, person: Person,
                   profile: PatientProfile, text: str) -> None:
    """Typing works at every step too: "yes", "no", "left", "done"… or the step is shown
    again with its buttons."""
    words = normalise_answer(text)
    step = profile.onboarding_step
    yes, no, partly, side = set_up_answer(words, typed_words())
    if step == "disclaimer" and yes:
        await advance(update, context, "accept", "")
    elif step == "side" and side is not None:
        await advance(update, context, "side", side)
    elif step == "placement" and (yes or no or partly):
        question = next_question(profile.placement_answers or {})
        answer = "y" if yes else "p" if partly else "n"
        if question is not None:
            await advance(update, context, "q", f"{question.id}:{answer}")
    elif step == "reminders" and (words in {"done", "ok", "okay", "finished"} or yes):
        await advance(update, context, "rmdone", "")
    else:
        await send_step(update, context, person, profile)


async def _answer(update: Update, text: str | None = None) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(text)


async def advance(update: Update, context: RehabContext, action: str, value: str) -> None:
    """Move the patient's onboarding on by one answer, tapped or typed.

    The database work is committed before anything is sent, so no transaction waits on
    Telegram."""
    assert update.effective_user is not None
    query = update.callback_query
    services = context.services
    lang = lang_of(update, context)
    expected = {"accept": "disclaimer", "side": "side", "q": "placement", "tz": "timezone",
                "rm": "reminders", "rmdone": "reminders"}.get(action)
    placed = None
    async with services.db.session() as session:
        found = await patients.get_patient(session=session, telegram_id=update.effective_user.id)
        if found is None or expected is None:
            await _answer(update)
            return
        person, profile = found
        stale = expected != profile.onboarding_step
        now = services.clock.now()
        if stale:
            pass
        elif action == "accept":
            profile.disclaimer_accepted_at = now
            profile.onboarding_step = "side"
        elif action == "side" and value in SIDES:
            profile.affected_side = value
            profile.onboarding_step = "placement"
        elif action == "q":
            qid, _, answer = value.partition(":")
            answers = dict(profile.placement_answers or {})
            asked = next_question(answers)
            if asked is None or asked.id != qid or answer not in _ANSWER_CODES:
                stale = True
            else:
                answers[qid] = _ANSWER_CODES[answer]
                profile.placement_answers = answers
                if next_question(answers) is None:
                    placed = place(answers)
                    profile.stage = int(placed)
                    profile.onboarding_step = "timezone"
        session.add(profile)
    if stale:
        await _answer(update, services.texts.label("checkin.old", lang))
        return
    if action == "tz":
        await _answer(update)
        await set_timezone(update, context, value, edit=query is not None)
    elif action == "rm" and value in PRESETS and query is not None:
        await _toggle_reminder(update, context, profile, person, value)
    elif action == "rmdone":
        await _answer(update)
        await _finish(update, context, person, profile)
    elif placed is not None:
        await _answer(update)
        text = render(update, context, "onboarding/placed",
                      stage_name=services.texts.label(f"stage.{placed.key}", lang))
        if query is not None:
            await query.edit_message_text(text)
        else:
            await reply(update, context, "onboarding/placed",
                        stage_name=services.texts.label(f"stage.{placed.key}", lang))
        await send_step(update, context, person, profile)
    elif action == "accept":  # the disclaimer stays in the chat, to read again later
        await _answer(update)
        await clear_buttons(update)
        await send_step(update, context, person, profile)
    else:
        await _answer(update)
        await send_step(update, context, person, profile, edit=query is not None)


async def _toggle_reminder(update: Update, context: RehabContext, profile: PatientProfile,
                           person: Person, name: str) -> None:
    services = context.services
    query = update.callback_query
    assert query is not None
    at = PRESETS[name]
    async with services.db.session() as session:
        existing = await patients.reminders(session=session, patient_id=profile.id)  # type: ignore[arg-type]
        match = [r for r in existing if r.local_time == at]
        if match:
            for reminder in match:
                await patients.remove_reminder(session=session, patient_id=profile.id,  # type: ignore[arg-type]
                                               reminder_id=reminder.id)  # type: ignore[arg-type]
        else:
            zone = person.timezone or services.settings.default_timezone
            hour, minute = map(int, at.split(":"))
            due = next_due(time(hour, minute), ALL_DAYS, zone, services.clock.now())
            await patients.add_reminder(session=session, patient_id=profile.id,  # type: ignore[arg-type]
                                        local_time=at, weekdays=ALL_DAYS, next_due_at=due,
                                        now=services.clock.now())
        chosen_times = {r.local_time for r in await patients.reminders(
            session=session, patient_id=profile.id)}  # type: ignore[arg-type]
    chosen = {n for n, t in PRESETS.items() if t in chosen_times}
    await query.answer()
    await query.edit_message_reply_markup(_reminder_keyboard(update, context, chosen))


async def _finish(update: Update, context: RehabContext, person: Person,
                  profile: PatientProfile) -> None:
    services = context.services
    async with services.db.session() as session:
        profile = await session.get(PatientProfile, profile.id)  # type: ignore[assignment]
        profile.onboarding_step = "done"
        session.add(profile)
        times = [r.local_time for r in await patients.reminders(
            session=session, patient_id=profile.id)]  # type: ignore[arg-type]
        rows = await patients.doses(session=session, patient_id=profile.id)  # type: ignore[arg-type]
        stored_person = await session.get(Person, person.id)
        await ensure_digest_schedule(session=session, person=stored_person,  # type: ignore[arg-type]
                                     zone=person.timezone or services.settings.default_timezone,
                                     now=services.clock.now())
        if not await patients.reminders(session=session, patient_id=profile.id,  # type: ignore[arg-type]
                                        kind="lesson"):
            at = lesson_time(times)
            zone = person.timezone or services.settings.default_timezone
            await patients.add_reminder(
                session=session, patient_id=profile.id, kind="lesson", local_time=at,  # type: ignore[arg-type]
                weekdays=LESSON_DAYS, now=services.clock.now(),
                next_due_at=next_due(time.fromisoformat(at), LESSON_DAYS, zone,
                                     services.clock.now()))
    query = update.callback_query
    if query is not None:  # no time chosen: say so, and offer to add one
        await query.edit_message_text(
            render(update, context, "onboarding/ready", times=times),
            reply_markup=None if times else keyboard(
                [button(update, context, "remind.add", "rmd:add")]))
    if not answered(profile.safety_answers or {}):  # the entry check comes before any plan
        await safety.ask_entry_check(update, context, first_time=True)
        return
    zone = zone_of(person, services.settings.default_timezone)
    plan = plan_for(profile, rows, local_day(services.clock.now(), zone))
    await reply(update, context, "plan/today", **plan_view(update, context, plan, rows),
                markup=keyboard([button(update, context, "common.start_now", "sess:new"),
                                 button(update, context, "common.later", "sess:later")]))


async def set_timezone(update: Update, context: RehabContext, zone: str, *,
                       edit: bool = False) -> None:
    """Store the chosen zone and move on to reminder times."""
    services = context.services
    user = update.effective_user
    assert user is not None
    if timezones.resolve(zone) != zone:
        return
    async with services.db.session() as session:
        found = await patients.get_patient(session=session, telegram_id=user.id)
        if found is None:
            return
        person, profile = found
        person.timezone = zone
        session.add(person)
        if profile.onboarding_step == "timezone":
            profile.onboarding_step = "reminders"
            session.add(profile)
    label = zone_text(update, context, zone, services.clock.now())
    text = render(update, context, "onboarding/timezone_set", zone=label)
    if edit:
        await clear_buttons(update)
    # a new message, so that the "share my location" keyboard goes away with it
    await context.bot.send_message(update.effective_chat.id, text,  # type: ignore[union-attr]
                                   reply_markup=ReplyKeyboardRemove())
    if profile.onboarding_step == "reminders":
        await send_step(update, context, person, profile)


async def on_location(update: Update, context: RehabContext) -> None:
    """A shared location: offer the nearest city's time zone to confirm."""
    message = update.effective_message
    assert message is not None and message.location is not None
    try:
        city = timezones.nearest(message.location.latitude, message.location.longitude)
    except ValueError:
        await reply(update, context, "errors/unknown_text")
        return
    label = zone_text(update, context, city.zone, context.services.clock.now())
    user = update.effective_user
    assert user is not None
    async with context.services.db.session() as session:
        found = await patients.get_patient(session=session, telegram_id=user.id)
    if found is None or found[1].onboarding_step != "timezone":
        # not setting up: the question and its answers in one message, and "Yes" changes
        # the zone (and every reminder with it) like /timezone does
        await reply(update, context, "onboarding/timezone_guess", zone=label,
                    markup=keyboard([button(update, context, "common.answer_yes",
                                            f"tz:{city.zone}"),
                                     button(update, context, "common.answer_no", "tz:other")]))
        return
    await context.bot.send_message(
        message.chat.id, render(update, context, "onboarding/timezone_guess", zone=label),
        reply_markup=ReplyKeyboardRemove())
    await reply(update, context, "onboarding/timezone",
                markup=keyboard([button(update, context, "common.answer_yes",
                                        f"{PREFIX}tz:{city.zone}")]))


async def on_timezone_text(update: Update, context: RehabContext, text: str) -> None:
    """Typed during the time zone step: a city or zone name, or suggestions if unknown."""
    result = timezones.resolve(text)
    if isinstance(result, str):
        await set_timezone(update, context, result)
        return
    rows = []
    for suggestion in result[:5]:
        zone = timezones.resolve(suggestion)
        if isinstance(zone, str) and len(f"{PREFIX}tz:{zone}".encode()) <= 64:
            rows.append([button(update, context, "plain", f"{PREFIX}tz:{zone}", text=suggestion)])
    await reply(update, context, "onboarding/timezone_unknown", text=text[:60],
                suggestions=bool(rows), markup=keyboard(*rows) if rows else None)
