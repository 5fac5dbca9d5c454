"""/report: a PDF for a clinic visit. A patient gets their own; a care-team member chooses a
patient who invited them (or gets the only one). Drawn off the event loop."""

from __future__ import annotations

from telegram import InputFile, Update

from bot import drawing
from bot.context import RehabContext
from bot.flows import care
from bot.flows.practice import today_of
from bot.flows.report import report_data
from bot.materials.report import report_for
from db import family, patients
from handlers.common import button, keyboard, lang_of, reply


async def report_command(update: Update, context: RehabContext) -> None:
    user = update.effective_user
    assert user is not None
    async with context.services.db.session() as session:
        found = await patients.get_patient(session=session, telegram_id=user.id)
        followed = await care.followed(session=session, telegram_id=user.id)
    if found is not None and found[1].onboarding_step == "done":
        await send_report(update, context, found[1].id)  # type: ignore[arg-type]
    elif len(followed) == 1:
        await send_report(update, context, followed[0][0].id)  # type: ignore[arg-type]
    elif followed:
        rows = [[button(update, context, "care.report_for", f"ct:rp:{profile.id}",
                        patient=person.first_name)] for profile, person in followed]
        await reply(update, context, "care/choose_report", markup=keyboard(*rows))
    else:
        await reply(update, context, "care/no_report")


async def send_report(update: Update, context: RehabContext, patient_id: int) -> None:
    """The report, to the patient themselves or to their care team; nobody else."""
    services = context.services
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    async with services.db.session() as session:
        own = await patients.get_patient(session=session, telegram_id=user.id)
        allowed = own is not None and own[1].id == patient_id
        if not allowed:
            allowed = await care.access(session=session, telegram_id=user.id,
                                        patient_id=patient_id) is not None
        found = await family.patient_person(session=session, patient_id=patient_id)
        if not allowed or found is None:
            await reply(update, context, "family/no_access")
            return
        profile, patient = found
        data = await report_data(session=session, profile=profile, patient=patient,
                                 end=today_of(patient, services.settings.default_timezone,
                                              services.clock.now()))
    pdf, caption = await drawing.drawn(report_for, data, services.texts,
                                           lang_of(update, context), reader=user.first_name)
    await context.bot.send_chat_action(chat.id, "upload_document")
    mine = own is not None and own[1].id == patient_id
    markup = keyboard([button(update, context, "care.name_on_report", "rpn:toggle",
                              chosen=profile.report_name_ok)]) if mine else None
    await context.bot.send_document(
        chat.id, InputFile(pdf, filename=f"rehab-buddy-report-{data.end.isoformat()}.pdf"),
        caption=caption, reply_markup=markup)


async def on_name_tap(update: Update, context: RehabContext) -> None:
    """The patient agrees (or no longer agrees) to their name on reports."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    async with context.services.db.session() as session:
        found = await patients.get_patient(session=session, telegram_id=update.effective_user.id)
        if found is not None:
            found[1].report_name_ok = not found[1].report_name_ok
            session.add(found[1])
    await query.answer()
    if found is not None:
        await query.edit_message_reply_markup(keyboard([button(
            update, context, "care.name_on_report", "rpn:toggle",
            chosen=found[1].report_name_ok)]))
