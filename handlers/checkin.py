"""Quick check-ins without a session: /checkin by taps, or free text such as "did 12",
"12 reps hard", "10 / 3". Typed text is confirmed with a button before it is stored; anything
unclear gets a friendly hint and changes nothing. /undo takes back the last one (10 minutes)."""

from __future__ import annotations

from datetime import date, timedelta

from telegram import Update

from bot.checkin_parse import MAX_REPS, MAX_SETS, ParseProblem, QuickCheckIn, parse_checkin
from bot.context import RehabContext
from bot.encourage import celebrations
from bot.practice import local_day, zone_of
from db import patients
from db.models import CheckIn, PatientProfile, Person
from handlers.common import button, keyboard, lang_of, ready_patient, render, reply
from handlers.family import pain_alert, tell_groups
from handlers.progress import patient_progress

PREFIX = "q:"
UNDO_WINDOW = timedelta(minutes=10)
REPS_CHOICES = (5, 10, 15, 20, 30)


def _encode(c: QuickCheckIn) -> str:
    return f"{PREFIX}ok:{c.reps}:{c.sets}:{c.difficulty or 0}:{int(c.pain)}"


def _decode(data: str) -> QuickCheckIn | None:
    """Callback data is never trusted: re-check every bound."""
    try:
        reps, sets, difficulty, pain = (int(x) for x in data.split(":")[2:6])
    except ValueError:
        return None
    if not (0 <= reps <= MAX_REPS and 1 <= sets <= MAX_SETS and 0 <= difficulty <= 5
            and pain in (0, 1)):
        return None
    return QuickCheckIn(reps=reps, sets=sets, difficulty=difficulty or None, pain=bool(pain))


async def checkin_command(update: Update, context: RehabContext) -> None:
    """/checkin: how many, by tapping (typing "did 12" works too)."""
    if await ready_patient(update, context) is None:
        return
    row = [button(update, context, "session.reps", f"{PREFIX}r:{n}", reps=n) for n in REPS_CHOICES]
    await reply(update, context, "checkin/how_many", markup=keyboard(row))


async def on_text(update: Update, context: RehabContext, text: str) -> None:
    """Free text from a patient: a check-in to confirm, or a friendly hint."""
    parsed = parse_checkin(text)
    if isinstance(parsed, ParseProblem):
        await reply(update, context, f"checkin/{parsed.code}")
        return
    await reply(update, context, "checkin/confirm", c=parsed,
                markup=keyboard([button(update, context, "checkin.save", _encode(parsed)),
                                 button(update, context, "common.cancel", f"{PREFIX}no")]))


async def on_tap(update: Update, context: RehabContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = lang_of(update, context)
    parts = query.data.split(":")
    action = parts[1] if len(parts) > 1 else ""
    if action == "r" and len(parts) == 3 and parts[2].isdigit():
        reps = int(parts[2])
        if reps > MAX_REPS:
            await query.answer()
            return
        await query.answer()
        rows = [[button(update, context, f"session.feel{d}",
                        _encode(QuickCheckIn(reps=reps, difficulty=d)))] for d in range(1, 6)]
        rows.append([button(update, context, "session.hurt",
                            _encode(QuickCheckIn(reps=reps, pain=True)))])
        await query.edit_message_text(render(update, context, "checkin/how_did_it_feel",
                                             reps=reps), reply_markup=keyboard(*rows))
        return
    if action == "no":
        await query.answer()
        await query.edit_message_text(render(update, context, "checkin/cancelled"))
        return
    checkin = _decode(query.data) if action == "ok" else None
    if checkin is None or query.message is None:
        await query.answer()
        return
    # The confirmation message is the check-in's identity: pressing it twice, or the same
    # update arriving twice, stores one check-in.
    key = f"q{query.message.chat.id}:{query.message.message_id}"
    created, new, found = await _store(update, context, checkin, key)
    await query.answer(context.services.texts.label(
        "checkin.saved" if created else "checkin.already", lang))
    if not created:
        return
    await query.edit_message_text(render(update, context, "checkin/saved", c=checkin))
    if checkin.pain:
        await reply(update, context, "session/pain")
    if found is not None:
        person, profile, day = found
        if checkin.pain:
            await pain_alert(context, profile, person, day)
        for key in new:
            await reply(update, context, "milestones/reached", key=key, n=len(new), goal=None)
            await tell_groups(context, profile.id, "family/group_milestone", key=key)  # type: ignore[arg-type]


async def _store(update: Update, context: RehabContext, c: QuickCheckIn, key: str
                 ) -> tuple[bool, list[str], tuple[Person, PatientProfile, date] | None]:
    services = context.services
    user = update.effective_user
    assert user is not None
    now = services.clock.now()
    async with services.db.session() as session:
        found = await patients.get_patient(session=session, telegram_id=user.id)
        if found is None:
            return False, [], None
        person, profile = found
        day = local_day(now, zone_of(person, services.settings.default_timezone))
        _, created = await patients.record_checkin(session=session, checkin=CheckIn(
            patient_id=profile.id, exercise_id=None, reps=c.reps, sets=c.sets,  # type: ignore[arg-type]
            difficulty=c.difficulty, pain=c.pain, source="quick", idempotency_key=key,
            local_day=day, recorded_at=now))
        if not created:
            return False, [], None
        progress = await patient_progress(session=session, profile=profile, today=day)
        achieved = await patients.milestones(session=session, patient_id=profile.id)  # type: ignore[arg-type]
        keys = [k for k in celebrations(progress, achieved=achieved, stage_before=1,
                                        stage_after=1) if k != "first_session"]
        new = await patients.add_milestones(session=session, patient_id=profile.id,  # type: ignore[arg-type]
                                            keys=keys, now=now)
    return True, new, (person, profile, day)


async def undo(update: Update, context: RehabContext) -> None:
    """/undo: take back the last check-in, if it is less than 10 minutes old."""
    services = context.services
    user = update.effective_user
    assert user is not None
    async with services.db.session() as session:
        found = await patients.get_patient(session=session, telegram_id=user.id)
        undone = None
        if found is not None:
            undone = await patients.undo_last(session=session, patient_id=found[1].id,  # type: ignore[arg-type]
                                              now=services.clock.now(), window=UNDO_WINDOW)
    if undone is None:
        await reply(update, context, "checkin/nothing_to_undo")
    else:
        await reply(update, context, "checkin/undone", reps=undone.reps, sets=undone.sets)
