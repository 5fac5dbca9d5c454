"""Text that is not a command: routed by who is writing and where they are."""

from __future__ import annotations

from telegram import Update

from bot.context import RehabContext
from bot.materials.typed_words import typed_words
from bot.rules.checkin_parse import QuickCheckIn, asks_for_help, parse_checkin
from bot.rules.safety import mentions_warning_sign
from db import patients
from db.people import get_person
from handlers import care, checkin, family_view, help, onboarding, safety
from handlers.common import not_ready, standing


async def on_text(update: Update, context: RehabContext) -> None:
    message = update.effective_message
    user = update.effective_user
    assert message is not None and message.text is not None and user is not None
    async with context.services.db.session() as session:
        me = await get_person(session=session, telegram_id=user.id)
        found = await patients.get_patient(session=session, telegram_id=user.id)
    if me is not None and await family_view.on_cheer_text(update, context, me, message.text):
        return
    if me is not None and await care.on_note_text(update, context, message.text):
        return
    typed = typed_words()
    if me is not None and mentions_warning_sign(message.text, typed):
        # anyone, family too ("mum is dizzy"): the safer rule wins over who is writing
        await safety.send_unwell(update, context, me,  # never read as a check-in
                                 for_family=found is None or found[1].onboarding_step != "done")
    elif asks_for_help(message.text, typed):
        await help.help_command(update, context)
    elif found is None or (found[1].onboarding_step != "done"
                           and (await standing(update, context))[0] == "family"):
        await not_set_up(update, context, message.text)
    elif found[1].onboarding_step == "timezone":
        await onboarding.on_timezone_text(update, context, message.text)
    elif found[1].onboarding_step == "done":
        if not await safety.on_typed(update, context, message.text):
            await checkin.on_text(update, context, message.text)
    else:
        await onboarding.on_typed(update, context, found[0], found[1], message.text)


async def not_set_up(update: Update, context: RehabContext, text: str) -> None:
    """Text from someone who does not practise here: a check-in or a question about practice
    gets where they stand and the next step; anything else the friendly pointer to /help."""
    if isinstance(parse_checkin(text, typed_words()), QuickCheckIn):
        await not_ready(update, context)
    else:
        await help.unknown_text(update, context)
