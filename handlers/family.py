"""Family: invitations by link, the family list, the shared progress view, cheers, alerts
and the family group. Every read of a patient's data for someone else checks an active link;
callback data only ever names things, it never grants anything."""

from __future__ import annotations

from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType

from bot import family as rules
from bot import timezones
from bot.context import RehabContext
from bot.practice import local_day, zone_of
from db import family, patients
from db.models import Invitation, PatientProfile, Person
from db.people import get_person
from handlers.common import (
    button,
    city_rows,
    clear_buttons,
    keyboard,
    lang_of,
    ready_patient,
    render,
    reply,
)
from handlers.progress import patient_progress, send_progress

CHEER_PRESETS = ("cheer.preset1", "cheer.preset2", "cheer.preset3")
PENDING_MINUTES = 30
DEFAULT_QUIET_DAYS = 2


async def _me(update: Update, context: RehabContext) -> Person | None:
    user = update.effective_user
    assert user is not None
    async with context.services.db.session() as session:
        return await get_person(session=session, telegram_id=user.id)


async def _patient_person(context: RehabContext, patient_id: int
                          ) -> tuple[PatientProfile, Person] | None:
    async with context.services.db.session() as session:
        profile = await session.get(PatientProfile, patient_id)
        if profile is None:
            return None
        person = await session.get(Person, profile.person_id)
    return (profile, person) if person else None


async def _notify(context: RehabContext, person: Person, template: str, *,
                  markup: InlineKeyboardMarkup | None = None, **values: object) -> None:
    """Tell someone other than the sender; quietly skip people who blocked the bot."""
    from telegram.error import Forbidden

    texts = context.services.texts
    lang = texts.language(person.language_code)
    try:
        await context.bot.send_message(
            person.telegram_id, texts.render(template, lang, name=person.first_name, **values),
            reply_markup=markup)
    except Forbidden:
        async with context.services.db.session() as session:
            stored = await session.get(Person, person.id)
            if stored is not None:
                stored.active = False
                session.add(stored)


# ---- invitations -----------------------------------------------------------------------------
async def invite(update: Update, context: RehabContext) -> None:
    """/invite: a single-use link, valid 72 hours, and a button to share it."""
    services = context.services
    found = await ready_patient(update, context)
    if found is None:
        return
    async with services.db.session() as session:
        token = rules.new_token()
        now = services.clock.now()
        await family.add_invitation(session=session, patient_id=found[1].id,  # type: ignore[arg-type]
                                    token_hash=rules.secret_hash(token), kind="family",
                                    now=now, expires_at=now + rules.INVITE_TTL)
    link = rules.invite_link(context.bot.username, token)
    from urllib.parse import quote

    share = f"https://t.me/share/url?url={quote(link, safe='')}"
    await reply(update, context, "family/invite", link=link, markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton(services.texts.label("family.share", lang_of(update, context)),
                               url=share)]]))


async def open_invite(update: Update, context: RehabContext, token: str) -> None:
    """Someone opened an invite link: who invited them, what they will see, accept or not."""
    user = update.effective_user
    assert user is not None
    services = context.services
    now = services.clock.now()
    async with services.db.session() as session:
        me = await get_person(session=session, telegram_id=user.id)
        invitation = await family.invitation_by_hash(session=session,
                                                     token_hash=rules.secret_hash(token))
        problem = _invitation_problem(invitation, now, kind="family")
        if invitation is not None and problem is None:
            profile = await session.get(PatientProfile, invitation.patient_id)
            inviter = await session.get(Person, profile.person_id) if profile else None
            if inviter is None or me is None:
                problem = "invalid"
            elif inviter.id == me.id:
                problem = "own"
            elif await family.active_link(session=session, patient_id=invitation.patient_id,
                                          member_id=me.id):  # type: ignore[arg-type]
                problem = "already"
            else:
                invitation.opened_by = me.id
                session.add(invitation)
    if problem is not None:
        await reply(update, context, f"family/invite_{problem}")
        return
    assert invitation is not None and inviter is not None
    await reply(update, context, "family/invited", inviter=inviter.first_name, markup=keyboard(
        [button(update, context, "family.accept", f"fam:acc:{invitation.id}")],
        [button(update, context, "family.decline", f"fam:dec:{invitation.id}")]))


