"""Inactivity alerts: a patient who has not practised for N days. Family hear when the patient
opted in (their N), care-team members when they chose to (each their own N); once per quiet
spell, never at night (queued for the outbox).

A round over every such patient starts at most hourly and goes a page a tick (by patient id),
so a tick costs the same with a thousand patients or a million: only a patient with no
practice for at least a day (the least N anyone can choose) is looked at more closely."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from telegram.ext import Application

from bot.flows.alerts import Quiet, queue_quiet
from bot.jobs.outbox import AlertOutbox
from bot.rules.family import inactivity_episode
from db import family
from db.engine import Database

PAGE = 100  # followed patients looked at in one tick (1,000,000 patients: a round in ~40 min)


class AlertSweeper:
    def __init__(self, *, database: Callable[[], Database], quiet: Quiet, outbox: AlertOutbox,
                 every: timedelta = timedelta(hours=1), page: int = PAGE) -> None:
        self.quiet = quiet
        self._database = database
        self.outbox = outbox
        self.every = every
        self.page = page
        self.last_run: datetime | None = None  # when the current or last round started
        self.cursor: int | None = None  # the last patient id looked at, while a round is on

    async def tick(self, app: Application, now: datetime) -> int:
        if self.cursor is None:
            if self.last_run is not None and now - self.last_run < self.every:
                return await self.outbox.tick(app, now)
            self.last_run, self.cursor = now, 0
        async with self._database().session() as session:
            page, self.cursor = await family.inactivity_page(
                session=session, after=self.cursor, limit=self.page)
            quiet_a_day = {}
            for candidate in page:
                zone = ZoneInfo(candidate.timezone or self.quiet.default_zone)
                since = candidate.created_at.astimezone(zone).date()
                today = now.astimezone(zone).date()
                if inactivity_episode(last_practice=candidate.last_practice, since=since,
                                      today=today, days=1) is not None:
                    quiet_a_day[candidate.profile_id] = (candidate, since, today)
            followers = await family.followers_of(session=session,
                                                  patient_ids=list(quiet_a_day))
            for profile, patient in await family.profiles_with_people(
                    session=session, profile_ids=list(quiet_a_day)):
                candidate, since, today = quiet_a_day[profile.id]  # type: ignore[index]
                await queue_quiet(session=session, profile=profile, patient=patient,
                                  followers=followers[profile.id],  # type: ignore[index]
                                  last_practice=candidate.last_practice, since=since,
                                  today=today, now=now, quiet=self.quiet)
        return await self.outbox.tick(app, now)
