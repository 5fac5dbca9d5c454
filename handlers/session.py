"""A guided session: one exercise at a time, answered by taps, edited in place; then a summary
with the patient's real numbers. Every tap is checked against the session's current step, so a
double press, an old button or a repeated update records once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm.attributes import flag_modified
from telegram import InlineKeyboardMarkup, Update

from bot.catalogue import Stage
from bot.context import RehabContext
from bot.encourage import celebrations, progress_after
from bot.practice import exercise, local_day, plan_for, rep_choices, window_start, zone_of
from db import patients
from db.models import CheckIn, PatientProfile, Person, PracticeSession
from handlers.common import button, clear_buttons, keyboard, lang_of, render, reply
from handlers.family import pain_alert, tell_groups
from handlers.plan import safety_line
from handlers.progress import patient_progress

PREFIX = "s:"
FEELINGS = (1, 2, 3, 4, 5)


def card(update: Update, context: RehabContext, sess: PracticeSession
         ) -> tuple[str, InlineKeyboardMarkup]:
    """The current exercise's card, at the step the session is at."""
    item = sess.items[sess.position]
    ex = exercise(str(item["exercise_id"]))
    base = f"{PREFIX}{sess.id}:{sess.position}:"
    text = render(update, context, "session/card", number=sess.position + 1,
                  count=len(sess.items), title=ex.title if ex else item["exercise_id"],
                  instructions=ex.instructions if ex else "", reps=item["reps"],
                  sets=item["sets"], hold=item.get("hold_seconds"),
                  items=", ".join(ex.items) if ex else "", safety=ex.safety if ex else "",
                  chosen=sess.pending_reps, reminder=safety_line(update, context, sess.position))
    if sess.pending_reps is not None:
        rows = [[button(update, context, f"session.feel{d}", f"{base}f:{d}")] for d in FEELINGS]
        rows.append([button(update, context, "session.hurt", f"{base}hurt")])
        return text, keyboard(*rows)
    return text, keyboard(
        [button(update, context, "session.done", f"{base}r:{item['reps']}", reps=item["reps"])],
        [button(update, context, "session.fewer", f"{base}less"),
         button(update, context, "session.more", f"{base}more")],
        [button(update, context, "session.skip", f"{base}skip"),
         button(update, context, "session.stop", f"{base}stop")],
    )


def _choices(update: Update, context: RehabContext, sess: PracticeSession,
             fewer: bool) -> InlineKeyboardMarkup:
    values = rep_choices(int(sess.items[sess.position]["reps"]), fewer=fewer)  # type: ignore[call-overload]
    base = f"{PREFIX}{sess.id}:{sess.position}:"
    row = [button(update, context, "session.reps", f"{base}r:{v}", reps=v) for v in values]
    return keyboard(row, [button(update, context, "session.back", f"{base}back")])


async def start_session(update: Update, context: RehabContext) -> None:
    """/today, "Start now", or a prompt's button: open (or resume) today's session."""
    user = update.effective_user
    assert user is not None
    services = context.services
    query = update.callback_query
    async with services.db.session() as session:
        found = await patients.get_patient(session=session, telegram_id=user.id)
        if found is None or found[1].onboarding_step != "done":
            if query:
                await query.answer()
            await reply(update, context, "plan/not_ready",
                        markup=keyboard([button(update, context, "start.patient",
                                                "role:patient")]))
            return
        person, profile = found
        day = local_day(services.clock.now(), zone_of(person, services.settings.default_timezone))
        sess = await patients.open_session(session=session, patient_id=profile.id, local_day=day)  # type: ignore[arg-type]
        if sess is None:
            rows = await patients.doses(session=session, patient_id=profile.id)  # type: ignore[arg-type]
            plan = plan_for(profile, rows, day)
            sess = PracticeSession(
                patient_id=profile.id, local_day=day, started_at=services.clock.now(),  # type: ignore[arg-type]
                items=[{"exercise_id": i.exercise_id, "slot": i.slot, "reps": i.reps,
                        "sets": i.sets, "hold_seconds": i.hold_seconds, "role": i.role}
                       for i in plan.items],
                chat_id=update.effective_chat.id)  # type: ignore[union-attr]
            session.add(sess)
            await session.flush()
    if query:
        await query.answer()
        await clear_buttons(update)
    text, markup = card(update, context, sess)
    message = await context.bot.send_message(update.effective_chat.id, text,  # type: ignore[union-attr]
                                             reply_markup=markup)
    async with services.db.session() as session:
        stored = await session.get(PracticeSession, sess.id)
        if stored is not None:
            stored.message_id = message.message_id
            session.add(stored)