def _invitation_problem(invitation: Invitation | None, now: object, *, kind: str) -> str | None:
    if invitation is None or invitation.kind != kind:
        return "invalid"
    if invitation.used_at is not None:
        return "used"
    if invitation.expires_at <= now:  # type: ignore[operator]
        return "expired"
    return None


async def on_invite_tap(update: Update, context: RehabContext) -> None:
    """Accept or decline. Only the person who opened the link can, and only once."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    services = context.services
    parts = query.data.split(":")
    try:
        invitation_id = int(parts[2])
    except (IndexError, ValueError):
        await query.answer()
        return
    now = services.clock.now()
    lang = lang_of(update, context)
    async with services.db.session() as session:
        me = await get_person(session=session, telegram_id=update.effective_user.id)
        invitation = await family.get_invitation(session=session, invitation_id=invitation_id)
        problem = _invitation_problem(invitation, now, kind="family")
        if problem is None and (me is None or invitation.opened_by != me.id):  # type: ignore[union-attr]
            problem = "invalid"
        if problem is not None:
            await query.answer()
            await clear_buttons(update)
            await reply(update, context, f"family/invite_{problem}")
            return
        assert invitation is not None and me is not None
        if parts[1] == "dec":
            await query.answer()
            await query.edit_message_text(render(update, context, "family/declined"))
            return
        invitation.used_at = now
        session.add(invitation)
        if await family.active_link(session=session, patient_id=invitation.patient_id,
                                    member_id=me.id) is None:  # type: ignore[arg-type]
            await family.add_link(session=session, patient_id=invitation.patient_id,
                                  member_id=me.id, now=now)  # type: ignore[arg-type]
        me.is_family = True
        session.add(me)
        zone = me.timezone or services.settings.default_timezone
        await ensure_digest_schedule(session=session, person=me, zone=zone, now=now)
    found = await _patient_person(context, invitation.patient_id)
    assert found is not None
    _, patient = found
    await query.answer(services.texts.label("checkin.saved", lang))
    await query.edit_message_text(render(update, context, "family/accepted",
                                         patient=patient.first_name))
    await _notify(context, patient, "family/joined", member=me.first_name)
    if me.timezone is None:
        cities = timezones.pick_list(me.language_code)
        rows = city_rows(update, context, cities, "tz:")
        await reply(update, context, "family/where", markup=keyboard(*rows))


async def ensure_digest_schedule(*, session: object, person: Person, zone: str,
                                 now: object) -> None:
    """Everyone who gets digests has a schedule: Sunday 18:00 in their zone unless changed."""
    from db.models import DigestSchedule

    existing = await family.schedule_for(session=session, person_id=person.id)  # type: ignore[arg-type]
    if existing is None:
        existing = DigestSchedule(person_id=person.id, weekday=rules.DEFAULT_DIGEST_DAY,  # type: ignore[arg-type]
                                  local_time=rules.DEFAULT_DIGEST_TIME)
    existing.next_due_at = rules.next_weekly(existing.weekday, existing.local_time, zone, now)  # type: ignore[arg-type]
    session.add(existing)  # type: ignore[attr-defined]


# ---- the family list -------------------------------------------------------------------------
async def family_command(update: Update, context: RehabContext) -> None:
    """/family: a patient sees who follows them; a family member sees whom they follow."""
    me = await _me(update, context)
    if me is None:
        return
    async with context.services.db.session() as session:
        found = await patients.get_patient(session=session, telegram_id=me.telegram_id)
        members = (await family.members_of(session=session, patient_id=found[1].id)  # type: ignore[arg-type]
                   if found else [])
        following = await family.patients_of(session=session, member_id=me.id)  # type: ignore[arg-type]
    if found is not None:
        rows = [[button(update, context, "family.remove", f"fam:rm:{link.id}",
                        member=person.first_name)] for link, person in members]
        await reply(update, context, "family/members", members=[p.first_name for _, p in members],
                    markup=keyboard(*rows) if rows else None)
    if following or found is None:
        rows = []
        for link, profile, person in following:
            rows.append([button(update, context, "family.progress", f"prog:p:{profile.id}",
                                patient=person.first_name),
                         button(update, context, "family.cheer", f"chr:{profile.id}",
                                patient=person.first_name)])
            rows.append([button(update, context, "family.leave", f"fam:lv:{link.id}",
                                patient=person.first_name)])
        await reply(update, context, "family/following",
                    patients=[p.first_name for _, _, p in following],
                    markup=keyboard(*rows) if rows else None)


async def on_link_tap(update: Update, context: RehabContext) -> None:
    """Remove a member (patient side) or stop following (member side): effective at once."""
    query = update.callback_query
    assert query is not None and query.data is not None
    services = context.services
    parts = query.data.split(":")
    try:
        link_id = int(parts[2])
    except (IndexError, ValueError):
        await query.answer()
        return
    me = await _me(update, context)
    async with services.db.session() as session:
        link = await family.get_link(session=session, link_id=link_id)
        profile = await session.get(PatientProfile, link.patient_id) if link else None
        allowed = (link is not None and link.revoked_at is None and me is not None and (
            (parts[1] == "rm" and profile is not None and profile.person_id == me.id)
            or (parts[1] == "lv" and link.member_id == me.id)))
        if not allowed:
            await query.answer(services.texts.label("checkin.not_yours", lang_of(update, context)))
            return
        assert link is not None and profile is not None
        link.revoked_at = services.clock.now()
        session.add(link)
        member = await session.get(Person, link.member_id)
        patient = await session.get(Person, profile.person_id)
    await query.answer()
    assert member is not None and patient is not None
    if parts[1] == "rm":
        await query.edit_message_text(render(update, context, "family/removed",
                                             member=member.first_name))
        await _notify(context, member, "family/removed_notice", patient=patient.first_name)
    else:
        await query.edit_message_text(render(update, context, "family/left",
                                             patient=patient.first_name))
        await _notify(context, patient, "family/left_notice", member=member.first_name)


# ---- the shared progress view ------------------------------------------------------------
async def family_progress(update: Update, context: RehabContext) -> bool:
    """/progress from someone who follows patients: choose, or show the only one. Returns
    False if the person follows nobody."""
    me = await _me(update, context)
    if me is None:
        return False
    async with context.services.db.session() as session:
        following = await family.patients_of(session=session, member_id=me.id)  # type: ignore[arg-type]
    if not following:
        return False
    if len(following) == 1:
        await show_patient_progress(update, context, following[0][1].id)  # type: ignore[arg-type]
        return True
    rows = [[button(update, context, "family.progress", f"prog:p:{profile.id}",
                    patient=person.first_name)] for _, profile, person in following]
    await reply(update, context, "family/choose", markup=keyboard(*rows))
    return True


async def on_progress_tap(update: Update, context: RehabContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    try:
        patient_id = int(query.data.split(":")[2])
    except (IndexError, ValueError):
        await query.answer()
        return
    await query.answer()
    await show_patient_progress(update, context, patient_id)


async def show_patient_progress(update: Update, context: RehabContext, patient_id: int) -> None:
    """The patient's progress, for a family member: only through an active link."""
    services = context.services
    me = await _me(update, context)
    async with services.db.session() as session:
        link = (await family.active_link(session=session, patient_id=patient_id,
                                         member_id=me.id)  # type: ignore[union-attr,arg-type]
                if me is not None else None)
        if link is None:
            await reply(update, context, "family/no_access")
            return
        profile = await session.get(PatientProfile, patient_id)
        patient = await session.get(Person, profile.person_id)  # type: ignore[union-attr]
        assert profile is not None and patient is not None
        today = local_day(services.clock.now(),
                          zone_of(patient, services.settings.default_timezone))
        progress = await patient_progress(session=session, profile=profile, today=today)
    await send_progress(update, context, chat_id=update.effective_chat.id,  # type: ignore[union-attr]
                        profile=profile, name=patient.first_name, progress=progress, own=False)


