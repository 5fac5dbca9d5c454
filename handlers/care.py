"""The care team's side: /patients lists the patients who invited this person to their care
team; a patient's panel shows the plan, level, safety answers and the last two weeks, with
buttons to set the level (with a reason), hold or put back an exercise, set a daily goal,
leave a note and choose alerts. The work is ``bot.flows.care``; every tap checks access."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import partial

from telegram import InlineKeyboardMarkup, Update

from bot.context import RehabContext
from bot.flows import care as flow
from bot.materials.catalogue import catalogue
from bot.materials.texts import Texts
from bot.materials.words import change_words
from bot.rules.exercises import Stage
from handlers.common import button, current_person, keyboard, lang_of, notify, render, reply

PREFIX = "ct:"
NOTE_MINUTES = 30


PAGE = 10  # patients a page: a clinic's list is paged, never one endless message
PAGE_PREFIX = "cp:"


async def patients_command(update: Update, context: RehabContext, page: int = 0) -> None:
    """/patients: whom this person follows as their care team, ten a page."""
    user = update.effective_user
    assert user is not None
    async with context.services.db.session() as session:
        followed = await flow.followed(session=session, telegram_id=user.id)
    pages = max(1, -(-len(followed) // PAGE))
    page = min(max(page, 0), pages - 1)
    shown = followed[page * PAGE:(page + 1) * PAGE]
    rows = [[button(update, context, "care.open", f"{PREFIX}o:{profile.id}",
                    patient=person.first_name)] for profile, person in shown]
    turn = []
    if page > 0:
        turn.append(button(update, context, "care.page_back", f"{PAGE_PREFIX}{page - 1}"))
    if page + 1 < pages:
        turn.append(button(update, context, "care.page_next", f"{PAGE_PREFIX}{page + 1}"))
    if turn:
        rows.append(turn)
    query = update.callback_query
    text = render(update, context, "care/patients", patients=[p.first_name for _, p in shown],
                  page=page + 1, pages=pages, total=len(followed))
    if query is not None:
        await query.answer()
        await query.edit_message_text(text, reply_markup=keyboard(*rows) if rows else None)
    else:
        await reply(update, context, "care/patients", patients=[p.first_name for _, p in shown],
                    page=page + 1, pages=pages, total=len(followed),
                    markup=keyboard(*rows) if rows else None)


async def on_page_tap(update: Update, context: RehabContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    number = query.data.removeprefix(PAGE_PREFIX)
    await patients_command(update, context, page=int(number) if number.isdigit()
                           and len(number) < 6 else 0)


def _parse(data: str) -> tuple[str, int, list[str]] | None:
    parts = data.removeprefix(PREFIX).split(":")
    if len(parts) < 2 or not parts[1].isdigit() or len(parts[1]) > 12:
        return None
    return parts[0], int(parts[1]), parts[2:]


async def on_tap(update: Update, context: RehabContext) -> None:
    """Every care-team button: ``ct:<action>:<patient>[:…]``."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    services = context.services
    lang = lang_of(update, context)
    parsed = _parse(query.data)
    if parsed is None:
        await query.answer()
        return
    action, patient_id, rest = parsed
    now = services.clock.now()
    told: str | Callable[[str], str] | None = None
    async with services.db.session() as session:
        found = await flow.access(session=session, telegram_id=update.effective_user.id,
                                  patient_id=patient_id)
        if found is None:
            await query.answer(services.texts.label("checkin.not_yours", lang))
            return
        name = found.patient.first_name
        stages = {str(int(s)) for s in Stage}
        if action == "lv" and rest and rest[0] in stages:
            if len(rest) == 2 and rest[1] in flow.REASONS:
                stage = Stage(int(rest[0]))
                await flow.set_stage(session=session, found=found, stage=stage, reason=rest[1],
                                     now=now)
                told = partial(_stage_name, services.texts, stage.key)
        elif action == "h" and rest:
            told = _titled(await flow.hold(session=session, found=found, slot=rest[0], now=now))
        elif action == "r" and rest:
            told = _titled(await flow.restore(session=session, found=found, slot=rest[0],
                                              now=now))
        elif action == "g" and rest and rest[0].isdigit() and int(rest[0]) in flow.GOALS:
            await flow.set_goal(session=session, found=found, minutes=int(rest[0]), now=now)
            told = rest[0]
        elif action == "nt":
            me = found.me
            me.pending_action = f"note:{patient_id}"
            me.pending_until = now + timedelta(minutes=NOTE_MINUTES)
            session.add(me)
        elif action == "a" and rest and rest[0] in ("pain", "stage", "quiet", "report"):
            await flow.toggle_alert(session=session, found=found, what=rest[0])
        view = await flow.panel(session=session, found=found, now=now,
                                default_zone=services.settings.default_timezone)
    await query.answer()
    if action == "o":
        await _send_panel(update, context, view)
    elif action == "lv" and not rest:
        await reply(update, context, "care/choose_level", patient=name,
                    markup=keyboard(*[[button(update, context, f"stage.{s.key}",
                                              f"{PREFIX}lv:{patient_id}:{int(s)}")]
                                      for s in Stage]))
    elif action == "lv" and len(rest) == 1:
        await query.edit_message_text(render(update, context, "care/choose_reason",
                                             patient=name), reply_markup=keyboard(
            *[[button(update, context, f"care.reason_{r}",
                      f"{PREFIX}lv:{patient_id}:{rest[0]}:{r}")] for r in flow.REASONS]))
    elif action == "ex":
        await _send_exercises(update, context, view)
    elif action == "gl":
        await reply(update, context, "care/choose_goal", patient=name, markup=keyboard(
            [button(update, context, "care.minutes", f"{PREFIX}g:{patient_id}:{m}", minutes=m)
             for m in flow.GOALS]))
    elif action == "nt":
        await reply(update, context, "care/type_note", patient=name, limit=flow.NOTE_MAX)
    elif action == "al" or action == "a":
        await _send_alerts(update, context, view, edit=action == "a")
    elif action == "rp":
        from handlers.report import send_report

        await send_report(update, context, patient_id)
    if told is not None and action in ("lv", "h", "r", "g"):
        kind = {"lv": "stage", "h": "hold", "r": "restore", "g": "goal"}[action]
        await query.edit_message_text(render(update, context, f"care/done_{kind}",
                                             patient=name, what=told(lang) if callable(told)
                                             else told))
        await notify(context, view.access.patient, f"care/told_{kind}", what=told)
    elif action in ("h", "r") and told is None:
        await query.edit_message_text(render(update, context, "care/nothing_changed"))


