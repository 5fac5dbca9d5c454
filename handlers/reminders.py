"""/remind, /timezone, /pause, /resume, and the snooze and skip buttons on a prompt."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update

from bot.context import RehabContext
from bot.materials.locale_format import weekday_names
from bot.materials.typed_words import typed_words
from bot.rules import timezones
from bot.rules.due import ALL_DAYS, next_due, parse_time, parse_weekdays, weekdays_label
from bot.rules.family import next_weekly
from db import family, patients, reminders
from db.models import PatientProfile, Person, Reminder
from db.people import get_person
from handlers.common import (
    button,
    city_rows,
    clear_buttons,
    keyboard,
    lang_of,
    ready_patient,
    record_id,
    render,
    reply,
    zone_text,
)

PAUSE_CHOICES = (1, 3, 7)
FOREVER = timedelta(days=3650)
PRESET_TIMES = ("07:00", "09:00", "11:00", "13:00", "15:00", "17:00", "19:00", "21:00")


def _due(reminder_time: str, weekdays: int, zone: str, now: datetime) -> datetime:
    hour, minute = map(int, reminder_time.split(":"))
    return next_due(time(hour, minute), weekdays, zone, now)


async def _show(update: Update, context: RehabContext, profile: PatientProfile,
                note: str | None = None) -> None:
    async with context.services.db.session() as session:
        rows = await patients.reminders(session=session, patient_id=profile.id)  # type: ignore[arg-type]
    lang = lang_of(update, context)
    names = weekday_names(lang)
    every_day = context.services.texts.label("remind.every_day", lang)
    comma = context.services.texts.label("remind.comma", lang)  # "," or "、"
    comma = comma + " " if comma.isascii() else comma
    items = [{"number": i, "time": r.local_time,
              "days": weekdays_label(r.weekdays, names, every_day, comma)}
             for i, r in enumerate(rows, 1)]
    buttons = [[button(update, context, "remind.change", f"rmd:chg:{r.id}", number=i),
                button(update, context, "remind.remove", f"rmd:del:{r.id}", number=i)]
               for i, r in enumerate(rows, 1)]
    buttons.append([button(update, context, "remind.add", "rmd:add")])
    await reply(update, context, "remind/list", items=items, note=note,
                markup=keyboard(*buttons))


async def remind(update: Update, context: RehabContext) -> None:
    """/remind lists; /remind 09:30 [mon-fri] adds; /remind off 2 removes."""
    found = await ready_patient(update, context)
    if found is None:
        return
    person, profile = found
    services = context.services
    args = context.args or []
    if not args:
        await _show(update, context, profile)
        return
    zone = person.timezone or services.settings.default_timezone
    now = services.clock.now()
    if args[0].lower() in ("off", "remove", "delete"):
        async with services.db.session() as session:
            rows = await patients.reminders(session=session, patient_id=profile.id)  # type: ignore[arg-type]
            if len(args) != 2 or not args[1].isdigit() or not 1 <= int(args[1]) <= len(rows):
                await reply(update, context, "remind/bad_number", count=len(rows))
                return
            await patients.remove_reminder(session=session, patient_id=profile.id,  # type: ignore[arg-type]
                                           reminder_id=rows[int(args[1]) - 1].id)  # type: ignore[arg-type]
        await _show(update, context, profile, note="removed")
        return
    try:
        at = parse_time(args[0])
        days = (parse_weekdays(" ".join(args[1:]), typed_words()) if len(args) > 1
                else ALL_DAYS)
    except ValueError:
        await reply(update, context, "remind/bad_input")
        return
    local = f"{at.hour:02d}:{at.minute:02d}"
    async with services.db.session() as session:
        rows = await patients.reminders(session=session, patient_id=profile.id)  # type: ignore[arg-type]
        changing = (await _changing(session, person.id, rows, now)  # type: ignore[arg-type]
                    if update.callback_query is None else None)  # typed, after "Change"
        if changing is not None:  # after "Change": the typed time changes that reminder
            changing.local_time = local
            if len(args) > 1:
                changing.weekdays = days
            changing.next_due_at = _due(local, changing.weekdays, zone, now)
            session.add(changing)
            note = "changed"
        elif len(rows) >= 6:
            await reply(update, context, "remind/too_many")
            return
        else:
            note = "added"
            if not any(r.local_time == local and r.weekdays == days for r in rows):
                await patients.add_reminder(session=session, patient_id=profile.id,  # type: ignore[arg-type]
                                            local_time=local, weekdays=days,
                                            next_due_at=_due(local, days, zone, now), now=now)
    await _show(update, context, profile, note=note)


CHANGING = "rmd:chg:"  # Person.pending_action while a reminder's new time is being chosen
CHANGE_MINUTES = 30


async def _changing(session: AsyncSession, person_id: int, rows: list[Reminder],
                    now: datetime) -> Reminder | None:
    """The reminder this person tapped "Change" on in the last half hour, if any; asking
    forgets it, so a later /remind adds as usual."""
    person = await session.get(Person, person_id)
    action = (person.pending_action or "") if person else ""
    if person is None or not action.startswith(CHANGING):
        return None
    until = person.pending_until
    person.pending_action, person.pending_until = None, None
    session.add(person)
    if until is not None and until < now:
        return None
    wanted = action.removeprefix(CHANGING)
    return next((r for r in rows if str(r.id) == wanted), None)


async def on_remind_tap(update: Update, context: RehabContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    services = context.services
    parts = query.data.split(":")
    async with services.db.session() as session:
        found = await patients.get_patient(session=session, telegram_id=update.effective_user.id)
    if found is None:
        await query.answer()
        return
    person, profile = found
    action = parts[1] if len(parts) > 1 else ""
    if action != "chg" and (person.pending_action or "").startswith(CHANGING):
        async with services.db.session() as session:  # a tap ends "type a new time"
            stored = await get_person(session=session, telegram_id=person.telegram_id)
            if stored is not None:
                stored.pending_action, stored.pending_until = None, None
                session.add(stored)
    if action == "add":
        await query.answer()
        rows = [[button(update, context, "plain", f"rmd:new:{t}", text=t)
                 for t in PRESET_TIMES[i:i + 4]] for i in range(0, len(PRESET_TIMES), 4)]
        await reply(update, context, "remind/pick_time", change=None, markup=keyboard(*rows))
        return
    if action == "new" and len(parts) == 4:
        context.args = [f"{parts[2]}:{parts[3]}"]
        await query.answer()
        await remind(update, context)
        return
    try:
        reminder_id = record_id(parts[2])
    except (IndexError, ValueError):
        await query.answer()
        return
    async with services.db.session() as session:
        reminder = await session.get(Reminder, reminder_id)
        if reminder is None or reminder.patient_id != profile.id:
            await query.answer(services.texts.label("checkin.old", lang_of(update, context)))
            return
        if action == "del":
            await session.delete(reminder)
        elif action == "set" and len(parts) == 5:
            local = f"{parts[3]}:{parts[4]}"
            zone = person.timezone or services.settings.default_timezone
            try:
                parse_time(local)
            except ValueError:
                await query.answer()
                return
            reminder.local_time = local
            reminder.next_due_at = _due(local, reminder.weekdays, zone, services.clock.now())
            session.add(reminder)
        elif action == "chg":
            stored = await get_person(session=session, telegram_id=person.telegram_id)
            if stored is not None:  # a typed /remind HH:MM now changes this one
                stored.pending_action = f"{CHANGING}{reminder_id}"
                stored.pending_until = services.clock.now() + timedelta(minutes=CHANGE_MINUTES)
                session.add(stored)
            await query.answer()
            rows = [[button(update, context, "plain", f"rmd:set:{reminder_id}:{t}", text=t)
                     for t in PRESET_TIMES[i:i + 4]] for i in range(0, len(PRESET_TIMES), 4)]
            await reply(update, context, "remind/pick_time", change=reminder.local_time,
                        markup=keyboard(*rows))
            return
    await query.answer()
    await _show(update, context, profile, note="removed" if action == "del" else "changed")


async def timezone(update: Update, context: RehabContext) -> None:
    """/timezone shows it; /timezone Paris changes it (reminders keep their local times)."""
    services = context.services
    async with services.db.session() as session:
        person = await get_person(session=session,
                                  telegram_id=update.effective_user.id)  # type: ignore[union-attr]
    if person is None:
        return
    text = " ".join(context.args or []).strip()
    if not text:
        zone = person.timezone or services.settings.default_timezone
        cities = timezones.pick_list(person.language or person.language_code)
        rows = city_rows(update, context, cities, "tz:")
        await reply(update, context, "remind/timezone",
                    zone=zone_text(update, context, zone, services.clock.now()),
                    markup=keyboard(*rows))
        return
    result = timezones.resolve(text)
    if isinstance(result, list):
        rows = []
        for suggestion in result[:5]:
            zone = timezones.resolve(suggestion)
            if isinstance(zone, str):
                rows.append([button(update, context, "plain", f"tz:{zone}", text=suggestion)])
        await reply(update, context, "onboarding/timezone_unknown", text=text[:60],
                    suggestions=bool(rows), markup=keyboard(*rows) if rows else None)
        return
    await change_timezone(update, context, result)


async def change_timezone(update: Update, context: RehabContext, zone: str) -> None:
    """Store a new zone and move every reminder to its local time there."""
    services = context.services
    user = update.effective_user
    assert user is not None
    now = services.clock.now()
    async with services.db.session() as session:
        person = await get_person(session=session, telegram_id=user.id)
        if person is None:
            return
        person.timezone = zone
        session.add(person)
        found = await patients.get_patient(session=session, telegram_id=user.id)
        for kind in ("exercise", "lesson"):
            for reminder in (await patients.reminders(session=session, patient_id=found[1].id,  # type: ignore[arg-type]
                                                      kind=kind) if found else []):
                reminder.next_due_at = _due(reminder.local_time, reminder.weekdays, zone, now)
                session.add(reminder)
        schedule = await family.schedule_for(session=session, person_id=person.id)  # type: ignore[arg-type]
        if schedule is not None:
            schedule.next_due_at = next_weekly(schedule.weekday, schedule.local_time, zone, now)
            session.add(schedule)
    await reply(update, context, "onboarding/timezone_set",
                zone=zone_text(update, context, zone, now))


async def on_timezone_tap(update: Update, context: RehabContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    zone = query.data.removeprefix("tz:")
    await clear_buttons(update)
    if zone == "other":  # "No": the list of cities, as /timezone shows it
        context.args = []
        await timezone(update, context)
    elif timezones.resolve(zone) == zone:
        await change_timezone(update, context, zone)


async def pause(update: Update, context: RehabContext) -> None:
    """/pause: choose how long (1, 3, 7 days, or until /resume)."""
    if await ready_patient(update, context) is None:
        return
    args = context.args or []
    if args and args[0].isdigit() and 1 <= int(args[0]) <= 60:
        await _set_pause(update, context, timedelta(days=int(args[0])))
        return
    rows = [[button(update, context, "pause.days", f"pau:{d}", days=d) for d in PAUSE_CHOICES],
            [button(update, context, "pause.until_resumed", "pau:0")]]
    await reply(update, context, "remind/pause_choose", markup=keyboard(*rows))


async def on_pause_tap(update: Update, context: RehabContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    value = query.data.removeprefix("pau:")
    if not value.isdigit() or (int(value) not in PAUSE_CHOICES and value != "0"):
        return
    await clear_buttons(update)
    await _set_pause(update, context, timedelta(days=int(value)) if value != "0" else FOREVER)


async def _set_pause(update: Update, context: RehabContext, length: timedelta) -> None:
    services = context.services
    user = update.effective_user
    assert user is not None
    until = services.clock.now() + length
    async with services.db.session() as session:
        found = await patients.get_patient(session=session, telegram_id=user.id)
        if found is None:
            return
        person, profile = found
        profile.paused_until = until
        session.add(profile)
    zone = ZoneInfo(person.timezone or services.settings.default_timezone)
    local, today = until.astimezone(zone), services.clock.now().astimezone(zone).date()
    await reply(update, context, "remind/paused", forever=length >= FOREVER, until=local,
                within_week=(local.date() - today).days < 7)


async def resume(update: Update, context: RehabContext) -> None:
    found = await ready_patient(update, context)
    if found is None:
        return
    async with context.services.db.session() as session:
        profile = await session.get(PatientProfile, found[1].id)
        assert profile is not None
        was_paused = profile.paused_until is not None
        profile.paused_until = None
        session.add(profile)
    await reply(update, context, "remind/resumed", was_paused=was_paused)


async def on_prompt_tap(update: Update, context: RehabContext) -> None:
    """Snooze (15, 30, 60 minutes) or skip today, from a prompt."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    services = context.services
    lang = lang_of(update, context)
    parts = query.data.split(":")
    try:
        prompt_id = record_id(parts[1])
        minutes = int(parts[2]) if parts[0] == "snz" else 0
    except (IndexError, ValueError):
        await query.answer()
        return
    if parts[0] == "snz" and minutes not in (15, 30, 60):
        await query.answer()
        return
    now = services.clock.now()
    async with services.db.session() as session:
        found = await patients.get_patient(session=session, telegram_id=update.effective_user.id)
        prompt = await reminders.prompt_for(session=session, prompt_id=prompt_id)
        if found is None or prompt is None or prompt.patient_id != found[1].id:
            await query.answer(services.texts.label("checkin.not_yours", lang))
            return
        if prompt.status != "sent":
            await query.answer(services.texts.label("checkin.old", lang))
            return
        person = found[0]
        if parts[0] == "snz":
            await reminders.snooze(session=session, prompt_id=prompt_id,
                                   until=now + timedelta(minutes=minutes))
        else:
            await reminders.set_status(session=session, prompt_ids=[prompt_id],
                                       status="skipped")
    await query.answer()
    zone = ZoneInfo(person.timezone or services.settings.default_timezone)
    if parts[0] == "snz":
        at = (now + timedelta(minutes=minutes)).astimezone(zone).strftime("%H:%M")
        await query.edit_message_text(render(update, context, "remind/snoozed", at=at))
    else:
        await query.edit_message_text(render(update, context, "remind/skipped"))
