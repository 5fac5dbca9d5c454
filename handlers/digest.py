"""/digest: this week's digest now, and the day and hour it comes each week."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import Update

from bot import drawing
from bot.context import RehabContext
from bot.flows.family import ensure_digest_schedule
from bot.jobs.digests import digest_values
from bot.materials import catalogue
from bot.materials.locale_format import weekday_names
from bot.rules import family as rules
from bot.rules.exercises import Stage
from bot.rules.practice import next_lesson
from db import family, lessons, patients
from db.people import get_person
from handlers.common import button, keyboard, lang_of, reply

TIMES = ("08:00", "12:00", "18:00", "20:00")


async def digest(update: Update, context: RehabContext) -> None:
    """Preview every digest this person would get, for this week so far (Monday to Sunday:
    the week /progress shows too)."""
    user = update.effective_user
    assert user is not None
    services = context.services
    lang = lang_of(update, context)
    now = services.clock.now()
    async with services.db.session() as session:
        me = await get_person(session=session, telegram_id=user.id)
        if me is None:
            return
        zone = me.timezone or services.settings.default_timezone
        week_start, week_end = rules.week_of(now.astimezone(ZoneInfo(zone)).date())
        own = await patients.get_patient(session=session, telegram_id=user.id)
        subjects = []
        if own is not None and own[1].onboarding_step == "done":
            subjects.append((own[1], own[0], True))
        subjects += [(p, person, False) for _, p, person in
                     await family.patients_of(session=session, member_id=me.id)]  # type: ignore[arg-type]
        had = await lessons.delivered(session=session, person_id=me.id)  # type: ignore[arg-type]
        previews = [(patient, is_own, await digest_values(
            session=session, profile=profile, week_start=week_start, week_end=week_end,
            texts=services.texts, lang=lang, today=now.astimezone(ZoneInfo(zone)).date()))
            for profile, patient, is_own in subjects]
        schedule = await family.schedule_for(session=session, person_id=me.id)  # type: ignore[arg-type]
        if schedule is None and subjects:
            await ensure_digest_schedule(session=session, person=me, zone=zone, now=now)
            schedule = await family.schedule_for(session=session, person_id=me.id)  # type: ignore[arg-type]
    if not previews:
        await reply(update, context, "digest/nothing")
        return
    for (profile, _, _), (patient, is_own, values) in zip(subjects, previews, strict=True):
        # the tip the digest will bring (shown, not used up: the digest still brings it)
        tip = None if is_own else next_lesson(catalogue.lessons(),
                                              stage=Stage(profile.stage or 1),
                                              audience="family", delivered=had)
        await reply(update, context, "digest/weekly", patient=patient.first_name, own=is_own,
                    group=False, tip=tip is not None, **values)
        png = await drawing.week_chart(services.texts, lang, values["d"],
                                       target=values["target"])
        await context.bot.send_photo(update.effective_chat.id, png)  # type: ignore[union-attr]
        if tip is not None:
            await reply(update, context, f"lessons/{tip}")
    assert schedule is not None
    await reply(update, context, "digest/when",
                day=weekday_names(lang_of(update, context))[schedule.weekday],
                time=schedule.local_time,
                markup=keyboard([button(update, context, "digest.change", "dg:d")]))


async def on_digest_tap(update: Update, context: RehabContext) -> None:
    """dg:d → pick a day; dg:d:<n> → pick a time; dg:t:<n>:<HH> → saved."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    services = context.services
    parts = query.data.split(":")
    await query.answer()
    if parts == ["dg", "d"]:
        lang = lang_of(update, context)
        days = weekday_names(lang)
        rows = [[button(update, context, "digest.day", f"dg:d:{i}", day=d)
                 for i, d in enumerate(days[j:j + 4], j)] for j in (0, 4)]
        await query.edit_message_reply_markup(keyboard(*rows))
        return
    if len(parts) == 3 and parts[1] == "d" and parts[2].isdigit() and int(parts[2]) < 7:
        rows = [[button(update, context, "digest.time", f"dg:t:{parts[2]}:{t[:2]}", time=t)
                 for t in TIMES]]
        await query.edit_message_reply_markup(keyboard(*rows))
        return
    if not (len(parts) == 4 and parts[1] == "t" and parts[2].isdigit() and int(parts[2]) < 7
            and f"{parts[3]}:00" in TIMES):
        return
    weekday, at = int(parts[2]), f"{parts[3]}:00"
    async with services.db.session() as session:
        me = await get_person(session=session, telegram_id=update.effective_user.id)
        if me is None:
            return
        schedule = await family.schedule_for(session=session, person_id=me.id)  # type: ignore[arg-type]
        if schedule is None:
            return
        schedule.weekday, schedule.local_time = weekday, at
        schedule.next_due_at = rules.next_weekly(
            weekday, at, me.timezone or services.settings.default_timezone,
            services.clock.now())
        session.add(schedule)
    await query.edit_message_text(context.services.texts.render(
        "digest/when", lang_of(update, context),
        day=weekday_names(lang_of(update, context))[weekday], time=at, saved=True))
