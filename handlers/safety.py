"""Safety: the entry check (before the first plan, and /safety to see or change it), the
emergency advice, and the safety basics for family. What each answer changes is a rule in
``bot.rules.safety``; see ``docs/safety.md``."""

from __future__ import annotations

from telegram import Update

from bot.context import RehabContext
from bot.flows import safety as flow
from bot.flows.practice import plan_for, today_of
from bot.materials.catalogue import emergency_numbers
from bot.materials.typed_words import typed_words
from bot.rules.safety import ENTRY_QUESTIONS, emergency_number, entry_advice
from bot.rules.timezones import country_of
from bot.rules.typed import normalise_answer, safety_answer
from db import family, patients
from db.models import Person
from handlers.common import button, current_person, keyboard, lang_of, not_ready, render, reply
from handlers.plan import plan_view

PREFIX = "sf:"
_CODES = {"y": "yes", "n": "no", "u": "unsure"}


async def emergency_number_for(context: RehabContext, person: Person) -> str:
    """The emergency number of the country of the person's time zone, 112 where unknown."""
    default, numbers = emergency_numbers()
    zone = person.timezone or context.services.settings.default_timezone
    return emergency_number(country_of(zone), numbers, default)


def _question(update: Update, context: RehabContext, step: flow.CheckStep) -> tuple[str, object]:
    qid = step.question
    text = render(update, context, f"safety/q_{qid}", number=step.number,
                  total=len(ENTRY_QUESTIONS))
    return text, keyboard(*[[button(update, context, f"safety.{word}", f"{PREFIX}{qid}:{code}")]
                            for code, word in _CODES.items()])


async def ask_entry_check(update: Update, context: RehabContext, *, first_time: bool) -> None:
    """Send the next entry-check question (the first, for someone new)."""
    user = update.effective_user
    assert user is not None
    async with context.services.db.session() as session:
        step = await flow.current(session=session, telegram_id=user.id)
    if step.status != "ok":
        await not_ready(update, context)
        return
    if step.question is None:
        return
    if step.number == 1:
        await reply(update, context, "safety/intro", first_time=first_time)
    text, markup = _question(update, context, step)
    await context.bot.send_message(update.effective_chat.id, text,  # type: ignore[union-attr]
                                   reply_markup=markup)


async def safety_command(update: Update, context: RehabContext) -> None:
    """/safety: a patient sees their answers and the warning signs, and can change them; a
    family member gets the safety basics."""
    user = update.effective_user
    assert user is not None
    services = context.services
    async with services.db.session() as session:
        found = await patients.get_patient(session=session, telegram_id=user.id)
    if found is None or found[1].onboarding_step != "done":
        await family_basics(update, context)
        return
    person, profile = found
    answers = profile.safety_answers or {}
    if not all(q in answers for q in ENTRY_QUESTIONS):
        await ask_entry_check(update, context, first_time=False)
        return
    await reply(update, context, "safety/summary", answers=answers,
                advice=entry_advice(answers),
                number=await emergency_number_for(context, person),
                markup=keyboard([button(update, context, "safety.change", f"{PREFIX}change")]))


async def family_basics(update: Update, context: RehabContext) -> None:
    """What every family member should know in week one: warning signs, shoulder care, how
    to help without doing it for them."""
    me = await current_person(update, context)
    names = []
    if me is not None and me.id is not None:
        async with context.services.db.session() as session:
            names = [p.first_name for _, _, p in
                     await family.patients_of(session=session, member_id=me.id)]
    number = await emergency_number_for(context, me) if me is not None else "112"
    await reply(update, context, "safety/family_basics", patients=names, number=number)


async def on_tap(update: Update, context: RehabContext) -> None:
    """An entry-check answer, or "Change my answers"."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    services = context.services
    lang = lang_of(update, context)
    data = query.data.removeprefix(PREFIX)
    async with services.db.session() as session:
        if data == "change":
            step = await flow.restart(session=session, telegram_id=update.effective_user.id)
        else:
            qid, _, code = data.partition(":")
            step = await flow.record_answer(session=session,
                                            telegram_id=update.effective_user.id,
                                            question=qid, answer=_CODES.get(code, ""),
                                            now=services.clock.now())
    if step.status == "not_patient":
        await query.answer()
        return
    if step.status == "stale":
        await query.answer(services.texts.label("checkin.old", lang))
        return
    await query.answer()
    if data == "change":
        await query.edit_message_reply_markup(None)
        await ask_entry_check(update, context, first_time=False)
        return
    if step.question is not None:
        text, markup = _question(update, context, step)
        await query.edit_message_text(text, reply_markup=markup)  # type: ignore[arg-type]
        return
    await query.edit_message_text(render(update, context, "safety/thanks",
                                         advice=entry_advice(step.answers)))
    await _show_plan(update, context, first_time=step.first_time)


async def _show_plan(update: Update, context: RehabContext, *, first_time: bool) -> None:
    """After the check: the plan that follows the answers, ready to start."""
    services = context.services
    user = update.effective_user
    assert user is not None
    async with services.db.session() as session:
        found = await patients.get_patient(session=session, telegram_id=user.id)
        if found is None or found[1].onboarding_step != "done":
            return
        person, profile = found
        rows = await patients.doses(session=session, patient_id=profile.id)  # type: ignore[arg-type]
    plan = plan_for(profile, rows, today_of(person, services.settings.default_timezone,
                                            services.clock.now()))
    await reply(update, context, "plan/today", **plan_view(update, context, plan, rows),
                first_plan=first_time,
                markup=keyboard([button(update, context, "common.start_now", "sess:new"),
                                 button(update, context, "common.later", "sess:later")]))


async def on_typed(update: Update, context: RehabContext, text: str) -> bool:
    """A typed answer to the entry-check question being asked; False if it is not one."""
    user = update.effective_user
    assert user is not None
    services = context.services
    answer = safety_answer(normalise_answer(text), typed_words())
    async with services.db.session() as session:
        step = await flow.current(session=session, telegram_id=user.id)
        if step.status != "ok" or step.question is None:
            return False
        if answer is None:
            text_out, markup = _question(update, context, step)
            await context.bot.send_message(update.effective_chat.id, text_out,  # type: ignore[union-attr]
                                           reply_markup=markup)
            return True
        step = await flow.record_answer(session=session, telegram_id=user.id,
                                        question=step.question, answer=answer,
                                        now=services.clock.now())
    if step.question is not None:
        text_out, markup = _question(update, context, step)
        await context.bot.send_message(update.effective_chat.id, text_out,  # type: ignore[union-attr]
                                       reply_markup=markup)
        return True
    await reply(update, context, "safety/thanks", advice=entry_advice(step.answers))
    await _show_plan(update, context, first_time=step.first_time)
    return True


async def send_unwell(update: Update, context: RehabContext, person: Person, *,
                      for_family: bool = False) -> None:
    """The emergency advice, with the local number; never a check-in. Someone who does not
    practise here (family writing "mum is dizzy") gets it about the person they care for."""
    await reply(update, context, "safety/unwell_family" if for_family else "session/unwell",
                number=await emergency_number_for(context, person))