# ---- cheers ----------------------------------------------------------------------------------
async def on_cheer_tap(update: Update, context: RehabContext) -> None:
    """chr:<patient> shows the choices; chr:<patient>:<n> sends a preset; :own asks for words."""
    query = update.callback_query
    assert query is not None and query.data is not None
    services = context.services
    parts = query.data.split(":")
    try:
        patient_id = int(parts[1])
    except (IndexError, ValueError):
        await query.answer()
        return
    me = await _me(update, context)
    async with services.db.session() as session:
        link = (await family.active_link(session=session, patient_id=patient_id,
                                         member_id=me.id)  # type: ignore[union-attr,arg-type]
                if me else None)
        if link is None or me is None:
            await query.answer(services.texts.label("checkin.not_yours",
                                                    lang_of(update, context)))
            return
        if len(parts) == 3 and parts[2] == "own":
            stored = await session.get(Person, me.id)
            stored.pending_action = f"cheer:{patient_id}"  # type: ignore[union-attr]
            stored.pending_until = services.clock.now() + timedelta(minutes=PENDING_MINUTES)  # type: ignore[union-attr]
            session.add(stored)
    await query.answer()
    lang = lang_of(update, context)
    if len(parts) == 2:
        rows = [[button(update, context, key, f"chr:{patient_id}:{i}")]
                for i, key in enumerate(CHEER_PRESETS)]
        rows.append([button(update, context, "cheer.own", f"chr:{patient_id}:own")])
        await reply(update, context, "family/cheer_choose", markup=keyboard(*rows))
    elif parts[2] == "own":
        await reply(update, context, "family/cheer_type", limit=rules.CHEER_MAX)
    elif parts[2].isdigit() and int(parts[2]) < len(CHEER_PRESETS):
        await clear_buttons(update)
        text = services.texts.label(CHEER_PRESETS[int(parts[2])], lang)
        await send_cheer(update, context, me, patient_id, text)