async def _send_panel(update: Update, context: RehabContext, view: flow.Panel) -> None:
    found = view.access
    label, lang = context.services.texts.label, lang_of(update, context)
    exercises = catalogue()
    items = [{"title": exercises[i.exercise_id].title, "reps": i.reps, "sets": i.sets,
              "role": i.role} for i in view.plan.items]
    pid = found.profile.id
    await reply(update, context, "care/panel", patient=found.patient.first_name,
                stage=label(f"stage.{Stage(found.profile.stage or 1).key}", lang),
                side=found.profile.affected_side, answers=found.profile.safety_answers or {},
                items=items, days=view.days_practised, minutes=view.minutes,
                pain_days=view.pain_days, removed=view.removed, held=view.held,
                goal=found.profile.goal_minutes, note=found.profile.care_note,
                goal_text=found.profile.goal,
                changes=[dict(zip(("kind", "detail", "reason"), change_words(
                    context.services.texts, lang, c.kind, c.detail, c.reason), strict=True),
                    day=c.created_at.date()) for c in view.changes],
                markup=keyboard(
                    [button(update, context, "care.level", f"{PREFIX}lv:{pid}"),
                     button(update, context, "care.exercises", f"{PREFIX}ex:{pid}")],
                    [button(update, context, "care.goal", f"{PREFIX}gl:{pid}"),
                     button(update, context, "care.note", f"{PREFIX}nt:{pid}")],
                    [button(update, context, "care.report", f"{PREFIX}rp:{pid}"),
                     button(update, context, "care.alerts", f"{PREFIX}al:{pid}")]))


