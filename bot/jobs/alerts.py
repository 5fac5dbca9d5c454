"""Inactivity alerts: a patient who has not practised for N days. Family hear when the patient
opted in (their N), care-team members when they chose to (each their own N); once per quiet
spell, never at night (queued for the outbox).

A round over every such patient starts at most hourly and goes a page a tick (by patient id),
so a tick costs the same with a thousand patients or a million: only a patient with no
practice for at least a day (the least N anyone can choose) is looked at more closely. A page
is sized to what the tick has left of its budget (``bot.jobs.budget``), never fewer than
PAGE_SMALLEST patients, so a round always moves on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from time import perf_counter
from zoneinfo import ZoneInfo

from telegram.ext import Application

from bot.flows.alerts import QUIET_KINDS, Quiet, queue_quiet
from bot.jobs.budget import Pace, TickBudget
from bot.jobs.outbox import AlertOutbox
from bot.rules.family import inactivity_episode
from db import family
from db.engine import Database

PAGE = 100  # followed patients looked at in one tick at most (fewer if the tick is short)
PAGE_SMALLEST = 25  # and at least (10,000 followed: a round in 33 to 133 minutes of ticks)
PAGE_FIRST_GUESS = 0.0003  # seconds a patient, until measured
PAGE_FIXED = 0.006  # seconds a page, whatever its size (its transaction and four reads)


class AlertSweeper:
    def __init__(self, *, database: Callable[[], Database], quiet: Quiet, outbox: AlertOutbox,
                 every: timedelta = timedelta(hours=1), page: int = PAGE,
                 budget: TickBudget | None = None) -> None:
        self.quiet = quiet
        self._database = database
        self.outbox = outbox
        self.every = every
        self.page = page
        self.budget = budget or TickBudget()  # the ticker's: what a tick has left
        self.pace = Pace(smallest=PAGE_SMALLEST, largest=PAGE, first_guess=PAGE_FIRST_GUESS,
                         fixed=PAGE_FIXED)
        self.last_run: datetime | None = None  # when the current or last round started
        self.cursor: int | None = None  # the last patient id looked at, while a round is on

    async def tick(self, app: Application, now: datetime) -> int:
        if self.cursor is None:
            if self.last_run is not None and now - self.last_run < self.every:
                return 0
            self.last_run, self.cursor = now, 0
        limit = min(self.page, self.pace.how_many(self.budget.left()))
        began = perf_counter()
        queued = 0
        async with self._database().session() as session:
            page, self.cursor = await family.inactivity_page(
                session=session, after=self.cursor, limit=limit)
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
            claimed = await family.alerts_claimed(session=session, patient_ids=list(quiet_a_day),
                                                  kinds=QUIET_KINDS)
            for candidate, since, today in quiet_a_day.values():
                queued += await queue_quiet(session=session, candidate=candidate,
                                            followers=followers[candidate.profile_id],
                                            since=since, today=today, now=now,
                                            quiet=self.quiet, claimed=claimed)
        if self.cursor is not None:  # a whole page (the round's last may be short)
            self.pace.took(limit, perf_counter() - began)
        # what this page queued goes out now if due (the outbox ran earlier in this tick)
        return await self.outbox.tick(app, now) if queued else 0