async def send_cheer(update: Update, context: RehabContext, me: Person, patient_id: int,
                     text: str) -> None:
    """Deliver a cheer to the patient, with who sent it and a button to say thanks."""
    services = context.services
    async with services.db.session() as session:
        if await family.active_link(session=session, patient_id=patient_id,
                                    member_id=me.id) is None:  # type: ignore[arg-type]
            await reply(update, context, "family/no_access")
            return
        cheer = await family.add_cheer(session=session, patient_id=patient_id,
                                       from_person_id=me.id, text=text,  # type: ignore[arg-type]
                                       now=services.clock.now())
    found = await _patient_person(context, patient_id)
    assert found is not None
    _, patient = found
    lang = services.texts.language(patient.language_code)
    await _notify(context, patient, "family/cheer_received", sender=me.first_name, text=text,
                  markup=InlineKeyboardMarkup([[InlineKeyboardButton(
                      services.texts.label("cheer.thanks", lang),
                      callback_data=f"thx:{cheer.id}")]]))
    await reply(update, context, "family/cheer_sent", patient=patient.first_name)


async def on_cheer_text(update: Update, context: RehabContext, me: Person, text: str) -> bool:
    """The family member's own words for a cheer, if that is what we are waiting for."""
    services = context.services
    if not (me.pending_action or "").startswith("cheer:"):
        return False
    expired = me.pending_until is None or me.pending_until < services.clock.now()
    patient_id = int(me.pending_action.split(":")[1])  # type: ignore[union-attr]
    async with services.db.session() as session:
        stored = await session.get(Person, me.id)
        if stored is not None:
            stored.pending_action, stored.pending_until = None, None
            session.add(stored)
    if expired:
        return False
    text = text.strip()
    if not text or len(text) > rules.CHEER_MAX:
        await reply(update, context, "family/cheer_too_long", limit=rules.CHEER_MAX)
        async with services.db.session() as session:  # let them try again
            stored = await session.get(Person, me.id)
            stored.pending_action = f"cheer:{patient_id}"  # type: ignore[union-attr]
            stored.pending_until = services.clock.now() + timedelta(minutes=PENDING_MINUTES)  # type: ignore[union-attr]
            session.add(stored)
        return True
    await send_cheer(update, context, me, patient_id, text)
    return True


