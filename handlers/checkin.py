"""Quick check-ins without a session: /checkin by taps, or free text such as "did 12",
"12 reps hard", "10 / 3". Typed text is confirmed with a button before it is stored; anything
unclear gets a friendly hint and changes nothing. /undo takes back the last one (10 minutes)."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update

from bot.context import RehabContext
from bot.flows import checkin as flow
from bot.rules.checkin_parse import MAX_REPS, MAX_SETS, ParseProblem, QuickCheckIn, parse_checkin
from db import patients
from handlers.alerts import pain_alert
from handlers.common import button, keyboard, lang_of, ready_patient, render, reply
from handlers.groups import tell_groups

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
    services = context.services
    assert update.effective_user is not None
    async with services.db.session() as session:
        stored = await flow.record_quick(session=session, telegram_id=update.effective_user.id,
                                         checkin=checkin, key=key, now=services.clock.now(),
                                         default_zone=services.settings.default_timezone)
    await query.answer(services.texts.label(
        "checkin.saved" if stored.created else "checkin.already", lang))
    if not stored.created:
        return
    await query.edit_message_text(render(update, context, "checkin/saved", c=checkin))
    if checkin.pain:
        await reply(update, context, "session/pain")
    profile, person = stored.profile, stored.person
    assert profile is not None and person is not None
    if checkin.pain:
        await pain_alert(context, profile, person, stored.day)
    for new_key in stored.new_milestones:
        await reply(update, context, "milestones/reached", key=new_key,
                    n=len(stored.new_milestones), goal=None)
        await tell_groups(context, profile.id, "family/group_milestone", key=new_key)  # type: ignore[arg-type]


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
