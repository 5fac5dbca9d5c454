"""Alerts for family: the patient chooses what family hear about (off by default), and pain
reported in practice reaches the members who opted in, once a day."""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardMarkup, Update

from bot.context import RehabContext
from bot.flows import alerts as alert_flows
from bot.flows.session import Pain
from bot.rules.exercises import Stage
from db import patients
from db.models import PatientProfile, Person
from handlers.common import button, keyboard, not_ready, render, reply

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
        await not_ready(update, context)
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


async def stage_alert(context: RehabContext, profile: PatientProfile, patient: Person,
                      stage: Stage, day: date) -> None:
    """The rules moved the stage: care-team members who chose stage alerts hear of it."""
    services = context.services
    now = services.clock.now()
    async with services.db.session() as session:
        queued = await alert_flows.queue_stage(session=session, profile=profile,
                                               patient=patient, stage_key=stage.key, day=day,
                                               now=now, quiet=services.extras["quiet"])
    if queued:
        await services.extras["outbox"].tick(context.application, now)


async def pain_alert(context: RehabContext, profile: PatientProfile, patient: Person,
                     pain: Pain) -> None:
    """Pain that needs the care team reaches family who opted in and the care team, once per
    episode, never at night (queued; what is due now goes out at once)."""
    if pain.episode is None:
        return
    services = context.services
    now = services.clock.now()
    async with services.db.session() as session:
        queued = await alert_flows.queue_pain(
            session=session, profile=profile, patient=patient, regions=sorted(pain.care_team),
            severe=pain.severe, episode=pain.episode, now=now, quiet=services.extras["quiet"])
    if queued:
        await services.extras["outbox"].tick(context.application, now)
