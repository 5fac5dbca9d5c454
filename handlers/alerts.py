"""Alerts for family: the patient chooses what family hear about (off by default), and pain
reported in practice reaches the members who opted in, once a day."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.context import RehabContext
from bot.flows.session import Pain
from bot.rules.exercises import REGIONS
from db import family, patients
from db.models import PatientProfile, Person
from handlers.common import button, keyboard, notify, render, reply

DEFAULT_QUIET_DAYS = 2


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
                     pain: Pain) -> None:
    """Tell each linked member who opted in, once per episode, that pain in a region needs
    the care team (two of three days, or a lot)."""
    if not profile.alert_pain or pain.episode is None:
        return
    services = context.services
    async with services.db.session() as session:
        members = await family.members_of(session=session, patient_id=profile.id)  # type: ignore[arg-type]
        told = [m for _, m in members
                if await family.claim_alert(session=session, patient_id=profile.id,  # type: ignore[arg-type]
                                            member_id=m.id, kind="pain",  # type: ignore[arg-type]
                                            episode=pain.episode, now=services.clock.now())]
    for member in told:
        lang = services.texts.language(member.language_code)
        names = [services.texts.label(f"region_name.{r}", lang) for r in REGIONS
                 if r in pain.care_team]
        await notify(context, member, "family/alert_pain", patient=patient.first_name,
                     regions=services.texts.label("region_name.joiner", lang).join(names),
                     severe=pain.severe)
