"""Quick check-ins without a session: /checkin by taps, or free text such as "did 12",
"12 reps hard", "10 / 3". Typed text is confirmed with a button before it is stored; anything
unclear gets a friendly hint and changes nothing. /undo takes back the last one (10 minutes)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from telegram import InlineKeyboardMarkup, Update

from bot.context import RehabContext
from bot.flows import checkin as flow
from bot.flows.session import LEVELS, UNSURE
from bot.materials.typed_words import typed_words
from bot.rules.checkin_parse import MAX_REPS, MAX_SETS, ParseProblem, QuickCheckIn, parse_checkin
from bot.rules.exercises import REGIONS
from db import patients
from handlers.alerts import pain_alert
from handlers.common import (
    button,
    edit_text,
    keyboard,
    lang_of,
    ready_patient,
    record_id,
    render,
    reply,
)
from handlers.groups import tell_groups
from handlers.pain import region_names, tell_pain

PREFIX = "q:"
UNDO_WINDOW = timedelta(minutes=10)
REPS_CHOICES = (5, 10, 15, 20, 30)


ASK = 8  # region not asked yet
LEVEL_CODES = {0: None, **LEVELS}  # 0: how much not asked yet


def _encode(c: QuickCheckIn, level: int = 0) -> str:
    region = (REGIONS.index(c.region) if c.region in REGIONS
              else UNSURE if c.region == "unsure" else ASK)
    return f"{PREFIX}ok:{c.reps}:{c.sets}:{c.difficulty or 0}:{int(c.pain)}:{region}:{level}"


def _decode(data: str) -> tuple[QuickCheckIn, int] | None:
    """Callback data is never trusted: re-check every bound. Returns the check-in and the
    code of how much it hurt (0 when not asked yet)."""
    try:
        reps, sets, difficulty, pain, region, level = (int(x) for x in data.split(":")[2:8])
    except ValueError:
        return None
    if not (0 <= reps <= MAX_REPS and 1 <= sets <= MAX_SETS and 0 <= difficulty <= 5
            and pain in (0, 1) and (0 <= region < len(REGIONS) or region in (ASK, UNSURE))
            and level in LEVEL_CODES):
        return None
    name = REGIONS[region] if region < len(REGIONS) else "unsure" if region == UNSURE else None
    return QuickCheckIn(reps=reps, sets=sets, difficulty=difficulty or None, pain=bool(pain),
                        region=name if pain else None), level


def _pain_buttons(update: Update, context: RehabContext, c: QuickCheckIn
                  ) -> tuple[str, InlineKeyboardMarkup]:
    """Ask where it hurt, or (region known) how much; each answer carries the whole report."""
    cancel = [button(update, context, "common.cancel", f"{PREFIX}no")]
    if c.region is None:
        rows = [[button(update, context, f"region.{r}", _encode(replace(c, region=r)))]
                for r in REGIONS]
        rows.append([button(update, context, "region.unsure",
                            _encode(replace(c, region="unsure")))])
        return render(update, context, "checkin/where", c=c), keyboard(*rows, cancel)
    where = region_names(update, context, REGIONS if c.region == "unsure" else [c.region])
    rows = [[button(update, context, f"pain_level.{name}", _encode(c, level=code))]
            for code, name in LEVELS.items()]
    return render(update, context, "checkin/how_much", c=c, region=where), keyboard(*rows,
                                                                                   cancel)


async def checkin_command(update: Update, context: RehabContext) -> None:
    """/checkin: how many, by tapping (typing "did 12" works too)."""
    if await ready_patient(update, context) is None:
        return
    row = [button(update, context, "session.reps", f"{PREFIX}r:{n}", reps=n) for n in REPS_CHOICES]
    await reply(update, context, "checkin/how_many", markup=keyboard(row))


async def on_text(update: Update, context: RehabContext, text: str) -> None:
    """Free text from a patient: a check-in to confirm, or a friendly hint."""
    parsed = parse_checkin(text, typed_words())
    if isinstance(parsed, ParseProblem):
        await reply(update, context, f"checkin/{parsed.code}")
        return
    if parsed.reps == 0 and not parsed.pain:  # nothing done is not a check-in: offer a way on
        await reply(update, context, "checkin/zero", markup=keyboard(
            [button(update, context, "checkin.short_session", "sess:new")],
            [button(update, context, "checkin.rest_today", f"{PREFIX}rest")]))
        return
    if parsed.pain:
        text_out, markup = _pain_buttons(update, context, parsed)
        await context.bot.send_message(update.effective_chat.id, text_out,  # type: ignore[union-attr]
                                       reply_markup=markup)
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
    if action in ("undo", "keep"):
        await on_undo_tap(update, context, action, parts[2] if len(parts) > 2 else None)
        return
    if action == "rest":
        services = context.services
        async with services.db.session() as session:
            until = await flow.rest_today(session=session,
                                          telegram_id=update.effective_user.id,  # type: ignore[union-attr]
                                          now=services.clock.now(),
                                          default_zone=services.settings.default_timezone)
        await query.answer()
        if until is not None:
            await edit_text(update, render(update, context, "checkin/resting"))
        return
    if action == "no":
        await query.answer()
        await query.edit_message_text(render(update, context, "checkin/cancelled"))
        return
    decoded = _decode(query.data) if action == "ok" else None
    if decoded is None or query.message is None:
        await query.answer()
        return
    checkin, level = decoded
    if checkin.pain and (checkin.region is None or level == 0):
        await query.answer()
        text_out, markup = _pain_buttons(update, context, checkin)
        await query.edit_message_text(text_out, reply_markup=markup)
        return
    # The confirmation message is the check-in's identity: pressing it twice, or the same
    # update arriving twice, stores one check-in.
    key = f"q{query.message.chat.id}:{query.message.message_id}"
    services = context.services
    assert update.effective_user is not None
    async with services.db.session() as session:
        stored = await flow.record_quick(session=session, telegram_id=update.effective_user.id,
                                         checkin=checkin, key=key, now=services.clock.now(),
                                         default_zone=services.settings.default_timezone,
                                         pain_level=LEVEL_CODES[level])
    await query.answer(services.texts.label(
        "checkin.saved" if stored.created else "checkin.already", lang))
    if not stored.created:
        return
    await query.edit_message_text(render(update, context, "checkin/saved", c=checkin))
    profile, person = stored.profile, stored.person
    assert profile is not None and person is not None
    if stored.pain is not None:
        await tell_pain(update, context, stored.pain)
        await pain_alert(context, profile, person, stored.pain)
    for new_key in stored.new_milestones:
        await reply(update, context, "milestones/reached", key=new_key,
                    n=len(stored.new_milestones), goal=None)
        await tell_groups(context, profile.id, "family/group_milestone", key=new_key)  # type: ignore[arg-type]


async def undo(update: Update, context: RehabContext) -> None:
    """/undo: show the last check-in (less than 10 minutes old) and ask before taking it
    back; one tap must never erase practice by accident."""
    services = context.services
    user = update.effective_user
    assert user is not None
    async with services.db.session() as session:
        found = await patients.get_patient(session=session, telegram_id=user.id)
        last = None
        if found is not None:
            last = await patients.last_live(session=session, patient_id=found[1].id,  # type: ignore[arg-type]
                                            now=services.clock.now(), window=UNDO_WINDOW)
    if last is None:
        await reply(update, context, "checkin/nothing_to_undo")
        return
    await reply(update, context, "checkin/undo_confirm", reps=last.reps, sets=last.sets,
                markup=keyboard([button(update, context, "checkin.undo_yes",
                                        f"{PREFIX}undo:{last.id}")],
                                [button(update, context, "checkin.undo_no", f"{PREFIX}keep")]))


async def on_undo_tap(update: Update, context: RehabContext, action: str,
                      value: str | None) -> None:
    """Yes (take back that check-in) or no (keep it). Twice is the same as once."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    services = context.services
    if action == "keep":
        await query.answer()
        await edit_text(update, render(update, context, "checkin/kept"))
        return
    try:
        checkin_id = record_id(value or "")
    except ValueError:
        await query.answer()
        return
    async with services.db.session() as session:
        found = await patients.get_patient(session=session, telegram_id=update.effective_user.id)
        row, _ = (await patients.undo_checkin(
            session=session, patient_id=found[1].id, checkin_id=checkin_id,  # type: ignore[arg-type]
            now=services.clock.now(), window=UNDO_WINDOW) if found else (None, False))
    await query.answer()
    if row is None:
        await edit_text(update, render(update, context, "checkin/nothing_to_undo"))
        return
    await edit_text(update, render(update, context, "checkin/undone", reps=row.reps,
                                   sets=row.sets))
