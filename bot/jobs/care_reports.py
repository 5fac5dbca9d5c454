"""The weekly report to the care team: on the day each member chose, from 08:00 in their own
time zone, once a week per patient (claimed like an alert, so restarts and a second instance
never send it twice). A round over the care-team links starts at most hourly and goes a page
a tick, columns only; whole rows are read only for a report that is due. The PDF is drawn off
the event loop."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from telegram import InputFile
from telegram.error import TelegramError
from telegram.ext import Application

from bot import drawing
from bot.flows.practice import today_of
from bot.flows.report import report_data
from bot.materials.report import report_for
from bot.materials.texts import Texts
from db import family
from db.engine import Database

FROM = time(8)
PAGE = 500  # care-team links looked at in one tick
REPORTS = 10  # reports drawn in one tick at most; the round goes on from there next tick


class CareReports:
    def __init__(self, *, database: Callable[[], Database], texts: Texts, default_zone: str,
                 every: timedelta = timedelta(hours=1), page: int = PAGE) -> None:
        self._database = database
        self.texts = texts
        self.default_zone = default_zone
        self.every = every
        self.page = page
        self.last_run: datetime | None = None  # when the current or last round started
        self.cursor: int | None = None  # the last link id looked at, while a round is on

    async def tick(self, app: Application, now: datetime) -> int:
        if self.cursor is None:
            if self.last_run is not None and now - self.last_run < self.every:
                return 0
            self.last_run, self.cursor = now, 0
        jobs = []
        async with self._database().session() as session:
            slots = await family.care_report_page(session=session, after=self.cursor,
                                                  limit=self.page)
            self.cursor = slots[-1].link_id if len(slots) == self.page else None
            due: list[int] = []
            for slot in slots:
                local = now.astimezone(ZoneInfo(slot.timezone or self.default_zone))
                if slot.report_day == local.weekday() and local.time() >= FROM and slot.active:
                    if len(due) == REPORTS:
                        self.cursor = due[-1]  # the rest of this page next tick
                        break
                    due.append(slot.link_id)
            for _link, member, profile, patient in await family.care_links(
                    session=session, link_ids=due):
                local = now.astimezone(ZoneInfo(member.timezone or self.default_zone))
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
            pdf, caption = await drawing.drawn(
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
