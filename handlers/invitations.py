"""Invitations: a patient makes a single-use link; the person who opens it sees who invited
them and accepts or declines. The checks are ``bot.flows.family``."""

from __future__ import annotations

from urllib.parse import quote

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import RehabContext
from bot.flows import family as flow
from bot.rules import family as rules
from bot.rules import timezones
from db import family
from handlers import safety
from handlers.common import (
    button,
    city_rows,
    clear_buttons,
    keyboard,
    lang_of,
    notify,
    ready_patient,
    record_id,
    render,
    reply,
)

_FOLDER = {"family": "family", "care": "care"}  # where each kind's words live


async def invite(update: Update, context: RehabContext) -> None:
    """/invite: a single-use link for family, valid 72 hours, and a button to share it."""
    await _invite(update, context, "family")


async def invite_care_team(update: Update, context: RehabContext) -> None:
    """/careteam: the same kind of link for a therapist, saying what the care team sees."""
    await _invite(update, context, "care")


async def _invite(update: Update, context: RehabContext, kind: str) -> None:
    services = context.services
    found = await ready_patient(update, context)
    if found is None:
        return
    async with services.db.session() as session:
        token = rules.new_token()
        now = services.clock.now()
        patient_id: int = found[1].id  # type: ignore[assignment]
        if await family.link_count(session=session, patient_id=patient_id) >= \
                rules.MAX_FOLLOWERS:
            await reply(update, context, "family/too_many_people", limit=rules.MAX_FOLLOWERS)
            return
        if await family.live_invitations(session=session, patient_id=patient_id, now=now) >= \
                rules.MAX_LIVE_INVITES:
            await reply(update, context, "family/too_many_links", limit=rules.MAX_LIVE_INVITES)
            return
        await family.add_invitation(session=session, patient_id=patient_id,
                                    token_hash=rules.secret_hash(token), kind=kind,
                                    now=now, expires_at=now + rules.INVITE_TTL)
    link = rules.invite_link(context.bot.username, token)
    share = f"https://t.me/share/url?url={quote(link, safe='')}"
    await reply(update, context, f"{_FOLDER[kind]}/invite", link=link, markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton(services.texts.label("family.share", lang_of(update, context)),
                               url=share)]]))


async def open_invite(update: Update, context: RehabContext, token: str) -> None:
    """Someone opened an invite link: who invited them, what they will see, accept or not."""
    user = update.effective_user
    assert user is not None
    services = context.services
    async with services.db.session() as session:
        opened = await flow.open_invitation(session=session, telegram_id=user.id, token=token,
                                            now=services.clock.now())
    if opened.problem is not None:
        await reply(update, context, f"family/invite_{opened.problem}")
        return
    assert opened.inviter is not None
    await reply(update, context, f"{_FOLDER[opened.kind]}/invited",
                inviter=opened.inviter.first_name,
                markup=keyboard(
                    [button(update, context, "family.accept", f"fam:acc:{opened.invitation_id}")],
                    [button(update, context, "family.decline",
                            f"fam:dec:{opened.invitation_id}")]))


async def on_invite_tap(update: Update, context: RehabContext) -> None:
    """Accept or decline. Only the person who opened the link can, and only once."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    services = context.services
    parts = query.data.split(":")
    try:
        invitation_id = record_id(parts[2])
    except (IndexError, ValueError):
        await query.answer()
        return
    async with services.db.session() as session:
        answered = await flow.answer_invitation(
            session=session, telegram_id=update.effective_user.id, invitation_id=invitation_id,
            accept=parts[1] == "acc", now=services.clock.now(),
            default_zone=services.settings.default_timezone)
    if answered.problem is not None:
        await query.answer()
        await clear_buttons(update)
        await reply(update, context, f"family/invite_{answered.problem}")
        return
    if answered.outcome == "declined":
        await query.answer()
        await query.edit_message_text(render(update, context, "family/declined"))
        return
    me, patient = answered.member, answered.patient
    assert me is not None and patient is not None
    await query.answer(services.texts.label("checkin.saved", lang_of(update, context)))
    folder = _FOLDER[answered.kind]
    await query.edit_message_text(render(update, context, f"{folder}/accepted",
                                         patient=patient.first_name))
    await notify(context, patient, f"{folder}/joined", member=me.first_name)
    if answered.kind == "family":
        await safety.family_basics(update, context)  # the safety basics, on day one
    if me.timezone is None:
        cities = timezones.pick_list(me.language or me.language_code)
        rows = city_rows(update, context, cities, "tz:")
        await reply(update, context, f"{folder}/where", markup=keyboard(*rows))