async def _send_exercises(update: Update, context: RehabContext, view: flow.Panel) -> None:
    exercises = catalogue()
    pid = view.access.profile.id
    rows = [[button(update, context, "care.hold", f"{PREFIX}h:{pid}:{i.slot}",
                    title=exercises[i.exercise_id].title)] for i in view.plan.items]
    rows += [[button(update, context, "care.restore", f"{PREFIX}r:{pid}:{slot}", title=title)]
             for slot, title in view.out]
    await reply(update, context, "care/exercises", patient=view.access.patient.first_name,
                markup=keyboard(*rows))


def _alerts_markup(update: Update, context: RehabContext, view: flow.Panel
                   ) -> InlineKeyboardMarkup:
    prefs = view.access.link.alert_prefs or {}
    pid = view.access.profile.id
    return keyboard(
        [button(update, context, "care.alert_pain", f"{PREFIX}a:{pid}:pain",
                chosen=bool(prefs.get("pain")))],
        [button(update, context, "care.alert_quiet", f"{PREFIX}a:{pid}:quiet",
                days=prefs.get("quiet_days"))],
        [button(update, context, "care.alert_stage", f"{PREFIX}a:{pid}:stage",
                chosen=bool(prefs.get("stage")))],
        [button(update, context, "care.weekly_report", f"{PREFIX}a:{pid}:report",
                day=prefs.get("report_day"))])


async def _send_alerts(update: Update, context: RehabContext, view: flow.Panel, *,
                       edit: bool) -> None:
    markup = _alerts_markup(update, context, view)
    query = update.callback_query
    if edit and query is not None:
        await query.edit_message_reply_markup(markup)
    else:
        await reply(update, context, "care/alerts", patient=view.access.patient.first_name,
                    markup=markup)


async def on_note_text(update: Update, context: RehabContext, text: str) -> bool:
    """The care team's own words for a note, if that is what we are waiting for."""
    services = context.services
    me = await current_person(update, context)
    if me is None or not (me.pending_action or "").startswith("note:"):
        return False
    patient_id = int((me.pending_action or "note:0").split(":")[1])
    now = services.clock.now()
    expired = me.pending_until is None or me.pending_until < now
    text = text.strip()
    async with services.db.session() as session:
        stored = await session.get(type(me), me.id)
        found = await flow.access(session=session, telegram_id=me.telegram_id,
                                  patient_id=patient_id)
        if stored is not None and (expired or (text and len(text) <= flow.NOTE_MAX)):
            stored.pending_action, stored.pending_until = None, None
            session.add(stored)
        if expired:
            return False
        if found is None:
            await reply(update, context, "family/no_access")
            return True
        if not text or len(text) > flow.NOTE_MAX:
            await reply(update, context, "care/note_too_long", limit=flow.NOTE_MAX)
            return True
        await flow.set_note(session=session, found=found, text=text, now=now)
    await reply(update, context, "care/done_note", patient=found.patient.first_name)
    await notify(context, found.patient, "care/told_note")
    return True


def _stage_name(texts: Texts, key: str, lang: str) -> str:
    return texts.label(f"stage.{key}", lang)


def _titled(exercise_id: str | None) -> Callable[[str], str] | None:
    """An exercise's title in whichever language it is read in (the care team member and the
    patient may read different ones)."""
    if exercise_id is None:
        return None
    return lambda lang: catalogue(lang)[exercise_id].title