async def on_thanks_tap(update: Update, context: RehabContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    services = context.services
    try:
        cheer_id = int(query.data.split(":")[1])
    except (IndexError, ValueError):
        await query.answer()
        return
    me = await _me(update, context)
    async with services.db.session() as session:
        cheer = await family.get_cheer(session=session, cheer_id=cheer_id)
        profile = await session.get(PatientProfile, cheer.patient_id) if cheer else None
        if cheer is None or profile is None or me is None or profile.person_id != me.id:
            await query.answer(services.texts.label("checkin.not_yours",
                                                    lang_of(update, context)))
            return
        if cheer.thanked_at is not None:
            await query.answer(services.texts.label("checkin.already", lang_of(update, context)))
            return
        cheer.thanked_at = services.clock.now()
        session.add(cheer)
        sender = await session.get(Person, cheer.from_person_id)
    await query.answer()
    await clear_buttons(update)
    if sender is not None:
        await _notify(context, sender, "family/thanked", patient=me.first_name)


# ---- alerts ----------------------------------------------------------------------------------
async def alerts(update: Update, context: RehabContext) -> None:
    """/alerts: the patient chooses what family hear about (off by default); /alerts 3 sets
    how many quiet days make an alert."""
    user = update.effective_user
    assert user is not None
    days = (context.args or [""])[0]
    async with context.services.db.session() as session:
        found = await patients.get_patient(session=session, telegram_id=user.id)
        if found is not None and days:
            if not days.isdigit() or not 1 <= int(days) <= 14:
                await reply(update, context, "family/alerts_days_help")
                return
            found[1].alert_inactive_days = int(days)
            session.add(found[1])
    if found is None:
        await reply(update, context, "plan/not_ready")
        return
    await reply(update, context, "family/alerts", **_alert_view(found[1]),
                markup=_alert_keyboard(update, context, found[1]))


def _alert_view(profile: PatientProfile) -> dict[str, object]:
    return {"inactive": profile.alert_inactive_days, "pain": profile.alert_pain}


def _alert_keyboard(update: Update, context: RehabContext,
                    profile: PatientProfile) -> InlineKeyboardMarkup:
    return keyboard(
        [button(update, context, "alerts.inactive", "alr:inactive",
                chosen=profile.alert_inactive_days is not None)],
        [button(update, context, "alerts.pain", "alr:pain", chosen=profile.alert_pain)])


async def on_alert_tap(update: Update, context: RehabContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    async with context.services.db.session() as session:
        found = await patients.get_patient(session=session, telegram_id=update.effective_user.id)
        if found is None:
            await query.answer()
            return
        profile = found[1]
        if query.data == "alr:inactive":
            profile.alert_inactive_days = (None if profile.alert_inactive_days
                                           else DEFAULT_QUIET_DAYS)
        elif query.data == "alr:pain":
            profile.alert_pain = not profile.alert_pain
        session.add(profile)
    await query.answer()
    await query.edit_message_text(render(update, context, "family/alerts",
                                         **_alert_view(profile)),
                                  reply_markup=_alert_keyboard(update, context, profile))


async def pain_alert(context: RehabContext, profile: PatientProfile, patient: Person,
                     day: object) -> None:
    """Tell each linked member, once per day, that the patient reported pain."""
    if not profile.alert_pain:
        return
    services = context.services
    async with services.db.session() as session:
        members = await family.members_of(session=session, patient_id=profile.id)  # type: ignore[arg-type]
        told = [m for _, m in members
                if await family.claim_alert(session=session, patient_id=profile.id,  # type: ignore[arg-type]
                                            member_id=m.id, kind="pain", episode=str(day),  # type: ignore[arg-type]
                                            now=services.clock.now())]
    for member in told:
        await _notify(context, member, "family/alert_pain", patient=patient.first_name)


# ---- the family group --------------------------------------------------------------------
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
            await reply(update, context, "plan/not_ready")
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
    now = services.clock.now()
    async with services.db.session() as session:
        invitation = await family.invitation_by_hash(session=session,
                                                     token_hash=rules.secret_hash(code))
        problem = _invitation_problem(invitation, now, kind="group")
        if problem is None:
            assert invitation is not None
            invitation.used_at = now
            session.add(invitation)
            if await family.group_by_chat(session=session, chat_id=chat.id) is None:
                from db.models import GroupLink

                session.add(GroupLink(patient_id=invitation.patient_id, chat_id=chat.id,
                                      created_at=now))
    if problem is not None:
        await reply(update, context, f"family/invite_{problem}")
        return
    found = await _patient_person(context, invitation.patient_id)  # type: ignore[union-attr]
    assert found is not None
    await reply(update, context, "family/group_linked", patient=found[1].first_name)
    await _notify(context, found[1], "family/group_linked_notice", title=chat.title or "")


async def tell_groups(context: RehabContext, patient_id: int, template: str,
                      **values: object) -> None:
    """Share a milestone with the patient's family groups (bulk lane, group-paced)."""
    from telegram.error import TelegramError

    services = context.services
    async with services.db.session() as session:
        groups = await family.groups_of(session=session, patient_id=patient_id)
    found = await _patient_person(context, patient_id)
    if not groups or found is None:
        return
    patient = found[1]
    lang = services.texts.language(patient.language_code)
    text = services.texts.render(template, lang, name=patient.first_name,
                                 patient=patient.first_name, **values)
    for group in groups:
        try:
            await context.bot.send_message(group.chat_id, text, rate_limit_args={"bulk": True})
        except TelegramError:
            continue


