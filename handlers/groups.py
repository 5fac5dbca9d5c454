"""The family group: a one-time code links a group chat, which then hears the patient's
milestones and weekly summary (never health data by command)."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.error import Forbidden, TelegramError

from bot.context import RehabContext
from bot.flows import family as flow
from bot.rules import family as rules
from db import family, patients
from handlers.common import not_ready, notify, patient_person, reply


async def group_command(update: Update, context: RehabContext) -> None:
    """/group (patient, private chat): a one-time code to link a family group; /group off."""
    user = update.effective_user
    chat = update.effective_chat
    assert user is not None and chat is not None
    services = context.services
    if chat.type != ChatType.PRIVATE:
        await reply(update, context, "family/group_private_only")
        return
    async with services.db.session() as session:
        found = await patients.get_patient(session=session, telegram_id=user.id)
        if found is None or found[1].onboarding_step != "done":
            await not_ready(update, context)
            return
        if context.args and context.args[0].lower() == "off":
            now = services.clock.now()
            for group in await family.groups_of(session=session, patient_id=found[1].id):  # type: ignore[arg-type]
                group.revoked_at = now
                session.add(group)
            await reply(update, context, "family/group_off")
            return
        code = rules.new_group_code()
        now = services.clock.now()
        await family.add_invitation(session=session, patient_id=found[1].id,  # type: ignore[arg-type]
                                    token_hash=rules.secret_hash(code), kind="group", now=now,
                                    expires_at=now + rules.GROUP_CODE_TTL)
    await reply(update, context, "family/group_code", code=code, bot=context.bot.username)


async def link_group(update: Update, context: RehabContext) -> None:
    """/link CODE, sent in a group: the group now hears the patient's milestones and digest."""
    chat = update.effective_chat
    assert chat is not None
    services = context.services
    if chat.type == ChatType.PRIVATE:
        await reply(update, context, "family/group_in_group_only")
        return
    code = (context.args or [""])[0].strip().upper()
    if not rules.GROUP_CODE_SHAPE.match(code):
        await reply(update, context, "family/invite_invalid")
        return
    async with services.db.session() as session:
        problem, patient_id = await flow.link_group(session=session, code=code, chat_id=chat.id,
                                                    now=services.clock.now())
    if problem is not None or patient_id is None:
        await reply(update, context, f"family/invite_{problem}")
        return
    found = await patient_person(context, patient_id)
    assert found is not None
    await reply(update, context, "family/group_linked", patient=found[1].first_name)
    await notify(context, found[1], "family/group_linked_notice", title=chat.title or "")


async def tell_groups(context: RehabContext, patient_id: int, template: str,
                      **values: object) -> None:
    """Share a milestone with the patient's family groups (bulk lane, group-paced)."""
    services = context.services
    async with services.db.session() as session:
        groups = await family.groups_of(session=session, patient_id=patient_id)
    found = await patient_person(context, patient_id)
    if not groups or found is None:
        return
    patient = found[1]
    lang = services.texts.language(patient.language_code, patient.language)
    text = services.texts.render(template, lang, name=patient.first_name,
                                 patient=patient.first_name, **values)
    for group in groups:
        try:
            await context.bot.send_message(group.chat_id, text, rate_limit_args={"bulk": True})
        except Forbidden:  # the bot was removed from the group: that link ends
            async with services.db.session() as session:
                await family.end_group(session=session, chat_id=group.chat_id,
                                       now=services.clock.now())
        except TelegramError:
            continue
