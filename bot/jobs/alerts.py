"""Inactivity alerts: a patient who opted in and has not practised for N days; each linked
family member is told once per quiet spell. Checked at most hourly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, func, select
from telegram.error import TelegramError
from telegram.ext import Application

from bot.jobs.dispatch import in_quiet_hours
from bot.materials.texts import Texts
from bot.rules import family as rules
from db import family
from db.engine import Database
from db.models import CheckIn


class AlertSweeper:
    def __init__(self, *, database: Callable[[], Database], texts: Texts, default_zone: str,
                 quiet: tuple[time, time] = (time(21), time(8)),
                 every: timedelta = timedelta(hours=1)) -> None:
        self.quiet = quiet
        self._database = database
        self.texts = texts
        self.default_zone = default_zone
        self.every = every
        self.last_run: datetime | None = None

    async def tick(self, app: Application, now: datetime) -> int:
        if self.last_run is not None and now - self.last_run < self.every:
            return 0
        self.last_run = now
        outbox = []
        async with self._database().session() as session:
            for profile, patient in await family.patients_with_inactivity_alerts(session=session):
                today = now.astimezone(ZoneInfo(patient.timezone or self.default_zone)).date()
                last = (await session.exec(select(func.max(CheckIn.local_day)).where(
                    CheckIn.patient_id == profile.id, col(CheckIn.undone_at).is_(None)))).one()
                episode = rules.inactivity_episode(
                    last_practice=last, since=profile.created_at.astimezone(
                        ZoneInfo(patient.timezone or self.default_zone)).date(),
                    today=today, days=profile.alert_inactive_days or 2)
                if episode is None:
                    continue
                for _, member in await family.members_of(session=session,
                                                         patient_id=profile.id):  # type: ignore[arg-type]
                    local = now.astimezone(ZoneInfo(member.timezone or self.default_zone))
                    if in_quiet_hours(local.time(), *self.quiet):
                        continue  # not at night: the next hourly check tells them
                    if member.active and await family.claim_alert(
                            session=session, patient_id=profile.id, member_id=member.id,  # type: ignore[arg-type]
                            kind="inactive", episode=episode, now=now):
                        outbox.append((member, patient, profile.alert_inactive_days or 2))
        sent = 0
        for member, patient, days in outbox:
            lang = self.texts.language(member.language_code)
            try:
                await app.bot.send_message(member.telegram_id, self.texts.render(
                    "family/alert_inactive", lang, name=member.first_name,
                    patient=patient.first_name, days=days), rate_limit_args={"bulk": True})
                sent += 1
            except TelegramError:
                continue
        return sent