async def later(update: Update, context: RehabContext) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await clear_buttons(update)
    await reply(update, context, "session/later")


@dataclass
class Outcome:
    """What a tap led to, worked out inside the transaction and shown after it."""

    toast: str | None = None
    edit: tuple[str, InlineKeyboardMarkup | None] | None = None
    markup_only: InlineKeyboardMarkup | None = None
    pain: bool = False
    summary: dict[str, Any] | None = None
    extra: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


async def on_tap(update: Update, context: RehabContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    services = context.services
    lang = lang_of(update, context)
    try:
        sid_text, pos_text, action, *rest = query.data.removeprefix(PREFIX).split(":")
        sid, pos = int(sid_text), int(pos_text)
        value = int(rest[0]) if rest else None
    except ValueError:
        await query.answer()
        return
    outcome = Outcome()
    async with services.db.session() as session:
        found = await patients.get_patient(session=session, telegram_id=update.effective_user.id)
        sess = await patients.get_session(session=session, session_id=sid)
        if found is None or sess is None or sess.patient_id != found[1].id:
            await query.answer(services.texts.label("checkin.not_yours", lang))
            return
        person, profile = found
        if sess.status != "active" or sess.position != pos:
            await query.answer(services.texts.label("checkin.old", lang))
            return
        await _apply(update, context, session, person, profile, sess, action, value, outcome)
    await query.answer(outcome.toast)
    if outcome.edit is not None:
        await query.edit_message_text(outcome.edit[0], reply_markup=outcome.edit[1])
    elif outcome.markup_only is not None:
        await query.edit_message_reply_markup(outcome.markup_only)
    if outcome.pain:
        await reply(update, context, "session/pain")
        await pain_alert(context, profile, person, sess.local_day)
    if outcome.summary is not None:
        await reply(update, context, "session/summary", **outcome.summary,
                    markup=keyboard([button(update, context, "session.progress", "prog:me")]))
    for template, values in outcome.extra:
        await reply(update, context, template, **values)
        if template == "milestones/reached":
            await tell_groups(context, profile.id, "family/group_milestone",  # type: ignore[arg-type]
                              key=values["key"])


async def _apply(update: Update, context: RehabContext, session: Any, person: Person,
                 profile: PatientProfile, sess: PracticeSession, action: str,
                 value: int | None, outcome: Outcome) -> None:
    """Change the session for one tap; fills ``outcome`` with what to show."""
    services = context.services
    lang = lang_of(update, context)
    item = sess.items[sess.position]
    stale = services.texts.label("checkin.old", lang)
    if action in ("less", "more", "back"):
        if sess.pending_reps is not None:
            outcome.toast = stale
        elif action == "back":
            outcome.markup_only = card(update, context, sess)[1]
        else:
            outcome.markup_only = _choices(update, context, sess, fewer=action == "less")
        return
    if action == "r":
        if sess.pending_reps is not None or value is None or not 0 <= value <= 500:
            outcome.toast = stale
            return
        sess.pending_reps = value
        session.add(sess)
        outcome.edit = card(update, context, sess)
        return
    if action in ("f", "hurt"):
        if sess.pending_reps is None or (action == "f" and value not in FEELINGS):
            outcome.toast = stale
            return
        checkin = CheckIn(
            patient_id=profile.id, exercise_id=str(item["exercise_id"]),  # type: ignore[arg-type]
            reps=sess.pending_reps, sets=int(item["sets"]),  # type: ignore[call-overload]
            difficulty=value if action == "f" else None, pain=action == "hurt",
            source="session", session_id=sess.id,
            target_reps=int(item["reps"]) * int(item["sets"]),  # type: ignore[call-overload]
            idempotency_key=f"s{sess.id}:{sess.position}", local_day=sess.local_day,
            recorded_at=services.clock.now())
        _, created = await patients.record_checkin(session=session, checkin=checkin)
        outcome.toast = services.texts.label("checkin.saved" if created else "checkin.already",
                                             lang)
        outcome.pain = action == "hurt"
        result: dict[str, object] | None = {"reps": sess.pending_reps,
                                            "difficulty": checkin.difficulty,
                                            "pain": checkin.pain}
    elif action == "skip":
        result = {"skipped": True}
    elif action == "stop":
        result = None
    else:
        outcome.toast = stale
        return
    items = [dict(i) for i in sess.items]  # new objects, so the JSON column is written
    if result is not None:
        items[sess.position]["result"] = result
    sess.items = items
    flag_modified(sess, "items")
    sess.pending_reps = None
    sess.position += 1
    if action == "stop" or sess.position >= len(sess.items):
        await _finish(update, context, session, person, profile, sess, outcome)
    else:
        outcome.edit = card(update, context, sess)
    session.add(sess)


async def _finish(update: Update, context: RehabContext, session: Any, person: Person,
                  profile: PatientProfile, sess: PracticeSession, outcome: Outcome) -> None:
    services = context.services
    now = services.clock.now()
    done = [i for i in sess.items if i.get("result") and not i["result"].get("skipped")]  # type: ignore[union-attr]
    sess.status = "finished" if done else "abandoned"
    sess.finished_at = now
    sess.position = min(sess.position, len(sess.items))
    today = sess.local_day
    recent = await patients.checkins_since(session=session, patient_id=profile.id,  # type: ignore[arg-type]
                                           since=window_start(today))
    rows = await patients.doses(session=session, patient_id=profile.id)  # type: ignore[arg-type]
    stage_before = profile.stage or 1
    advise = False
    if done:
        after = progress_after(profile=profile, items=sess.items, rows=rows, recent=recent,
                               today=today)
        for slot, dose in after.doses.items():
            await patients.put_dose(session=session, patient_id=profile.id, slot_id=slot,  # type: ignore[arg-type]
                                    exercise_id=dose.exercise_id, reps=dose.reps,
                                    sets=dose.sets,
                                    excluded=dose.exercise_id in after.excluded, now=now)
        if int(after.stage) != stage_before:
            profile.stage = int(after.stage)
            profile.stage_changed_at = now
            session.add(profile)
        advise = after.advise_care_team
    session.add(sess)
    await session.flush()
    progress = await patient_progress(session=session, profile=profile, today=today)
    achieved = await patients.milestones(session=session, patient_id=profile.id)  # type: ignore[arg-type]
    keys = celebrations(progress, achieved=achieved, stage_before=stage_before,
                        stage_after=profile.stage or 1)
    new = await patients.add_milestones(session=session, patient_id=profile.id, keys=keys,  # type: ignore[arg-type]
                                        now=now)
    today_reps = sum(int(i["result"]["reps"]) * int(i["sets"]) for i in done)  # type: ignore[index,call-overload]
    outcome.edit = (render(update, context, "session/closed", done=len(done),
                           count=len(sess.items)), None)
    if done:
        outcome.summary = {"today_reps": today_reps, "exercises": len(done),
                           "progress": progress, "advise_care_team": advise,
                           "stage_name": services.texts.label(
                               f"stage.{Stage(profile.stage or 1).key}", lang_of(update, context)),
                           "stage_up": (profile.stage or 1) > stage_before}
    for key in new:
        outcome.extra.append(("milestones/reached",
                              {"key": key, "n": (profile.id or 0) + len(achieved),
                               "progress": progress, "goal": profile.goal}))
