"""The family view: who follows whom (remove or leave at once), and cheers from family to the
patient. Every read of a patient's data for someone else checks an active link; callback data
only ever names things, it never grants anything."""

from __future__ import annotations

from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import RehabContext
from bot.rules import family as rules
from db import family, patients
from db.models import PatientProfile, Person
from handlers.common import (
    button,
    clear_buttons,
    current_person,
    edit_text,
    keyboard,
    lang_of,
    notify,
    patient_person,
    record_id,
    render,
    reply,
)

CHEER_PRESETS = ("cheer.preset1", "cheer.preset2", "cheer.preset3")
PENDING_MINUTES = 30


async def family_command(update: Update, context: RehabContext) -> None:
    """/family: a patient sees who follows them; a family member sees whom they follow."""
    me = await current_person(update, context)
    if me is None:
        return
    async with context.services.db.session() as session:
        found = await patients.get_patient(session=session, telegram_id=me.telegram_id)
        members = (await family.members_of(session=session, patient_id=found[1].id)  # type: ignore[arg-type]
                   if found else [])
        carers = (await family.members_of(session=session, patient_id=found[1].id,  # type: ignore[arg-type]
                                          role="care") if found else [])
        following = (await family.patients_of(session=session, member_id=me.id)  # type: ignore[arg-type]
                     )[:rules.MAX_FOLLOWERS]  # a list that stays readable
    practising = found is not None and found[1].onboarding_step == "done"
    if practising or members or carers:
        rows = [[button(update, context, "family.remove", f"fam:rm:{link.id}",
                        member=person.first_name)] for link, person in (*members, *carers)]
        await reply(update, context, "family/members", members=[p.first_name for _, p in members],
                    care_team=[p.first_name for _, p in carers],
                    markup=keyboard(*rows) if rows else None)
    if following or not practising:
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
    """Remove a member (patient side) or stop following (member side): asked first
    (``rm``/``lv``), done on "Yes" (``rmy``/``lvy``), effective at once. A repeated "Yes" says
    the same again; only someone who is neither side is told the button is not theirs."""
    query = update.callback_query
    assert query is not None and query.data is not None
    services = context.services
    parts = query.data.split(":")
    if parts[1:2] == ["keep"]:
        await query.answer()
        await edit_text(update, render(update, context, "family/kept"))
        return
    try:
        link_id = record_id(parts[2])
    except (IndexError, ValueError):
        await query.answer()
        return
    action = parts[1]
    removing = action in ("rm", "rmy")
    me = await current_person(update, context)
    async with services.db.session() as session:
        link = await family.get_link(session=session, link_id=link_id)
        profile = await session.get(PatientProfile, link.patient_id) if link else None
        allowed = (link is not None and me is not None and profile is not None and (
            (removing and profile.person_id == me.id)
            or (not removing and link.member_id == me.id)))
        if not allowed:
            await query.answer(services.texts.label("checkin.not_yours", lang_of(update, context)))
            return
        assert link is not None and profile is not None
        member = await session.get(Person, link.member_id)
        patient = await session.get(Person, profile.person_id)
        already = link.revoked_at is not None
        if action in ("rmy", "lvy") and not already:
            link.revoked_at = services.clock.now()
            session.add(link)
    assert member is not None and patient is not None
    await query.answer()
    if action in ("rm", "lv"):
        if already:  # an old button: it is already done
            await reply(update, context, "family/removed" if removing else "family/left",
                        member=member.first_name, patient=patient.first_name)
            return
        yes = f"fam:{action}y:{link_id}"
        await reply(update, context,
                    "family/confirm_remove" if removing else "family/confirm_leave",
                    member=member.first_name, patient=patient.first_name, markup=keyboard(
                        [button(update, context, "family.yes_remove" if removing
                                else "family.yes_leave", yes, member=member.first_name,
                                patient=patient.first_name)],
                        [button(update, context, "family.keep", "fam:keep")]))
        return
    if removing:
        await edit_text(update, render(update, context, "family/removed",
                                       member=member.first_name))
        if not already:
            await notify(context, member, "family/removed_notice", patient=patient.first_name)
    else:
        await edit_text(update, render(update, context, "family/left",
                                       patient=patient.first_name))
        if not already:
            await notify(context, patient, "family/left_notice", member=member.first_name)


# ---- cheers ----------------------------------------------------------------------------------
async def on_cheer_tap(update: Update, context: RehabContext) -> None:
    """chr:<patient> shows the choices; chr:<patient>:<n> sends a preset; :own asks for words."""
    query = update.callback_query
    assert query is not None and query.data is not None
    services = context.services
    parts = query.data.split(":")
    try:
        patient_id = record_id(parts[1])
    except (IndexError, ValueError):
        await query.answer()
        return
    me = await current_person(update, context)
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
    found = await patient_person(context, patient_id)
    assert found is not None
    _, patient = found
    lang = services.texts.language(patient.language_code, patient.language)
    await notify(context, patient, "family/cheer_received", sender=me.first_name, text=text,
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
        cheer_id = record_id(query.data.split(":")[1])
    except (IndexError, ValueError):
        await query.answer()
        return
    me = await current_person(update, context)
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
        await notify(context, sender, "family/thanked", patient=me.first_name)
