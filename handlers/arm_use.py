"""/armuse: the monthly check of how much and how well the affected arm is used, one tap per
question (optional; offered after a session once a month). The work is ``bot.flows.arm_use``."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.context import RehabContext
from bot.flows import arm_use as flow
from bot.flows.practice import today_of
from bot.rules import arm_use as rules
from handlers.common import button, keyboard, lang_of, ready_patient, render, reply

PREFIX = "au:"
_UNSURE = "n"


def _question(update: Update, context: RehabContext, step: flow.Step
              ) -> tuple[str, InlineKeyboardMarkup]:
    assert step.question is not None
    item, part = step.question
    code = "a" if part == "amount" else "q"
    base = f"{PREFIX}{item}:{code}:"
    text = render(update, context, "arm_use/question", item=item, part=part,
                  number=step.number)
    return text, keyboard(
        [button(update, context, f"arm_use.v{v}", f"{base}{v}") for v in (0, 1, 2)],
        [button(update, context, f"arm_use.v{v}", f"{base}{v}") for v in (3, 4, 5)],
        [button(update, context, "arm_use.unsure", f"{base}{_UNSURE}")])


async def arm_use_command(update: Update, context: RehabContext) -> None:
    found = await ready_patient(update, context)
    if found is None:
        return
    person, profile = found
    services = context.services
    day = today_of(person, services.settings.default_timezone, services.clock.now())
    async with services.db.session() as session:
        step = await flow.step(session=session, patient_id=profile.id, day=day)  # type: ignore[arg-type]
    if step.question is None:
        await _done(update, context, step, edit=False)
        return
    if step.number == 1:
        await reply(update, context, "arm_use/intro")
    text, markup = _question(update, context, step)
    await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)  # type: ignore[union-attr]


async def on_tap(update: Update, context: RehabContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    services = context.services
    data = query.data.removeprefix(PREFIX)
    if data == "start":
        await query.answer()
        await arm_use_command(update, context)
        return
    item, _, rest = data.partition(":")
    code, _, raw = rest.partition(":")
    if item not in rules.ITEMS or code not in ("a", "q") or not (
            raw == _UNSURE or (raw.isdigit() and int(raw) in rules.SCALE)):
        await query.answer()
        return
    value = rules.NOT_SURE if raw == _UNSURE else int(raw)
    async with services.db.session() as session:
        step = await flow.answer(session=session, telegram_id=update.effective_user.id,
                                 item=item, part="amount" if code == "a" else "quality",
                                 value=value, now=services.clock.now(),
                                 default_zone=services.settings.default_timezone)
    if step is None or not step.changed:  # not a patient, an old button or a double tap
        await query.answer(services.texts.label("checkin.old", lang_of(update, context)))
        return
    await query.answer()
    if step.question is None:
        await _done(update, context, step, edit=True)
        return
    text, markup = _question(update, context, step)
    await query.edit_message_text(text, reply_markup=markup)


async def _done(update: Update, context: RehabContext, step: flow.Step, *, edit: bool) -> None:
    text = render(update, context, "arm_use/done", amount=step.amount, quality=step.quality,
                  previous=step.previous)
    query = update.callback_query
    if edit and query is not None:
        await query.edit_message_text(text)
    else:
        await reply(update, context, "arm_use/done", amount=step.amount, quality=step.quality,
                    previous=step.previous)
