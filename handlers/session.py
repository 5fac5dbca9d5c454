"""A guided session: one exercise at a time, answered by taps, edited in place; then a summary
with the patient's real numbers. The work is ``bot.flows.session``; this module parses the
button, renders the card and replies."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup, Update

from bot.context import RehabContext
from bot.flows import session as flow
from bot.flows.practice import exercise
from bot.rules.exercises import REGIONS, Exercise, Stage
from db.models import PracticeSession
from handlers import safety
from handlers.alerts import pain_alert, stage_alert
from handlers.cards import edit_card, edit_words, send_card
from handlers.common import (
    button,
    clear_buttons,
    keyboard,
    lang_of,
    not_ready,
    record_id,
    render,
    reply,
)
from handlers.groups import tell_groups
from handlers.pain import region_names, tell_pain
from handlers.plan import safety_line

PREFIX = "s:"


def card(update: Update, context: RehabContext, sess: PracticeSession, *,
         side: str | None = None, asking: str | None = None, choices: Sequence[int] = (),
         region: int | None = None) -> tuple[str, InlineKeyboardMarkup]:
    """The current exercise's card, at the step the session is at; while pain is being
    reported, ``asking`` "where" (``choices``: region indexes) or "how_much" (``region``)."""
    item = sess.items[sess.position]
    ex = exercise(str(item["exercise_id"]))
    base = f"{PREFIX}{sess.id}:{sess.position}:"
    region_word = ""
    if region is not None:
        region_word = (region_names(update, context, [REGIONS[region]])
                       if region < len(REGIONS) else
                       region_names(update, context, ex.regions if ex else REGIONS))
    text = render(update, context, "session/card", number=sess.position + 1,
                  count=len(sess.items), title=ex.title if ex else item["exercise_id"],
                  instructions=ex.instructions if ex else "", reps=item["reps"],
                  sets=item["sets"], hold=item.get("hold_seconds"),
                  items=", ".join(ex.items) if ex else "", safety=ex.safety if ex else "",
                  rep=ex.rep if ex else "", side=side,
                  chosen=sess.pending_reps, asking=asking, region=region_word,
                  reminder=safety_line(update, context, sess.position))
    unwell = [button(update, context, "session.unwell", f"{base}unwell")]
    if asking == "where":
        rows = [[button(update, context, f"region.{REGIONS[i]}", f"{base}pr:{i}")]
                for i in choices]
        rows.append([button(update, context, "region.unsure", f"{base}pr:{flow.UNSURE}")])
        return text, keyboard(*rows, unwell)
    if asking == "how_much" and region is not None:
        rows = [[button(update, context, f"pain_level.{name}", f"{base}pl:{region * 10 + n}")]
                for n, name in flow.LEVELS.items()]
        return text, keyboard(*rows, unwell)
    if sess.pending_reps is not None:
        rows = [[button(update, context, f"session.feel{d}", f"{base}f:{d}")]
                for d in flow.FEELINGS]
        rows.append([button(update, context, "session.hurt", f"{base}hurt")])
        return text, keyboard(*rows, unwell)
    return text, keyboard(
        [button(update, context, "session.done", f"{base}r:{item['reps']}", reps=item["reps"],
                sets=item["sets"])],
        [button(update, context, "session.fewer", f"{base}less"),
         button(update, context, "session.more", f"{base}more")],
        [button(update, context, "session.skip", f"{base}skip"),
         button(update, context, "session.stop", f"{base}stop")],
        unwell,
    )


def _choices(update: Update, context: RehabContext, sess: PracticeSession,
             values: list[int]) -> InlineKeyboardMarkup:
    base = f"{PREFIX}{sess.id}:{sess.position}:"
    sets = sess.items[sess.position]["sets"]
    row = [button(update, context, "session.reps", f"{base}r:{v}", reps=v, sets=sets)
           for v in values]
    return keyboard(row, [button(update, context, "session.back", f"{base}back")])


async def start_session(update: Update, context: RehabContext) -> None:
    """/today, "Start now", or a prompt's button: open (or resume) today's session."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    services = context.services
    query = update.callback_query
    async with services.db.session() as session:
        opened = await flow.open_today(session=session, telegram_id=user.id, chat_id=chat.id,
                                       now=services.clock.now(),
                                       default_zone=services.settings.default_timezone)
    if query:
        await query.answer()
    if opened.status == "not_ready":
        await not_ready(update, context)
        return
    if opened.status == "check":
        await safety.ask_entry_check(update, context, first_time=False)
        return
    if opened.status == "rest":
        resting = await flow_today_resting(context, user.id)
        await reply(update, context, "session/rest_today",
                    regions=region_names(update, context, resting))
        return
    sess = opened.sess
    assert sess is not None
    if opened.note:
        await reply(update, context, "session/care_note", note=opened.note)
    if query:
        await clear_buttons(update)
    text, markup = card(update, context, sess, side=opened.side)
    message = await send_card(context, chat.id, _exercise_of(sess), opened.side, text, markup)
    async with services.db.session() as session:
        await flow.remember_card(session=session, session_id=sess.id,  # type: ignore[arg-type]
                                 message_id=message.message_id)


