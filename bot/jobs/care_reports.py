"""The weekly report to the care team: on the day each member chose, from 08:00 in their own
time zone, once a week per patient (claimed like an alert, so restarts and a second instance
never send it twice). Checked at most hourly; the PDF is drawn off the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from telegram import InputFile
from telegram.error import TelegramError
from telegram.ext import Application

from bot.flows.practice import today_of
from bot.flows.report import report_data
from bot.materials.report import report_for
from bot.materials.texts import Texts
from db import family
from db.engine import Database

FROM = time(8)


class CareReports:
    def __init__(self, *, database: Callable[[], Database], texts: Texts, default_zone: str,
                 every: timedelta = timedelta(hours=1)) -> None:
        self._database = database
        self.texts = texts
        self.default_zone = default_zone
        self.every = every
        self.last_run: datetime | None = None

    async def tick(self, app: Application, now: datetime) -> int:
        if self.last_run is not None and now - self.last_run < self.every:
            return 0
        self.last_run = now
        jobs = []
        async with self._database().session() as session:
            for link, member, profile, patient in await family.care_links(session=session):
                day = (link.alert_prefs or {}).get("report_day")
                local = now.astimezone(ZoneInfo(member.timezone or self.default_zone))
                if day != local.weekday() or local.time() < FROM or not member.active:
                    continue
                year, week, _ = local.isocalendar()
                if await family.claim_alert(session=session, patient_id=profile.id,  # type: ignore[arg-type]
                                            member_id=member.id, kind="care_report",  # type: ignore[arg-type]
                                            episode=f"{year}-W{week:02d}", now=now,
                                            delivered=True):
                    data = await report_data(session=session, profile=profile, patient=patient,
                                             end=today_of(patient, self.default_zone, now))
                    jobs.append((member, data))
        sent = 0
        for member, data in jobs:
            pdf, caption = await asyncio.to_thread(
                report_for, data, self.texts,
                self.texts.language(member.language_code, member.language),
                reader=member.first_name)
            try:
                await app.bot.send_document(
                    member.telegram_id,
                    InputFile(pdf, filename=f"rehab-buddy-report-{data.end.isoformat()}.pdf"),
                    caption=caption,
                    rate_limit_args={"bulk": True})
                sent += 1
            except TelegramError:
                continue
        return sent
