"""Inactivity alerts: a patient who has not practised for N days. Family hear when the patient
opted in (their N), care-team members when they chose to (each their own N); once per quiet
spell, never at night (queued for the outbox). Checked at most hourly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, func, select
from telegram.ext import Application

from bot.flows.alerts import Quiet, queue_quiet
from bot.jobs.outbox import AlertOutbox
from db import family
from db.engine import Database
from db.models import CheckIn


class AlertSweeper:
    def __init__(self, *, database: Callable[[], Database], quiet: Quiet, outbox: AlertOutbox,
                 every: timedelta = timedelta(hours=1)) -> None:
        self.quiet = quiet
        self._database = database
        self.outbox = outbox
        self.every = every
        self.last_run: datetime | None = None

    async def tick(self, app: Application, now: datetime) -> int:
        if self.last_run is not None and now - self.last_run < self.every:
            return 0
        self.last_run = now
        async with self._database().session() as session:
            for profile, patient in await family.patients_with_inactivity_alerts(session=session):
                zone = ZoneInfo(patient.timezone or self.quiet.default_zone)
                last = (await session.exec(select(func.max(CheckIn.local_day)).where(
                    CheckIn.patient_id == profile.id, col(CheckIn.undone_at).is_(None)))).one()
                await queue_quiet(session=session, profile=profile, patient=patient,
                                  last_practice=last,
                                  since=profile.created_at.astimezone(zone).date(),
                                  today=now.astimezone(zone).date(), now=now, quiet=self.quiet)
        return await self.outbox.tick(app, now)