def _exercise_of(sess: PracticeSession) -> Exercise | None:
    """The exercise the session is at (its card's picture)."""
    if sess.position >= len(sess.items):
        return None
    return exercise(str(sess.items[sess.position]["exercise_id"]))


async def later(update: Update, context: RehabContext) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await clear_buttons(update)
    await reply(update, context, "session/later")


def parse_tap(data: str) -> flow.Tap | None:
    """``s:<session>:<step>:<action>[:<value>]``; anything else is not a tap we made."""
    try:
        sid_text, pos_text, action, *rest = data.removeprefix(PREFIX).split(":")
        return flow.Tap(record_id(sid_text), record_id(pos_text), action,
                        record_id(rest[0]) if rest else None)
    except ValueError:
        return None


async def on_tap(update: Update, context: RehabContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    services = context.services
    label = services.texts.label
    lang = lang_of(update, context)
    tap = parse_tap(query.data)
    if tap is None:
        await query.answer()
        return
    async with services.db.session() as session:
        result = await flow.apply_tap(session=session, telegram_id=update.effective_user.id,
                                      tap=tap, now=services.clock.now())
    if result.status != "ok":
        await query.answer(label("checkin.not_yours" if result.status == "not_yours"
                                 else "checkin.old", lang))
        return
    sess, profile, person = result.sess, result.profile, result.person
    assert sess is not None and profile is not None and person is not None
    toast = None
    if result.recorded is not None:
        toast = label("checkin.saved" if result.recorded else "checkin.already", lang)
    await query.answer(toast)
    side = profile.affected_side
    moved = sess.position != tap.position  # the next exercise: its picture replaces the last
    if result.view == "card":
        text, markup = card(update, context, sess, side=side)
        await edit_card(update, context, _exercise_of(sess), side, text, markup,
                        new_exercise=moved)
    elif result.view == "pain_region":
        text, markup = card(update, context, sess, side=side, asking="where",
                            choices=result.choices)
        await edit_card(update, context, _exercise_of(sess), side, text, markup,
                        new_exercise=moved)
    elif result.view == "pain_level":
        text, markup = card(update, context, sess, side=side, asking="how_much",
                            region=result.region)
        await edit_card(update, context, _exercise_of(sess), side, text, markup,
                        new_exercise=moved)
    elif result.view == "buttons":
        await query.edit_message_reply_markup(card(update, context, sess, side=side)[1])
    elif result.view == "choices":
        await query.edit_message_reply_markup(_choices(update, context, sess, result.choices))
    finished = result.finished
    if finished is not None:
        await edit_words(update, render(update, context, "session/closed",
                                        done=finished.done, count=finished.count))
    if result.pain is not None:
        await tell_pain(update, context, result.pain, rested=result.rested)
        if result.pain.episode is not None:
            await pain_alert(context, profile, person, result.pain)
    if result.view == "unwell":
        await safety.send_unwell(update, context, person)
        return
    if finished is None:
        return
    if finished.stage_changed:
        await stage_alert(context, profile, person, Stage(finished.stage), sess.local_day)
    if finished.done:
        await reply(update, context, "session/summary", today_reps=finished.today_reps,
                    session_reps=finished.session_reps, tone=finished.tone,
                    exercises=finished.done, changes=finished.changes, progress=finished.progress,
                    advise_care_team=finished.advise_care_team,
                    stage_name=label(f"stage.{Stage(finished.stage).key}", lang),
                    stage_up=finished.stage_up, minutes=finished.minutes,
                    removed=finished.removed, kept_easy=finished.kept_easy,
                    goal_minutes=finished.goal_minutes,
                    markup=keyboard([button(update, context, "session.progress", "prog:me")],
                                    *([[button(update, context, "arm_use.offer", "au:start")]]
                                      if finished.arm_use_due else [])))
    for key in finished.new_milestones:
        await reply(update, context, "milestones/reached", key=key,
                    n=(profile.id or 0) + finished.milestones_before,
                    progress=finished.progress, goal=profile.goal)
        await tell_groups(context, profile.id, "family/group_milestone", key=key)  # type: ignore[arg-type]


async def flow_today_resting(context: RehabContext, telegram_id: int) -> frozenset[str]:
    """The regions resting today, for the words of a rest day."""
    services = context.services
    async with services.db.session() as session:
        return await flow.resting_regions(session=session, telegram_id=telegram_id,
                                          now=services.clock.now(),
                                          default_zone=services.settings.default_timezone)
